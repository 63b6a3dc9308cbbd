"""The handoff's offer as the action server runs it: a disputed status gets the offer with why a person
is the one to ask; a plain request for a person gets the offer alone."""

from __future__ import annotations

import asyncio

import pytest
from rasa_sdk.executor import CollectingDispatcher

from actions.handoff import ActionOfferHandoff
from bot.handoff import replies
from bot.store.db import migrate
from tests.trackers import tracker


@pytest.fixture(autouse=True)
def database(tmp_path, monkeypatch):
    url = f"sqlite:///{tmp_path / 'acts.db'}"
    monkeypatch.setenv("DATABASE_URL", url)
    monkeypatch.setenv("ACTS_UPLOAD_DIR", str(tmp_path / "uploads"))
    migrate(url)


def offered(text: str, intent: str) -> list[str]:
    dispatcher = CollectingDispatcher()
    asyncio.run(ActionOfferHandoff().run(dispatcher, tracker(text, intent), {}))
    return [m["text"] for m in dispatcher.messages]


@pytest.mark.parametrize(
    "text, intent", [("I want to appeal the rejection", "dispute_status"), ("no, that's wrong", "deny")]
)
def test_a_disputed_status_is_offered_a_person_saying_the_assistant_only_has_the_records(text, intent):
    said = offered(text, intent)
    assert said[0] == replies.DISPUTED and "Shall I pass it on?" in said[1]


def test_a_plain_request_for_a_person_gets_the_offer_alone():
    [said] = offered("can I talk to someone", "human_handoff")
    assert "Shall I pass it on?" in said
