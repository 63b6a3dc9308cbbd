"""What the event broker (issue 23: the staff's analytics) costs the chat: the project as `make run` starts
it, with and without the broker in its endpoints, the benchmark's load at 32 conversations, in rounds
that alternate which goes first (this 2-core machine's speed drifts over minutes, so two runs in a row
of one kind would measure the drift). The medians are compared: the issue wants under 5 % more p99."""

from __future__ import annotations

import statistics
from collections.abc import Callable
from pathlib import Path

import yaml

from launcher.servers import ROOT

CONCURRENCY = 32


def endpoints_without_broker(system: Path) -> Path:
    """`make run`'s endpoints.yml without its event_broker: Rasa then publishes nothing."""
    config = yaml.safe_load((ROOT / "endpoints.yml").read_text())
    config.pop("event_broker")
    path = system / "no-broker-endpoints.yml"
    path.write_text(yaml.safe_dump(config, sort_keys=False))
    return path


def compare(measure_once: Callable[[str, Path | None], dict], system: Path, rounds: int) -> dict:
    """`measure_once(name, endpoints template or None for make run's)` -> the load's result at CONCURRENCY."""
    without_broker = endpoints_without_broker(system)
    runs: dict[str, list[dict]] = {"with": [], "without": []}
    for index in range(rounds):
        order = ("with", "without") if index % 2 == 0 else ("without", "with")
        for kind in order:
            template = None if kind == "with" else without_broker
            runs[kind].append(measure_once(f"broker-{kind}-{index + 1}", template))
    median = {kind: _medians(results) for kind, results in runs.items()}
    added = median["with"]["p99_ms"] / median["without"]["p99_ms"] - 1
    return {
        "rounds": rounds,
        "concurrency": CONCURRENCY,
        "with": [_short(r) for r in runs["with"]],
        "without": [_short(r) for r in runs["without"]],
        "median_with": median["with"],
        "median_without": median["without"],
        "p99_added_pct": round(100 * added, 1),
        "msg_per_s_change_pct": round(100 * (median["with"]["msg_per_s"] / median["without"]["msg_per_s"] - 1), 1),
    }


def _short(result: dict) -> dict:
    return {key: result[key] for key in ("msg_per_s", "p99_ms", "errors")}


def _medians(results: list[dict]) -> dict:
    return {key: round(statistics.median(r[key] for r in results), 1) for key in ("msg_per_s", "p99_ms")}


def line(result: dict) -> str:
    w, wo = result["median_with"], result["median_without"]
    return (
        f"the event broker, {result['rounds']} alternating rounds at {result['concurrency']} conversations: "
        f"median p99 {w['p99_ms']} ms with it, {wo['p99_ms']} ms without ({result['p99_added_pct']:+} %, "
        f"target under +5 %); msg/s {w['msg_per_s']} with, {wo['msg_per_s']} without"
    )
