"""The badge-issuing outbox against the Credly emulator over real HTTP, on SQLite and PostgreSQL:
an approval is recorded at once whatever Credly does, and the badge is issued exactly once, with
backoff between tries, after a crash, and with two workers at once."""

from __future__ import annotations

import threading
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta, timezone

import pytest
from alembic import command
from sqlalchemy import select, text

from bot.commands import review
from bot.credly.client import CredlyClient
from bot.reviewing.decisions import Reviews
from bot.reviewing.issuing import BadgeIssuer, retry_delay
from bot.reviewing.status import StatusDesk
from bot.store import db
from bot.store.applications import ApplicationStore, Details
from bot.store.issuing import IssuingOutbox
from bot.store.models import BadgeIssuing
from tests.applicants import JANE
from tests.clock import Clock
from tests.emulator_thread import TEMPLATE, emulator
from tests.files import pdf_bytes


class Crash(BaseException):
    """The process dying: not an error a worker catches."""


@pytest.fixture
def credly():
    with emulator() as running:
        # Credly would refuse a second badge anyway; allowing duplicates shows that *we* never ask twice.
        running.org.templates[TEMPLATE]["allow_duplicate_badges"] = True
        yield running


@pytest.fixture
def clock() -> Clock:
    return Clock(datetime(2026, 11, 27, 12, 0, tzinfo=timezone.utc))


@pytest.fixture
def store(database_url, tmp_path, clock):
    db.migrate(database_url)
    return ApplicationStore(url=database_url, documents_dir=tmp_path / "uploads", clock=clock)


def submit(store: ApplicationStore, details: Details = JANE, conversation: str = "c1") -> str:
    link = store.start_draft(conversation, details.badge_id)
    store.attach_document(link.token, "certificate.pdf", pdf_bytes())
    return store.submit(conversation, details).reference


def never_sleep(seconds: float) -> None:
    raise AssertionError("the outbox waits between tries; the client must not sleep")


def api(credly, **options) -> CredlyClient:
    """Each call made once, as the outbox's client does."""
    return CredlyClient(credly.base_url, credly.organization, credly.token, **{"attempts": 1, "sleep": never_sleep,
                                                                               **options})  # fmt: skip


def issuer(store, credly, clock, client=None, **options) -> BadgeIssuer:
    client = client or api(credly)
    return BadgeIssuer(store, lambda: client, clock=clock, **options)


def reviews(store, credly, clock, client=None) -> Reviews:
    return Reviews(store, lambda: api(credly), issuer=issuer(store, credly, clock, client))


def outbox_row(store, reference: str) -> BadgeIssuing:
    def work(session):
        application = store.get(reference)
        return session.execute(select(BadgeIssuing).where(BadgeIssuing.application_id == application.id)).scalar_one()

    return store.transaction(work)


def badges_of(credly, reference: str) -> list[dict]:
    return [b for b in credly.badges if b["issuer_earner_id"] == reference]


def test_the_backoff_doubles_from_30_seconds_up_to_an_hour_and_honours_retry_after():
    assert [retry_delay(n).total_seconds() for n in range(1, 10)] == [30, 60, 120, 240, 480, 960, 1920, 3600, 3600]
    assert retry_delay(500) == timedelta(hours=1)
    assert retry_delay(1, retry_after=45) == timedelta(seconds=45)
    assert retry_delay(3, retry_after=45) == timedelta(seconds=120)


def test_credly_down_at_approval_the_decision_is_recorded_and_the_outbox_retries_with_backoff(store, credly, clock):
    reference = submit(store)
    credly.fail(503, count=4)  # each try's first call fails, four tries in a row
    outcome = reviews(store, credly, clock).approve(reference, "bob")
    assert outcome.changed and not outcome.complete
    assert "approved; the badge is being issued" in outcome.message and "HTTP 503" in outcome.message
    assert store.get(reference).status == "approved" and badges_of(credly, reference) == []
    row = outbox_row(store, reference)
    assert row.attempts == 1 and row.last_error == "CredlyUnavailable: HTTP 503"

    worker = issuer(store, credly, clock)
    waits = []
    while True:
        next_try = db.as_utc(outbox_row(store, reference).next_attempt_at)
        waits.append((next_try - clock.now).total_seconds())
        clock.now = next_try - timedelta(seconds=1)
        assert worker.run_due() == []  # not due yet: nothing tried
        clock.now = next_try
        [attempt] = worker.run_due()
        if attempt.issued:
            break
        assert attempt.error == "CredlyUnavailable: HTTP 503"
    assert waits == [30, 60, 120, 240]
    [badge] = badges_of(credly, reference)
    application = store.get(reference)
    assert application.credly_badge_id == badge["id"] and application.credly_state == "pending"
    assert [(h.to_status, h.actor, h.note) for h in application.history][-2:] == [
        ("approved", "reviewer:bob", None),
        ("approved", "reviewer:bob", "Credly badge issued (pending) after 5 tries"),
    ]
    assert outbox_row(store, reference).issued_at is not None
    assert worker.run_due() == [] and IssuingOutbox(store).waiting() == []


