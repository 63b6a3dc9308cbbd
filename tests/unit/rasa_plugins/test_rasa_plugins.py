"""The code that runs inside the Rasa server: the n-gram intent classifier and the live tracker store."""

from __future__ import annotations

import asyncio

import numpy as np
from rasa.core.brokers.broker import EventBroker
from rasa.engine.graph import ExecutionContext, GraphSchema
from rasa.engine.storage.local_model_storage import LocalModelStorage
from rasa.engine.storage.resource import Resource
from rasa.shared.core.constants import ACTION_LISTEN_NAME, ACTION_SESSION_START_NAME
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, SessionStarted, SlotSet, UserUttered
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData
from sklearn.feature_extraction.text import CountVectorizer
from sklearn.linear_model import LogisticRegression

from rasa_plugins.nlu.intent_classifier import CharNgramIntentClassifier, char_ngrams, normalise
from rasa_plugins.runtime.tracker_store import LiveTrackerStore

EXAMPLES = {
    "ask_fee": ["is there a fee", "how much does it cost", "do I have to pay", "is credly free"],
    "ask_privacy": ["who can see my badge", "can I make my badge private", "hide my badge"],
    "greet": ["hello", "hi there", "good morning"],
}


def training_data() -> TrainingData:
    return TrainingData(
        [Message(data={"text": text, "intent": intent}) for intent, texts in EXAMPLES.items() for text in texts]
    )


def new_classifier(storage, config=None) -> CharNgramIntentClassifier:
    context = ExecutionContext(GraphSchema({}), "test")
    return CharNgramIntentClassifier.create(
        {**CharNgramIntentClassifier.get_default_config(), **(config or {})},
        storage,
        Resource("intent_classifier"),
        context,
    )


def load_classifier(storage) -> CharNgramIntentClassifier:
    context = ExecutionContext(GraphSchema({}), "test")
    return CharNgramIntentClassifier.load(
        CharNgramIntentClassifier.get_default_config(), storage, Resource("intent_classifier"), context
    )


def classify(classifier, text: str) -> Message:
    message = Message(data={"text": text})
    classifier.process([message])
    return message


def test_ngrams_are_scikit_learns_char_wb_ngrams():
    text = normalise("Is there a FEE, to use Credly?!  I'd like   to know")
    assert text == "is there a fee to use credly i'd like to know"
    ours = sorted(char_ngrams(text, 2, 5))
    theirs = sorted(CountVectorizer(analyzer="char_wb", ngram_range=(2, 5)).build_analyzer()(text))
    assert ours == theirs


def test_predictions_equal_scikit_learns_logistic_regression(tmp_path):
    classifier = new_classifier(LocalModelStorage(tmp_path))
    classifier.train(training_data())
    texts = [t for ts in EXAMPLES.values() for t in ts]
    analyzer = lambda t: char_ngrams(normalise(t), 2, 5)  # noqa: E731
    vectorizer = CountVectorizer(analyzer=analyzer)
    reference = LogisticRegression(C=1.0, max_iter=300, class_weight="balanced", random_state=42)
    reference.fit(vectorizer.fit_transform(texts), [i for i, ts in EXAMPLES.items() for _ in ts])
    for text in ["is it free?", "make it private please", "hey hello", "zzz"]:
        expected = reference.predict_proba(vectorizer.transform([text]))[0]
        got = classifier.probabilities(text)
        assert list(classifier.intents) == list(reference.classes_)
        np.testing.assert_allclose(got, expected, rtol=1e-9, atol=1e-12)


def test_trained_model_survives_persist_and_load(tmp_path):
    storage = LocalModelStorage(tmp_path)
    trained = new_classifier(storage)
    trained.train(training_data())
    loaded = load_classifier(storage)
    message = classify(loaded, "How much does a badge cost?")
    assert message.get("intent")["name"] == "ask_fee"
    ranking = message.get("intent_ranking")
    assert [r["name"] for r in ranking][0] == "ask_fee" and len(ranking) == 3
    assert ranking[0]["confidence"] >= ranking[1]["confidence"] >= ranking[2]["confidence"]
    assert abs(sum(r["confidence"] for r in ranking) - 1) < 1e-9
    np.testing.assert_array_equal(loaded.probabilities("hide my badge"), trained.probabilities("hide my badge"))
    # Only plain arrays are stored: no pickled objects that could run code on load.
    files = {p.name for p in tmp_path.rglob("*") if p.is_file()}
    assert files == {"weights.npy", "bias.npy", "vocabulary.json"}


