"""Dialogue story tests (tests/stories/), run by `rasa test core` on the trained model."""

from __future__ import annotations

import subprocess
import sys

from tests.conftest import ROOT


def test_stories_predict_every_action(trained_model, tmp_path):
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "rasa",
            "test",
            "core",
            "--model",
            str(trained_model),
            "--stories",
            str(ROOT / "tests" / "stories"),
            "--out",
            str(tmp_path),
            "--fail-on-prediction-errors",
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    failed = tmp_path / "failed_test_stories.yml"
    detail = failed.read_text() if failed.exists() else ""
    assert result.returncode == 0, detail + result.stdout[-3000:] + result.stderr[-3000:]
