"""Learners' 👍 / 👎 in the staff's analytics: one vote per answer (a second replaces the first, a
repeated delivery changes nothing), the question kept only with a 👎 and masked, what was missing
taken from the next message only after it was asked, and every number of the report exact."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import select

from bot.answers import feedback
from bot.insights.ingest import forget_questions, ingest
from bot.insights.page import html, text
from bot.insights.report import build
from bot.store.db import migrate
from bot.store.db import session as new_session
from bot.store.models import InsightFeedback
from tests.unit.bot.insights.test_report import DAY, SECRET, Conversation

WEEK = (date(2026, 11, 1), date(2026, 11, 8))


class Voter(Conversation):
    def asks(self, question: str, topic: str, minutes: float = 1) -> float:
        """The learner's question and its FAQ answer; returns the answer's time (what a vote names)."""
        self.says(question, topic, minutes=minutes).does(f"utter_{topic}")
        return self.now.timestamp()

    def votes(self, topic: str, helpful: bool, answer_at: float, question: str | None, ask_note: bool = False):
        self.says(feedback.payload(topic, helpful), "feedback", 1.0)
        value = {"topic": topic, "answer_at": answer_at, "helpful": helpful, "question": question}
        return self.does("action_feedback").sets("answer_feedback", value | {"ask_note": ask_note})


@pytest.fixture
def url(tmp_path):
    url = f"sqlite:///{tmp_path / 'acts.db'}"
    migrate(url)
    return url


def rows(url: str) -> list[InsightFeedback]:
    with new_session(url) as db:
        return list(db.scalars(select(InsightFeedback).order_by(InsightFeedback.at)))


def amara() -> Voter:
    """A web learner: a 👎 on the fee answer, asked what was missing, answers it (with an email in it),
    changes her mind about the sharing answer, and likes the export answer."""
    c = Voter("amara-web-conversation", "rest", DAY)
    fee = c.asks("do I have to pay for my badge? mail me at amara.o@clinic.example.org", "faq_fee")
    c.votes("faq_fee", False, fee, "do I have to pay for my badge? mail me at amara.o@clinic.example.org", True)
    c.says("whether my employer can pay it for me", "out_of_scope", 0.5).does("action_cant_help")
    share = c.asks("Where can I share my badge", "faq_sharing")
    c.votes("faq_sharing", False, share, "Where can I share my badge")
    c.votes("faq_sharing", True, share, None)  # changed her mind: the 👍 replaces the 👎
    export = c.asks("can I download it", "faq_export")
    return c.votes("faq_export", True, export, None)


def tomas() -> Voter:
    """A Slack learner: 👎 on the fee answer in other words, then a new question, not asked anything."""
    c = Voter("slack:U0TOMAS0001", "slack", DAY + timedelta(days=1))
    fee = c.asks("Is the badge free?", "faq_fee")
    c.votes("faq_fee", False, fee, "Is the badge free?")
    c.says("what is a digital badge", "faq_what_is_badge").does("utter_faq_what_is_badge")
    return c


def test_the_report_counts_one_vote_per_answer_and_keeps_the_questions_that_drew_a_thumbs_down(url):
    events = amara().events + tomas().events
    ingest(events, SECRET, url)
    ingest(events[5:12], SECRET, url)  # delivered again: nothing changes, not even the note

    report = build(*WEEK, SECRET, url)

    assert report.feedback == [("faq_fee", 0, 2), ("faq_export", 1, 0), ("faq_sharing", 1, 0)]
    assert report.unhelpful == [("Is the badge free?", 1), ("do I have to pay for my badge? mail me at <email>", 1)]
    assert report.missing == [("whether my employer can pay it for me", 1)]
    assert report.unanswered == []  # what was missing is kept with the vote, not also as a question
    assert "answers rated: 2 helpful, 2 not; least helpful: faq_fee 2" in text(report)
    page = html(report)
    assert "Did the answers help?" in page and "whether my employer can pay it for me" in page
    assert "amara.o@" not in page and "clinic.example.org" not in page


def test_no_personal_data_in_the_votes(url):
    ingest(amara().events + tomas().events, SECRET, url)
    stored = "\n".join(repr(vars(row)) for row in rows(url))
    for secret in ("amara-web-conversation", "U0TOMAS0001", "amara.o@", "clinic.example.org"):
        assert secret not in stored
    assert "mail me at <email>" in stored  # the question is kept, masked


def test_votes_read_one_event_at_a_time_give_the_same_rows(url, tmp_path):
    events = amara().events + tomas().events
    for event in events:
        ingest([event], SECRET, url)
    together = f"sqlite:///{tmp_path / 'together.db'}"
    migrate(together)
    ingest(events, SECRET, together)
    columns = ("topic", "helpful", "question", "note", "note_until")
    one_by_one, at_once = ([tuple(getattr(r, c) for c in columns) for r in rows(u)] for u in (url, together))
    assert one_by_one == at_once and len(one_by_one) == 4


def test_what_was_missing_is_only_the_next_message_and_only_soon_after_it_was_asked(url):
    c = Voter("late-replier", "rest", DAY)
    fee = c.asks("is there a fee", "faq_fee")
    c.votes("faq_fee", False, fee, "is there a fee", ask_note=True)
    c.says("which badges exist", "faq_available_badges", minutes=16).does("utter_faq_available_badges")
    c.says("and another thing", "out_of_scope")
    ingest(c.events, SECRET, url)
    (vote,) = rows(url)
    assert (vote.note, vote.note_until) == (None, None)  # 16 minutes later is a new question, not an answer


def test_thanks_no_or_a_button_is_not_taken_for_what_was_missing(url):
    for said, intent in (("thanks!", "thanks"), ("no", "deny"), ("/faq_sharing", "faq_sharing")):
        c = Voter(f"moved-on-{intent}", "rest", DAY)
        fee = c.asks("is there a fee", "faq_fee")
        c.votes("faq_fee", False, fee, "is there a fee", ask_note=True)
        c.says(said, intent).does("utter_youre_welcome")
        c.says("what about my employer paying", "out_of_scope")  # no longer waited for
        ingest(c.events, SECRET, url)
    assert [(r.note, r.note_until) for r in rows(url)] == [(None, None)] * 3


def test_another_vote_is_not_taken_for_what_was_missing(url):
    c = Voter("two-clicks", "rest", DAY)
    fee = c.asks("is there a fee", "faq_fee")
    share = c.asks("where can I share it", "faq_sharing")
    c.votes("faq_fee", False, fee, "is there a fee", ask_note=True)
    c.votes("faq_sharing", True, share, None)
    c.says("the price for students", "faq_fee").does("utter_faq_fee")
    ingest(c.events, SECRET, url)
    assert [(r.topic, r.note) for r in rows(url)] == [("faq_fee", "the price for students"), ("faq_sharing", None)]


def test_a_vote_without_the_actions_record_counts_for_nothing(url):
    c = Voter("forger", "rest", DAY)
    c.says(feedback.payload("faq_fee", False), "feedback").does("action_feedback")
    c.sets("answer_feedback", None).sets("answer_feedback", {"topic": "faq_fee"})
    ingest(c.events, SECRET, url)
    assert rows(url) == [] and build(*WEEK, SECRET, url).feedback == []


def test_the_questions_and_notes_of_votes_are_forgotten_after_90_days(url):
    ingest(amara().events, SECRET, url)
    assert forget_questions(DAY + timedelta(days=89), url) == 0
    forget_questions(DAY + timedelta(days=91), url)
    assert [(r.question, r.note) for r in rows(url)] == [(None, None)] * 3
    assert build(*WEEK, SECRET, url).feedback == [("faq_fee", 0, 1), ("faq_export", 1, 0), ("faq_sharing", 1, 0)]
