"""Revoking an issued badge (a reason the learner is told, audited like approve and reject), clear
refusals of unknown references and bad transitions, and Credly webhooks that are replayed or forged,
on SQLite and PostgreSQL against the Credly emulator."""

from __future__ import annotations

import uuid

import pytest

from bot.commands import review
from bot.credly.client import CredlyClient
from bot.credly.sync import DUPLICATE, BadWebhook, handle_webhook
from bot.reviewing.decisions import ReviewError, Reviews
from bot.reviewing.status import StatusDesk
from bot.store.applications import ApplicationStore, Details
from bot.store.db import migrate
from tests.applicants import JANE
from tests.emulator_thread import emulator
from tests.files import pdf_bytes

REASON = "Issued in error: the training was not completed."


@pytest.fixture
def credly():
    with emulator() as running:
        yield running


@pytest.fixture
def store(database_url, tmp_path, monkeypatch, credly):
    migrate(database_url)
    monkeypatch.setenv("DATABASE_URL", database_url)  # the command line reads the same settings the servers do
    monkeypatch.setenv("ACTS_UPLOAD_DIR", str(tmp_path / "uploads"))
    monkeypatch.setenv("CREDLY_BASE_URL", credly.base_url)
    monkeypatch.delenv("CREDLY_TOKEN", raising=False)
    monkeypatch.delenv("SLACK_BOT_TOKEN", raising=False)
    return ApplicationStore(url=database_url, documents_dir=tmp_path / "uploads")


def submit(store: ApplicationStore, conversation: str = "c1", email: str = JANE.email) -> str:
    link = store.start_draft(conversation, JANE.badge_id)
    store.attach_document(link.token, "certificate.pdf", pdf_bytes())
    return store.submit(conversation, Details(**{**JANE.__dict__, "email": email})).reference


def api(credly) -> CredlyClient:
    return CredlyClient(credly.base_url, credly.organization, credly.token, attempts=1, sleep=lambda s: None)


def history(store, reference: str) -> list[tuple]:
    return [(h.from_status, h.to_status, h.actor, h.note) for h in store.get(reference).history]


# --- revoke ---------------------------------------------------------------------------


def test_revoking_an_issued_badge_tells_credly_and_the_learner_the_reason(store, credly):
    reference = submit(store)
    told = []
    reviews = Reviews(store, lambda: api(credly), notify=told.append)
    assert reviews.approve(reference, "alice").complete
    [badge] = credly.badges

    outcome = reviews.revoke(reference, "carol", f"  {REASON} ")
    assert outcome.changed and "revoked" in outcome.message
    [revoked] = credly.badges
    assert revoked["id"] == badge["id"] and revoked["state"] == "revoked" and revoked["revocation_reason"] == REASON
    application = store.get(reference)
    assert (application.status, application.credly_state, application.decision_reason) == ("revoked", "revoked", REASON)
    assert history(store, reference)[-1] == ("approved", "revoked", "reviewer:carol", REASON)
    assert told[-1].status == "revoked"

    answer = StatusDesk(store, lambda: api(credly)).check("web:a", reference, "jane@uni.edu").text
    assert "revoked" in answer and "Issued in error: the training was not completed." in answer

    again = reviews.revoke(reference, "carol", REASON)
    assert not again.changed and "already revoked" in again.message
    assert len([e for e in credly.org.events.values() if e["event_type"] == "badge.state.changed"]) == 1


def test_after_a_revocation_the_learner_may_apply_again_and_gets_a_new_badge(store, credly):
    reference = submit(store)
    reviews = Reviews(store, lambda: api(credly))
    reviews.approve(reference, "alice")
    reviews.revoke(reference, "carol", REASON)
    second = submit(store, conversation="c2")
    outcome = reviews.approve(second, "alice")
    assert outcome.complete
    first_badge, second_badge = credly.badges
    assert first_badge["state"] == "revoked" and second_badge["state"] == "pending"
    assert store.get(second).credly_badge_id == second_badge["id"] != store.get(reference).credly_badge_id


def test_a_revocation_credly_cannot_make_changes_nothing_and_can_be_run_again(store, credly, capsys):
    reference = submit(store)
    Reviews(store, lambda: api(credly)).approve(reference, "alice")
    credly.fail(503, count=4)  # every retry of the command's client
    assert review.main(["--reviewer", "carol", "revoke", reference, "--reason", REASON]) == 4
    assert "Credly could not revoke the badge (CredlyUnavailable: HTTP 503); nothing changed" in capsys.readouterr().out
    assert store.get(reference).status == "approved" and credly.badges[0]["state"] == "pending"
    assert review.main(["--reviewer", "carol", "revoke", reference, "--reason", REASON]) == 0
    assert store.get(reference).status == "revoked"


def run(args: list[str], capsys) -> tuple[int, str]:
    code = review.main(args)
    captured = capsys.readouterr()
    return code, captured.out + captured.err


