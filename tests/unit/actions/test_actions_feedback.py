"""👍 / 👎 on an answer, run as the action server runs it: on its own and in the middle of a form."""

from __future__ import annotations

import asyncio

import pytest
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.apply_form import ValidateApplyForm
from actions.feedback import ActionFeedback
from bot.answers.feedback import payload
from bot.store.db import migrate
from tests.trackers import tracker

ASKED = {
    "event": "user",
    "text": "do I pay anything for it",
    "timestamp": 10.0,
    "parse_data": {"intent": {"name": "faq_fee"}},
}
ANSWERED = {"event": "bot", "text": "About fees: ...", "timestamp": 10.5, "metadata": {"utter_action": "utter_faq_fee"}}


def vote(topic: str | None, helpful: str | None, slots: dict | None = None, **more):
    entities = [{"entity": "answer_topic", "value": topic}] if topic else []
    entities += [{"entity": "helpful", "value": helpful}] if helpful else []
    text = payload(topic, helpful == "yes") if topic else "that didn't help"
    return tracker(text, "feedback", entities=entities, events=[ASKED, ANSWERED], slots=slots, **more)


def run(action, t, domain=None):
    dispatcher = CollectingDispatcher()
    events = asyncio.run(action.run(dispatcher, t, domain or {}))
    return [m["text"] for m in dispatcher.messages], events


def test_a_first_thumbs_down_asks_what_was_missing_and_keeps_the_question():
    said, events = run(ActionFeedback(), vote("faq_fee", "no"))
    assert "what was missing" in said[0]
    record = {"topic": "faq_fee", "answer_at": 10.5, "helpful": False, "question": "do I pay anything for it"}
    assert events == [SlotSet("answer_feedback", record | {"ask_note": True}), SlotSet("feedback_asked", True)]


def test_a_later_thumbs_down_does_not_ask_again():
    said, events = run(ActionFeedback(), vote("faq_fee", "no", slots={"feedback_asked": True}))
    assert "what was missing" not in said[0] and "actscts.org" in said[0]
    assert events[0]["value"]["ask_note"] is False and len(events) == 1


def test_a_thumbs_up_keeps_no_question():
    said, events = run(ActionFeedback(), vote("faq_fee", "yes"))
    assert said[0].startswith("Thanks")
    assert events == [
        SlotSet(
            "answer_feedback",
            {"topic": "faq_fee", "answer_at": 10.5, "helpful": True, "question": None, "ask_note": False},
        )
    ]


def test_typed_feedback_is_a_thumbs_down_on_the_latest_answer():
    _, events = run(ActionFeedback(), vote(None, None))
    assert events[0]["value"]["topic"] == "faq_fee" and events[0]["value"]["helpful"] is False


@pytest.mark.parametrize("topic", ["faq_export", "nonsense"])
def test_a_vote_on_an_answer_never_given_is_thanked_and_not_kept(topic):
    said, events = run(ActionFeedback(), vote(topic, "no"))
    assert said and events == []


def test_a_vote_in_the_middle_of_the_application_is_thanked_and_the_question_comes_back(tmp_path, monkeypatch):
    url = f"sqlite:///{tmp_path / 'acts.db'}"
    monkeypatch.setenv("DATABASE_URL", url)
    migrate(url)
    slots = {"requested_slot": "organisation", "organisation": payload("faq_fee", False)}
    t = vote("faq_fee", "no", slots=slots, active_form="apply_form")
    said, events = run(ValidateApplyForm(), t, {"slots": {}, "forms": {"apply_form": {"required_slots": []}}})
    # No "what was missing?" here: the learner's next words answer the form's question.
    assert "what was missing" not in said[0] and "actscts.org" in said[0]
    assert events[0]["value"]["ask_note"] is False
    assert events[-1] == SlotSet("organisation", None)  # never stored as the organisation
