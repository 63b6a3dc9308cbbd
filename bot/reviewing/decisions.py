"""Reviewers' decisions: start a review, approve (the badge then issued through Credly), reject, revoke.

Every decision is stored with who made it and when. Each decision is one conditional update, so
the same decision made twice (a double click, two reviewers at once, the command run again)
changes nothing the second time, and a badge is issued once. An approval is recorded at once,
together with the badge it owes (the issuing outbox), whatever state Credly is in; the badge is
then issued by one try right away and, if Credly does not accept it, by the outbox's retries
(bot/reviewing/issuing.py). The learner is told of a decision through the notice outbox
(bot/notices): in Slack when they applied there, else by mail to the address they applied with.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from bot.credly.client import CredlyClient, CredlyError, CredlyNotFound
from bot.reviewing.issuing import BadgeIssuer, error_kind
from bot.store.applications import APPROVED, REJECTED, REVOKED, SUBMITTED, UNDER_REVIEW, ApplicationStore
from bot.store.issuing import IssuingOutbox
from bot.store.models import Application

DECIDABLE = (SUBMITTED, UNDER_REVIEW)
RETRIED = "it is retried automatically; `python -m bot.commands.review pending` shows it"


class ReviewError(Exception):
    """The decision cannot be made; the message says why."""


@dataclass(frozen=True)
class Outcome:
    changed: bool
    message: str
    complete: bool = True  # False: approved, the badge still being issued; or Credly could not revoke


def _nobody(application: Application) -> None:
    return None


class Reviews:
    def __init__(
        self,
        store: ApplicationStore,
        credly: Callable[[], CredlyClient],
        notify: Callable[[Application], None] = _nobody,
        issuer: BadgeIssuer | None = None,
    ) -> None:
        """`credly` revokes, and issues unless an `issuer` is given (the command line and Slack give
        one whose Credly client makes each call once: the outbox does the retrying)."""
        self.store = store
        self.credly = credly
        self.notify = notify  # tells the learner; never stops a decision
        self.issuer = issuer or BadgeIssuer(store, credly)
        self.outbox = IssuingOutbox(store, self.issuer.clock)

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
        """Records the approval and the badge it owes in one transaction, then tries to issue the badge
        once right away (again after an earlier failure: a reviewer asking is worth a try now)."""
        self._application(reference)
        actor = f"reviewer:{reviewer}"
        changed = self.outbox.approve(reference, actor, only_from=DECIDABLE)
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
        if not changed:
            self.outbox.ensure_queued(reference, actor)  # approved before the outbox existed
        attempt = self.issuer.issue(reference, even_if_not_due=True)
        if attempt is not None and attempt.issued:
            self._tell(self._application(reference), changed or attempt.recorded)
            return Outcome(
                changed or attempt.recorded,
                f"{reference} is approved and its badge is issued in Credly ({attempt.badge_id}, {attempt.state}).",
            )
        self._tell(self._application(reference), changed)
        why = f"Credly has not accepted it yet ({attempt.error}); " if attempt is not None else ""
        return Outcome(changed, f"{reference} is approved; the badge is being issued: {why}{RETRIED}.", complete=False)

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

    def revoke(self, reference: str, reviewer: str, reason: str) -> Outcome:
        """Revokes the issued badge in Credly (Credly emails the earner the reason), then records it:
        the application becomes `revoked`, with the reason the learner is told. If Credly cannot be
        reached nothing changes here, and the same command run again completes it."""
        if not reason.strip():
            raise ReviewError("A revocation needs a reason: the learner is told it.")
        application = self._application(reference)
        if application.status == REVOKED:
            return Outcome(False, f"{reference} was already revoked.")
        if application.status != APPROVED:
            raise ReviewError(
                f"{reference} is {application.status}; only an approved application whose badge is issued "
                "can be revoked."
            )
        if not application.credly_badge_id:
            raise ReviewError(
                f"{reference} is approved, but its badge is still being issued, so there is nothing to revoke "
                "yet. Once `python -m bot.commands.review pending` no longer lists it, revoke it."
            )
        try:
            badge = self.credly().revoke_badge(application.credly_badge_id, reason.strip())
        except CredlyNotFound as error:
            raise ReviewError(
                f"Credly has no badge {application.credly_badge_id} for {reference}; nothing changed."
            ) from error
        except CredlyError as error:
            return Outcome(
                False,
                f"{reference}: Credly could not revoke the badge ({error_kind(error)}); nothing changed. "
                "Run the same command again.",
                complete=False,
            )
        if self.store.change_status(reference, REVOKED, f"reviewer:{reviewer}", reason.strip(), only_from=(APPROVED,)):
            self._tell(self._application(reference), True)
            return Outcome(True, f"{reference} is revoked; its badge {badge.id} is {badge.state} in Credly.")
        return Outcome(False, f"{reference} was already revoked.")

    def _tell(self, application: Application, changed: bool) -> None:
        if changed:
            self.notify(application)
