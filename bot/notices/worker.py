"""Delivering queued notices: right after they were queued, and every few seconds in the web service.

A try claims the notice (bot/notices/outbox.py), sends it (bot/notices/sending.py) and closes it.
A failed try gives the notice back with the next try later and later (15 s, 30 s, 1, 2, 4 ...
minutes, at most an hour apart, and never sooner than Slack's Retry-After asks), recording the kind
of error only. After ACTS_NOTICE_MAX_ATTEMPTS tries (20 by default: about 13 hours) the notice is
given up: logged, and listed by `python -m bot.commands.notices` until someone sends it again.

Delivery is at least once: a try whose answer was lost (a timeout after Slack or the mail server
had taken it) is tried again. Two workers never send one notice at the same time: each claim is
one conditional UPDATE that only one of them wins.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from bot.notices import sending
from bot.notices.outbox import NoticeClaim, NoticeOutbox
from bot.retrying import backoff
from bot.settings import notice_max_attempts
from bot.store.applications import ApplicationStore

log = logging.getLogger(__name__)

FIRST_DELAY = timedelta(seconds=15)
MAX_DELAY = timedelta(hours=1)
# Longer than one try can take: a post and its documents, each call within its timeout.
HOLD = timedelta(minutes=2)
# How long the learner's answer waits for the reviewers' post tried right after submitting; a
# slower try carries on in the background and the outbox has the notice either way.
RIGHT_AWAY_SECONDS = 3.0

Sender = Callable[[ApplicationStore, NoticeClaim, Callable[..., object]], None]


def retry_delay(attempt: int, retry_after: float | None = None) -> timedelta:
    """The wait after failed try number `attempt`: doubling from 15 s, capped at an hour, and never
    shorter than Slack's Retry-After."""
    return backoff(attempt, FIRST_DELAY, MAX_DELAY, retry_after)


@dataclass(frozen=True)
class Delivery:
    """One try for one notice."""

    notice_id: int
    kind: str
    outcome: str  # "sent", "retry", "given up", "dropped"
    error: str | None = None
    next_attempt_at: datetime | None = None


class NoticeWorker:
    def __init__(
        self,
        store: ApplicationStore,
        clock: Callable[[], datetime] | None = None,
        send: Sender = sending.deliver,
        hold: timedelta = HOLD,
        attempts: int | None = None,
    ) -> None:
        self.store = store
        self.clock = clock or store.clock
        self.outbox = NoticeOutbox(store, self.clock)
        self.send = send
        self.hold = hold
        self.attempts = attempts or notice_max_attempts()

    def deliver(self, notice_id: int) -> Delivery | None:
        """One try for this notice now; None when there is nothing to try (done, given up, not due,
        or someone else is trying it right now)."""
        claim = self.outbox.claim(notice_id, self.hold)
        return None if claim is None else self._try(claim)

    def run_due(self, limit: int = 50) -> list[Delivery]:
        """One try for each notice that is due, the longest waiting first."""
        deliveries = []
        for notice_id in self.outbox.due(limit):
            delivery = self.deliver(notice_id)
            if delivery is not None:  # None: another worker took it between the listing and our claim
                deliveries.append(delivery)
        return deliveries

    def _try(self, claim: NoticeClaim) -> Delivery:
        try:
            self.send(self.store, claim, lambda **step: self.outbox.note_progress(claim, **step))
        except sending.NothingToSend:
            self.outbox.drop(claim)
            return Delivery(claim.id, claim.kind, "dropped")
        except Exception as error:  # any failure of one try: the notice goes back, with the next try later
            kind = sending.error_kind(error)
            if claim.attempt >= self.attempts:
                self.outbox.give_up(claim, kind)
                log.error("notice %d (%s) given up after %d tries: %s", claim.id, claim.kind, claim.attempt, kind)
                return Delivery(claim.id, claim.kind, "given up", kind)
            delay = retry_delay(claim.attempt, sending.retry_after(error))
            log.warning(
                "notice %d (%s) not delivered yet: %s (try %d; next in %d s)",
                claim.id,
                claim.kind,
                kind,
                claim.attempt,
                delay.total_seconds(),
            )
            when = self.outbox.retry_later(claim, kind, delay)
            return Delivery(claim.id, claim.kind, "retry", kind, when)
        self.outbox.sent(claim)
        log.info("notice %d (%s) delivered (try %d)", claim.id, claim.kind, claim.attempt)
        return Delivery(claim.id, claim.kind, "sent")


def deliver_quietly(store: ApplicationStore, notice_id: int | None) -> Delivery | None:
    """One try right away for a notice just queued, by the code that queued it: never raises (the
    change is stored and the notice queued; the worker carries on if this try fails)."""
    if notice_id is None:
        return None
    try:
        return NoticeWorker(store).deliver(notice_id)
    except Exception as error:
        log.warning("notice %d: the try right away failed: %s", notice_id, type(error).__name__)
        return None
