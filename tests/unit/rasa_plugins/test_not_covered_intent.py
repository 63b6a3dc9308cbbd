"""NotCoveredIntent (rasa_plugins/nlu/not_covered_intent.py): a question next to the FAQ that no answer covers
is declined, as a whole message and as one part of a message that asks several things."""

from __future__ import annotations

from rasa.engine.graph import ExecutionContext, GraphSchema
from rasa.engine.storage.local_model_storage import LocalModelStorage
from rasa.engine.storage.resource import Resource
from rasa.shared.nlu.training_data.message import Message

from rasa_plugins.nlu.not_covered_intent import NotCoveredIntent


def component(tmp_path) -> NotCoveredIntent:
    return NotCoveredIntent.create({}, LocalModelStorage(tmp_path), Resource("n"), ExecutionContext(GraphSchema({})))


def read_as(text: str, intent: str, parts: list[tuple[str, str]] = ()) -> Message:
    """A message as the classifier leaves it: its intent and, when it asks several things, one "question"
    entity per part."""
    entities = []
    for words, value in parts:
        start = text.index(words)
        entities.append({"entity": "question", "value": value, "start": start, "end": start + len(words)})
    return Message(
        data={
            "text": text,
            "intent": {"name": intent, "confidence": 0.9},
            "intent_ranking": [{"name": intent, "confidence": 0.9}],
            "entities": entities,
        }
    )


def test_a_part_asking_what_the_faq_does_not_cover_is_declined_and_the_other_answered(tmp_path):
    text = "where can I share it, and would it count toward my CME hours?"
    message = read_as(
        text,
        "nlu_fallback",
        [("where can I share it", "faq_sharing"), ("would it count toward my CME hours?", "faq_benefits")],
    )
    component(tmp_path).process([message])
    assert [part["value"] for part in message.get("entities")] == ["faq_sharing", "out_of_scope"]


def test_parts_the_faq_answers_are_left_alone(tmp_path):
    text = "is the badge free? and can I put it on LinkedIn"
    parts = [("is the badge free?", "faq_fee"), ("can I put it on LinkedIn", "faq_sharing")]
    message = read_as(text, "nlu_fallback", parts)
    component(tmp_path).process([message])
    assert [part["value"] for part in message.get("entities")] == ["faq_fee", "faq_sharing"]


def test_a_whole_message_the_faq_does_not_cover_is_out_of_scope(tmp_path):
    message = read_as("do you need to be an ACTS member to apply", "faq_prior_training")
    component(tmp_path).process([message])
    assert message.get("intent")["name"] == "out_of_scope"
