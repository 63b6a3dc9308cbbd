"""Intent accuracy on the held-out test set, measured by `rasa test nlu` on the trained model."""

from __future__ import annotations

import json
import subprocess
import sys

from tests.conftest import ROOT

# The intents the held-out set has covered since issue 6 (the 14 FAQ topics, conversation, applying,
# status, out of scope) keep their bar; the near-FAQ intents added by issue 13 (Credly-platform questions,
# badge expiry, application documents: fine-grained, and all answered with Credly support or a short
# pointer) and the intents added since (a disputed status, the learner's own data) are held to a lower
# one, so the whole set is too.
MIN_ACCURACY_OF_EARLIER_INTENTS = 0.95
NEAR_FAQ_INTENTS = {
    "credly_sign_in",
    "credly_emails",
    "credly_remove_badge",
    "credly_outside_badge_display",
    "credly_missing_badge",
    "credly_account",
    "badge_expiry",
    "application_documents",
    "dispute_status",
    "own_data",
}
MIN_ACCURACY = 0.93
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
    earlier = {i: r for i, r in report.items() if isinstance(r, dict) and "support" in r and i not in NEAR_FAQ_INTENTS}
    earlier = {i: r for i, r in earlier.items() if i not in ("macro avg", "weighted avg", "micro avg")}
    right = sum(r["recall"] * r["support"] for r in earlier.values())
    accuracy_of_earlier = right / sum(r["support"] for r in earlier.values())
    print(f"accuracy on the earlier intents={accuracy_of_earlier:.3f}")
    assert accuracy_of_earlier >= MIN_ACCURACY_OF_EARLIER_INTENTS, wrong
