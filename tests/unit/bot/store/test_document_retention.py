"""Uploaded documents are kept for a configurable time after the decision, then the clean-up command
deletes their files and keeps their rows (size, SHA-256) and a history line; SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

import pytest

from bot.store import retention
from bot.store.applications import ApplicationStore, Details
from bot.store.db import migrate
from bot.store.document_retention import ACTOR, NOTE, remove_documents_decided_before
from tests.files import jpeg_bytes, pdf_bytes

NOW = datetime.now(timezone.utc)


@pytest.fixture
def at(database_url, tmp_path):
    """A store whose clock says `days` ago, to decide applications in the past."""
    migrate(database_url)

    def store(days: float = 0) -> ApplicationStore:
        return ApplicationStore(
            url=database_url, documents_dir=tmp_path / "uploads", clock=lambda: NOW - timedelta(days=days)
        )

    return store


def application(at, name: str, submitted_days_ago: float, decisions: list[tuple[str, float]]) -> str:
    """An application by `name`, submitted then moved through `decisions` (status, days ago)."""
    store = at(submitted_days_ago)
    link = store.start_draft(f"conv-{name}", "team-science-fundamentals")
    store.attach_document(link.token, f"{name} certificate.pdf", pdf_bytes())
    store.attach_document(store.start_draft(f"conv-{name}", "team-science-fundamentals").token, "photo.jpg",
                          jpeg_bytes())  # fmt: skip
    details = Details("team-science-fundamentals", "tsf-training", date(2024, 3, 1), name.title() + " Doe",
                      f"{name}@uni.edu", "Example University")  # fmt: skip
    reference = store.submit(f"conv-{name}", details).reference
    status = "submitted"
    for new, days in decisions:
        assert at(days).change_status(reference, new, "reviewer:rita", "a reason", only_from=(status,))
        status = new
    return reference


def files_of(store: ApplicationStore, reference: str) -> list[bool]:
    return [(store.documents_dir / d.stored_name).exists() for d in store.get(reference).documents]


def test_documents_are_deleted_a_year_after_the_decision_and_their_record_is_kept(at):
    approved = application(at, "ann", 420, [("approved", 400)])
    rejected = application(at, "bob", 420, [("rejected", 366)])
    recent = application(at, "cat", 200, [("rejected", 100)])
    undecided = application(at, "dan", 500, [("under_review", 499)])  # old, never decided: kept
    revoked = application(at, "eve", 500, [("approved", 480), ("revoked", 10)])  # counted from the revocation
    store = at()
    before = {r: store.get(r) for r in (approved, rejected)}

    dry = remove_documents_decided_before(store, NOW - timedelta(days=365), dry_run=True)
    assert dry.documents == 4 and dry.bytes == 2 * (len(pdf_bytes()) + len(jpeg_bytes()))
    assert all(all(files_of(store, r)) for r in (approved, rejected, recent, undecided, revoked))

    done = remove_documents_decided_before(store, NOW - timedelta(days=365))
    assert done == dry
    for reference in (approved, rejected):
        assert files_of(store, reference) == [False, False]
        kept = store.get(reference)
        assert [(d.size, d.sha256, d.mime) for d in kept.documents] == [
            (d.size, d.sha256, d.mime) for d in before[reference].documents
        ]
        assert [d.original_name for d in kept.documents] == ["document.pdf", "document.jpg"]  # no learner's name
        assert all(d.removed_at is not None for d in kept.documents)
        assert kept.history[-1].actor == ACTOR and kept.history[-1].note == NOTE
        assert kept.status == before[reference].status
    for reference in (recent, undecided, revoked):
        assert files_of(store, reference) == [True, True]
        assert all(d.removed_at is None for d in store.get(reference).documents)

    again = remove_documents_decided_before(store, NOW - timedelta(days=365))
    assert again.documents == 0  # nothing twice
    assert [h.note for h in store.get(approved).history].count(NOTE) == 2  # one line per document


def test_the_clean_up_command_with_its_dry_run_and_the_retention_setting(at, database_url, tmp_path, monkeypatch,
                                                                          capsys):  # fmt: skip
    monkeypatch.setenv("DATABASE_URL", database_url)
    monkeypatch.setenv("ACTS_UPLOAD_DIR", str(tmp_path / "uploads"))
    monkeypatch.delenv("ACTS_DOCUMENT_RETENTION_DAYS", raising=False)
    old = application(at, "ann", 420, [("approved", 400)])
    middling = application(at, "bob", 200, [("rejected", 100)])
    store = at()
    no_conversations = ["--conversations-db", str(tmp_path / "none.db")]

    assert retention.main(["--dry-run", *no_conversations]) == 0
    said = capsys.readouterr().out
    assert "would delete the files of 2 documents" in said and "more than 365 days ago" in said
    assert files_of(store, old) == [True, True]

    monkeypatch.setenv("ACTS_DOCUMENT_RETENTION_DAYS", "90")
    assert retention.main(no_conversations) == 0
    assert "deleted the files of 4 documents" in capsys.readouterr().out
    assert files_of(store, old) == files_of(store, middling) == [False, False]
    assert retention.main(["--document-days", "1", *no_conversations]) == 0
    assert "deleted the files of 0 documents" in capsys.readouterr().out
