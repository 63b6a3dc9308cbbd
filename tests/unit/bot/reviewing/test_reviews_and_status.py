"""Reviewer decisions (issuing through Credly), status answers and webhook sync, on SQLite and the emulator."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import select

from bot.commands import review
from bot.credly.client import CredlyClient
from bot.credly.sync import BadWebhook, handle_webhook
from bot.reviewing.decisions import ReviewError, Reviews
from bot.reviewing.status import (
    MAX_FAILURES_PER_ADDRESS,
    MAX_FAILURES_PER_REFERENCE,
    MAX_FAILURES_PER_SOURCE,
    NO_MATCH,
    StatusDesk,
)
from bot.store.applications import ApplicationStore, Details
from bot.store.db import migrate
from bot.store.models import StatusLookup
from tests.applicants import JANE
from tests.emulator_thread import emulator
from tests.files import pdf_bytes


@pytest.fixture
def credly():
    with emulator() as running:
        yield running


@pytest.fixture
def store(tmp_path, monkeypatch, credly):
    url = f"sqlite:///{tmp_path / 'acts.db'}"
    migrate(url)
    # The CLI reads the same settings the servers do.
    monkeypatch.setenv("DATABASE_URL", url)
    monkeypatch.setenv("ACTS_UPLOAD_DIR", str(tmp_path / "uploads"))
    monkeypatch.setenv("CREDLY_BASE_URL", credly.base_url)
    monkeypatch.delenv("CREDLY_TOKEN", raising=False)
    return ApplicationStore(url=url, documents_dir=tmp_path / "uploads")


def submit(store: ApplicationStore, details: Details = JANE, conversation: str = "c1") -> str:
    link = store.start_draft(conversation, details.badge_id)
    store.attach_document(link.token, "certificate.pdf", pdf_bytes())
    return store.submit(conversation, details).reference


def api(credly) -> CredlyClient:
    return CredlyClient(credly.base_url, credly.organization, credly.token, backoff=0, sleep=lambda s: None)


def test_approve_issues_the_badge_once_and_records_who(store, credly):
    reference = submit(store)
    reviews = Reviews(store, lambda: api(credly))
    assert reviews.start(reference, "alice").changed
    outcome = reviews.approve(reference, "alice")
    assert outcome.changed and outcome.complete
    [badge] = credly.badges
    assert badge["issuer_earner_id"] == reference and badge["recipient_email"] == "jane@uni.edu"
    again = reviews.approve(reference, "alice")
    assert not again.changed and len(credly.badges) == 1
    application = store.get(reference)
    assert application.status == "approved" and application.credly_state == "pending"
    assert [(h.to_status, h.actor) for h in application.history][-3:] == [
        ("under_review", "reviewer:alice"),
        ("approved", "reviewer:alice"),
        ("approved", "reviewer:alice"),
    ]


def test_approve_while_credly_is_down_is_recorded_and_the_badge_left_to_the_outbox(store, credly):
    reference = submit(store)
    reviews = Reviews(store, lambda: api(credly))
    credly.fail(500, count=20)
    outcome = reviews.approve(reference, "bob")
    assert outcome.changed and not outcome.complete
    assert "approved; the badge is being issued" in outcome.message and "retried automatically" in outcome.message
    assert store.get(reference).status == "approved" and credly.org.faults
    credly.org.faults.clear()
    assert reviews.approve(reference, "bob").complete  # approving again tries again at once
    assert len(credly.badges) == 1 and store.get(reference).credly_badge_id


def test_reject_needs_a_reason_and_is_idempotent(store, credly):
    reference = submit(store)
    reviews = Reviews(store, lambda: api(credly))
    with pytest.raises(ReviewError, match="reason"):
        reviews.reject(reference, "carol", "  ")
    assert reviews.reject(reference, "carol", "The certificate is for another course.").changed
    assert not reviews.reject(reference, "carol", "again").changed
    with pytest.raises(ReviewError):
        reviews.approve(reference, "carol")
    assert store.get(reference).decision_reason == "The certificate is for another course."


def test_the_review_command_line(store, credly, capsys):
    reference = submit(store)
    assert review.main(["list", "--status", "submitted"]) == 0
    assert reference in capsys.readouterr().out
    assert review.main(["show", reference.lower()]) == 0
    shown = capsys.readouterr().out
    assert "certificate.pdf" in shown and "sha256" in shown and "jane@uni.edu" in shown
    assert review.main(["--reviewer", "dana", "approve", reference]) == 0
    assert "issued in Credly" in capsys.readouterr().out
    assert review.main(["--reviewer", "dana", "approve", reference]) == 0
    assert "Nothing changed" in capsys.readouterr().out
    assert review.main(["show", "ACTS-0000-0000"]) == 1
    assert review.main(["approve", "not-a-reference"]) == 2


def test_status_needs_both_reference_and_email(store, credly):
    reference = submit(store)
    desk = StatusDesk(store, lambda: api(credly))
    found = desk.check("conv-a", reference, "JANE@uni.edu")
    assert found.found and reference in found.text and "waiting for review" in found.text
    wrong_email = desk.check("conv-b", reference, "mallory@evil.example")
    unknown = desk.check("conv-c", "ACTS-ZZZZ-ZZZZ", "jane@uni.edu")
    assert wrong_email.text == unknown.text == NO_MATCH  # nothing says whether the reference exists
    assert "Jane" not in wrong_email.text


def test_a_guesser_runs_out_of_tries_and_the_owner_behind_the_same_address_does_not(store, credly):
    """One stranger on a campus network or behind a company proxy (one source for thousands of learners)
    must not lock every learner there out of their own status (issue 20, hole 5)."""
    reference = submit(store)
    now = [datetime(2026, 11, 27, 12, 5, tzinfo=timezone.utc)]
    desk = StatusDesk(store, lambda: api(credly), clock=lambda: now[0])
    for i in range(MAX_FAILURES_PER_SOURCE):
        assert desk.check("web:campus", f"ACTS-AAAA-AAA{i}", f"guess{i}@y.org").text == NO_MATCH
    # The owner, asking from the same address with the right pair, gets the answer, every time...
    for _ in range(2 * MAX_FAILURES_PER_SOURCE):
        assert desk.check("web:campus", reference, "jane@uni.edu").found
    # ...and the guesser, out of tries, gets "too many" for a wrong pair.
    assert "try again in an hour" in desk.check("web:campus", "ACTS-BBBB-BBBB", "guess@y.org").text


def test_a_reference_someone_is_guessing_about_is_not_looked_up_by_pair_until_the_hour_is_over(store, credly):
    """Someone who knows a reference and guesses its address, from however many places, runs out of tries for
    it; then the right pair gets the same answer as a wrong one (nothing to learn), and the owner proves the
    address with a code instead (check_address)."""
    reference = submit(store)
    now = [datetime(2026, 11, 27, 12, 5, tzinfo=timezone.utc)]
    desk = StatusDesk(store, lambda: api(credly), clock=lambda: now[0])
    for i in range(MAX_FAILURES_PER_REFERENCE):
        assert desk.check(f"web:place-{i}", reference, f"guess{i}@y.org").text == NO_MATCH
    right, wrong = desk.check("web:owner", reference, "jane@uni.edu"), desk.check("web:x", reference, "a@y.org")
    assert right == wrong and right.limited
    assert reference in desk.check_address("jane@uni.edu").text
    now[0] += timedelta(hours=1)
    assert desk.check("web:owner", reference, "jane@uni.edu").found


def test_an_address_someone_is_guessing_references_for_runs_out_of_tries(store, credly):
    reference = submit(store)
    desk = StatusDesk(store, lambda: api(credly))
    for i in range(MAX_FAILURES_PER_ADDRESS):
        assert desk.check(f"web:place-{i}", f"ACTS-AAAA-AAA{i}", "jane@uni.edu").text == NO_MATCH
    assert desk.check("web:owner", reference, "jane@uni.edu").limited
    assert "no application filed with nobody@uni.edu" in desk.check_address("nobody@uni.edu").text


def test_the_tries_counter_stores_no_address(store, credly):
    desk = StatusDesk(store, lambda: api(credly))
    desk.check("web:203.0.113.9", "ACTS-AAAA-AAAA", "x@y.org")
    keys = store.transaction(lambda session: session.execute(select(StatusLookup.key)).scalars().all())
    assert len(keys) == 3  # the source's, the reference's and the address's
    for key in keys:
        assert "203.0.113.9" not in key and "x@y.org" not in key and "AAAA" not in key and len(key) == 64


def test_approval_issues_the_badge_with_the_names_that_were_submitted(store, credly):
    reference = submit(store)
    # The same person applies for another badge later, under another name: the first is unchanged.
    later = Details(**{**JANE.__dict__, "badge_id": "another-badge", "full_name": "Janet Q. Doe-Smith"})
    submit(store, later, conversation="c2")
    Reviews(store, lambda: api(credly)).approve(reference, "alice")
    [badge] = credly.badges
    assert (badge["issued_to_first_name"], badge["issued_to_last_name"]) == ("Jane", "Doe")


def test_status_explains_each_claim_state_and_survives_credly_being_down(store, credly):
    reference = submit(store)
    Reviews(store, lambda: api(credly)).approve(reference, "alice")
    desk = StatusDesk(store, lambda: api(credly))
    assert "admin@credly.com" in desk.check("c", reference, "jane@uni.edu").text
    [badge] = credly.badges
    credly.act(badge["id"], "accept")
    assert "accepted your badge" in desk.check("c", reference, "jane@uni.edu").text
    assert store.get(reference).credly_state == "accepted"  # refreshed when the learner asked
    credly.fail(503, count=20)
    down = desk.check("c", reference, "jane@uni.edu").text
    assert "approved" in down and "couldn't check" in down
    credly.org.faults.clear()
    credly.act(badge["id"], "revoke", reason="issued in error")
    assert "revoked" in desk.check("c", reference, "jane@uni.edu").text


def test_rejected_applications_give_the_reviewers_reason(store, credly):
    reference = submit(store)
    Reviews(store, lambda: api(credly)).reject(reference, "carol", "The certificate is unreadable.")
    text = StatusDesk(store, lambda: api(credly)).check("c", reference, "jane@uni.edu").text
    assert "not approved" in text and "The certificate is unreadable." in text


def test_webhooks_are_hints_checked_against_the_api(store, credly):
    reference = submit(store)
    Reviews(store, lambda: api(credly)).approve(reference, "alice")
    [badge] = credly.badges
    credly.act(badge["id"], "accept")
    [event_id] = [e for e, body in credly.org.events.items() if body["event_type"] == "badge.state.changed"]
    assert (
        handle_webhook({"id": event_id, "event_type": "badge.state.changed"}, store, lambda: api(credly)) == "updated"
    )
    assert store.get(reference).credly_state == "accepted"
    # A forged payload claims nothing: the event id must exist in Credly.
    assert (
        handle_webhook({"id": "forged", "event_type": "badge.state.changed"}, store, lambda: api(credly)) == "ignored"
    )
    with pytest.raises(BadWebhook):
        handle_webhook(["not", "an", "event"], store, lambda: api(credly))
