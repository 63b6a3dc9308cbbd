"""Choose the confidence threshold (and the classifier's C) by cross-validation on the training data.

    python -m eval.calibration

Each training example is classified by a model trained on the other folds (the same char n-grams and
logistic regression as rasa_plugins/nlu/intent_classifier.py). For each threshold: the share answered right,
answered wrong (a confident wrong intent: the worst outcome for a learner) and sent to "Did you mean"
(below the threshold, or the top two closer than the ambiguity margin). The score weighs a wrong answer
as WRONG_COST right ones. Never the dev set: it only measures.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np
import yaml
from sklearn.feature_extraction.text import CountVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import StratifiedKFold

from rasa_plugins.nlu.intent_classifier import char_ngrams, normalise

ROOT = Path(__file__).resolve().parent.parent
WRONG_COST = 1.0  # a confident wrong answer costs a learner as much as a right one helps; "Did you mean" neither
THRESHOLDS = (0.2, 0.25, 0.3, 0.35, 0.4, 0.45, 0.5, 0.55, 0.6, 0.65, 0.7)
AMBIGUITY = 0.05


def training_examples() -> tuple[list[str], list[str]]:
    texts, intents = [], []
    for path in sorted((ROOT / "data" / "nlu").glob("*.yml")):
        for block in yaml.safe_load(path.read_text()).get("nlu", []):
            if "intent" not in block:
                continue
            for line in block["examples"].splitlines():
                if line.strip().startswith("- "):
                    texts.append(line.strip()[2:])
                    intents.append(block["intent"])
    return texts, intents


def cross_validated_probabilities(texts, intents, c: float, folds: int = 5) -> tuple[np.ndarray, list[str]]:
    labels = np.array(intents)
    classes = sorted(set(intents))
    probabilities = np.zeros((len(texts), len(classes)))
    for train, test in StratifiedKFold(folds, shuffle=True, random_state=42).split(texts, labels):
        vectorizer = CountVectorizer(analyzer=lambda t: char_ngrams(normalise(t), 2, 5))
        model = LogisticRegression(C=c, max_iter=300, class_weight="balanced", random_state=42)
        model.fit(vectorizer.fit_transform([texts[i] for i in train]), labels[train])
        columns = [classes.index(name) for name in model.classes_]
        probabilities[np.ix_(test, columns)] = model.predict_proba(vectorizer.transform([texts[i] for i in test]))
    return probabilities, classes


def outcomes(probabilities: np.ndarray, classes: list[str], intents: list[str], threshold: float) -> dict:
    order = np.argsort(-probabilities, axis=1)
    top, second = order[:, 0], order[:, 1]
    rows = np.arange(len(intents))
    confident = (probabilities[rows, top] >= threshold) & (
        probabilities[rows, top] - probabilities[rows, second] >= AMBIGUITY
    )
    # out_of_scope is acted on at any confidence (declining is already careful): never "unsure".
    predicted = np.array(classes)[top]
    confident |= predicted == "out_of_scope"
    right = confident & (predicted == np.array(intents))
    wrong = confident & ~right
    n = len(intents)
    return {"right": right.sum() / n, "wrong": wrong.sum() / n, "unsure": (~confident).sum() / n}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--c", type=float, nargs="+", default=[3.0, 10.0, 30.0])
    args = parser.parse_args(argv)
    texts, intents = training_examples()
    print("| C | threshold | right | wrong | unsure | score |\n|---:|---:|---:|---:|---:|---:|")
    best = None
    for c in args.c:
        probabilities, classes = cross_validated_probabilities(texts, intents, c)
        for threshold in THRESHOLDS:
            o = outcomes(probabilities, classes, intents, threshold)
            score = o["right"] - WRONG_COST * o["wrong"]
            shares = " | ".join(f"{o[k]:.3f}" for k in ("right", "wrong", "unsure"))
            print(f"| {c:g} | {threshold:.2f} | {shares} | {score:.3f} |")
            if best is None or score > best[0]:
                best = (score, c, threshold)
    print(f"\nbest: C={best[1]:g}, threshold={best[2]:.2f} (score {best[0]:.3f})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
