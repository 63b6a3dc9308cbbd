"""👍 / 👎 on answers: which answer a vote is about, what is kept, what the assistant says."""

from __future__ import annotations

import json

import pytest
import yaml

from bot.answers import feedback
from bot.answers.faq import load_faq
from bot.answers.responses import render


def user(text: str, intent: str, at: float) -> dict:
    return {"event": "user", "text": text, "timestamp": at, "parse_data": {"intent": {"name": intent}}}


def answer(topic: str, at: float) -> dict:
    return {"event": "bot", "text": "...", "timestamp": at, "metadata": {"utter_action": f"utter_{topic}"}}


CONVERSATION = [
    user("is there a fee?", "faq_fee", 1.0),
    answer("faq_fee", 1.1),
    user("/faq_sharing", "faq_sharing", 2.0),  # a quick reply: no words of the learner's
    answer("faq_sharing", 2.1),
    user("how much does it cost again", "faq_fee", 3.0),
    answer("faq_fee", 3.1),
    user(feedback.payload("faq_sharing", True), "feedback", 4.0),
    {"event": "bot", "text": "Thanks!", "timestamp": 4.1, "metadata": {}},
]


def test_a_button_sends_the_intent_with_the_topic_and_verdict_as_rasa_reads_them():
    sent = feedback.payload("faq_fee", False)
    assert sent.startswith("/feedback{")
    assert json.loads(sent.removeprefix("/feedback")) == {"answer_topic": "faq_fee", "helpful": "no"}


def test_a_vote_is_read_from_the_entities_and_typed_feedback_is_a_thumbs_down_on_the_latest_answer():
    entities = [{"entity": "answer_topic", "value": "faq_fee"}, {"entity": "helpful", "value": "yes"}]
    assert feedback.vote_from(entities) == feedback.Vote("faq_fee", True)
    assert feedback.is_button(entities)
    assert feedback.vote_from([]) == feedback.Vote(None, False)
    assert not feedback.is_button([])


def test_the_vote_is_about_the_latest_answer_of_its_topic_and_the_words_that_drew_it():
    faq = load_faq()
    assert feedback.answer_voted_on(CONVERSATION, faq, "faq_fee") == feedback.Answered(
        "faq_fee", 3.1, "how much does it cost again"
    )
    # A quick reply drew the sharing answer: no question of the learner's to keep.
    assert feedback.answer_voted_on(CONVERSATION, faq, "faq_sharing") == feedback.Answered("faq_sharing", 2.1, None)
    # Typed ("that didn't help"): the latest answer of any topic, past the vote messages.
    assert feedback.answer_voted_on(CONVERSATION, faq, None).at == 3.1


@pytest.mark.parametrize("topic", ["faq_export", "not_a_topic", "utter_faq_fee"])
def test_a_vote_on_an_answer_the_conversation_never_got_counts_for_nothing(topic):
    assert feedback.answer_voted_on(CONVERSATION, load_faq(), topic) is None
    assert feedback.answer_voted_on([], load_faq(), None) is None


def test_the_question_is_kept_only_with_a_thumbs_down():
    answered = feedback.Answered("faq_fee", 3.1, "how much does it cost again")
    down = feedback.record(answered, feedback.Vote("faq_fee", False), ask_note=True)
    assert down == {
        "topic": "faq_fee",
        "answer_at": 3.1,
        "helpful": False,
        "question": "how much does it cost again",
        "ask_note": True,
    }
    assert feedback.record(answered, feedback.Vote("faq_fee", True), ask_note=False)["question"] is None


def test_a_thumbs_down_is_answered_with_the_contact_and_asks_what_was_missing_only_when_told_to():
    faq = load_faq()
    contact = faq.contact()
    asking = feedback.reply(faq, feedback.Vote("faq_fee", False), ask_what_was_missing=True)
    noted = feedback.reply(faq, feedback.Vote("faq_fee", False), ask_what_was_missing=False)
    assert contact in asking and "what was missing" in asking
    assert contact in noted and "missing" not in noted
    assert "Thanks" in feedback.reply(faq, feedback.Vote("faq_fee", True), ask_what_was_missing=True)


def test_every_faq_answer_names_its_topic_for_the_buttons():
    responses = yaml.safe_load(render(load_faq()))["responses"]
    assert responses and all(
        r[0]["custom"] == {"feedback": {"topic": n.removeprefix("utter_")}} for n, r in responses.items()
    )