def test_ranking_length_and_unknown_words(tmp_path):
    classifier = new_classifier(LocalModelStorage(tmp_path), {"ranking_length": 2})
    classifier.train(training_data())
    message = classify(classifier, "qqqq")  # no known n-gram: the priors decide, nothing breaks
    assert len(message.get("intent_ranking")) == 2
    assert 0 < message.get("intent")["confidence"] < 1


def test_untrained_or_missing_model_leaves_messages_alone(tmp_path):
    loaded = load_classifier(LocalModelStorage(tmp_path))  # nothing was ever persisted
    assert classify(loaded, "is there a fee").get("intent") is None
    (tmp_path / "b").mkdir()
    trained = new_classifier(LocalModelStorage(tmp_path / "b"))
    trained.train(training_data())
    assert classify(trained, "").get("intent") is None


# The live tracker store --------------------------------------------------------------------------


class CollectingBroker(EventBroker):
    def __init__(self) -> None:
        self.published: list[dict] = []

    def publish(self, event: dict) -> None:
        self.published.append(event)


DOMAIN = Domain.from_dict(
    {"intents": ["greet"], "slots": {"email": {"type": "text", "mappings": [{"type": "custom"}]}}}
)


def run(coroutine):
    return asyncio.run(coroutine)


def test_saved_conversation_comes_back_with_its_events_and_slots():
    store = LiveTrackerStore(DOMAIN)
    tracker = run(store.get_or_create_tracker("alice"))
    tracker.update(UserUttered("hi", {"name": "greet", "confidence": 1.0}))
    tracker.update(SlotSet("email", "a@example.org"))
    run(store.save(tracker))
    again = run(store.retrieve("alice"))
    assert [type(e).__name__ for e in again.events] == ["ActionExecuted", "UserUttered", "SlotSet"]
    assert again.get_slot("email") == "a@example.org"
    assert run(store.retrieve("bob")) is None
    assert list(run(store.keys())) == ["alice"]


def test_changes_that_were_never_saved_are_not_seen():
    store = LiveTrackerStore(DOMAIN)
    tracker = run(store.get_or_create_tracker("alice"))
    tracker.update(SlotSet("email", "saved@example.org"))
    run(store.save(tracker))
    tracker.update(SlotSet("email", "half-way@example.org"))  # e.g. the handling of a message failed here
    again = run(store.retrieve("alice"))
    assert again.get_slot("email") == "saved@example.org"
    assert len(again.events) == 2


def test_retrieve_gives_the_last_session_and_the_full_tracker_all_of_them():
    store = LiveTrackerStore(DOMAIN)
    tracker = run(store.get_or_create_tracker("alice"))
    for text in ("first session", "second session"):
        tracker.update(ActionExecuted(ACTION_SESSION_START_NAME))
        tracker.update(SessionStarted())
        tracker.update(ActionExecuted(ACTION_LISTEN_NAME))
        tracker.update(UserUttered(text))
    run(store.save(tracker))
    last = run(store.retrieve("alice"))
    assert [e.text for e in last.events if isinstance(e, UserUttered)] == ["second session"]
    full = run(store.retrieve_full_tracker("alice"))
    assert [e.text for e in full.events if isinstance(e, UserUttered)] == ["first session", "second session"]


def test_event_broker_gets_each_event_once():
    broker = CollectingBroker()
    store = LiveTrackerStore(DOMAIN, event_broker=broker)
    tracker = run(store.get_or_create_tracker("alice"))
    tracker.update(UserUttered("hello"))
    run(store.save(tracker))
    tracker.update(ActionExecuted("utter_greet"))
    run(store.save(tracker))
    # Each once, and only those the analytics read: not the session's start (action_session_start).
    assert [(e["event"], e.get("name")) for e in broker.published] == [("user", None), ("action", "utter_greet")]
    assert all(e["sender_id"] == "alice" for e in broker.published)


def test_rasa_builds_the_store_from_endpoints_yml():
    from rasa.core.tracker_store import TrackerStore
    from rasa.utils.endpoints import EndpointConfig

    store = TrackerStore.create(EndpointConfig(type="rasa_plugins.runtime.tracker_store.LiveTrackerStore"), DOMAIN)
    tracker = run(store.get_or_create_tracker("carol"))
    assert run(store.retrieve("carol")).sender_id == tracker.sender_id


