"""The FAQ and fallback actions, run as the action server runs them."""

from __future__ import annotations

import asyncio

from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.fallback import ActionCantHelp
from actions.faq import ActionClosestAnswers
from bot.answers.faq import load_faq
from tests.trackers import tracker


def run(action, t: Tracker):
    dispatcher = CollectingDispatcher()
    events = asyncio.run(action.run(dispatcher, t, {}))
    return dispatcher.messages, events


def test_unsure_answers_the_likeliest_reading_and_a_close_second_saying_so():
    t = tracker(
        intent="nlu_fallback",
        ranking=[("faq_fee", 0.3), ("out_of_scope", 0.2), ("faq_privacy", 0.2), ("faq_sharing", 0.1)],
    )
    messages, events = run(ActionClosestAnswers(), t)
    assert "not quite sure" in messages[0]["text"]
    assert [m.get("response") for m in messages[1:3]] == ["utter_faq_fee", "utter_faq_privacy"]
    buttons = messages[3]["buttons"]
    assert [b["payload"] for b in buttons] == ["/faq_sharing", "/deny"]
    assert buttons[0]["title"] == load_faq().topic("faq_sharing").title
    assert events == []


def test_unsure_with_one_clear_lead_answers_only_that_one():
    t = tracker(intent="nlu_fallback", ranking=[("faq_fee", 0.45), ("faq_privacy", 0.1)])
    messages, _ = run(ActionClosestAnswers(), t)
    assert [m.get("response") for m in messages if m.get("response")] == ["utter_faq_fee"]
    assert [b["payload"] for b in messages[-1]["buttons"]] == ["/faq_privacy", "/deny"]


def test_unsure_with_no_plausible_topic_says_it_cannot_help():
    t = tracker(intent="nlu_fallback", ranking=[("out_of_scope", 0.5), ("faq_fee", 0.01)])
    messages, _ = run(ActionClosestAnswers(), t)
    assert len(messages) == 1
    assert "buttons" not in messages[0] or not messages[0]["buttons"]
    assert "can't answer" in messages[0]["text"]


def test_unsure_thanks_with_no_plausible_topic_is_welcomed_not_declined():
    t = tracker(intent="nlu_fallback", ranking=[("thanks", 0.5), ("affirm", 0.45), ("faq_fee", 0.01)])
    messages, _ = run(ActionClosestAnswers(), t)
    assert [m.get("response") for m in messages] == ["utter_youre_welcome"]


def test_cant_help_gives_the_configured_contact(monkeypatch):
    monkeypatch.setenv("ACTS_CONTACT", "badges@example.org")
    messages, _ = run(ActionCantHelp(), tracker(intent="out_of_scope"))
    assert "badges@example.org" in messages[0]["text"]
    assert "What I can help with" in messages[0]["text"]