def test_a_429_is_retried_no_sooner_than_credly_asks(store, credly, clock):
    reference = submit(store)
    credly.fail(429, count=1, retry_after=45)
    assert not reviews(store, credly, clock).approve(reference, "bob").complete
    row = outbox_row(store, reference)
    assert row.last_error == "CredlyUnavailable: HTTP 429"
    assert db.as_utc(row.next_attempt_at) - clock.now == timedelta(seconds=45)
    clock.advance(seconds=45)
    [attempt] = issuer(store, credly, clock).run_due()
    assert attempt.issued and len(badges_of(credly, reference)) == 1


def test_a_slow_credly_that_issued_but_whose_answer_was_lost_gets_one_badge(store, credly, clock):
    reference = submit(store)
    # The look-up answers at once; Credly issues at once too, but answers later than our timeout.
    credly.fail(0, count=1, delay=0)
    credly.fail(0, count=1, delay=1.5, late=True)
    slow = api(credly, timeout=0.3)
    outcome = reviews(store, credly, clock, client=slow).approve(reference, "bob")
    assert not outcome.complete and "Timeout" in outcome.message
    deadline = time.monotonic() + 10
    while not badges_of(credly, reference):  # Credly finishes issuing after we stopped waiting
        assert time.monotonic() < deadline
        time.sleep(0.05)
    clock.advance(seconds=30)
    [attempt] = issuer(store, credly, clock).run_due()
    [badge] = badges_of(credly, reference)
    assert attempt.issued and attempt.badge_id == badge["id"] == store.get(reference).credly_badge_id


class CrashAfterIssuing:
    """A client whose process dies between Credly's answer and our record of it."""

    def __init__(self, real: CredlyClient) -> None:
        self.real = real

    def issue_badge(self, *args, **kwargs):
        self.real.issue_badge(*args, **kwargs)
        raise Crash


def test_a_crash_between_credlys_answer_and_our_record_finds_the_badge_instead_of_issuing_again(store, credly, clock):
    reference = submit(store)
    with pytest.raises(Crash):
        reviews(store, credly, clock, client=CrashAfterIssuing(api(credly))).approve(reference, "bob")
    assert len(badges_of(credly, reference)) == 1
    application = store.get(reference)
    assert application.status == "approved" and application.credly_badge_id is None  # decided, badge not recorded

    restarted = issuer(store, credly, clock)
    assert restarted.run_due() == []  # the dead worker's claim still holds
    clock.advance(minutes=5)
    [attempt] = restarted.run_due()
    assert attempt.issued and attempt.recorded
    [badge] = badges_of(credly, reference)  # found by Credly's look-up: no second badge
    assert store.get(reference).credly_badge_id == badge["id"]
    assert [e["event_type"] for e in credly.org.events.values()] == ["badge.created"]


def test_two_workers_at_once_issue_one_badge(store, credly, clock):
    reference = submit(store)
    assert IssuingOutbox(store).approve(reference, "reviewer:bob", only_from=("submitted",))
    credly.fail(0, count=2, delay=0.3)  # slow enough that both would be talking to Credly at once
    workers = [issuer(store, credly, clock), issuer(store, credly, clock)]
    barrier = threading.Barrier(2)

    def run(worker):
        barrier.wait()
        return worker.run_due()

    with ThreadPoolExecutor(2) as pool:
        results = list(pool.map(run, workers))
    assert sorted(len(r) for r in results) == [0, 1]
    assert len(badges_of(credly, reference)) == 1
    assert outbox_row(store, reference).attempts == 1
    history = [h.note for h in store.get(reference).history if h.note and "Credly badge issued" in h.note]
    assert history == ["Credly badge issued (pending)"]


def test_two_reviewers_approving_at_once_issue_one_badge(store, credly, clock):
    reference = submit(store)
    barrier = threading.Barrier(2)

    def approve(name):
        barrier.wait()
        return reviews(store, credly, clock).approve(reference, name)

    with ThreadPoolExecutor(2) as pool:
        outcomes = list(pool.map(approve, ["alice", "bob"]))
    assert sum(o.changed for o in outcomes) >= 1
    assert len(badges_of(credly, reference)) == 1
    history = [(h.to_status, h.note) for h in store.get(reference).history]
    assert history.count(("approved", None)) == 1  # one decision
    assert sum(1 for _, note in history if note and "Credly badge issued" in note) == 1


def test_approving_again_tries_at_once_and_an_issued_badge_is_never_issued_again(store, credly, clock):
    reference = submit(store)
    credly.fail(500, count=1)
    decide = reviews(store, credly, clock)
    assert not decide.approve(reference, "bob").complete
    again = decide.approve(reference, "bob")  # a reviewer asking is worth a try now, backoff or not
    assert again.complete and "issued in Credly" in again.message
    third = decide.approve(reference, "bob")
    assert not third.changed and "already issued" in third.message
    assert len(badges_of(credly, reference)) == 1


