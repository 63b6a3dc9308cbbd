"""The notice outbox in the database: notices owed after a change, until they are delivered.

A notice holds its kind and a JSON payload with the application's reference (and, for a mail, which
news): never an address or a name. Who it goes to is read from the application when it is sent, so
an application erased in the meantime sends nothing. Workers take due notices one at a time with a
conditional UPDATE, exactly as the badge-issuing outbox does (bot/store/issuing.py): a notice is
theirs only while their claim holds, so two workers on two servers never send one notice at once,
and a worker that dies after claiming leaves the notice to whoever claims it once the claim has run
out.
"""

from __future__ import annotations

import json
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, or_, select, update
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from bot.store import db
from bot.store.applications import ApplicationStore
from bot.store.models import Notice


class NothingToSend(Exception):
    """The notice is owed to nobody any more (the application or request was erased, or is gone)."""


REVIEW_POST, SLACK_DM, MAIL = "review_post", "slack_dm", "mail"
# A handoff's messages (bot/handoff): to the staff (the request, the learner's words, a reminder) and to
# the learner (a staff member's answer, the request closed).
HANDOFF_STAFF, HANDOFF_LEARNER = "handoff_staff", "handoff_learner"
KINDS = (REVIEW_POST, SLACK_DM, MAIL, HANDOFF_STAFF, HANDOFF_LEARNER)


@dataclass(frozen=True)
class NoticeClaim:
    """A claimed notice: what delivering it needs."""

    id: int
    kind: str
    payload: dict
    claimed_by: str
    attempt: int  # 1 for the first try


@dataclass(frozen=True)
class Waiting:
    """A notice not delivered yet (or given up), as `python -m bot.commands.notices` lists it."""

    id: int
    kind: str
    reference: str
    since: datetime
    attempts: int
    next_attempt_at: datetime
    last_error: str | None
    given_up: bool


