"""Intent accuracy on the held-out test set, measured by `rasa test nlu` on the trained model."""

from __future__ import annotations

import json
import subprocess
import sys

from tests.conftest import ROOT

MIN_ACCURACY = 0.95
MIN_MACRO_F1 = 0.90


def test_intent_accuracy_and_macro_f1_on_the_held_out_set(trained_model, tmp_path):
    out = tmp_path / "nlu"
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "rasa",
            "test",
            "nlu",
            "--model",
            str(trained_model),
            "--nlu",
            str(ROOT / "tests" / "nlu" / "test_nlu.yml"),
            "--out",
            str(out),
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    report = json.loads((out / "intent_report.json").read_text())
    errors = json.loads((out / "intent_errors.json").read_text()) if (out / "intent_errors.json").exists() else []
    wrong = "\n".join(f"  {e['text']!r}: {e['intent']} -> {e['intent_prediction']['name']}" for e in errors)
    print(f"accuracy={report['accuracy']:.3f} macro_f1={report['macro avg']['f1-score']:.3f}\n{wrong}")
    assert report["accuracy"] >= MIN_ACCURACY, wrong
    assert report["macro avg"]["f1-score"] >= MIN_MACRO_F1, wrong
