"""Issuing approved badges in Credly from the outbox: retried with backoff until Credly accepts, once.

A try claims the application's outbox row (bot/store/issuing.py), asks Credly to issue the badge and
records it. `CredlyClient.issue_badge` first looks for a badge already issued for this template and
email, and takes Credly's 422 for a duplicate as "found", so a try after a crash between Credly's
answer and our record finds the badge instead of issuing a second one. A failed try gives the row
back with the next try later and later (30 s, 1, 2, 4 ... minutes, at most an hour apart, or
longer if Credly's 429 asks for it) and the kind of error, never a message that could quote
someone's data.

Who tries: the approval itself, once, right away; then the web service every few seconds
(ACTS_ISSUING_POLL_SECONDS; bot/wiring.py builds its issuer), and
`python -m bot.commands.review issue-pending` from cron or by hand.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from bot.applying.catalogue import load_catalogue
from bot.credly.client import CredlyClient, CredlyRejected, CredlyUnavailable, IssuedBadge, Recipient
from bot.reading.names import split_name
from bot.retrying import backoff
from bot.store.applications import APPROVED, ApplicationStore
from bot.store.issuing import Claim, IssuingOutbox
from bot.store.models import Application

log = logging.getLogger(__name__)

FIRST_DELAY = timedelta(seconds=30)
MAX_DELAY = timedelta(hours=1)
# How long a claim holds: longer than one try can take (three Credly calls, each within its timeout).
HOLD = timedelta(minutes=5)


class NoTemplate(Exception):
    """The badge has no Credly template id in bot/content/badges.yml."""


def retry_delay(attempt: int, retry_after: float | None = None) -> timedelta:
    """The wait after failed try number `attempt`: doubling from 30 s, capped at an hour, and never
    shorter than Credly's Retry-After."""
    return backoff(attempt, FIRST_DELAY, MAX_DELAY, retry_after)


def error_kind(error: BaseException) -> str:
    """What went wrong in a few words, fit for logs and the `pending` list: no personal data."""
    if isinstance(error, CredlyUnavailable) and error.kind:
        return f"CredlyUnavailable: {error.kind}"
    if isinstance(error, CredlyRejected):
        return f"CredlyRejected: HTTP {error.status}"
    if isinstance(error, NoTemplate):
        return "NoTemplate: see bot/content/badges.yml"
    return type(error).__name__


@dataclass(frozen=True)
class Attempt:
    """One try for one application's badge."""

    reference: str
    issued: bool
    badge_id: str | None = None
    state: str | None = None
    recorded: bool = False  # this try recorded the badge (another may have, just before)
    error: str | None = None
    next_attempt_at: datetime | None = None


def _nobody(application: Application) -> None:
    return None


class BadgeIssuer:
    def __init__(
        self,
        store: ApplicationStore,
        credly: Callable[[], CredlyClient],
        clock: Callable[[], datetime] | None = None,
        notify: Callable[[Application], None] = _nobody,
        hold: timedelta = HOLD,
    ) -> None:
        self.store = store
        self.credly = credly
        self.clock = clock or store.clock
        self.outbox = IssuingOutbox(store, self.clock)
        self.notify = notify  # tells the learner when the worker has issued their badge
        self.hold = hold

    def issue(self, reference: str, even_if_not_due: bool = False) -> Attempt | None:
        """One try for this application's badge now; None when there is nothing to try (no outbox
        row, already issued, someone else is trying right now, or not due yet)."""
        claim = self.outbox.claim(reference, self.hold, even_if_not_due)
        return None if claim is None else self._try(claim)

    def run_due(self, limit: int = 50) -> list[Attempt]:
        """One try for each badge that is due, the longest waiting first; tells each learner whose
        badge this run issued."""
        attempts = []
        for reference in self.outbox.due(limit):
            attempt = self.issue(reference)
            if attempt is None:
                continue  # another worker took it between the listing and our claim
            attempts.append(attempt)
            if attempt.recorded:
                self.notify(self.store.get(reference))
        return attempts

    def _try(self, claim: Claim) -> Attempt | None:
        if claim.status != APPROVED:
            self.outbox.drop(claim)  # no longer approved: nothing is owed
            return None
        if claim.credly_badge_id:  # recorded by an earlier try that could not close the row
            self.outbox.issued(claim, claim.credly_badge_id, claim.credly_state or "")
            return Attempt(claim.reference, True, claim.credly_badge_id, claim.credly_state)
        try:
            badge = self._issue_in_credly(claim)
        except Exception as error:  # any failure of one try: the row goes back, with the next try later
            kind = error_kind(error)
            delay = retry_delay(claim.attempt, getattr(error, "retry_after", None))
            log.warning(
                "badge of %s not issued yet: %s (try %d; next in %d s)",
                claim.reference,
                kind,
                claim.attempt,
                delay.total_seconds(),
            )
            when = self.outbox.retry_later(claim, kind, delay)
            return Attempt(claim.reference, False, error=kind, next_attempt_at=when)
        recorded = self.outbox.issued(claim, badge.id, badge.state)
        log.info("badge of %s issued in Credly (%s, try %d)", claim.reference, badge.state, claim.attempt)
        return Attempt(claim.reference, True, badge.id, badge.state, recorded=recorded)

    def _issue_in_credly(self, claim: Claim) -> IssuedBadge:
        badge = load_catalogue().get(claim.badge_id)
        if badge is None or not badge.credly_template_id:
            raise NoTemplate(claim.badge_id)
        # The names the application was submitted with, never a later application's.
        first, last = split_name(claim.full_name)
        recipient = Recipient(email=claim.email, first_name=first, last_name=last)
        # The reference is the earner id: Credly reports it back, and a retry finds the same badge.
        return self.credly().issue_badge(badge.credly_template_id, recipient, self.clock(), earner_id=claim.reference)
