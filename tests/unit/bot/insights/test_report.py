"""The staff's report from a known set of conversations, as Rasa's event broker publishes them: every
number checked exactly, funnel times included, repeated deliveries counted once, and no personal
data of the applicants anywhere in the analytics tables or the report."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

import pytest
from sqlalchemy import select

from bot.insights.ingest import forget_questions, ingest
from bot.insights.reading import conversation_key
from bot.insights.report import build
from bot.store.db import migrate
from bot.store.db import session as new_session
from bot.store.models import Applicant, Application, InsightConversation, InsightMessage, InsightStep, StatusChange

SECRET = b"test-secret-for-insights"
DAY = datetime(2026, 11, 2, 9, 0, tzinfo=timezone.utc)  # a Monday
JANE = {"sender": "9f2c1e0a7b6d4c3e8a1b2c3d4e5f6a7b", "email": "jane.doe@uni.example.edu", "name": "Jane Doe"}
RAVI = {"sender": "slack:U0RAVI00001", "email": "ravi.k@hospital.example.org", "name": "Ravi Kumar"}
ORCID = "0000-0002-1825-0097"


class Conversation:
    """Events of one conversation, as the broker publishes them (Event.as_dict() plus sender_id)."""

    def __init__(self, sender: str, channel: str, start: datetime) -> None:
        self.sender, self.channel, self.now, self.events = sender, channel, start, []

    def _add(self, event: dict, minutes: float) -> None:
        self.now += timedelta(minutes=minutes)
        self.events.append({"sender_id": self.sender, "timestamp": self.now.timestamp(), **event})

    def says(self, text: str, intent: str, confidence: float = 0.97, minutes: float = 1) -> Conversation:
        parse = {"intent": {"name": intent, "confidence": confidence}, "text": text}
        self._add({"event": "user", "text": text, "parse_data": parse, "input_channel": self.channel}, minutes)
        return self

    def does(self, action: str, minutes: float = 0.01) -> Conversation:
        self._add({"event": "action", "name": action}, minutes)
        self._add({"event": "action", "name": "action_listen"}, 0.001)
        return self

    def sets(self, slot: str, value, minutes: float = 0.01) -> Conversation:
        self._add({"event": "slot", "name": slot, "value": value}, minutes)
        return self

    def loop(self, name: str, minutes: float = 0.01) -> Conversation:
        self._add({"event": "active_loop", "name": name}, minutes)
        return self


def jane() -> Conversation:
    """A web learner: two FAQ questions, one unsure, then a whole application by email code."""
    c = Conversation(JANE["sender"], "rest", DAY)
    c.says("is there a fee?", "faq_fee").does("utter_faq_fee")
    c.says("Where can I share my badge", "faq_sharing").does("utter_faq_sharing")
    c.says(f"my orcid is {ORCID}, can you link it to jane.doe@uni.example.edu?", "faq_export", 0.41)
    c.does("action_closest_answers")
    c.says("I want to apply", "apply_badge").loop("apply_form").does("action_ask_training_completed")
    c.sets("eligible", True, minutes=2)
    c.sets("email", JANE["email"], minutes=3).sets("email_code", "482913")  # as typed, then checked
    c.sets("email_code", None).sets("email_code", JANE["email"], minutes=2)  # proved 7 min after starting
    c.sets("full_name", JANE["name"]).sets("orcid", ORCID)
    c.sets("requested_slot", "document").sets("requested_slot", "confirmed", minutes=60)
    return c


def ravi() -> Conversation:
    """A Slack learner: out of scope twice (once in near-identical words), a status check, an
    application started but never eligible."""
    c = Conversation(RAVI["sender"], "slack", DAY + timedelta(days=1))
    c.says("Can I get CME credit for this?", "out_of_scope", 0.9).does("action_cant_help")
    c.says("can i get cme credit for this", "out_of_scope", 0.88).does("action_cant_help")
    c.says("where is ACTS-7KQ2-M9XD at?", "check_status").does("action_check_status")
    c.says("apply", "apply_badge").loop("apply_form").does("action_ask_training_completed")
    c.sets("eligible", False)
    c.says("thanks", "thanks").does("utter_youre_welcome")
    return c


@pytest.fixture
def url(tmp_path):
    url = f"sqlite:///{tmp_path / 'acts.db'}"
    migrate(url)
    return url


def file_janes_application(url: str, submitted: datetime, approved: datetime, accepted: datetime) -> None:
    with new_session(url) as db, db.begin():
        applicant = Applicant(email=JANE["email"])
        application = Application(
            reference="ACTS-7KQ2-M9XD",
            status="approved",
            badge_id="team-science-fundamentals",
            applicant=applicant,
            conversation_id=JANE["sender"],
            full_name=JANE["name"],
            orcid=ORCID,
            submitted_at=submitted,
            credly_state="accepted",
            credly_checked_at=accepted,
        )
        db.add(application)
        db.flush()
        db.add(StatusChange(application_id=application.id, to_status="approved", actor="reviewer:x", at=approved))


def everything(url: str) -> str:
    with new_session(url) as db:
        rows = [
            *db.scalars(select(InsightConversation)),
            *db.scalars(select(InsightMessage)),
            *db.scalars(select(InsightStep)),
        ]
    return "\n".join(repr(vars(row)) for row in rows)


def test_every_number_of_the_report(url):
    events = jane().events + ravi().events
    ingest(events, SECRET, url)
    ingest(events[:9], SECRET, url)  # the broker delivered some again: nothing counts twice
    started = DAY + timedelta(minutes=4)
    file_janes_application(
        url,
        submitted=started + timedelta(hours=2),
        approved=started + timedelta(days=1, hours=2),
        accepted=started + timedelta(days=2, hours=2),
    )

    report = build(date(2026, 11, 1), date(2026, 11, 8), SECRET, url)

    assert report.conversations == {"rest": {date(2026, 11, 2): 1}, "slack": {date(2026, 11, 3): 1}}
    assert report.messages == {"rest": {date(2026, 11, 2): 4}, "slack": {date(2026, 11, 3): 5}}
    assert (report.total_conversations, report.total_messages) == (2, 9)
    assert report.topics == [("faq_fee", 1), ("faq_sharing", 1)]
    assert report.unanswered == [
        ("Can I get CME credit for this?", 2),
        ("my orcid is <orcid>, can you link it to <email>?", 1),
    ]
    assert report.rates == {date(2026, 11, 2): (0.0, 0.25), date(2026, 11, 3): (0.4, 0.0)}
    assert report.status_checks == 1
    assert report.funnel == [
        ("started", 2),
        ("eligible", 1),
        ("email proven", 1),
        ("document uploaded", 1),
        ("submitted", 1),
        ("approved", 1),
        ("badge accepted", 1),
    ]
    hours = dict(report.funnel_hours)
    assert hours["started -> eligible"] == round(2.01 / 60, 2)
    assert hours["eligible -> email proven"] == round((3 + 0.01 + 0.01 + 2) / 60, 2)
    assert hours["submitted -> approved"] == 24.0 and hours["approved -> badge accepted"] == 24.0
    assert report.stopped_at == [("started", 1), ("badge accepted", 1)]


def test_a_period_counts_only_what_happened_in_it(url):
    ingest(jane().events + ravi().events, SECRET, url)
    report = build(date(2026, 11, 3), date(2026, 11, 4), SECRET, url)
    assert report.conversations == {"slack": {date(2026, 11, 3): 1}}
    assert report.topics == [] and report.funnel[0] == ("started", 1)


def test_no_personal_data_in_the_analytics_tables(url):
    ingest(jane().events + ravi().events, SECRET, url)
    stored = everything(url)
    for secret in (JANE["sender"], RAVI["sender"], "U0RAVI00001", JANE["email"], "jane.doe", RAVI["email"]):
        assert secret not in stored
    for secret in (JANE["name"], RAVI["name"], ORCID, "ACTS-7KQ2-M9XD", "7KQ2", "482913"):
        assert secret not in stored
    assert conversation_key(JANE["sender"], SECRET) in stored  # known only by its keyed hash


def test_answered_questions_keep_no_text_and_unanswered_ones_only_for_90_days(url):
    ingest(jane().events + ravi().events, SECRET, url)
    with new_session(url) as db:
        kept = {m.question: m.outcome for m in db.scalars(select(InsightMessage)) if m.question}
    assert set(kept.values()) == {"unsure", "declined"}
    assert forget_questions(DAY + timedelta(days=89), url) == 0
    assert forget_questions(DAY + timedelta(days=92), url) == 3
    with new_session(url) as db:
        assert [m for m in db.scalars(select(InsightMessage)) if m.question] == []


def test_events_read_one_batch_at_a_time_give_the_same_report(url, tmp_path):
    """A turn split between two rounds of the worker: the reply still settles its message."""
    events = jane().events + ravi().events
    for event in events:
        ingest([event], SECRET, url)
    together = f"sqlite:///{tmp_path / 'together.db'}"
    migrate(together)
    ingest(events, SECRET, together)
    one_by_one, at_once = (build(date(2026, 11, 1), date(2026, 11, 8), SECRET, u) for u in (url, together))
    assert vars(one_by_one) == vars(at_once)
    assert one_by_one.unanswered[0] == ("Can I get CME credit for this?", 2)


def test_the_same_question_in_other_words_is_counted_once(url):
    """Grouped by meaning (the sentence model), not only by spelling; another question stays apart."""
    c = Conversation("price-asker", "rest", DAY)
    for question in (
        "how much does ACTS membership cost?",
        "How much does ACTS membership cost",
        "what's the price of joining ACTS",
        "how much does the training cost?",
    ):
        c.says(question, "out_of_scope").does("action_cant_help")
    ingest(c.events, SECRET, url)
    report = build(date(2026, 11, 1), date(2026, 11, 8), SECRET, url)
    assert report.unanswered == [("how much does ACTS membership cost?", 3), ("how much does the training cost?", 1)]
