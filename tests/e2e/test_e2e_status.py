"""End to end over HTTP: apply -> a reviewer approves -> the emulator records the issued badge ->
the earner accepts -> Credly's webhook -> a status question in a new conversation says "accepted";
another person's reference with the wrong email reveals nothing."""

from __future__ import annotations

import os
import secrets
import subprocess
import sys
import time

import requests

from bot.reviewing.status import MAX_FAILURES_PER_REFERENCE, MAX_FAILURES_PER_SOURCE
from bot.store.applications import ApplicationStore
from tests.conftest import ROOT, Chat, http_from
from tests.conversations import apply_and_submit, code_for, codes_to


def review(deployment, *args: str) -> subprocess.CompletedProcess:
    env = {
        **os.environ,
        "DATABASE_URL": deployment.database_url,
        "ACTS_UPLOAD_DIR": str(deployment.upload_dir),
        "CREDLY_BASE_URL": f"http://127.0.0.1:{deployment.ports.credly}/v1",
        "PYTHONPATH": str(ROOT),
    }
    env.pop("CREDLY_TOKEN", None)
    return subprocess.run(
        [sys.executable, "-m", "bot.commands.review", "--reviewer", "alice", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )


def emulator(deployment, path: str, **kwargs) -> requests.Response:
    return requests.request(
        kwargs.pop("method", "GET"), f"http://127.0.0.1:{deployment.ports.credly}{path}", timeout=10, **kwargs
    )


def wait_for_state(store: ApplicationStore, reference: str, state: str) -> None:
    deadline = time.monotonic() + 15
    while store.get(reference).credly_state != state:
        assert time.monotonic() < deadline, f"the webhook never brought {state!r}"
        time.sleep(0.2)


def ask_status(deployment, reference: str, email: str) -> str:
    chat = Chat(deployment.ports.rasa, sender=f"status-{secrets.token_hex(4)}")
    assert "reference" in chat.text("where is my application?")
    assert "email" in chat.text(reference)
    return chat.text(email)


def test_apply_approve_issue_accept_webhook_then_status_says_accepted(servers):
    reference, email = apply_and_submit(servers)
    assert "waiting for review" in ask_status(servers, reference, email)

    approved = review(servers, "approve", reference)
    assert approved.returncode == 0 and "issued in Credly" in approved.stdout, approved.stderr
    [badge] = [b for b in emulator(servers, "/__emulator/badges").json()["data"] if b["issuer_earner_id"] == reference]
    assert badge["state"] == "pending" and badge["recipient_email"] == email
    assert "admin@credly.com" in ask_status(servers, reference, email)

    # The earner accepts in Credly; Credly's webhook reaches the web service, which re-reads the API.
    emulator(servers, f"/__emulator/badges/{badge['id']}/accept", method="POST").raise_for_status()
    store = ApplicationStore(url=servers.database_url, documents_dir=servers.upload_dir)
    wait_for_state(store, reference, "accepted")
    assert "accepted your badge" in ask_status(servers, reference, email)

    # Running the approval again changes nothing.
    again = review(servers, "approve", reference)
    assert again.returncode == 0 and "Nothing changed" in again.stdout
    assert (
        len([b for b in emulator(servers, "/__emulator/badges").json()["data"] if b["issuer_earner_id"] == reference])
        == 1
    )


def test_someone_elses_reference_with_the_wrong_email_reveals_nothing(servers):
    reference, _ = apply_and_submit(servers)
    chat = Chat(servers.ports.rasa, sender=f"mallory-{secrets.token_hex(4)}")
    # Both in one message; the sender id is whatever the client chose, so it proves nothing.
    reply = chat.text(f"what's the status of {reference} mallory@evil.example")
    unknown = Chat(servers.ports.rasa, sender=f"mallory-{secrets.token_hex(4)}").text(
        "what's the status of ACTS-ZZZZ-ZZZZ mallory@evil.example"
    )
    assert reply == unknown  # identical whether or not the reference exists
    for secret in ("Jane", "submitted", "waiting", "approved", "Team Science"):
        assert secret not in reply


def test_a_rejection_reaches_the_learner_with_its_reason(servers):
    reference, email = apply_and_submit(servers)
    rejected = review(servers, "reject", reference, "--reason", "The certificate is unreadable.")
    assert rejected.returncode == 0, rejected.stderr
    answer = ask_status(servers, reference, email)
    assert "not approved" in answer and "The certificate is unreadable." in answer


def test_a_revoked_badge_reaches_the_learner_with_its_reason(servers):
    reference, email = apply_and_submit(servers)
    assert review(servers, "approve", reference).returncode == 0
    refused = review(servers, "revoke", reference, "--reason", "  ")
    assert refused.returncode == 1 and "needs a reason" in refused.stderr
    revoked = review(servers, "revoke", reference, "--reason", "Issued in error: another course.")
    assert revoked.returncode == 0 and "is revoked" in revoked.stdout, revoked.stderr
    [badge] = [b for b in emulator(servers, "/__emulator/badges").json()["data"] if b["issuer_earner_id"] == reference]
    assert badge["state"] == "revoked" and badge["revocation_reason"] == "Issued in error: another course."
    answer = ask_status(servers, reference, email)
    assert "revoked" in answer and "Issued in error: another course." in answer
    again = review(servers, "revoke", reference, "--reason", "again")
    assert again.returncode == 0 and "Nothing changed" in again.stdout


def test_status_when_credly_is_down(servers):
    reference, email = apply_and_submit(servers)
    assert review(servers, "approve", reference).returncode == 0
    emulator(servers, "/__emulator/faults", method="POST", json={"status": 503, "count": 20}).raise_for_status()
    try:
        answer = ask_status(servers, reference, email)
    finally:
        emulator(servers, "/__emulator/faults", method="DELETE")
    assert "approved" in answer and "couldn't check" in answer


def test_a_guesser_changing_conversation_ids_runs_out_of_tries_and_learners_behind_the_same_address_do_not(servers):
    """The limit follows where the requests come from (as the server sees it), not the sender id or metadata
    the client sends, so new ids and a forged source change nothing. And a learner behind the same address
    (a campus network, a company proxy) still gets their own status (issue 20, hole 5)."""
    reference, email = apply_and_submit(servers)
    url = f"http://127.0.0.1:{servers.ports.rasa}/webhooks/rest/webhook"
    address = "127.{}.{}.{}".format(*(secrets.randbelow(254) + 1 for _ in range(3)))
    guesser = http_from(address)

    def guess(message: str) -> str:
        body = {
            "sender": f"guesser-{secrets.token_hex(4)}",
            "message": message,
            "metadata": {"acts_source": secrets.token_hex(8)},
        }
        return " ".join(m.get("text", "") for m in guesser.post(url, json=body, timeout=30).json())

    def random_reference() -> str:
        return "ACTS-" + secrets.token_hex(2).upper().replace("0", "1") + "-" + secrets.token_hex(2).upper()

    answers = [guess(f"status of {random_reference()} g{i}@example.org") for i in range(MAX_FAILURES_PER_SOURCE)]
    assert all("couldn't find an application" in a for a in answers)
    assert "try again in an hour" in guess(f"status of {random_reference()} {email}")
    # The owner, asking from the very same address, gets their answer.
    owner = Chat(servers.ports.rasa, sender=f"owner-{secrets.token_hex(4)}")
    owner.http = http_from(address)
    assert "waiting for review" in owner.text(f"status of {reference} {email}")


def test_a_reference_being_guessed_is_answered_after_a_code_to_the_address(servers):
    """Someone who knows the reference guesses addresses: the reference runs out of tries; the right pair then
    gets the same words as a wrong one, and a code to the address the asker gave (the owner reads it)."""
    reference, email = apply_and_submit(servers)
    for i in range(MAX_FAILURES_PER_REFERENCE):
        assert "couldn't find an application" in ask_status(servers, reference, f"guess{i}@example.org")
    owner = Chat(servers.ports.rasa, sender=f"owner-{secrets.token_hex(4)}")
    owner.text("where is my application?")
    owner.text(reference)
    seen = len(codes_to(servers.mail_dir, email))
    reply = owner.text(email)
    assert "too many tries" in reply and f"sent a 6-digit code to {email}" in reply
    assert "waiting for review" in owner.text(code_for(servers.mail_dir, email, seen))


def test_without_the_reference_a_code_to_the_address_shows_every_application_filed_with_it(servers):
    reference, email = apply_and_submit(servers)
    chat = Chat(servers.ports.rasa, sender=f"lost-{secrets.token_hex(4)}")
    assert "reference" in chat.text("what's the status of my badge application?")
    assert "one-time code" in chat.text("I lost my reference")
    seen = len(codes_to(servers.mail_dir, email))
    assert f"sent a 6-digit code to {email}" in chat.text(email)
    assert f"sent a 6-digit code to {email}" in chat.text("send it again")
    answer = chat.text(code_for(servers.mail_dir, email, seen + 1))  # the newest code counts
    assert reference in answer and "waiting for review" in answer
    # The same reply for an address with no application: only the owner of the address sees the difference.
    other = f"nobody.{secrets.token_hex(3)}@uni.edu"
    stranger = Chat(servers.ports.rasa, sender=f"lost-{secrets.token_hex(4)}")
    stranger.text("where is my application?")
    stranger.text("I don't have it")
    assert f"sent a 6-digit code to {other}" in stranger.text(other)
    assert "no application filed with" in stranger.text(code_for(servers.mail_dir, other))


def test_malformed_requests_get_a_clear_400_and_the_server_carries_on(servers):
    url = f"http://127.0.0.1:{servers.ports.rasa}/webhooks/rest/webhook"
    for body in (
        b"not json",
        b"[1, 2]",
        b'{"message": "hi"}',
        b'{"sender": 42, "message": "hi"}',
        b'{"sender": "a", "message": ["hi"]}',
        b'{"sender": "a", "message": "' + b"x" * 6000 + b'"}',
    ):
        response = requests.post(url, data=body, headers={"Content-Type": "application/json"}, timeout=30)
        assert response.status_code == 400, (body[:40], response.status_code)
    reply = requests.post(url, json={"sender": "after", "message": "is there a fee?", "metadata": "x"}, timeout=30)
    assert reply.status_code == 200 and "no cost" in reply.text


def test_limits_a_script_but_not_a_person(servers):
    url = f"http://127.0.0.1:{servers.ports.rasa}/webhooks/rest/webhook"
    client = http_from()
    sender = f"fast-{secrets.token_hex(4)}"
    codes = [client.post(url, json={"sender": sender, "message": "hi"}, timeout=30).status_code for _ in range(31)]
    assert codes[:30] == [200] * 30 and codes[30] == 429  # 30 a minute per conversation
    too_fast = client.post(url, json={"sender": sender, "message": "hi"}, timeout=30)
    assert too_fast.status_code == 429 and "wait a minute" in too_fast.text
    # Another conversation from the same place is still served.
    assert client.post(url, json={"sender": sender + "-2", "message": "hi"}, timeout=30).status_code == 200
    big_metadata = {"sender": sender + "-3", "message": "hi", "metadata": {"x": "y" * 5000}}
    refused = client.post(url, json=big_metadata, timeout=30)
    assert refused.status_code == 400 and "metadata" in refused.text
    huge = client.post(url, data=b"x" * (2 * 1024 * 1024), headers={"Content-Type": "application/json"}, timeout=30)
    assert huge.status_code == 413
    assert "no cost" in Chat(servers.ports.rasa, sender=sender + "-4").text("is there a fee?")
