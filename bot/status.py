"""Where an application and its badge stand, told only to the person it belongs to.

On the web the conversation id is chosen by the client, so it proves nothing:
the learner gives the reference and the email the application was filed with,
and both must match. A mismatch gets the same neutral answer whether or not
the reference exists, and failed attempts are limited per conversation and
per reference, so guessing references is pointless.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

from sqlalchemy import select

from bot.applications import APPROVED, REJECTED, SUBMITTED, UNDER_REVIEW, ApplicationStore
from bot.catalogue import load_catalogue
from bot.credly.client import ACCEPTED, PENDING, REVOKED, CredlyClient, CredlyError
from bot.credly.client import REJECTED as DECLINED
from bot.db import as_utc
from bot.faq import load_faq
from bot.models import Applicant, Application, StatusLookup

MAX_FAILURES_PER_CONVERSATION = 3
MAX_FAILURES_PER_REFERENCE = 5
WINDOW = timedelta(hours=1)
LIMITED = "limited"

NO_MATCH = (
    "I couldn't find an application with that reference and email address. Please check both: "
    "the reference looks like ACTS-7KQ2-M9XD, and the email is the one you applied with."
)
TOO_MANY = (
    "I can't check any more applications in this conversation right now. Please try again in an hour, "
    "or contact {contact}."
)


@dataclass(frozen=True)
class StatusAnswer:
    found: bool
    text: str


def _key(kind: str, value: str) -> str:
    return hashlib.sha256(f"{kind}:{value}".encode()).hexdigest()


class StatusDesk:
    def __init__(
        self,
        store: ApplicationStore,
        credly: Callable[[], CredlyClient],
        clock: Callable[[], datetime] = lambda: datetime.now(timezone.utc),
    ) -> None:
        self.store = store
        self.credly = credly
        self.clock = clock

    def check(self, conversation_id: str, reference: str, email: str) -> StatusAnswer:
        keys = {
            _key("conversation", conversation_id): MAX_FAILURES_PER_CONVERSATION,
            _key("reference", reference): MAX_FAILURES_PER_REFERENCE,
        }
        application = self.store.transaction(lambda session: self._match(session, keys, reference, email))
        if application == LIMITED:
            return StatusAnswer(False, TOO_MANY.format(contact=load_faq().contact()))
        if application is None:
            return StatusAnswer(False, NO_MATCH)
        application, credly_checked = self._refresh(application)
        return StatusAnswer(True, explain(application, credly_checked))

    def _match(self, session, keys: dict[str, int], reference: str, email: str):
        """The matching application, None, or LIMITED; counts a failure in the same transaction."""
        now = self.clock()
        lookups = {key: session.get(StatusLookup, key) for key in keys}
        for lookup in lookups.values():
            if lookup is not None and now - as_utc(lookup.window_started_at) > WINDOW:
                lookup.failures, lookup.window_started_at = 0, now
        if any(lookup is not None and lookup.failures >= keys[key] for key, lookup in lookups.items()):
            return LIMITED
        application = session.execute(
            select(Application)
            .join(Applicant)
            .where(Application.reference == reference, Applicant.email == email.strip().lower())
        ).scalar_one_or_none()
        if application is not None:
            _ = application.applicant, application.history
            return application
        for key, lookup in lookups.items():
            if lookup is None:
                session.add(StatusLookup(key=key, failures=1, window_started_at=now))
            else:
                lookup.failures += 1
        return None

    def _refresh(self, application: Application) -> tuple[Application, bool]:
        """The application with its badge's current claim state from Credly, and whether Credly answered."""
        if not application.credly_badge_id:
            return application, True  # nothing to ask Credly about
        try:
            badge = self.credly().get_badge(application.credly_badge_id)
        except CredlyError:
            return application, False
        return self.store.update_badge_state(badge.id, badge.state) or application, True


def explain(application: Application, credly_checked: bool = True) -> str:
    """The application's state in plain words."""
    badge = load_catalogue().get(application.badge_id)
    name = badge.name if badge else application.badge_id
    opening = f"Your application {application.reference} for the {name} badge"
    contact = load_faq().contact()
    if application.status == SUBMITTED:
        received = application.submitted_at.strftime("%-d %B %Y") if application.submitted_at else "recently"
        return f"{opening} was received on {received} and is waiting for review by the ACTS team."
    if application.status == UNDER_REVIEW:
        return f"{opening} is being reviewed by the ACTS team right now."
    if application.status == REJECTED:
        reason = application.decision_reason or "no reason was recorded"
        return (
            f"{opening} was not approved. The reviewer's reason: {reason}. "
            f"If you have questions about this decision, please contact {contact}."
        )
    if application.status != APPROVED:
        return f"{opening} is {application.status.replace('_', ' ')}."
    if not application.credly_badge_id:
        return (
            f"{opening} is approved! Your badge is being issued through Credly; you will get an email "
            "from admin@credly.com with instructions for claiming it."
        )
    if not credly_checked:
        return (
            f"{opening} is approved and your badge has been issued through Credly. I couldn't check "
            "with Credly just now whether you have accepted it; please ask me again later."
        )
    return f"{opening} is approved. " + _badge_state(application.credly_state, contact)


def _badge_state(state: str | None, contact: str) -> str:
    if state == ACCEPTED:
        return (
            "You have accepted your badge in Credly: congratulations! You can share it from Credly to "
            "LinkedIn, X and Facebook, by email, or in a website or your email signature."
        )
    if state == PENDING:
        return (
            "Your badge has been issued and is waiting for you to accept it: look for the email from "
            "admin@credly.com with instructions for claiming your badge and setting up your account. "
            "Can't find it? Search your inbox and spam folder for admin@credly.com; it went to the address "
            "you applied with. Credly support (support.credly.com) can resend it."
        )
    if state == DECLINED:
        return (
            "The badge was declined in Credly. If that was a mistake, please contact "
            f"{contact} to have it issued again."
        )
    if state == REVOKED:
        return f"The badge has been revoked. Please contact {contact} if you have questions."
    return "Your badge has been issued through Credly."
