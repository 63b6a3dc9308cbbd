"""A tiny run of `make bench` (a few requests, one-epoch stock model), so the benchmark cannot rot.
It checks that everything ran and was recorded; it never asserts on timings."""

from __future__ import annotations

import json
import subprocess
import sys

from tests.conftest import ROOT


def test_the_benchmark_runs_end_to_end_and_records_both_systems(tmp_path):
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
    assert systems == {(s, c) for s in ("project", "project-memory", "stock") for c in (1, 8, 32)}
    for row in results["rows"]:
        assert row["requests"] > 0 and row["rss_mb"] > 0 and row["startup_s"] > 0
        if row["system"].startswith("project"):
            assert row["errors"] == 0, row  # the project answers every smoke request correctly
            # ... as `make run` runs it (a full run once measured plain `rasa run`: TensorFlow, no speed-ups)
            assert row["rasa_module"] == "rasa_plugins.runtime.lean_server", row
        else:
            assert row["rasa_module"] == "rasa", row
    assert {"msg_per_s@32", "p99_ms@32", "startup_s", "train_s", "rss_mb"} <= set(results["ratios"])
    assert "| msg_per_s@32 |" in result.stdout
