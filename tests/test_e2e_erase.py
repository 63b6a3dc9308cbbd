"""A learner deletes their own data by conversation, after the same proof as a status question;
someone who only knows their email cannot."""

from __future__ import annotations

import secrets

from bot.store.applications import ApplicationStore
from tests.conftest import Chat
from tests.conversations import apply_and_submit
from tests.test_e2e_status import ask_status


def test_a_learner_deletes_their_data_and_a_stranger_cannot(servers):
    reference, email = apply_and_submit(servers)
    store = ApplicationStore(url=servers.database_url, documents_dir=servers.upload_dir)
    [application] = store.submitted(email)
    stored_file = servers.upload_dir / application.documents[0].stored_name

    stranger = Chat(servers.ports.rasa, sender=f"stranger-{secrets.token_hex(3)}")
    assert "reference" in stranger.text("please erase all my personal data")
    stranger.text(reference)
    assert "couldn't find an application" in stranger.text("mallory@evil.example")
    assert stored_file.exists() and store.submitted(email)  # nothing erased

    owner = Chat(servers.ports.rasa, sender=f"owner-{secrets.token_hex(3)}")
    assert "reference" in owner.text("I want you to delete everything you have about me")
    assert "email" in owner.text(reference)
    confirm = owner.text(email)
    assert "permanently deletes" in confirm and "Credly" in confirm
    assert "Done: your data is deleted: 1 application, 1 document and" in owner.text("yes")
    assert not stored_file.exists() and store.submitted(email) == []
    assert store.get(reference).full_name is None  # the decision record stays, without personal data
    assert "couldn't find an application" in ask_status(servers, reference, email)
    assert email not in str(servers.tracker(owner.sender)["events"])  # this conversation is forgotten too


def test_saying_no_keeps_everything(servers):
    reference, email = apply_and_submit(servers)
    chat = Chat(servers.ports.rasa, sender=f"undecided-{secrets.token_hex(3)}")
    chat.text("delete my data")
    chat.text(reference)
    chat.text(email)
    assert "haven't deleted anything" in chat.text("no")
    assert ApplicationStore(url=servers.database_url, documents_dir=servers.upload_dir).submitted(email)
