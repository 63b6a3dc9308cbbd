"""The applications store: drafts with their upload links and documents, then submitted applications.

Every status change is recorded with who made it and when. Only the learner's own
conversation can attach documents to its draft, through an unguessable one-time token.
"""

from __future__ import annotations

import hashlib
import os
import secrets
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.orm import Session

from bot.reading.references import new_reference
from bot.settings import upload_dir, upload_link_hours
from bot.store import db
from bot.store.models import OPEN_STATUSES, Applicant, Application, Document, StatusChange
from bot.store.private import private_folder
from bot.store.uploads import ALLOWED, check_upload_file, refused_message, safe_display_name

DRAFT = "draft"
SUBMITTED = "submitted"
UNDER_REVIEW = "under_review"
APPROVED = "approved"
REJECTED = "rejected"
REVOKED = "revoked"  # approved, then its badge revoked in Credly by a reviewer (with a reason)
CANCELLED = "cancelled"
assert OPEN_STATUSES == (SUBMITTED, UNDER_REVIEW, APPROVED)  # the database's unique index uses the same

LEARNER = "learner"


class UploadRejected(ValueError):
    """The upload cannot be accepted; the message says why, in words for the learner, and from the second
    refusal for the same draft how to reach a person. `refusals`: how many uploads the checks have refused
    for that draft so far (0 when the link itself was refused)."""

    def __init__(self, problem: str, refusals: int = 0) -> None:
        super().__init__(refused_message(problem, refusals))
        self.refusals = refusals


LINK_INVALID = (
    "This upload link is not valid any more: it may have expired or been used already. "
    "Go back to the chat and ask for a new link."
)


@dataclass(frozen=True)
class UploadLink:
    token: str
    expires_at: datetime


@dataclass(frozen=True)
class DocumentInfo:
    name: str
    size: int
    mime: str
    sha256: str

    @property
    def summary(self) -> str:
        return f"{self.name} ({_human_size(self.size)})"


@dataclass(frozen=True)
class Details:
    badge_id: str
    training_id: str
    completion_date: date
    full_name: str
    email: str
    organisation: str
    orcid: str | None = None


@dataclass(frozen=True)
class Submission:
    # None when an open application for this email and badge already existed. Its reference is
    # never told here: whoever knows an email must not learn what the status check protects.
    reference: str | None

    @property
    def duplicate(self) -> bool:
        return self.reference is None


def _human_size(size: int) -> str:
    if size < 1024:
        return f"{size} bytes"
    if size < 1024 * 1024:
        return f"{round(size / 1024)} KB"
    return f"{size / (1024 * 1024):.1f} MB"


def _by_reference(session: Session, reference: str) -> Application | None:
    return session.execute(select(Application).where(Application.reference == reference)).scalar_one_or_none()


def _hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _loaded(application: Application | None) -> Application | None:
    """Loads what callers read after the session has closed."""
    if application is not None:
        _ = application.applicant, application.documents, application.history
    return application


