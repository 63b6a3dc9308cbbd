"""The requests to talk to a person, in the database: opened once per conversation, the learner's and
the staff's messages, taken, closed, reminded, and forgotten after their time.

Every change is one transaction. Two messages asking at once open one request (a unique index on the
conversation's request that is not closed); two staff members closing at once close it once. A
reply is delivered by the notice outbox (bot/notices), queued in the same transaction, so a reply
stored is a reply delivered, once, whatever restarts in between.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime, timedelta, timezone

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from bot.handoff.hours import SupportHours, support_hours
from bot.handoff.transcript import Turn
from bot.identity import keyed_hash
from bot.settings import handoff_page_seconds
from bot.store.applications import ApplicationStore
from bot.store.db import as_utc
from bot.store.models import Application, HandoffMessage, HandoffRequest

OPEN, TAKEN, CLOSED = "open", "taken", "closed"
LEARNER = "learner"  # who closed a request the learner left
FORGOTTEN = "forgotten"  # the conversation id of a request past its 90 days (forget_old)
KEEP = timedelta(days=90)
UNDECIDED = ("submitted", "under_review")
# No 0/O, 1/I/L, U: a reference read out over the phone is not misheard.
_ALPHABET = "23456789ABCDEFGHJKMNPQRSTVWXYZ"


def new_reference() -> str:
    return "HELP-" + "".join(secrets.choice(_ALPHABET) for _ in range(4))


@dataclass(frozen=True)
class Request:
    reference: str
    conversation_id: str
    channel: str
    status: str
    email: str | None
    slack_user: str | None
    application_reference: str | None
    created_at: datetime
    due_at: datetime
    taken_by: str | None

    @property
    def is_open(self) -> bool:
        return self.status != CLOSED


@dataclass(frozen=True)
class Message:
    id: int
    sender: str
    author: str | None
    text: str | None
    at: datetime


def _request(row: HandoffRequest) -> Request:
    return Request(
        row.reference,
        row.conversation_id,
        row.channel,
        row.status,
        row.email,
        row.slack_user,
        row.application_reference,
        as_utc(row.created_at),
        as_utc(row.due_at),
        row.taken_by,
    )


def _message(row: HandoffMessage) -> Message:
    return Message(row.id, row.sender, row.author, row.text, as_utc(row.at))


def _named(reference: str):
    """The condition that picks the request `reference` names, however a person typed it ("help-7kq2")."""
    return HandoffRequest.reference == reference.strip().upper()


@dataclass(frozen=True)
class Opened:
    request: Request
    new: bool  # False: the conversation had one open already, which is returned


class HandoffDesk:
    def __init__(
        self,
        store: ApplicationStore | None = None,
        hours: SupportHours | None = None,
        clock: Callable[[], datetime] = lambda: datetime.now(timezone.utc),
        on_change: Callable[[Session, str, str, int | None], None] | None = None,
    ) -> None:
        """`on_change(session, what, reference, message id)` runs inside each change's transaction: the
        notices (bot/notices/handoff.py) are queued there."""
        self.store = store or ApplicationStore()
        self.hours = hours or support_hours()
        self.clock = clock
        self.on_change = on_change

    def _changed(self, session: Session, what: str, reference: str, message: int | None = None) -> None:
        if self.on_change is not None:
            self.on_change(session, what, reference, message)

    # --- the learner's side --------------------------------------------------------------------

    def open(
        self,
        conversation_id: str,
        channel: str,
        turns: list[Turn],
        email: str | None = None,
        slack_user: str | None = None,
        application_reference: str | None = None,
    ) -> Opened:
        """Opens the conversation's request with the turns handed over, or returns the one open already."""
        now = self.clock()

        def work(session: Session) -> Opened:
            found = self._open_row(session, conversation_id)
            if found is not None:
                return Opened(_request(found), new=False)
            row = HandoffRequest(
                reference=self._unused_reference(session),
                conversation_id=conversation_id,
                channel=channel,
                status=OPEN,
                email=email,
                slack_user=slack_user,
                application_reference=application_reference,
                created_at=now,
                due_at=self.hours.due(now),
            )
            session.add(row)
            session.flush()
            for turn in turns:
                session.add(HandoffMessage(request_id=row.id, sender=turn.sender, text=turn.text, at=now))
            session.flush()
            self._changed(session, "opened", row.reference)
            return Opened(_request(row), new=True)

        # A second message asking at the same time loses on the unique index: the run again finds the first's.
        return self.store.transaction(work, conflict_retries=1)

    def open_request(self, conversation_id: str) -> Request | None:
        return self.store.transaction(lambda s: self._as_request(self._open_row(s, conversation_id)))

    def learner_says(self, conversation_id: str, text: str) -> Request | None:
        """The learner's message while the request is open: kept and passed to the staff. None: no request open."""
        now = self.clock()

        def work(session: Session) -> Request | None:
            row = self._open_row(session, conversation_id)
            if row is None:
                return None
            message = HandoffMessage(request_id=row.id, sender="learner", text=text, at=now)
            session.add(message)
            session.flush()
            self._changed(session, "learner", row.reference, message.id)
            return _request(row)

        return self.store.transaction(work)

    def open_application(self, conversation_id: str) -> str | None:
        """The reference of an application this conversation filed that is still undecided, if any: handed
        over with the request (a decided one is not the learner's open business any more)."""

        def work(session: Session) -> str | None:
            return session.scalars(
                select(Application.reference)
                .where(Application.conversation_id == conversation_id, Application.status.in_(UNDECIDED))
                .order_by(Application.id.desc())
            ).first()

        return self.store.transaction(work)

    # --- the staff's side ----------------------------------------------------------------------

    def reply(self, reference: str, author: str, text: str) -> Request | None:
        """A staff member's answer, queued for the learner. None: no such request, or closed."""
        now = self.clock()

        def work(session: Session) -> Request | None:
            row = self._row(session, reference)
            if row is None or row.status == CLOSED:
                return None
            if row.status == OPEN:  # answering takes it
                row.status, row.taken_by, row.taken_at = TAKEN, author, now
            message = HandoffMessage(request_id=row.id, sender="staff", author=author, text=text, at=now)
            session.add(message)
            session.flush()
            self._changed(session, "staff", row.reference, message.id)
            return _request(row)

        return self.store.transaction(work)

    def take(self, reference: str, author: str) -> bool:
        """Takes an open request; False if it was taken or closed already (by someone else, or at once)."""
        now = self.clock()

        def work(session: Session) -> bool:
            taken = session.execute(
                update(HandoffRequest)
                .where(_named(reference), HandoffRequest.status == OPEN)
                .values(status=TAKEN, taken_by=author, taken_at=now)
            ).rowcount
            if taken:
                self._changed(session, "taken", reference)
            return bool(taken)

        return self.store.transaction(work)

    def close(self, reference: str, by: str) -> Request | None:
        """Closes the request (the conversation goes back to the assistant); None if it was closed already."""
        now = self.clock()

        def work(session: Session) -> Request | None:
            closed = session.execute(
                update(HandoffRequest)
                .where(_named(reference), HandoffRequest.status != CLOSED)
                .values(status=CLOSED, closed_by=by, closed_at=now, keep_until=now + KEEP)
            ).rowcount
            if not closed:
                return None
            # Closed by the learner ("back to the assistant"): the staff are told; by the staff: the learner is.
            self._changed(session, "left" if by == LEARNER else "closed", reference)
            return _request(self._row(session, reference))

        return self.store.transaction(work)

    def requests(self, include_closed: bool = False) -> list[Request]:
        def work(session: Session) -> list[Request]:
            query = select(HandoffRequest).order_by(HandoffRequest.created_at)
            if not include_closed:
                query = query.where(HandoffRequest.status != CLOSED)
            return [_request(row) for row in session.scalars(query)]

        return self.store.transaction(work)

    def get(self, reference: str) -> Request | None:
        return self.store.transaction(lambda s: self._as_request(self._row(s, reference)))

    def messages(self, reference: str) -> list[Message]:
        def work(session: Session) -> list[Message]:
            row = self._row(session, reference)
            if row is None:
                return []
            query = select(HandoffMessage).where(HandoffMessage.request_id == row.id).order_by(HandoffMessage.id)
            return [_message(m) for m in session.scalars(query)]

        return self.store.transaction(work)

    def message(self, message_id: int) -> tuple[Request, Message] | None:
        def work(session: Session):
            found = session.get(HandoffMessage, message_id)
            if found is None:
                return None
            row = session.get(HandoffRequest, found.request_id)
            return _request(row), _message(found)

        return self.store.transaction(work)

    def staff_message(self, reference: str) -> tuple[str, str] | None:
        """(channel, ts) of the staff's Slack message about the request, once posted."""

        def work(session: Session) -> tuple[str, str] | None:
            row = self._row(session, reference)
            return (row.staff_channel, row.staff_ts) if row is not None and row.staff_ts else None

        return self.store.transaction(work)

    def set_staff_message(self, reference: str, channel: str, ts: str) -> None:
        def work(session: Session) -> None:
            session.execute(update(HandoffRequest).where(_named(reference)).values(staff_channel=channel, staff_ts=ts))

        self.store.transaction(work)

    def by_staff_message(self, channel: str, ts: str) -> Request | None:
        """The request whose staff message (in Slack) is this one: a reply in its thread answers it."""

        def work(session: Session) -> Request | None:
            row = session.scalars(
                select(HandoffRequest).where(HandoffRequest.staff_channel == channel, HandoffRequest.staff_ts == ts)
            ).first()
            return self._as_request(row)

        return self.store.transaction(work)

    # --- the website's open page ------------------------------------------------------------------

    def page_token(self, reference: str) -> str:
        """A new secret for the website's chat to read the request's answers with (only its hash is kept)."""
        token = secrets.token_urlsafe(24)

        def work(session: Session) -> None:
            session.execute(update(HandoffRequest).where(_named(reference)).values(page_token=keyed_hash(token)))

        self.store.transaction(work)
        return token

    def for_page(self, token: str, after: int) -> tuple[Request, list[Message]] | None:
        """What the page holding `token` may read: its request and the staff's answers after message `after`;
        marks the page as open. None for any other token."""
        now = self.clock()

        def work(session: Session):
            row = session.scalars(select(HandoffRequest).where(HandoffRequest.page_token == keyed_hash(token))).first()
            if row is None:
                return None
            row.page_seen_at = now
            query = select(HandoffMessage).where(
                HandoffMessage.request_id == row.id, HandoffMessage.sender == "staff", HandoffMessage.id > after
            )
            found = list(session.scalars(query))
            for message in found:
                message.read_at = message.read_at or now
            # The staff member's name stays with the staff: the page shows the team's.
            return _request(row), [replace(_message(m), author=None) for m in found]

        return self.store.transaction(work)

    def shown_on_page(self, message_id: int) -> bool:
        """Whether the learner's open chat has shown this answer."""
        return bool(
            self.store.transaction(
                lambda s: s.scalars(select(HandoffMessage.read_at).where(HandoffMessage.id == message_id)).first()
            )
        )

    def page_open(self, reference: str) -> bool:
        """Whether a page of the request's conversation read its answers in the last moments."""
        within = timedelta(seconds=handoff_page_seconds())
        seen = self.store.transaction(
            lambda s: s.scalars(select(HandoffRequest.page_seen_at).where(_named(reference))).first()
        )
        return seen is not None and self.clock() - as_utc(seen) <= within

    # --- time ------------------------------------------------------------------------------------

    def remind_due(self) -> list[Request]:
        """Requests nobody has taken by their due time, each reminded once (returned to be reminded)."""
        now = self.clock()

        def work(session: Session) -> list[Request]:
            due = session.scalars(
                select(HandoffRequest).where(
                    HandoffRequest.status == OPEN,
                    HandoffRequest.reminded_at.is_(None),
                    HandoffRequest.due_at <= now,
                )
            ).all()
            reminded = []
            for row in due:
                marked = session.execute(
                    update(HandoffRequest)
                    .where(HandoffRequest.id == row.id, HandoffRequest.reminded_at.is_(None))
                    .values(reminded_at=now)
                ).rowcount
                if marked:
                    self._changed(session, "reminder", row.reference)
                    reminded.append(_request(row))
            return reminded

        return self.store.transaction(work)

    def forget_old(self) -> int:
        """Closed requests past their 90 days keep their counts only: the texts and the learner's address go."""
        now = self.clock()

        def work(session: Session) -> int:
            old = session.scalars(
                select(HandoffRequest.id).where(HandoffRequest.keep_until.is_not(None), HandoffRequest.keep_until < now)
            ).all()
            if not old:
                return 0
            session.execute(update(HandoffMessage).where(HandoffMessage.request_id.in_(old)).values(text=None))
            session.execute(
                update(HandoffRequest)
                .where(HandoffRequest.id.in_(old))
                .values(email=None, slack_user=None, conversation_id=FORGOTTEN, keep_until=None)
            )
            return len(old)

        return self.store.transaction(work)

    # --- rows ------------------------------------------------------------------------------------

    @staticmethod
    def _open_row(session: Session, conversation_id: str) -> HandoffRequest | None:
        return session.scalars(
            select(HandoffRequest).where(
                HandoffRequest.conversation_id == conversation_id, HandoffRequest.status != CLOSED
            )
        ).first()

    @staticmethod
    def _row(session: Session, reference: str) -> HandoffRequest | None:
        return session.scalars(select(HandoffRequest).where(_named(reference))).first()

    @staticmethod
    def _as_request(row: HandoffRequest | None) -> Request | None:
        return None if row is None else _request(row)

    @staticmethod
    def _unused_reference(session: Session) -> str:
        while True:
            reference = new_reference()
            if session.scalars(select(HandoffRequest.id).where(_named(reference))).first() is None:
                return reference