def test_unknown_references_and_bad_transitions_are_refused_clearly(store, credly, capsys):
    unknown = "ACTS-0000-0000"
    for command in (["start"], ["approve"], ["reject", "--reason", "x"], ["revoke", "--reason", "x"], ["show"]):
        code, said = run([command[0], unknown, *command[1:]], capsys)
        assert code == 1 and f"No submitted application has the reference {unknown}." in said
    code, said = run(["revoke", "not-a-reference", "--reason", "x"], capsys)
    assert code == 2 and "is not a reference like ACTS-7KQ2-M9XD" in said
    with pytest.raises(SystemExit) as no_reason:
        review.main(["revoke", unknown])
    assert no_reason.value.code == 2 and "--reason" in capsys.readouterr().err

    submitted = submit(store)
    code, said = run(["revoke", submitted, "--reason", REASON], capsys)
    assert code == 1 and f"{submitted} is submitted; only an approved application whose badge is issued" in said
    code, said = run(["reject", submitted, "--reason", "   "], capsys)
    assert code == 1 and "needs a reason" in said

    credly.fail(503, count=1)  # approved, the badge not issued yet: nothing to revoke
    assert run(["approve", submitted], capsys)[0] == 0
    code, said = run(["revoke", submitted, "--reason", REASON], capsys)
    assert code == 1 and "still being issued" in said
    for command, words in (
        (["start", submitted], "is approved; only a submitted application can be reviewed"),
        (["reject", submitted, "--reason", "late"], "is approved; it cannot be rejected"),
    ):
        code, said = run(command, capsys)
        assert code == 1 and words in said, said

    rejected = submit(store, conversation="c2", email="john@uni.edu")
    store.change_status(rejected, "rejected", "reviewer:x", "no", only_from=("submitted",))
    code, said = run(["approve", rejected], capsys)
    assert code == 1 and "is rejected; it cannot be approved" in said
    assert (
        store.get(rejected).status == "rejected"
        and [b for b in credly.badges if b["issuer_earner_id"] == rejected] == []
    )


def test_a_revoked_application_cannot_be_approved_or_rejected_again(store, credly):
    reference = submit(store)
    reviews = Reviews(store, lambda: api(credly))
    reviews.approve(reference, "alice")
    reviews.revoke(reference, "carol", REASON)
    before = history(store, reference)
    for decide in (lambda: reviews.approve(reference, "x"), lambda: reviews.reject(reference, "x", "why")):
        with pytest.raises(ReviewError, match="is revoked"):
            decide()
    assert history(store, reference) == before and len(credly.badges) == 1


# --- webhooks -------------------------------------------------------------------------


def event_of(credly, event_type: str, state: str) -> str:
    return next(
        event_id
        for event_id, body in credly.org.events.items()
        if body["event_type"] == event_type and body["badge"]["state"] == state
    )


class Counting:
    """A Credly client that counts the calls made through it."""

    def __init__(self, client: CredlyClient) -> None:
        self.client, self.calls = client, []

    def __getattr__(self, name: str):
        method = getattr(self.client, name)

        def counted(*args, **kwargs):
            self.calls.append(name)
            return method(*args, **kwargs)

        return counted


def test_a_replayed_webhook_changes_nothing_and_asks_credly_nothing_the_second_time(store, credly):
    reference = submit(store)
    Reviews(store, lambda: api(credly)).approve(reference, "alice")
    [badge] = credly.badges
    credly.act(badge["id"], "accept")
    accepted = event_of(credly, "badge.state.changed", "accepted")
    told, counting = [], Counting(api(credly))
    assert handle_webhook({"id": accepted}, store, lambda: counting, told.append) == "updated"
    after_first = history(store, reference)
    assert after_first[-1] == ("approved", "approved", "credly", "badge pending -> accepted") and len(told) == 1
    assert counting.calls == ["event", "get_badge"]
    assert handle_webhook({"id": accepted}, store, lambda: counting, told.append) == DUPLICATE
    assert history(store, reference) == after_first and len(told) == 1
    assert counting.calls == ["event", "get_badge"]  # the replay cost no Credly call

    # An older event arriving late, after the badge moved on: the badge is read as it is now, never set back.
    credly.act(badge["id"], "revoke", reason="revoked by an admin in Credly")
    assert handle_webhook({"id": event_of(credly, "badge.state.changed", "revoked")}, store, lambda: api(credly))
    after_revocation = history(store, reference)
    handle_webhook({"id": accepted}, store, lambda: api(credly), told.append)
    handle_webhook({"id": event_of(credly, "badge.created", "pending")}, store, lambda: api(credly), told.append)
    assert history(store, reference) == after_revocation and store.get(reference).credly_state == "revoked"
    # Revoked in Credly's own interface: the learner hears Credly's reason.
    text = StatusDesk(store, lambda: api(credly)).check("web:a", reference, "jane@uni.edu").text
    assert "revoked" in text and "revoked by an admin in Credly" in text


def test_a_forged_webhook_changes_nothing(store, credly):
    reference = submit(store)
    Reviews(store, lambda: api(credly)).approve(reference, "alice")
    [badge] = credly.badges
    before, state = history(store, reference), store.get(reference).credly_state
    real_event = next(iter(credly.org.events))
    forged = [
        {
            "id": str(uuid.uuid4()),
            "event_type": "badge.state.changed",
            "badge": {"id": badge["id"], "state": "accepted"},
        },
        {"id": str(uuid.uuid4()), "organization_id": credly.organization, "event_type": "badge.state.changed"},
        # A real event id with a made-up story around it: only what the API says counts.
        {"id": real_event, "event_type": "badge.state.changed", "badge": {"id": badge["id"], "state": "revoked"}},
    ]
    for payload in forged:
        assert handle_webhook(payload, store, lambda: api(credly)) in ("ignored", "updated")
    for payload in ({"id": "../badges"}, {"id": "x" * 100_000}, {"id": ""}, {"id": 7}, [], "event", None):
        with pytest.raises(BadWebhook):
            handle_webhook(payload, store, lambda: api(credly))
    assert history(store, reference) == before and store.get(reference).credly_state == state == "pending"