class ApplicationStore:
    def __init__(
        self,
        url: str | None = None,
        documents_dir: Path | None = None,
        clock: Callable[[], datetime] = lambda: datetime.now(timezone.utc),
    ) -> None:
        self.url = url
        self.documents_dir = documents_dir or upload_dir()
        self.clock = clock

    def _session(self) -> Session:
        return db.session(self.url)

    def transaction(self, work: Callable[[Session], object], conflict_retries: int = 0):
        """Runs `work` in one transaction. A database that cannot be reached, or a conflict that
        persists, becomes DatabaseUnavailable; its text never carries the database's own message,
        which can quote the values (an email) that conflicted, and it is raised `from None` so
        that a logged traceback doesn't either.

        With `conflict_retries`, a transaction that lost a race on a unique rule (two submissions
        at once) runs again: the next run sees what the winner wrote."""
        for attempt in range(conflict_retries + 1):
            try:
                with self._session() as session, session.begin():
                    return work(session)
            except IntegrityError:
                if attempt == conflict_retries:
                    raise db.DatabaseUnavailable("conflict") from None
            except OperationalError as error:
                raise db.DatabaseUnavailable(type(error.orig).__name__) from None

    # --- drafts and uploads ------------------------------------------------------------

    def start_draft(self, conversation_id: str, badge_id: str) -> UploadLink:
        """The conversation's draft for this badge, with a fresh one-time upload link."""
        token = secrets.token_urlsafe(32)
        expires_at = self.clock() + timedelta(hours=upload_link_hours())

        def work(session: Session) -> UploadLink:
            draft = self._draft(session, conversation_id)
            if draft is None or draft.badge_id != badge_id:
                if draft is not None:
                    self._discard(session, draft, "badge changed")
                now = self.clock()
                draft = Application(
                    status=DRAFT, badge_id=badge_id, conversation_id=conversation_id, created_at=now, updated_at=now
                )
                session.add(draft)
                session.flush()
                self._record(session, draft, None, DRAFT, LEARNER)
            draft.upload_token_hash = _hash_token(token)
            draft.upload_token_expires_at = expires_at
            draft.updated_at = self.clock()  # when the learner was last here (abandoned drafts are cleaned up)
            return UploadLink(token=token, expires_at=expires_at)

        return self.transaction(work)

    def incoming_file(self) -> Path:
        """A new empty file next to the documents (same file system, so accepting it is a rename)
        for an upload to be streamed into; attach_document takes it over."""
        private_folder(self.documents_dir, tighten=True)  # 0700 whatever the umask; mkstemp's file is 0600
        handle, name = tempfile.mkstemp(prefix=".incoming-", dir=self.documents_dir)
        os.close(handle)
        return Path(name)

    def attach_document(self, token: str, filename: str | None, upload: bytes | Path) -> DocumentInfo:
        """Stores an uploaded certificate on the draft the token belongs to, spending the token.

        `upload` is the file's bytes, or a file from incoming_file(), which is moved into place or
        deleted: nothing of a refused upload stays on disk. The token is spent by a conditional
        update, so two uploads with one link at the same moment store exactly one document."""
        incoming = upload if isinstance(upload, Path) else self._write_incoming(upload)
        stored: Path | None = None
        try:
            check = check_upload_file(incoming)
            if check.problem:
                raise UploadRejected(check.problem, self.count_refused_upload(token))
            stored = self.documents_dir / (secrets.token_hex(16) + ALLOWED[check.mime])
            os.replace(incoming, stored)
            name = safe_display_name(filename)

            def work(session: Session) -> DocumentInfo:
                draft = self._draft_for_token(session, token)
                if draft is None or not self._spend_token(session, draft.id, token):
                    raise UploadRejected(LINK_INVALID)
                session.add(
                    Document(
                        application_id=draft.id,
                        original_name=name,
                        stored_name=stored.name,
                        mime=check.mime,
                        size=check.size,
                        sha256=check.sha256,
                    )
                )
                return DocumentInfo(name=name, size=check.size, mime=check.mime, sha256=check.sha256)

            document = self.transaction(work)
            stored = None  # kept: its row is committed
            return document
        finally:
            incoming.unlink(missing_ok=True)
            if stored is not None:
                stored.unlink(missing_ok=True)

    def _write_incoming(self, data: bytes) -> Path:
        path = self.incoming_file()
        path.write_bytes(data)
        return path

    def _spend_token(self, session: Session, draft_id: int, token: str) -> bool:
        """True for exactly one caller per token: the UPDATE matches only while the hash is still set."""
        spent = session.execute(
            update(Application)
            .where(Application.id == draft_id, Application.upload_token_hash == _hash_token(token))
            .values(upload_token_hash=None, upload_token_expires_at=None, updated_at=self.clock())
            .execution_options(synchronize_session=False)
        )
        return spent.rowcount == 1

    def count_refused_upload(self, token: str) -> int:
        """Counts an upload the checks refused on the token's draft; how many so far (0: no such draft).
        An atomic increment: two refusals at the same moment both count."""

        def work(session: Session) -> int:
            draft = self._draft_for_token(session, token)
            if draft is None:
                return 0
            session.execute(
                update(Application)
                .where(Application.id == draft.id)
                .values(refused_uploads=Application.refused_uploads + 1)
                .execution_options(synchronize_session=False)
            )
            return session.execute(select(Application.refused_uploads).where(Application.id == draft.id)).scalar_one()

        return self.transaction(work)

    def refused_uploads(self, conversation_id: str) -> int:
        """How many uploads the checks refused for the conversation's draft."""

        def work(session: Session) -> int:
            draft = self._draft(session, conversation_id)
            return 0 if draft is None else int(draft.refused_uploads or 0)

        return self.transaction(work)

    def upload_link_valid(self, token: str) -> bool:
        def work(session: Session) -> bool:
            draft = self._draft_for_token(session, token)
            return draft is not None

        return self.transaction(work)

    def _draft_for_token(self, session: Session, token: str) -> Application | None:
        draft = session.execute(
            select(Application).where(Application.upload_token_hash == _hash_token(token or ""))
        ).scalar_one_or_none()
        if draft is None or draft.status != DRAFT or db.as_utc(draft.upload_token_expires_at) < self.clock():
            return None
        return draft

    def draft_documents(self, conversation_id: str) -> list[DocumentInfo]:
        def work(session: Session) -> list[DocumentInfo]:
            draft = self._draft(session, conversation_id)
            return (
                []
                if draft is None
                else [DocumentInfo(d.original_name, d.size, d.mime, d.sha256) for d in draft.documents]
            )

        return self.transaction(work)

    def discard_abandoned_drafts(self, before: datetime, dry_run: bool = False) -> int:
        """Cancels drafts untouched since `before` (their upload link has expired) and deletes their
        files; returns how many there were."""

        def work(session: Session) -> int:
            drafts = (
                session.execute(select(Application).where(Application.status == DRAFT, Application.updated_at < before))
                .scalars()
                .all()
            )
            if not dry_run:
                for draft in drafts:
                    self._discard(session, draft, "abandoned: the upload link expired")
            return len(drafts)

        return self.transaction(work)

    def cancel_draft(self, conversation_id: str) -> bool:
        def work(session: Session) -> bool:
            draft = self._draft(session, conversation_id)
            if draft is None:
                return False
            self._discard(session, draft, "cancelled by the learner")
            return True

        return self.transaction(work)

    # --- submission --------------------------------------------------------------------

    def submit(self, conversation_id: str, details: Details, filed_by: str | None = None) -> Submission:
        """Turns the conversation's draft into a submitted application, unless one is already open
        for this email and badge: then the draft and its files are discarded and nothing is told
        about the open one. The database's unique rules settle two submissions at the same moment."""
        email = details.email.strip().lower()

        def work(session: Session) -> Submission:
            draft = self._draft(session, conversation_id)
            if self.open_application(session, email, details.badge_id) is not None:
                if draft is not None:
                    self._discard(session, draft, "an application for this email and badge is already open")
                return Submission(reference=None)
            if draft is None or not draft.documents:
                raise UploadRejected("There is no uploaded certificate for this application yet.")
            applicant = session.execute(select(Applicant).where(Applicant.email == email)).scalar_one_or_none()
            if applicant is None:
                applicant = Applicant(email=email)
                session.add(applicant)
            draft.applicant = applicant
            draft.badge_id = details.badge_id
            draft.training_id = details.training_id
            draft.completion_date = details.completion_date
            draft.full_name = details.full_name
            draft.organisation = details.organisation
            draft.orcid = details.orcid
            draft.filed_by = filed_by
            draft.reference = self._unused_reference(session)
            draft.submitted_at = self.clock()
            draft.upload_token_hash = None
            draft.upload_token_expires_at = None
            self._set_status(session, draft, SUBMITTED, LEARNER)
            session.flush()  # a lost race on a unique rule shows here, inside the retry
            return Submission(reference=draft.reference)

        return self.transaction(work, conflict_retries=2)

    def open_application(self, session: Session, email: str, badge_id: str) -> Application | None:
        return (
            session.execute(
                select(Application)
                .join(Applicant)
                .where(
                    Applicant.email == email.lower(),
                    Application.badge_id == badge_id,
                    Application.status.in_(OPEN_STATUSES),
                )
                .order_by(Application.id)
            )
            .scalars()
            .first()
        )

    # --- reviewing and status -------------------------------------------------------

    def get(self, reference: str) -> Application | None:
        """A submitted application with its applicant, documents and history loaded."""
        return self.transaction(lambda session: _loaded(_by_reference(session, reference)))

    def change_status(
        self,
        reference: str,
        status: str,
        actor: str,
        note: str | None = None,
        only_from: tuple[str, ...] | None = None,
        then: Callable[[Session, Application], None] | None = None,
    ) -> bool:
        """Sets the status; with `only_from`, only if it is one of those now, decided by one
        conditional update, so of two reviewers deciding at the same moment exactly one changes it.
        `then` does more in the same transaction when the status changed (an approval queues its
        badge), so the change and what it owes are committed together or not at all."""

        def work(session: Session) -> bool:
            application = _by_reference(session, reference)
            condition = [Application.id == application.id]
            if only_from is not None:
                condition.append(Application.status.in_(only_from))
            values = {"status": status, "updated_at": self.clock()}
            if status in (REJECTED, REVOKED):
                values["decision_reason"] = note  # the learner is told it
            if status == REVOKED:
                values["credly_state"] = "revoked"
            changed = session.execute(
                update(Application).where(*condition).values(**values).execution_options(synchronize_session=False)
            )
            if changed.rowcount != 1:
                return False
            self._record(session, application, application.status, status, actor, note)
            if then is not None:
                then(session, application)
            return True

        return self.transaction(work)

    def record_badge(self, reference: str, badge_id: str, state: str, actor: str) -> bool:
        """Records the issued badge once: a second recording of the same issue changes nothing."""

        def work(session: Session) -> bool:
            application = _by_reference(session, reference)
            recorded = session.execute(
                update(Application)
                .where(Application.id == application.id, Application.credly_badge_id.is_(None))
                .values(credly_badge_id=badge_id, credly_state=state, credly_checked_at=self.clock())
                .execution_options(synchronize_session=False)
            )
            if recorded.rowcount != 1:
                return False
            self._record(
                session, application, application.status, application.status, actor, f"Credly badge issued ({state})"
            )
            return True

        return self.transaction(work)

    def update_badge_state(
        self,
        badge_id: str,
        state: str,
        on_change: Callable[[Application], None] | None = None,
        revocation_reason: str | None = None,
    ) -> Application | None:
        """Stores a badge's latest claim state; records the change in the history when it changed,
        and then (after the commit) tells `on_change`. A badge revoked in Credly's own interface
        brings Credly's reason, which the learner is told like a reviewer's."""
        changed = []

        def work(session: Session) -> Application | None:
            application = session.execute(
                select(Application).where(Application.credly_badge_id == badge_id)
            ).scalar_one_or_none()
            if application is None:
                return None
            if application.credly_state != state:
                changed.append(True)
                self._record(
                    session,
                    application,
                    application.status,
                    application.status,
                    "credly",
                    f"badge {application.credly_state or 'unknown'} -> {state}",
                )
            if state == "revoked" and revocation_reason and application.status == APPROVED:
                application.decision_reason = revocation_reason
            application.credly_state = state
            application.credly_checked_at = self.clock()
            return _loaded(application)

        application = self.transaction(work)
        if changed and on_change is not None:
            on_change(application)
        return application

    def submitted(self, email: str | None = None, status: str | None = None) -> list[Application]:
        """Submitted applications (those with a reference), optionally of one applicant or status,
        with applicant, documents and history loaded; for reviewers and tests."""

        def work(session: Session) -> list[Application]:
            query = select(Application).where(Application.reference.is_not(None))
            if status:
                query = query.where(Application.status == status)
            if email:
                query = query.join(Applicant).where(Applicant.email == email.lower())
            return [_loaded(row) for row in session.execute(query.order_by(Application.id)).scalars()]

        return self.transaction(work)

    def of_identity(self, filed_by: str, email: str | None) -> list[Application]:
        """Submitted applications filed from this verified identity, or filed with its verified email."""

        def work(session: Session) -> list[Application]:
            mine = Application.filed_by == filed_by
            if email:
                mine = mine | Application.applicant.has(Applicant.email == email.strip().lower())
            query = select(Application).where(Application.reference.is_not(None), mine).order_by(Application.id)
            return [_loaded(row) for row in session.execute(query).scalars()]

        return self.transaction(work)

    # --- helpers -----------------------------------------------------------------------

    def _draft(self, session: Session, conversation_id: str) -> Application | None:
        return (
            session.execute(
                select(Application)
                .where(Application.conversation_id == conversation_id, Application.status == DRAFT)
                .order_by(Application.id.desc())
            )
            .scalars()
            .first()
        )

    def _discard(self, session: Session, draft: Application, note: str) -> None:
        """Cancels a draft and deletes its files: nothing of an unsubmitted application is kept."""
        for document in list(draft.documents):
            (self.documents_dir / document.stored_name).unlink(missing_ok=True)
            session.delete(document)
        draft.upload_token_hash = None
        draft.upload_token_expires_at = None
        self._set_status(session, draft, CANCELLED, LEARNER, note)

    def _unused_reference(self, session: Session) -> str:
        while True:
            reference = new_reference()
            taken = session.execute(select(Application.id).where(Application.reference == reference)).first()
            if taken is None:
                return reference

    def _set_status(
        self, session: Session, application: Application, status: str, actor: str, note: str | None = None
    ) -> None:
        previous = application.status
        application.status = status
        self._record(session, application, previous, status, actor, note)

    def _record(
        self,
        session: Session,
        application: Application,
        previous: str | None,
        status: str,
        actor: str,
        note: str | None = None,
    ) -> None:
        session.add(
            StatusChange(
                application_id=application.id,
                from_status=previous,
                to_status=status,
                actor=actor,
                note=note,
                at=self.clock(),
            )
        )
