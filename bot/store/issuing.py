"""The badge-issuing outbox in the database: what approvals still owe a badge from Credly.

An approval and its outbox row are written in one transaction, so no approval is ever without its
badge to issue, however Credly is doing. Workers (bot/reviewing/issuing.py) take due rows one at a
time with a conditional UPDATE: a row is theirs only while their claim holds, so two workers, or a
worker and a reviewer approving again, never call Credly for the same badge at the same time. A
worker that dies after claiming leaves the row to whoever claims it once the claim has run out.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, or_, select, update
from sqlalchemy.orm import Session

from bot.store import db
from bot.store.applications import APPROVED, ApplicationStore
from bot.store.models import Applicant, Application, BadgeIssuing


@dataclass(frozen=True)
class Claim:
    """A claimed outbox row, with what issuing the badge needs (the application as it was submitted)."""

    reference: str
    claimed_by: str
    badge_id: str
    full_name: str
    email: str
    attempt: int  # 1 for the first try
    status: str  # the application's, when claimed
    credly_badge_id: str | None  # already recorded (a try that could not close the row)
    credly_state: str | None


@dataclass(frozen=True)
class Waiting:
    """An approval whose badge is not issued yet, as the `pending` command shows it."""

    reference: str
    approved_by: str
    since: datetime
    attempts: int
    next_attempt_at: datetime
    last_error: str | None
    in_progress: bool


class IssuingOutbox:
    def __init__(self, store: ApplicationStore, clock: Callable[[], datetime] | None = None) -> None:
        self.store = store
        self.clock = clock or store.clock

    # --- writing: with the approval ---------------------------------------------------

    def approve(self, reference: str, actor: str, only_from: tuple[str, ...]) -> bool:
        """Approves the application if its status is one of `only_from`, and queues its badge, in one
        transaction. False when it was not (already approved, rejected...): nothing changed."""
        return self.store.change_status(
            reference, APPROVED, actor, only_from=only_from, then=lambda session, a: self._queue(session, a.id, actor)
        )

    def ensure_queued(self, reference: str, actor: str) -> bool:
        """Queues the badge of an approved application that has neither a badge nor an outbox row
        (approved before the outbox existed); True when it queued one."""

        def work(session: Session) -> bool:
            application = session.execute(
                select(Application).where(Application.reference == reference)
            ).scalar_one_or_none()
            if application is None or application.status != APPROVED or application.credly_badge_id:
                return False
            if session.execute(select(BadgeIssuing.id).where(BadgeIssuing.application_id == application.id)).first():
                return False
            self._queue(session, application.id, actor)
            session.flush()  # a row queued at the same moment by someone else shows here, and we run again
            return True

        return self.store.transaction(work, conflict_retries=1)

    def _queue(self, session: Session, application_id: int, actor: str) -> None:
        now = self.clock()
        session.add(
            BadgeIssuing(
                application_id=application_id, requested_by=actor, requested_at=now, attempts=0, next_attempt_at=now
            )
        )

    # --- taking work ------------------------------------------------------------------

    def due(self, limit: int = 50) -> list[str]:
        """References whose badge is due for a try now and that nobody holds, the longest waiting first."""
        now = self.clock()

        def work(session: Session) -> list[str]:
            query = (
                select(Application.reference)
                .join(BadgeIssuing, BadgeIssuing.application_id == Application.id)
                .where(BadgeIssuing.issued_at.is_(None), BadgeIssuing.next_attempt_at <= now, _free(now))
                .order_by(BadgeIssuing.next_attempt_at, BadgeIssuing.id)
                .limit(limit)
            )
            return list(session.execute(query).scalars())

        return self.store.transaction(work)

    def claim(self, reference: str, hold: timedelta, even_if_not_due: bool = False) -> Claim | None:
        """Takes the application's outbox row for `hold`, or None if it is not there, done, held by
        someone else or (unless `even_if_not_due`, a reviewer approving again) not due yet. Exactly one
        of several callers at the same moment gets it: the UPDATE matches only while it is free."""
        now = self.clock()
        claimed_by = secrets.token_hex(8)

        def work(session: Session) -> Claim | None:
            row = session.execute(
                select(BadgeIssuing, Application, Applicant)
                .join(Application, BadgeIssuing.application_id == Application.id)
                .join(Applicant, Application.applicant_id == Applicant.id)
                .where(Application.reference == reference)
            ).first()
            if row is None:
                return None
            issuing, application, applicant = row
            conditions = [BadgeIssuing.id == issuing.id, BadgeIssuing.issued_at.is_(None), _free(now)]
            if not even_if_not_due:
                conditions.append(BadgeIssuing.next_attempt_at <= now)
            taken = session.execute(
                update(BadgeIssuing)
                .where(*conditions)
                .values(
                    claimed_by=claimed_by,
                    claimed_until=now + hold,
                    attempts=BadgeIssuing.attempts + 1,
                    last_attempt_at=now,
                )
                .execution_options(synchronize_session=False)
            )
            if taken.rowcount != 1:
                return None
            return Claim(
                reference=reference,
                claimed_by=claimed_by,
                badge_id=application.badge_id,
                full_name=application.full_name or "",
                email=applicant.email,
                attempt=issuing.attempts + 1,
                status=application.status,
                credly_badge_id=application.credly_badge_id,
                credly_state=application.credly_state,
            )

        return self.store.transaction(work)

    # --- the outcome of a try ---------------------------------------------------------

    def issued(self, claim: Claim, badge_id: str, state: str) -> bool:
        """Records the badge on the application (once) and closes the outbox row, in one transaction;
        True when this call recorded the badge."""

        def work(session: Session) -> bool:
            application = session.execute(
                select(Application).where(Application.reference == claim.reference)
            ).scalar_one()
            issuing = session.execute(
                select(BadgeIssuing).where(BadgeIssuing.application_id == application.id)
            ).scalar_one()
            recorded = session.execute(
                update(Application)
                .where(Application.id == application.id, Application.credly_badge_id.is_(None))
                .values(credly_badge_id=badge_id, credly_state=state, credly_checked_at=self.clock())
                .execution_options(synchronize_session=False)
            )
            if recorded.rowcount == 1:
                note = f"Credly badge issued ({state})"
                if claim.attempt > 1:
                    note += f" after {claim.attempt} tries"
                self.store._record(session, application, application.status, application.status,
                                   issuing.requested_by, note)  # fmt: skip
            issuing.issued_at = self.clock()
            issuing.claimed_by = issuing.claimed_until = issuing.last_error = None
            return recorded.rowcount == 1

        return self.store.transaction(work)

    def retry_later(self, claim: Claim, error: str, delay: timedelta) -> datetime | None:
        """Gives the row back with the next try `delay` from now and what went wrong (its kind only);
        the time of the next try, or None if the claim had run out and someone else holds it now."""
        next_attempt = self.clock() + delay

        def work(session: Session) -> bool:
            released = session.execute(
                update(BadgeIssuing)
                .where(BadgeIssuing.claimed_by == claim.claimed_by, BadgeIssuing.issued_at.is_(None))
                .values(next_attempt_at=next_attempt, last_error=error[:80], claimed_by=None, claimed_until=None)
                .execution_options(synchronize_session=False)
            )
            return released.rowcount == 1

        return next_attempt if self.store.transaction(work) else None

    def drop(self, claim: Claim) -> None:
        """Forgets a row whose application no longer wants a badge (no longer approved)."""
        self.store.transaction(
            lambda session: session.execute(delete(BadgeIssuing).where(BadgeIssuing.claimed_by == claim.claimed_by))
        )

    # --- reading ----------------------------------------------------------------------

    def waiting(self) -> list[Waiting]:
        """Every approval whose badge is not issued yet, the longest waiting first."""
        now = self.clock()

        def work(session: Session) -> list[Waiting]:
            rows = session.execute(
                select(Application.reference, BadgeIssuing)
                .join(BadgeIssuing, BadgeIssuing.application_id == Application.id)
                .where(BadgeIssuing.issued_at.is_(None))
                .order_by(BadgeIssuing.requested_at, BadgeIssuing.id)
            ).all()
            return [
                Waiting(
                    reference=reference,
                    approved_by=row.requested_by,
                    since=db.as_utc(row.requested_at),
                    attempts=row.attempts,
                    next_attempt_at=db.as_utc(row.next_attempt_at),
                    last_error=row.last_error,
                    in_progress=row.claimed_until is not None and db.as_utc(row.claimed_until) > now,
                )
                for reference, row in rows
            ]

        return self.store.transaction(work)

    def of(self, reference: str) -> Waiting | None:
        return next((w for w in self.waiting() if w.reference == reference), None)


def _free(now: datetime):
    """Held by nobody: never claimed, given back, or claimed by a worker whose claim has run out."""
    return or_(BadgeIssuing.claimed_until.is_(None), BadgeIssuing.claimed_until <= now)
