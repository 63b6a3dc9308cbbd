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


@pytest.mark.parametrize(
    "question",
    [
        "would this badge count toward my CME requirement?",
        "can I get college credit for earning it",
        "do you have to be a member of ACTS to apply",
        "what's the fee for the team science workshop itself",
    ],
)
def test_a_question_next_to_the_faq_that_it_does_not_cover_is_declined_with_the_contact(chat, question):
    """Issue 25: each carries an FAQ word (badge, fee, training) but asks what no FAQ answer covers."""
    answer = chat.text(question)
    assert "can't answer" in answer and "actscts.org" in answer and "About " not in answer


def test_a_question_about_ones_own_data_gets_what_acts_keeps_and_credlys_side(chat):
    answer = chat.text("so what happens with the personal details I type in here?")
    assert "90 days" in answer and "delete my data" in answer  # the project's own answer
    assert "privacy settings" in answer  # and Credly's, from the FAQ


def test_asking_why_an_account_is_needed_gets_what_needs_one_and_what_does_not(chat):
    answer = chat.text("hang on, why would I need to open an account anywhere?")
    assert "needs no account" in answer and "free Credly account" in answer


def test_a_message_asking_a_faq_question_and_a_near_domain_one_gets_the_answer_and_the_decline(chat):
    answer = chat.text("where do I share it, and will it count toward my CME hours?")
    assert "LinkedIn" in answer  # the FAQ's answer to the first part
    assert "CME hours" in answer and "actscts.org" in answer  # the second part named and declined


def test_a_button_payload_answers_its_topic(chat):
    assert "privacy settings" in chat.text("/faq_privacy")


def unsure(chat) -> list[dict]:
    """Sends a one-word question that fits several topics; returns the reply's messages."""
    reply = chat.say("badge")
    assert "not quite sure" in reply[0]["text"]
    return reply


def test_unsure_answers_the_closest_readings_and_offers_the_next(chat):
    reply = unsure(chat)
    replies = {t.reply: name for name, t in load_faq().topics.items()}
    answered = [replies[m["text"]] for m in reply[1:] if m.get("text") in replies]
    assert 1 <= len(answered) <= 2
    buttons = reply[-1]["buttons"]
    offered = [b["payload"].lstrip("/") for b in buttons[:-1]]
    assert buttons[-1]["payload"] == "/deny"
    assert offered and not set(offered) & set(answered)  # "badge" fits more than two topics


def test_unsure_then_the_offered_topic_answers_it(chat):
    offered = unsure(chat)[-1]["buttons"][0]["payload"]
    assert chat.text(offered) == load_faq().topic(offered.lstrip("/")).reply


def test_unsure_then_none_of_these_is_an_honest_cant_help(chat):
    unsure(chat)
    answer = chat.text("no")
    assert "can't answer" in answer and "actscts.org" in answer


def test_unsure_then_yes_asks_what_else(chat):
    unsure(chat)
    assert "anything else" in chat.text("yes")


def test_unsure_then_yes_thats_it_thanks_is_welcomed_not_declined(chat):
    unsure(chat)
    reply = chat.text("yes that's it thanks")
    assert "welcome" in reply and "can't answer" not in reply


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
