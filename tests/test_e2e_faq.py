"""End to end: the real Rasa and action servers, driven over the REST channel."""
from __future__ import annotations

import pytest

# One learner question per FAQ topic, and the fact its answer must carry.
QUESTIONS = [
    ("what exactly is a digital badge", "verifiable, portable credential"),
    ("which badges can I get right now?", "Team Science Fundamentals"),
    ("I already did a qualifying training a while ago, can I still get the badge?", "no need to retake"),
    ("how does my certificate turn into a badge", "1EdTech"),
    ("why would I want a badge at all", "metadata"),
    ("who is credly", "end-to-end solution"),
    ("how will I know I have earned my badge?", "admin@credly.com"),
    ("I don't want my badge to be public", "privacy settings"),
    ("is there a fee to use credly", "no cost"),
    ("what stops someone from copying my badge", "uniquely linked"),
    ("where can i share my badge", "email signature"),
    ("can i export my badge to another platform", "Badgr Backpack"),
    ("can I import a badge I got from Accredible?", "Accredible"),
    ("where can I get support for credly", "support.credly.com"),
]


@pytest.mark.parametrize("question,fact", QUESTIONS)
def test_each_topic_is_answered_with_its_key_fact(chat, question, fact):
    assert fact.lower() in chat.text(question).lower()


def test_greet_then_faq_then_thanks(chat):
    assert "ACTS badge assistant" in chat.text("hi")
    assert "no cost" in chat.text("do i have to pay for this")
    assert "welcome" in chat.text("thank you!").lower()


def test_membership_fees_are_not_answered_with_badge_fees(chat):
    answer = chat.text("how much does ACTS membership cost?")
    assert "no cost" not in answer
    assert "can't answer" in answer
    assert "actscts.org" in answer


def test_a_button_payload_answers_its_topic(chat):
    assert "privacy settings" in chat.text("/faq_privacy")


def test_did_you_mean_offers_buttons_then_yes_answers(chat):
    reply = chat.say("/nlu_fallback")
    buttons = [b for message in reply for b in message.get("buttons", [])]
    # With no ranking there is nothing plausible to offer: an honest answer instead.
    assert buttons == [] and "can't answer" in reply[0]["text"]


def test_gibberish_never_gets_a_random_faq_answer(chat):
    answer = chat.text("qwxz plorf zzzk")
    facts = ("no cost", "admin@credly.com", "privacy settings", "uniquely linked")
    assert not any(fact in answer for fact in facts)
