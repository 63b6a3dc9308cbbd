"""The FAQ and fallback actions, run as the action server runs them."""

from __future__ import annotations

import asyncio

from rasa_sdk import Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.fallback import ActionCantHelp, ActionContact
from actions.faq import ActionAnswerSuggestion, ActionDidYouMean
from bot.answers.faq import load_faq


def tracker(intent: str, ranking: list[tuple[str, float]] | None = None, slots: dict | None = None) -> Tracker:
    message = {
        "text": "some words",
        "intent": {"name": intent, "confidence": 0.9},
        "intent_ranking": [{"name": n, "confidence": c} for n, c in (ranking or [])],
    }
    return Tracker("learner", slots or {}, message, [], False, None, {}, "action_listen")


def run(action, t: Tracker):
    dispatcher = CollectingDispatcher()
    events = asyncio.run(action.run(dispatcher, t, {}))
    return dispatcher.messages, events


def test_a_yes_to_did_you_mean_answers_the_first_suggestion():
    t = tracker("affirm", slots={"suggestions": ["faq_privacy", "faq_fee"]})
    messages, events = run(ActionAnswerSuggestion(), t)
    assert messages[0]["response"] == "utter_faq_privacy"
    assert SlotSet("suggestions", None) in events


def test_a_yes_with_nothing_suggested_is_not_a_random_answer():
    messages, _ = run(ActionAnswerSuggestion(), tracker("affirm", slots={"suggestions": None}))
    assert "can't answer" in messages[0]["text"]


def test_did_you_mean_offers_buttons_for_the_likely_topics():
    t = tracker("nlu_fallback", ranking=[("faq_fee", 0.25), ("out_of_scope", 0.2), ("faq_privacy", 0.15)])
    messages, events = run(ActionDidYouMean(), t)
    buttons = messages[0]["buttons"]
    assert [b["payload"] for b in buttons] == ["/faq_fee", "/faq_privacy", "/deny"]
    assert buttons[0]["title"] == load_faq().topic("faq_fee").title
    assert SlotSet("suggestions", ["faq_fee", "faq_privacy"]) in events


def test_did_you_mean_with_no_plausible_topic_says_it_cannot_help():
    t = tracker("nlu_fallback", ranking=[("out_of_scope", 0.5), ("faq_fee", 0.01)])
    messages, _ = run(ActionDidYouMean(), t)
    assert "buttons" not in messages[0] or not messages[0]["buttons"]
    assert "can't answer" in messages[0]["text"]


def test_cant_help_gives_the_configured_contact(monkeypatch):
    monkeypatch.setenv("ACTS_CONTACT", "badges@example.org")
    messages, _ = run(ActionCantHelp(), tracker("out_of_scope"))
    assert "badges@example.org" in messages[0]["text"]
    assert "What I can help with" in messages[0]["text"]


def test_contact_names_a_person_to_reach(monkeypatch):
    monkeypatch.setenv("ACTS_CONTACT", "badges@example.org")
    messages, _ = run(ActionContact(), tracker("human_handoff"))
    assert "badges@example.org" in messages[0]["text"]
