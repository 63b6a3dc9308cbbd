"""One person's data: exported whole, or erased everywhere, keeping only the decision history."""

from __future__ import annotations

import asyncio
import base64
import os
import subprocess
import sys
from datetime import date

import pytest
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, UserUttered

from bot.store import personal_data
from bot.store.applications import ApplicationStore, Details
from bot.store.conversations import ConversationLog
from bot.store.db import migrate
from rasa_plugins.runtime.tracker_store import DurableTrackerStore
from tests.conftest import ROOT
from tests.files import jpeg_bytes, pdf_bytes

DOMAIN = Domain.from_dict({"intents": ["greet"]})


def details(email: str, name: str) -> Details:
    return Details(
        badge_id="team-science-fundamentals",
        training_id="tsf-training",
        completion_date=date(2024, 3, 1),
        full_name=name,
        email=email,
        organisation="Example University",
        orcid="0000-0002-1825-0097",
    )


def run(coroutine):
    return asyncio.run(coroutine)


def talk(store: DurableTrackerStore, sender: str, text: str) -> None:
    async def go():
        tracker = await store.get_or_create_tracker(sender)
        tracker.update(UserUttered(text, {"name": "greet", "confidence": 1.0}))
        tracker.update(ActionExecuted("action_listen"))
        await store.save(tracker)

    run(go())


@pytest.fixture
def world(tmp_path, monkeypatch):
    url = f"sqlite:///{tmp_path / 'acts.db'}"
    migrate(url)
    store = ApplicationStore(url=url, documents_dir=tmp_path / "uploads")
    conversations = DurableTrackerStore(DOMAIN, db=str(tmp_path / "conversations.db"))
    references = {}
    for conversation, email, name, document, filed_by in (
        ("web-jane-1", "jane@uni.edu", "Jane Doe", pdf_bytes(), None),
        ("slack:UJANE", "jane@uni.edu", "Jane Doe", jpeg_bytes(), "slack:UJANE"),
        ("web-john", "john@uni.edu", "John Roe", pdf_bytes(), None),
    ):
        talk(conversations, conversation, f"my email is {email}")
        link = store.start_draft(conversation, "team-science-fundamentals")
        store.attach_document(link.token, f"{name}.pdf", document)
        references[conversation] = store.submit(conversation, details(email, name), filed_by=filed_by).reference
        if conversation == "web-jane-1":  # closed, so that Jane may apply again (from Slack)
            store.change_status(
                references[conversation], "rejected", "reviewer:rita", "Certificate for Jane's old course"
            )
    talk(conversations, "slack:C1:171.1:UJANE", "a question in a channel thread")
    monkeypatch.setenv("DATABASE_URL", url)
    monkeypatch.setenv("ACTS_UPLOAD_DIR", str(tmp_path / "uploads"))
    monkeypatch.setenv("ACTS_CONVERSATIONS_DB", str(tmp_path / "conversations.db"))
    return store, ConversationLog(tmp_path / "conversations.db"), conversations, references


def test_an_export_holds_everything_about_the_person_and_nothing_else(world):
    store, log, _, references = world
    data = personal_data.export(store, "JANE@uni.edu", log)
    assert {a["reference"] for a in data["applications"]} == {references["web-jane-1"], references["slack:UJANE"]}
    documents = [d for a in data["applications"] for d in a["documents"]]
    assert sorted(base64.b64decode(d["content_base64"]) for d in documents) == sorted([pdf_bytes(), jpeg_bytes()])
    assert {c["id"] for c in data["conversations"]} == {"web-jane-1", "slack:UJANE", "slack:C1:171.1:UJANE"}
    assert "john" not in str(data).lower() and "Credly" in data["note"]


def test_erasure_removes_the_person_everywhere_and_keeps_only_the_decision_history(world):
    store, log, _, references = world
    files_before = set((store.documents_dir).iterdir())
    done = personal_data.erase(store, "jane@uni.edu", log, "administrator:test")
    assert done == {"applications": 2, "documents": 2, "conversations": 3}
    assert len(set(store.documents_dir.iterdir())) == len(files_before) - 2
    assert log.senders() == ["web-john"]
    for conversation in ("web-jane-1", "slack:UJANE"):
        kept = store.get(references[conversation])
        assert kept.status in ("rejected", "submitted") and kept.documents == []
        assert (kept.full_name, kept.organisation, kept.orcid, kept.decision_reason, kept.filed_by) == (None,) * 5
        assert kept.applicant is None and kept.conversation_id == "erased"
        assert all(h.note in (None, personal_data.ERASED) for h in kept.history)
        assert kept.history[-1].note == personal_data.ERASED and kept.history[-1].actor == "administrator:test"
    assert "jane" not in str(personal_data.export(store, "jane@uni.edu", log)).lower().replace("jane@uni.edu", "")
    [john] = store.submitted("john@uni.edu")
    assert john.full_name == "John Roe" and len(john.documents) == 1


def test_a_badge_waiting_to_be_issued_is_dropped_with_the_person(world):
    from sqlalchemy import func, select

    from bot.reviewing.decisions import DECIDABLE
    from bot.store.applications import APPROVED
    from bot.store.models import BadgeIssuing

    store, log, _, references = world
    reference = references["slack:UJANE"]
    store.change_status(reference, APPROVED, "reviewer:rita", only_from=DECIDABLE, then=lambda session, a: session.add(
        BadgeIssuing(application_id=a.id, requested_by="reviewer:rita", requested_at=store.clock(),
                     next_attempt_at=store.clock())))  # fmt: skip

    def count():
        return store.transaction(lambda s: s.execute(select(func.count()).select_from(BadgeIssuing)).scalar_one())

    assert count() == 1
    personal_data.erase(store, "jane@uni.edu", log, "administrator:test")
    assert count() == 0 and store.get(reference).status == APPROVED


def test_a_running_server_forgets_an_erased_conversation(world):
    store, log, conversations, _ = world
    assert run(conversations.retrieve("web-jane-1")) is not None  # in this server's memory
    personal_data.erase(store, "jane@uni.edu", log, "administrator:test")
    assert run(conversations.retrieve("web-jane-1")) is None  # gone from memory too
    talk(conversations, "web-jane-1", "hello again")  # a new conversation starts, from nothing
    again = run(conversations.retrieve_full_tracker("web-jane-1"))
    assert [e.text for e in again.events if isinstance(e, UserUttered)] == ["hello again"]


def test_the_command_asks_before_it_erases(world, tmp_path):
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    refused = subprocess.run([sys.executable, "-m", "bot.store.personal_data", "erase", "jane@uni.edu"],
                             cwd=ROOT, env=env, capture_output=True, text=True, timeout=60)  # fmt: skip
    assert refused.returncode == 2 and "--yes" in refused.stderr
    exported = subprocess.run(
        [sys.executable, "-m", "bot.store.personal_data", "export", "jane@uni.edu", "--out", str(tmp_path / "out")],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert exported.returncode == 0 and (tmp_path / "out" / "export.json").exists()
    erased = subprocess.run([sys.executable, "-m", "bot.store.personal_data", "erase", "jane@uni.edu", "--yes"],
                            cwd=ROOT, env=env, capture_output=True, text=True, timeout=60)  # fmt: skip
    assert erased.returncode == 0 and "erased 2 applications" in erased.stdout
