"""Intent classification from character n-grams with a linear model, as one NLU component.

It does the work of Rasa's CountVectorsFeaturizer (char_wb) + LogisticRegressionClassifier
in one step, because that pair was the largest cost of every message (docs/performance.md):
- the featurizer builds Features objects and sparse matrices for every message;
- scikit-learn's predict_proba copies the whole (n-grams x intents) weight matrix on each call
  to make it C-contiguous;
- the model is saved with skops, whose import and loading were ~7 s of the server's start-up.
Here the weights are stored once as a contiguous (n-grams x intents) array in .npy files and the
vocabulary as JSON, so a prediction is a sum of a few hundred weight rows, and loading is instant.
The training itself is scikit-learn's LogisticRegression, as before.
"""

from __future__ import annotations

import json
import logging
import re
from typing import Any

import numpy as np
from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.classifiers.classifier import IntentClassifier
from rasa.shared.nlu.constants import ENTITIES, INTENT, INTENT_RANKING_KEY, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from rasa_plugins.nlu.question_parts import question_parts

logger = logging.getLogger(__name__)

WEIGHTS_FILE = "weights.npy"
BIAS_FILE = "bias.npy"
VOCABULARY_FILE = "vocabulary.json"
# One message asking several things is marked with one "question" entity per part: its value is the
# intent the part was read as, or UNCLEAR for a question-like part that was not understood.
QUESTION_ENTITY = "question"
UNCLEAR = "nlu_fallback"
OUT_OF_SCOPE = "out_of_scope"
# Words as a learner types them, without the punctuation around them ("fee?" -> "fee").
WORD = re.compile(r"\w+(?:['’.@-]\w+)*")


def normalise(text: str) -> str:
    return " ".join(WORD.findall(text.lower()))


def char_ngrams(text: str, min_n: int, max_n: int) -> list[str]:
    """Character n-grams inside word boundaries, padded with a space (scikit-learn's "char_wb")."""
    grams: list[str] = []
    for word in text.split():
        padded = f" {word} "
        length = len(padded)
        for n in range(min_n, max_n + 1):
            if n > length:
                break
            grams.extend(padded[i : i + n] for i in range(length - n + 1))
    return grams


def softmax(scores: np.ndarray) -> np.ndarray:
    shifted = np.exp(scores - scores.max())
    return shifted / shifted.sum()