class NoticeOutbox:
    def __init__(self, store: ApplicationStore, clock: Callable[[], datetime] | None = None) -> None:
        self.store = store
        self.clock = clock or store.clock

    # --- writing ----------------------------------------------------------------------

    def enqueue(self, kind: str, payload: dict, key: str | None = None, session: Session | None = None) -> int | None:
        """Queues a notice, due now; its id, or None when one with the same `key` was queued before
        (the same news is never owed twice). With `session`, inside the caller's transaction."""
        if kind not in KINDS:
            raise ValueError(f"unknown notice kind {kind!r}")
        if session is not None:
            return self._insert(session, kind, payload, key)
        return self.store.transaction(lambda s: self._insert(s, kind, payload, key))

    def _insert(self, session: Session, kind: str, payload: dict, key: str | None) -> int | None:
        now = self.clock()
        values = dict(kind=kind, payload=json.dumps(payload, sort_keys=True), key=key, created_at=now,
                      attempts=0, next_attempt_at=now)  # fmt: skip
        if key is None:
            notice = Notice(**values)
            session.add(notice)
            session.flush()
            return notice.id
        insert = postgresql_insert if session.bind.dialect.name == "postgresql" else sqlite_insert
        # One atomic statement: two callers queueing the same news at once leave one row, and no error.
        inserted = session.execute(insert(Notice).values(**values).on_conflict_do_nothing(index_elements=[Notice.key]))
        if inserted.rowcount != 1:
            return None
        return session.execute(select(Notice.id).where(Notice.key == key)).scalar_one()

    # --- taking work ------------------------------------------------------------------

    def due(self, limit: int = 50) -> list[int]:
        """Notices due for a try now that nobody holds, the longest waiting first."""
        now = self.clock()

        def work(session: Session) -> list[int]:
            query = (
                select(Notice.id)
                .where(_open(), Notice.next_attempt_at <= now, _free(now))
                .order_by(Notice.next_attempt_at, Notice.id)
                .limit(limit)
            )
            return list(session.execute(query).scalars())

        return self.store.transaction(work)

    def claim(self, notice_id: int, hold: timedelta) -> NoticeClaim | None:
        """Takes the notice for `hold`, or None when it is done, given up, not due, or held by someone
        else. Exactly one of several callers at the same moment gets it: the UPDATE matches only
        while it is free."""
        now = self.clock()
        claimed_by = secrets.token_hex(8)

        def work(session: Session) -> NoticeClaim | None:
            taken = session.execute(
                update(Notice)
                .where(Notice.id == notice_id, _open(), Notice.next_attempt_at <= now, _free(now))
                .values(claimed_by=claimed_by, claimed_until=now + hold, attempts=Notice.attempts + 1)
                .execution_options(synchronize_session=False)
            )
            if taken.rowcount != 1:
                return None
            notice = session.execute(select(Notice).where(Notice.id == notice_id)).scalar_one()
            return NoticeClaim(notice.id, notice.kind, json.loads(notice.payload), claimed_by, notice.attempts)

        return self.store.transaction(work)

    # --- the outcome of a try ---------------------------------------------------------

    def note_progress(self, claim: NoticeClaim, **progress: str) -> bool:
        """Records part of a delivery done (the reviewers' message posted, its ts), so a retry after a
        later step failed does not post it again; False if the claim had run out."""
        payload = {**claim.payload, **progress}
        claim.payload.update(progress)
        return self._release(claim, payload=json.dumps(payload, sort_keys=True), keep_claim=True)

    def sent(self, claim: NoticeClaim) -> bool:
        """Closes the notice: delivered. False if the claim had run out (someone else holds it now)."""
        return self._release(claim, sent_at=self.clock(), last_error=None)

    def retry_later(self, claim: NoticeClaim, error: str, delay: timedelta) -> datetime | None:
        """Gives the notice back with the next try `delay` from now and the kind of error; the time of
        the next try, or None if the claim had run out."""
        next_attempt = self.clock() + delay
        return next_attempt if self._release(claim, next_attempt_at=next_attempt, last_error=error[:80]) else None

    def give_up(self, claim: NoticeClaim, error: str) -> bool:
        """Stops trying: the notice stays, marked given up, for `python -m bot.commands.notices` to show."""
        return self._release(claim, given_up_at=self.clock(), last_error=error[:80])

    def drop(self, claim: NoticeClaim) -> None:
        """Forgets a notice nobody is owed any more (the application was erased, or the feature that
        needed it is not configured)."""
        self.store.transaction(lambda s: s.execute(delete(Notice).where(Notice.claimed_by == claim.claimed_by)))

    def _release(self, claim: NoticeClaim, keep_claim: bool = False, **values) -> bool:
        if not keep_claim:
            values.update(claimed_by=None, claimed_until=None)

        def work(session: Session) -> bool:
            released = session.execute(
                update(Notice)
                .where(Notice.id == claim.id, Notice.claimed_by == claim.claimed_by, _open())
                .values(**values)
                .execution_options(synchronize_session=False)
            )
            return released.rowcount == 1

        return self.store.transaction(work)

    # --- reading ----------------------------------------------------------------------

    def waiting(self, given_up: bool = True) -> list[Waiting]:
        """Every notice not delivered yet (and, with `given_up`, those given up), the oldest first."""

        def work(session: Session) -> list[Waiting]:
            query = select(Notice).where(Notice.sent_at.is_(None))
            if not given_up:
                query = query.where(Notice.given_up_at.is_(None))
            rows = session.execute(query.order_by(Notice.created_at, Notice.id)).scalars()
            return [
                Waiting(
                    id=row.id,
                    kind=row.kind,
                    reference=str(json.loads(row.payload).get("reference", "")),
                    since=db.as_utc(row.created_at),
                    attempts=row.attempts,
                    next_attempt_at=db.as_utc(row.next_attempt_at),
                    last_error=row.last_error,
                    given_up=row.given_up_at is not None,
                )
                for row in rows
            ]

        return self.store.transaction(work)

    def retry_given_up(self) -> int:
        """Puts every given-up notice back in the queue, due now, its tries counted afresh; how many."""
        now = self.clock()

        def work(session: Session) -> int:
            again = session.execute(
                update(Notice)
                .where(Notice.sent_at.is_(None), Notice.given_up_at.is_not(None))
                .values(given_up_at=None, attempts=0, next_attempt_at=now)
                .execution_options(synchronize_session=False)
            )
            return again.rowcount

        return self.store.transaction(work)


def _open():
    """Neither delivered nor given up."""
    return Notice.sent_at.is_(None) & Notice.given_up_at.is_(None)


def _free(now: datetime):
    """Held by nobody: never claimed, given back, or claimed by a worker whose claim has run out."""
    return or_(Notice.claimed_until.is_(None), Notice.claimed_until <= now)
