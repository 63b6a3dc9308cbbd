"""A tiny run of `make bench` (a few requests, one-epoch stock model), so the benchmark cannot rot.
It checks that everything ran and was recorded; it never asserts on timings."""

from __future__ import annotations

import json
import subprocess
import sys

from tests.conftest import ROOT


def test_the_benchmark_runs_end_to_end_and_records_every_system(tmp_path):
    out = tmp_path / "results.json"
    result = subprocess.run(
        [sys.executable, "-m", "bench", "--smoke", "--out", str(out)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=1500,
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    results = json.loads(out.read_text())
    systems = {(row["system"], row["concurrency"]) for row in results["rows"]}
    expected = {(s, c) for s in ("project", "project-memory") for c in (1, 8, 32, 64)}
    expected |= {("stock", c) for c in (1, 8, 32)}
    # The production set-up behind nginx (PostgreSQL, Redis) with 2 Rasa servers; a full run adds 1 server
    # and 1 server of 2 Sanic workers, which the smoke run leaves out for time.
    expected |= {("production-2", c) for c in (32, 64)}
    assert systems == expected
    for row in results["rows"]:
        assert row["requests"] > 0 and row["rss_mb"] > 0 and row["startup_s"] > 0
        if row["system"] != "stock":
            assert row["errors"] == 0, row  # the project answers every smoke request correctly
            # ... as `make run` runs it (a full run once measured plain `rasa run`: TensorFlow, no speed-ups)
            assert row["rasa_module"] == "rasa_plugins.runtime.lean_server", row
        else:
            assert row["rasa_module"] == "rasa", row
        if row["system"].startswith("production"):
            assert (row["rasa_servers"], row["sanic_workers"]) == (2, 1), row
    assert {"msg_per_s@32", "p99_ms@32", "startup_s", "train_s", "rss_mb"} <= set(results["ratios"])
    production = results["production"]
    targets = {(r["ratio"], r["measure"]) for r in production["ratios"] if "target" in r}
    assert targets == {
        ("production-2 / stock", "msg_per_s@32"),
        ("production-2 / stock", "p99_ms@32"),
        ("production-2 / production-1", "msg_per_s@64"),
    }
    assert production["scaling_efficiency@64"] is None and production["cores"] >= 1  # no 1-server row in smoke
    assert "| msg_per_s@32 |" in result.stdout
    assert "Scaling efficiency at 64:" in result.stdout
    assert results["report"]["messages"] == 500 and results["report"]["report_s"] >= 0  # the report, timed
    assert "the staff's report of a day of 500 messages" in result.stdout
    # The event broker's cost: a round with and without it, both answering every request.
    broker = results["broker"]
    assert broker["rounds"] == 1 and len(broker["with"]) == len(broker["without"]) == 1
    assert all(run["errors"] == 0 for run in broker["with"] + broker["without"])
    assert isinstance(broker["p99_added_pct"], float) and "the event broker, 1 alternating rounds" in result.stdout
