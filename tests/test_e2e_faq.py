"""End to end: the real Rasa and action servers, driven over the REST channel."""

from __future__ import annotations

import pytest

from bot.answers.faq import load_faq

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


def did_you_mean(chat) -> list[dict]:
    """Sends a one-word question that fits several topics; returns the buttons offered."""
    reply = chat.say("badge")
    assert "Did you mean" in reply[0]["text"]
    return reply[0]["buttons"]


def test_did_you_mean_offers_two_or_three_topics_and_none_of_these(chat):
    buttons = did_you_mean(chat)
    topics = [b for b in buttons if b["payload"] != "/deny"]
    assert 2 <= len(topics) <= 3
    assert buttons[-1]["payload"] == "/deny"


def test_did_you_mean_then_yes_answers_the_first_topic(chat):
    first = did_you_mean(chat)[0]["payload"].lstrip("/")
    assert chat.text("yes") == load_faq().topic(first).reply


def test_did_you_mean_then_a_button_answers_that_topic(chat):
    second = did_you_mean(chat)[1]["payload"]
    assert chat.text(second) == load_faq().topic(second.lstrip("/")).reply


def test_did_you_mean_then_no_is_an_honest_cant_help(chat):
    did_you_mean(chat)
    answer = chat.text("no")
    assert "can't answer" in answer and "actscts.org" in answer


def test_gibberish_never_gets_a_random_faq_answer(chat):
    answer = chat.text("qwxz plorf zzzk")
    facts = ("no cost", "admin@credly.com", "privacy settings", "uniquely linked")
    assert not any(fact in answer for fact in facts)


def test_two_questions_in_one_message_get_both_answers(chat):
    reply = chat.text("is there a fee and can I put it on linkedin?")
    assert "no cost" in reply and "LinkedIn" in reply


def test_a_credly_platform_question_is_sent_to_credly_support_without_a_digest(chat):
    reply = chat.text("how do I reset my credly password")
    assert "support.credly.com" in reply and "admin@credly.com" not in reply and "privacy settings" not in reply


def test_an_answer_says_which_question_it_answers(chat):
    assert chat.text("can i export my badge to another platform").startswith("About exporting your badge:")


def test_an_out_of_scope_request_is_declined_not_taken_for_goodbye(chat):
    reply = chat.text("tell me something fun")
    assert "Goodbye" not in reply and "actscts.org" in reply
