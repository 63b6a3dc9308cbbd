"""Reviewers' decisions: start a review, approve (issuing the badge through Credly), reject.

Every decision is stored with who made it and when. Each decision is one conditional update, so
the same decision made twice (a double click, two reviewers at once, the command run again)
changes nothing the second time, and a badge is issued once. An approval whose badge could not
be issued (Credly down) is completed by approving again. The learner is told of a decision when
their application was filed from a channel that can reach them (Slack).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timezone

from bot.applying.catalogue import load_catalogue
from bot.credly.client import CredlyClient, CredlyError, Recipient
from bot.reading.names import split_name
from bot.store.applications import APPROVED, REJECTED, SUBMITTED, UNDER_REVIEW, ApplicationStore
from bot.store.models import Application

DECIDABLE = (SUBMITTED, UNDER_REVIEW)


class ReviewError(Exception):
    """The decision cannot be made; the message says why."""


@dataclass(frozen=True)
class Outcome:
    changed: bool
    message: str
    complete: bool = True  # False: approved, but the badge still has to be issued


def _nobody(application: Application) -> None:
    return None


class Reviews:
    def __init__(
        self,
        store: ApplicationStore,
        credly: Callable[[], CredlyClient],
        notify: Callable[[Application], None] = _nobody,
    ) -> None:
        self.store = store
        self.credly = credly
        self.notify = notify  # tells the learner; never stops a decision

    def _application(self, reference: str) -> Application:
        application = self.store.get(reference)
        if application is None:
            raise ReviewError(f"No submitted application has the reference {reference}.")
        return application

    def start(self, reference: str, reviewer: str) -> Outcome:
        application = self._application(reference)
        if self.store.change_status(reference, UNDER_REVIEW, f"reviewer:{reviewer}", only_from=(SUBMITTED,)):
            return Outcome(True, f"{reference} is now under review by {reviewer}.")
        if self._application(reference).status == UNDER_REVIEW:
            return Outcome(False, f"{reference} is already under review.")
        raise ReviewError(f"{reference} is {application.status}; only a submitted application can be reviewed.")

    def approve(self, reference: str, reviewer: str) -> Outcome:
        self._application(reference)
        changed = self.store.change_status(reference, APPROVED, f"reviewer:{reviewer}", only_from=DECIDABLE)
        application = self._application(reference)
        if application.status != APPROVED:
            raise ReviewError(f"{reference} is {application.status}; it cannot be approved.")
        if application.credly_badge_id:
            self._tell(application, changed)
            return Outcome(
                changed,
                f"{reference} is approved; its badge was already issued "
                f"({application.credly_badge_id}, {application.credly_state}).",
            )
        try:
            badge = self._issue(application)
        except CredlyError as error:
            self._tell(application, changed)
            return Outcome(
                changed,
                f"{reference} is approved, but the badge could not be issued: {error}. "
                "Run the same command again to issue it.",
                complete=False,
            )
        recorded = self.store.record_badge(reference, badge.id, badge.state, f"reviewer:{reviewer}")
        self._tell(self._application(reference), changed or recorded)
        return Outcome(
            changed or recorded,
            f"{reference} is approved and its badge is issued in Credly ({badge.id}, {badge.state}).",
        )

    def _issue(self, application: Application):
        badge = load_catalogue().get(application.badge_id)
        if badge is None or not badge.credly_template_id:
            raise ReviewError(f"The badge {application.badge_id} has no Credly template id in bot/content/badges.yml.")
        # The names the application was submitted with, never a later application's.
        first, last = split_name(application.full_name)
        recipient = Recipient(email=application.applicant.email, first_name=first, last_name=last)
        # The reference is the earner id: Credly reports it back, and it makes retries find the same badge.
        return self.credly().issue_badge(
            badge.credly_template_id, recipient, datetime.now(timezone.utc), earner_id=application.reference
        )

    def reject(self, reference: str, reviewer: str, reason: str) -> Outcome:
        if not reason.strip():
            raise ReviewError("A rejection needs a reason: the learner is told it.")
        self._application(reference)
        if self.store.change_status(reference, REJECTED, f"reviewer:{reviewer}", reason.strip(), only_from=DECIDABLE):
            self._tell(self._application(reference), True)
            return Outcome(True, f"{reference} is rejected.")
        application = self._application(reference)
        if application.status == REJECTED:
            return Outcome(False, f"{reference} was already rejected.")
        raise ReviewError(f"{reference} is {application.status}; it cannot be rejected.")

    def _tell(self, application: Application, changed: bool) -> None:
        if changed:
            self.notify(application)
