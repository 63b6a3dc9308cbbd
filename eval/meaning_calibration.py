"""Choose when to ask the meaning model, and how much to trust it, by cross-validation on the training data.

    python -m eval.meaning_calibration

Each training example is classified by models trained on the other folds (the folds of eval.calibration):
the character n-grams, and a logistic regression on its sentence embedding (bot/meaning). The n-gram
reading is kept when it is sure or the example has fewer than min_words words; otherwise the two are
pooled, as MeaningIntentClassifier does. Each
setting is scored like eval.calibration scores a threshold (the share answered right minus the share
answered wrong, at the ConfidenceGate's threshold in config.yml); near-ties go to fewer wrong answers.
Never the dev set: it only measures.
"""

from __future__ import annotations

import argparse
import itertools

import numpy as np
import yaml
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import StratifiedKFold

from eval.calibration import ROOT, WRONG_COST, cross_validated_probabilities, outcomes, training_examples
from rasa_plugins.nlu.sentence_meaning import plain_words, pooled, shared_encoder

# consult_below is a cost as well as a score: each consultation is ~16 ms of CPU, so each is listed with its share.
CONSULT_BELOW = (0.5, 0.6, 0.7, 0.8, 0.9, 1.01)  # 1.01: always
CONSULT_MARGIN = (0.05, 0.1, 0.2)
WEIGHTS = (0.5, 0.6, 0.75, 0.9)
MEANING_C = (10.0, 30.0, 100.0, 300.0, 1000.0)
# Settings scoring within this of the best differ by a handful of the ~2600 examples: noise, not a better model.
TIE = 0.002


def configured(component: str) -> dict:
    """A pipeline component's settings in config.yml."""
    pipeline = yaml.safe_load((ROOT / "config.yml").read_text())["pipeline"]
    return next(step for step in pipeline if step["name"].endswith(component))


def cross_validated_meaning(embeddings: np.ndarray, intents: list[str], c: float, folds: int = 5) -> np.ndarray:
    labels = np.array(intents)
    classes = sorted(set(intents))
    probabilities = np.zeros((len(intents), len(classes)))
    for train, test in StratifiedKFold(folds, shuffle=True, random_state=42).split(embeddings, labels):
        model = LogisticRegression(C=c, max_iter=1000, class_weight="balanced", random_state=42)
        model.fit(embeddings[train], labels[train])
        columns = [classes.index(name) for name in model.classes_]
        probabilities[np.ix_(test, columns)] = model.predict_proba(embeddings[test])
    return probabilities


def combined(spelled: np.ndarray, meant: np.ndarray, below: float, margin: float, weight: float, worded: np.ndarray):
    """MeaningIntentClassifier's rule on every row (`worded`: has min_words plain words); also which rows asked."""
    ordered = np.sort(spelled, axis=1)
    unsure = ((ordered[:, -1] < below) | (ordered[:, -1] - ordered[:, -2] < margin)) & worded
    return np.where(unsure[:, None], pooled(spelled, meant, weight), spelled), unsure


def chosen(rows: list[tuple]) -> tuple:
    """The best score; scores within TIE of it are a tie, won by fewer wrong answers (the worst outcome)."""
    best = max(row[0] for row in rows)
    return min((row for row in rows if row[0] >= best - TIE), key=lambda row: (row[4]["wrong"], -row[0]))


def main(argv: list[str] | None = None) -> int:
    argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter).parse_args(argv)

    threshold = configured("ConfidenceGate")["threshold"]
    texts, intents = training_examples()
    spelled, classes = cross_validated_probabilities(texts, intents, configured("IntentClassifier")["C"])
    embeddings = shared_encoder().encode(texts).astype(np.float64)
    min_words = configured("IntentClassifier").get("min_words", 0)
    worded = np.array([plain_words(text) >= min_words for text in texts])

    def score(probabilities: np.ndarray) -> tuple[float, dict]:
        o = outcomes(probabilities, classes, intents, threshold)
        return o["right"] - WRONG_COST * o["wrong"], o

    base, o = score(spelled)
    print(f"{len(texts)} examples, {len(classes)} intents, threshold {threshold}, min_words {min_words}")
    print(f"n-grams alone: score {base:.3f} (right {o['right']:.3f}, wrong {o['wrong']:.3f}, unsure {o['unsure']:.3f})")
    meant = {}
    for c in MEANING_C:
        meant[c] = cross_validated_meaning(embeddings, intents, c)
        alone, o = score(meant[c])
        print(f"meaning alone, C={c:g}: score {alone:.3f} (right {o['right']:.3f}, wrong {o['wrong']:.3f})")
    print("\nThe best setting for each consult_below:\n")
    print("| consult below | meaning C | margin | weight | right | wrong | unsure | asked | score |")
    print("|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for below in CONSULT_BELOW:
        rows = []
        for c, margin, weight in itertools.product(MEANING_C, CONSULT_MARGIN, WEIGHTS):
            mixed, asked = combined(spelled, meant[c], below, margin, weight, worded)
            total, o = score(mixed)
            rows.append((total, c, margin, weight, o, asked.mean()))
        total, c, margin, weight, o, asked = chosen(rows)
        shares = " | ".join(f"{o[k]:.3f}" for k in ("right", "wrong", "unsure"))
        print(f"| {below} | {c:g} | {margin} | {weight} | {shares} | {asked:.3f} | {total:.3f} |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