def weights_and_bias(model: Any) -> tuple[np.ndarray, np.ndarray]:
    """A fitted scikit-learn LogisticRegression as (features, intents) weights, C-contiguous, and a bias per intent."""
    coefficients, intercepts = model.coef_, model.intercept_
    if len(model.classes_) == 2:  # scikit-learn keeps one row for two classes
        coefficients = np.vstack([-coefficients[0], coefficients[0]])
        intercepts = np.array([-intercepts[0], intercepts[0]])
    return np.ascontiguousarray(coefficients.T, dtype=np.float64), intercepts.astype(np.float64)


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER, is_trainable=True)
class CharNgramIntentClassifier(IntentClassifier, GraphComponent):
    """Logistic regression over character n-gram counts; needs no tokenizer or featurizer."""

    @staticmethod
    def get_default_config() -> dict[str, Any]:
        return {
            "min_ngram": 2,
            "max_ngram": 5,
            "C": 1.0,  # inverse regularisation strength of the logistic regression
            "max_iter": 300,
            "random_state": 42,
            "ranking_length": 10,
            # A part of a message counts as a question of its own from this confidence up.
            "part_threshold": 0.5,
            # Intents that are no question to answer when they are one part of a message ("thanks, and ...").
            "not_questions": [],
        }

    @staticmethod
    def required_packages() -> list[str]:
        return ["sklearn"]

    def __init__(
        self,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        vocabulary: dict[str, int] | None = None,
        weights: np.ndarray | None = None,
        bias: np.ndarray | None = None,
        intents: list[str] | None = None,
    ) -> None:
        self.config = {**self.get_default_config(), **config}
        self._model_storage = model_storage
        self._resource = resource
        self.vocabulary = vocabulary or {}
        self.weights = weights  # (n-grams, intents), C-contiguous so rows are cheap to gather
        self.bias = bias
        self.intents = intents or []

    @classmethod
    def create(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> CharNgramIntentClassifier:
        return cls(config, model_storage, resource)

    def _grams(self, text: str) -> list[str]:
        return char_ngrams(normalise(text), self.config["min_ngram"], self.config["max_ngram"])

    def train(self, training_data: TrainingData) -> Resource:
        from sklearn.feature_extraction.text import CountVectorizer  # training only
        from sklearn.linear_model import LogisticRegression

        examples = [e for e in training_data.intent_examples if e.get(INTENT) and e.get(TEXT)]
        if not examples:
            logger.debug("No intent examples: the classifier stays untrained.")
            return self._resource
        vectorizer = CountVectorizer(analyzer=self._grams)
        features = vectorizer.fit_transform([e.get(TEXT) for e in examples])
        model = LogisticRegression(
            C=self.config["C"],
            max_iter=self.config["max_iter"],
            class_weight="balanced",
            random_state=self.config["random_state"],
        )
        model.fit(features, [e.get(INTENT) for e in examples])
        self.vocabulary = {gram: int(index) for gram, index in vectorizer.vocabulary_.items()}
        self.weights, self.bias = weights_and_bias(model)
        self.intents = [str(name) for name in model.classes_]
        self.persist()
        return self._resource

    def probabilities(self, text: str) -> np.ndarray:
        """Multinomial logistic regression: softmax of bias plus the weights of each n-gram seen."""
        rows = [self.vocabulary[gram] for gram in self._grams(text) if gram in self.vocabulary]
        scores = self.bias + self.weights[rows].sum(axis=0) if rows else self.bias.copy()
        return softmax(scores)

    def process(self, messages: list[Message]) -> list[Message]:
        for message in messages:
            text = message.get(TEXT)
            if self.weights is None or not text:
                continue  # untrained, or nothing to classify: leave the message alone
            probabilities = self.probabilities(text)
            order = np.argsort(-probabilities, kind="stable")[: max(1, self.config["ranking_length"])]
            ranking = [{"name": self.intents[i], "confidence": float(probabilities[i])} for i in order]
            message.set(INTENT, ranking[0], add_to_output=True)
            message.set(INTENT_RANKING_KEY, ranking, add_to_output=True)
            questions = self.questions(text)
            if questions:
                message.set(ENTITIES, message.get(ENTITIES, []) + questions, add_to_output=True)
        return messages

    def questions(self, text: str) -> list[dict[str, Any]]:
        """One "question" entity per part when the message asks two or more things, at least one understood."""
        parts = question_parts(text)
        if len(parts) < 2:
            return []
        found: list[dict[str, Any]] = []
        for part in parts:
            probabilities = self.probabilities(part.text)
            best = int(np.argmax(probabilities))
            intent, confidence = self.intents[best], float(probabilities[best])
            if intent in self.config["not_questions"]:
                continue
            if confidence < self.config["part_threshold"]:
                if not part.is_question:
                    continue
                intent = UNCLEAR
            if any(q["value"] == intent != UNCLEAR for q in found):
                continue  # the same question asked twice over
            found.append(
                {
                    "entity": QUESTION_ENTITY,
                    "value": intent,
                    "start": part.start,
                    "end": part.end,
                    "confidence_entity": confidence,
                    "extractor": self.__class__.__name__,
                }
            )
        understood = [q for q in found if q["value"] not in (UNCLEAR, OUT_OF_SCOPE)]
        return found if len(found) >= 2 and understood else []

    def persist(self) -> None:
        with self._model_storage.write_to(self._resource) as directory:
            np.save(directory / WEIGHTS_FILE, self.weights, allow_pickle=False)
            np.save(directory / BIAS_FILE, self.bias, allow_pickle=False)
            (directory / VOCABULARY_FILE).write_text(json.dumps({"intents": self.intents, "ngrams": self.vocabulary}))

    @classmethod
    def load(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
        **kwargs: Any,
    ) -> CharNgramIntentClassifier:
        try:
            with model_storage.read_from(resource) as directory:
                # allow_pickle=False: a model file can hold numbers only, never code.
                weights = np.load(directory / WEIGHTS_FILE, allow_pickle=False)
                bias = np.load(directory / BIAS_FILE, allow_pickle=False)
                saved = json.loads((directory / VOCABULARY_FILE).read_text())
        except (ValueError, FileNotFoundError):
            logger.debug("No trained intent classifier in the model; it stays untrained.")
            return cls(config, model_storage, resource)
        return cls(
            config,
            model_storage,
            resource,
            vocabulary=saved["ngrams"],
            weights=np.ascontiguousarray(weights),
            bias=bias,
            intents=saved["intents"],
        )