def test_memory_is_bounded_idle_and_least_recent_conversations_are_forgotten():
    now = [0.0]
    store = LiveTrackerStore(DOMAIN, max_conversations=3, idle_hours=1, clock=lambda: now[0])
    for name in ("a", "b", "c", "d"):  # a client may invent any number of conversation ids
        run(store.save(run(store.get_or_create_tracker(name))))
        now[0] += 60
    assert sorted(run(store.keys())) == ["b", "c", "d"]
    run(store.save(run(store.retrieve("b"))))  # b is used again: now c is the least recent
    run(store.save(run(store.get_or_create_tracker("e"))))
    assert sorted(run(store.keys())) == ["b", "d", "e"]
    now[0] += 2 * 3600  # two idle hours later, the next save forgets everything idle
    run(store.save(run(store.get_or_create_tracker("f"))))
    assert list(run(store.keys())) == ["f"]


def test_the_store_takes_its_limits_from_endpoints_yml():
    from rasa.core.tracker_store import TrackerStore
    from rasa.utils.endpoints import EndpointConfig

    config = EndpointConfig(
        type="rasa_plugins.runtime.tracker_store.LiveTrackerStore", max_conversations=7, idle_hours=2
    )
    store = TrackerStore.create(config, DOMAIN)
    assert (store.max_conversations, store.idle_seconds) == (7, 7200)


# --- several questions in one message, and the confidence gate (issue 13) ---------------------------

QUESTION_EXAMPLES = {
    "ask_fee": ["is there a fee", "how much does it cost", "do I have to pay", "is credly free", "any charges"],
    "ask_privacy": ["who can see my badge", "can I make my badge private", "hide my badge", "keep it private"],
    "greet": ["hello", "hi there", "good morning", "hey"],
}


def question_classifier(tmp_path) -> CharNgramIntentClassifier:
    classifier = new_classifier(LocalModelStorage(tmp_path), {"part_threshold": 0.4, "not_questions": ["greet"]})
    classifier.train(
        TrainingData([Message(data={"text": t, "intent": i}) for i, texts in QUESTION_EXAMPLES.items() for t in texts])
    )
    return classifier


def test_a_message_asking_two_things_is_marked_part_by_part(tmp_path):
    text = "is there a fee? and can I make my badge private?"
    message = classify(question_classifier(tmp_path), text)
    parts = [e for e in message.get("entities") if e["entity"] == "question"]
    assert [p["value"] for p in parts] == ["ask_fee", "ask_privacy"]
    assert [text[p["start"] : p["end"]] for p in parts] == ["is there a fee?", "can I make my badge private?"]


def test_one_question_or_a_greeting_and_a_question_is_not_marked(tmp_path):
    classifier = question_classifier(tmp_path)
    assert classify(classifier, "is there a fee").get("entities") is None
    assert classify(classifier, "hello there! is there a fee?").get("entities") is None


def gate(config=None):
    from rasa_plugins.nlu.confidence_gate import ConfidenceGate

    return ConfidenceGate({**ConfidenceGate.get_default_config(), "threshold": 0.5, **(config or {})})


def gated(intent: str, confidence: float, entities=None, config=None) -> str:
    message = Message(data={"text": "x", "intent": {"name": intent, "confidence": confidence}})
    message.set("intent_ranking", [{"name": intent, "confidence": confidence}, {"name": "other", "confidence": 0.0}])
    if entities:
        message.set("entities", entities)
    gate(config).process([message])
    return message.get("intent")["name"]


def test_the_gate_asks_when_unsure_and_holds_conversation_intents_to_a_higher_bar():
    assert gated("faq_fee", 0.55) == "faq_fee"
    assert gated("faq_fee", 0.45) == "nlu_fallback"
    config = {"dialogue_intents": ["goodbye"], "dialogue_threshold": 0.7}
    assert gated("goodbye", 0.65, config=config) == "nlu_fallback"  # "tell me something fun" is no goodbye
    assert gated("goodbye", 0.9, config=config) == "goodbye"


def test_the_gate_never_overrides_out_of_scope_and_routes_several_questions():
    assert gated("out_of_scope", 0.2) == "out_of_scope"
    parts = [{"entity": "question", "value": "faq_fee"}, {"entity": "question", "value": "faq_privacy"}]
    assert gated("faq_fee", 0.9, entities=parts) == "nlu_fallback"
