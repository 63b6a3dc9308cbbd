"""Questions next to the FAQ that carry one of its words but ask what no FAQ answer covers (issue 25):
declined rather than answered with a fact that does not answer them."""

from __future__ import annotations

import pytest

from bot.answers.faq import load_faq
from bot.answers.not_covered import concept_asked, not_covered


@pytest.mark.parametrize(
    "text, intent, concept",
    [
        ("would finishing this badge earn me CME hours?", "faq_benefits", "credit for a badge"),
        ("can my grad school count it as transfer credit", "faq_prior_training", "credit for a badge"),
        ("do nurses get CE for it", "faq_benefits", "credit for a badge"),
        ("is an ACTS membership required to apply", "faq_prior_training", "ACTS membership"),
        ("what are the dues for joining ACTS", "faq_fee", "ACTS membership"),
        ("what's the price of the fundamentals workshop", "faq_fee", "what a training costs"),
        ("do I have to pay tuition for the team science course", "faq_prior_training", "what a training costs"),
    ],
)
def test_a_question_the_faq_does_not_cover_is_not_answered_with_a_neighbouring_fact(text, intent, concept):
    found = not_covered(text, intent, load_faq())
    assert found is not None and found.name == concept


@pytest.mark.parametrize(
    "text, intent",
    [
        ("is the badge free for me", "faq_fee"),  # the badge's own cost: the FAQ's
        ("do I pay anything to accept my badge on credly", "faq_fee"),
        ("who pays for the training and for the badge", "faq_fee"),  # names the badge: the FAQ answers part
        ("will credly want my credit card", "faq_fee"),
        ("can a team member of mine see my badge", "faq_privacy"),
        ("I already did the training, can I get the badge", "faq_prior_training"),
    ],
)
def test_questions_the_faq_answers_are_left_to_it(text, intent):
    assert not_covered(text, intent, load_faq()) is None


def test_only_an_faq_answer_is_ever_replaced():
    """A conversation, a status check or a request for a person stays what it is."""
    assert concept_asked("I want to apply, does it give CME credit?") is not None
    for intent in ("apply_badge", "check_status", "human_handoff", "out_of_scope", None):
        assert not_covered("I want to apply, does it give CME credit?", intent, load_faq()) is None


def test_an_answer_that_speaks_of_the_concept_is_kept():
    faq = load_faq()
    topic = next(iter(faq.topics.values()))
    speaking = type(faq)(
        topics={topic.intent: type(topic)(topic.intent, topic.title, "Yes: 2 CME credits.", ())},
        messages=faq.messages,
        default_contact=faq.default_contact,
    )
    assert not_covered("does it give CME credits", topic.intent, speaking) is None