def test_learners_asking_while_the_badge_is_being_issued_hear_approved_and_being_issued(store, credly, clock):
    reference = submit(store)
    credly.fail(503, count=1)
    told = []
    decide = Reviews(store, lambda: api(credly), notify=told.append, issuer=issuer(store, credly, clock))
    decide.approve(reference, "bob")
    answer = StatusDesk(store, lambda: api(credly), clock=clock).check("web:x", reference, "jane@uni.edu")
    assert "is approved! Your badge is being issued through Credly" in answer.text
    # The learner is told of the approval at once, and again when the worker has issued the badge.
    clock.advance(seconds=30)
    issuer(store, credly, clock, notify=told.append).run_due()
    assert [a.credly_badge_id is not None for a in told] == [False, True]


def test_a_badge_without_a_credly_template_waits_with_a_clear_error(store, credly, clock, monkeypatch):
    reference = submit(store)

    class NoTemplates:
        def get(self, badge_id):
            return None

    monkeypatch.setattr("bot.reviewing.issuing.load_catalogue", NoTemplates)
    assert not reviews(store, credly, clock).approve(reference, "bob").complete
    assert outbox_row(store, reference).last_error == "NoTemplate: see bot/content/badges.yml"
    assert badges_of(credly, reference) == []


def test_pending_and_issue_pending_commands(store, credly, clock, monkeypatch, capsys, database_url, tmp_path):
    monkeypatch.setenv("DATABASE_URL", database_url)
    monkeypatch.setenv("ACTS_UPLOAD_DIR", str(tmp_path / "uploads"))
    monkeypatch.setenv("CREDLY_BASE_URL", credly.base_url)
    monkeypatch.delenv("CREDLY_TOKEN", raising=False)
    monkeypatch.delenv("SLACK_BOT_TOKEN", raising=False)
    reference = submit(store)
    assert review.main(["pending"]) == 0
    assert "No badges waiting" in capsys.readouterr().out

    credly.fail(503, count=2)
    assert review.main(["--reviewer", "dana", "approve", reference]) == 0  # the decision is made
    said = capsys.readouterr().out
    assert "approved; the badge is being issued" in said and "CredlyUnavailable: HTTP 503" in said
    assert review.main(["pending"]) == 0
    listed = capsys.readouterr().out
    assert reference in listed and "CredlyUnavailable: HTTP 503" in listed and "reviewer:dana" in listed
    assert "jane" not in listed.lower()  # who waits is a reference, not a person
    assert review.main(["show", reference]) == 0
    assert "being issued since" in capsys.readouterr().out

    assert review.main(["issue-pending"]) == 0  # the next try is not due yet
    assert "No badges due" in capsys.readouterr().out
    make_due(store, reference)
    assert review.main(["issue-pending"]) == 4  # due, and Credly still down
    assert "not issued yet (CredlyUnavailable: HTTP 503)" in capsys.readouterr().out
    make_due(store, reference)
    assert review.main(["issue-pending"]) == 0
    assert f"{reference}: badge issued in Credly" in capsys.readouterr().out
    assert review.main(["pending"]) == 0 and "No badges waiting" in capsys.readouterr().out
    assert len(badges_of(credly, reference)) == 1


def make_due(store, reference: str) -> None:
    """Time passes (the command line runs on the real clock)."""
    past = datetime.now(timezone.utc) - timedelta(seconds=1)

    def work(session):
        row = session.get(BadgeIssuing, outbox_row(store, reference).id)
        row.next_attempt_at = past

    store.transaction(work)


def test_approvals_made_before_the_outbox_existed_are_queued_by_the_migration(database_url, tmp_path, clock):
    db.migrate(database_url)
    store = ApplicationStore(url=database_url, documents_dir=tmp_path / "uploads", clock=clock)
    reference = submit(store)
    store.change_status(reference, "approved", "reviewer:old", only_from=("submitted",))  # no outbox row
    command.downgrade(db.alembic_config(database_url), "0004")  # as before the outbox: approved, no badge
    db.migrate(database_url)
    [waiting] = IssuingOutbox(store).waiting()
    assert waiting.reference == reference and waiting.attempts == 0


def test_a_row_whose_application_is_no_longer_approved_is_dropped(store, credly, clock):
    reference = submit(store)
    IssuingOutbox(store).approve(reference, "reviewer:bob", only_from=("submitted",))
    store.transaction(lambda s: s.execute(text("UPDATE applications SET status = 'rejected'")))
    assert issuer(store, credly, clock).run_due() == []
    assert IssuingOutbox(store).waiting() == [] and badges_of(credly, reference) == []
