"""A message naming an application reference goes to the status question, whatever the letters."""

from __future__ import annotations

from rasa.shared.nlu.training_data.message import Message

from rasa_plugins.nlu.reference_intent import ApplicationReferenceIntent

COMPONENT = ApplicationReferenceIntent(ApplicationReferenceIntent.get_default_config())


def classified(text: str, intent: str, confidence: float = 0.4) -> Message:
    message = Message({"text": text})
    message.set("intent", {"name": intent, "confidence": confidence})
    message.set("intent_ranking", [{"name": intent, "confidence": confidence}])
    COMPONENT.process([message])
    return message


def test_a_reference_makes_it_a_status_question():
    message = classified("status of ACTS-7KQ2-M9XD jane@uni.edu", "out_of_scope")
    assert message.get("intent") == {"name": "check_status", "confidence": 1.0}
    assert [r["name"] for r in message.get("intent_ranking")] == ["check_status", "out_of_scope"]


def test_asking_to_delete_ones_data_and_messages_without_a_reference_are_left_alone():
    assert classified("delete my data, ACTS-7KQ2-M9XD", "delete_my_data").get("intent")["name"] == "delete_my_data"
    assert classified("is there a fee?", "faq_fee").get("intent")["name"] == "faq_fee"
    assert classified("ACTS is great", "out_of_scope").get("intent")["name"] == "out_of_scope"


def test_an_unsure_status_question_with_a_reference_is_made_sure():
    # The confidence gate would answer "Did you mean" at 0.4; a reference is a certain signal.
    message = classified("what's the status of ACTS-Q3WX-7HJK mallory@evil.example", "check_status", 0.4)
    assert message.get("intent") == {"name": "check_status", "confidence": 1.0}
    assert [r["name"] for r in message.get("intent_ranking")] == ["check_status"]
