"""Uploaded documents are kept for a while after the application is decided, then their files go.

What is deleted: the file. What is kept: the document's row, with its size, type, SHA-256 and
upload time (so the record of what was reviewed, and a copy's authenticity, can still be checked),
a name that no longer carries the learner's own file name, and a line in the application's history.
Only decided applications (approved, rejected, revoked) are concerned, counted from their last
decision; submitted and under-review applications keep their documents however old they are.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from bot.store.applications import APPROVED, REJECTED, REVOKED, ApplicationStore
from bot.store.models import Application, Document, StatusChange
from bot.store.uploads import ALLOWED, FALLBACK_NAME

DECIDED = (APPROVED, REJECTED, REVOKED)
ACTOR = "system:retention"
NOTE = "document file deleted after the retention period; its size and SHA-256 are kept"


@dataclass(frozen=True)
class Removal:
    documents: int
    bytes: int


def remove_documents_decided_before(store: ApplicationStore, before: datetime, dry_run: bool = False) -> Removal:
    """Deletes the files of documents whose application's last decision was before `before`."""

    def work(session: Session) -> Removal:
        documents = session.execute(_due(before)).scalars().all()
        if not dry_run:
            now = store.clock()
            for document in documents:
                # The file first, as when a draft is discarded: if the commit then fails, the next run
                # marks the row (the file is already gone); a row is never marked with its file still there.
                (store.documents_dir / document.stored_name).unlink(missing_ok=True)
                document.removed_at = now
                document.original_name = FALLBACK_NAME + ALLOWED.get(document.mime, "")
                application = document.application
                store._record(session, application, application.status, application.status, ACTOR, NOTE)
        return Removal(len(documents), sum(d.size for d in documents))

    return store.transaction(work)


def _due(before: datetime):
    decided_at = (
        select(StatusChange.application_id, func.max(StatusChange.at).label("at"))
        .where(StatusChange.to_status.in_(DECIDED), StatusChange.from_status != StatusChange.to_status)
        .group_by(StatusChange.application_id)
        .subquery()
    )
    return (
        select(Document)
        .join(Application, Document.application_id == Application.id)
        .join(decided_at, decided_at.c.application_id == Application.id)
        .where(Document.removed_at.is_(None), Application.status.in_(DECIDED), decided_at.c.at < before)
        .order_by(Document.id)
    )
