"""A learner deletes their own data by conversation, once a one-time code sent to their address came
back; a stranger who knows their address (or even their reference) cannot, and cannot file under it."""

from __future__ import annotations

import secrets

from bot.store.applications import ApplicationStore
from tests.conftest import Chat
from tests.conversations import apply_and_submit, code_for, codes_to
from tests.e2e.test_e2e_status import ask_status


def chat_of(servers, who: str) -> Chat:
    return Chat(servers.ports.rasa, f"{who}-{secrets.token_hex(3)}", servers.mail_dir)


def test_a_learner_deletes_their_data_with_a_code_and_a_stranger_cannot(servers):
    reference, email = apply_and_submit(servers)
    store = ApplicationStore(url=servers.database_url, documents_dir=servers.upload_dir)
    [application] = store.submitted(email)
    stored_file = servers.upload_dir / application.documents[0].stored_name

    # The stranger knows the address and the reference; the code goes to the owner's mailbox, not to them.
    stranger = chat_of(servers, "stranger")
    assert "email address" in stranger.text("please erase all my personal data")
    seen = len(codes_to(servers.mail_dir, email))
    assert f"sent a 6-digit code to {email}" in stranger.text(email)
    real = code_for(servers.mail_dir, email, seen)
    guess = "000000" if real != "000000" else "111111"
    assert "doesn't match" in stranger.text(guess)
    assert "permanently deletes" not in stranger.text(reference)  # the reference proves nothing now
    assert stored_file.exists() and store.submitted(email)  # nothing erased

    owner = chat_of(servers, "owner")
    assert "email address" in owner.text("I want you to delete everything you have about me")
    seen = len(codes_to(servers.mail_dir, email))
    assert "code" in owner.text(email)
    confirm = owner.text(code_for(servers.mail_dir, email, seen))
    assert "permanently deletes" in confirm and "Credly" in confirm
    assert "Done: your data is deleted: 1 application, 1 document and" in owner.text("yes")
    assert not stored_file.exists() and store.submitted(email) == []
    assert store.get(reference).full_name is None  # the decision record stays, without personal data
    assert "couldn't find an application" in ask_status(servers, reference, email)
    assert email not in str(servers.tracker(owner.sender)["events"])  # this conversation is forgotten too


def test_a_stranger_cannot_file_under_someone_elses_address(servers):
    """Issue 20, hole 2: filing first under the victim's address blocked their own application, and its
    reference then "proved" the address to erase everything of theirs."""
    victim = f"victim.{secrets.token_hex(3)}@uni.edu"
    stranger = chat_of(servers, "stranger")
    stranger.text("I'd like to apply for the Team Science Fundamentals badge")
    stranger.text("yes")
    stranger.text("ACTS Team Science Fundamentals training")
    stranger.text("March 2024")
    stranger.text("Mallory Stranger")
    assert f"sent a 6-digit code to {victim}" in stranger.text(victim)
    for attempt in ("123456", "Example University", "skip", "yes"):
        assert "organisation" not in stranger.text(attempt)  # the form goes no further without the code
    store = ApplicationStore(url=servers.database_url, documents_dir=servers.upload_dir)
    assert store.submitted(victim) == []


def test_saying_no_keeps_everything(servers):
    reference, email = apply_and_submit(servers)
    chat = chat_of(servers, "undecided")
    chat.text("delete my data")
    seen = len(codes_to(servers.mail_dir, email))
    chat.text(email)
    chat.text(code_for(servers.mail_dir, email, seen))
    assert "haven't deleted anything" in chat.text("no")
    assert ApplicationStore(url=servers.database_url, documents_dir=servers.upload_dir).submitted(email)
