"""Where an application and its badge stand, told only to the person it belongs to.

On the web the conversation id is chosen by the client, so it proves nothing:
the learner gives the reference and the email the application was filed with,
and both must match. A mismatch gets the same neutral answer whether or not
the reference exists.

Guessing is limited three ways, each counting only tries that did not match:
- per *source*, where the question came from as the channel saw it (the client's
  address on the website, the Slack user in Slack), never the client-chosen
  conversation id. A source out of tries gets "too many tries" for a pair that
  doesn't match, but the right pair still answers: a campus network or a proxy is
  one source for thousands of learners, and one guesser there must not lock them
  out. (The right pair can't be guessed: a reference has 40 random bits, and each
  wrong guess about a known reference or address counts against it, below.)
- per *reference* and per *address*: someone who knows a learner's reference (or
  address) and guesses the rest. Once either is out of tries, that reference or
  address is not looked up by pair for the hour, matching or not (so the answer
  says nothing); its owner proves the address with a one-time code instead
  (bot/proving), which no one else's failures can block.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from bot.answers.faq import load_faq
from bot.applying.catalogue import load_catalogue
from bot.credly.client import ACCEPTED, PENDING, REVOKED, CredlyClient, CredlyError
from bot.credly.client import REJECTED as DECLINED
from bot.identity import Identity, keyed_hash
from bot.store.applications import APPROVED, REJECTED, SUBMITTED, UNDER_REVIEW, ApplicationStore
from bot.store.applications import REVOKED as WITHDRAWN
from bot.store.models import Applicant, Application, StatusLookup

MAX_FAILURES_PER_SOURCE = 5
MAX_FAILURES_PER_REFERENCE = 5
MAX_FAILURES_PER_ADDRESS = 5
WINDOW = timedelta(hours=1)
LIMITED = "limited"

NO_MATCH = (
    "I couldn't find an application with that reference and email address. Please check both: "
    "the reference looks like ACTS-7KQ2-M9XD, and the email is the one you applied with."
)
NOTHING_FOR_IDENTITY = (
    "I can't find an application filed from your Slack account or with the email address of your Slack "
    "profile. If you applied on the website, tell me its reference and the email you applied with, like: "
    "status of ACTS-7KQ2-M9XD jane@uni.edu"
)
TOO_MANY = (
    "That's too many tries that didn't match, so I can't look applications up by reference for you right now. "
    "Please try again in an hour, or contact {contact}."
)
NOTHING_FOR_ADDRESS = "I found no application filed with {address}. If you applied with another address, say so."


@dataclass(frozen=True)
class Counter:
    """One fixed-window counter of failed tries: its key (a hash; no address or id is stored) and limit."""

    key: str
    window_start: datetime
    limit: int


@dataclass(frozen=True)
class StatusAnswer:
    found: bool
    text: str
    limited: bool = False  # out of tries: the learner can prove the address with a code instead


def _window_key(source: str, now: datetime) -> tuple[str, datetime]:
    """The counter of this source for the current fixed window, and the window's start. The key
    is a hash: no address or user id is stored."""
    start = datetime.fromtimestamp(now.timestamp() // WINDOW.total_seconds() * WINDOW.total_seconds(), timezone.utc)
    return hashlib.sha256(f"{source}:{start.isoformat()}".encode()).hexdigest(), start


def _counters(source: str, reference: str, email: str, now: datetime) -> tuple[Counter, Counter, Counter]:
    """The source's, the reference's and the address's counters (reference and address keyed-hashed
    first: a plain hash of an address can be matched against a list of addresses)."""
    by_source = Counter(*_window_key(source, now), MAX_FAILURES_PER_SOURCE)
    by_reference = Counter(*_window_key("reference:" + keyed_hash(reference.upper()), now), MAX_FAILURES_PER_REFERENCE)
    by_address = Counter(*_window_key("address:" + keyed_hash(email.strip().lower()), now), MAX_FAILURES_PER_ADDRESS)
    return by_source, by_reference, by_address


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

    def check(self, source: str, reference: str, email: str) -> StatusAnswer:
        """`source` is where the question came from as the channel saw it (see the module's doc)."""
        application = self.store.transaction(lambda session: self._match(session, source, reference, email))
        if application == LIMITED:
            return StatusAnswer(False, TOO_MANY.format(contact=load_faq().contact()), limited=True)
        if application is None:
            return StatusAnswer(False, NO_MATCH)
        application, credly_checked = self._refresh(application)
        return StatusAnswer(True, explain(application, credly_checked))

    def check_identity(self, identity: Identity) -> StatusAnswer:
        """Where a verified person's applications stand (Slack: no reference needed): those filed
        from their account or with their verified email. Anyone else's stay unseen: a person with
        none gets the same reply whoever else has applications."""
        applications = self.store.of_identity(identity.key, identity.email)
        if not applications:
            return StatusAnswer(False, NOTHING_FOR_IDENTITY)
        return StatusAnswer(True, "\n\n".join(explain(*self._refresh(a)) for a in applications))

    def check_address(self, address: str) -> StatusAnswer:
        """Where every application filed with `address` stands. Only for an address the asker proved
        (a one-time code came back): the caller checks that."""
        applications = self.store.submitted(email=address.strip().lower())
        if not applications:
            return StatusAnswer(False, NOTHING_FOR_ADDRESS.format(address=address))
        return StatusAnswer(True, "\n\n".join(explain(*self._refresh(a)) for a in applications))

    def _match(self, session: Session, source: str, reference: str, email: str):
        """The matching application, None, or LIMITED (see the module's doc). A reference or address
        out of tries is LIMITED before anything is looked up; a failure is counted against all three
        in atomic upserts (concurrent tries never collide, and never slip past a limit together)."""
        by_source, by_reference, by_address = _counters(source, reference, email, self.clock())
        for counter in (by_reference, by_address):
            if self._failures(session, counter.key) >= counter.limit:
                return LIMITED
        application = session.execute(
            select(Application)
            .join(Applicant)
            .where(Application.reference == reference, Applicant.email == email.strip().lower())
        ).scalar_one_or_none()
        if application is not None:
            _ = application.applicant, application.history
            return application
        over = [
            self._count_try(session, c.key, c.window_start) > c.limit for c in (by_source, by_reference, by_address)
        ]
        return LIMITED if any(over) else None

    @staticmethod
    def _failures(session: Session, key: str) -> int:
        return session.execute(select(StatusLookup.failures).where(StatusLookup.key == key)).scalar_one_or_none() or 0

    @staticmethod
    def _count_try(session: Session, key: str, window_start: datetime) -> int:
        insert = postgresql_insert if session.bind.dialect.name == "postgresql" else sqlite_insert
        statement = insert(StatusLookup).values(key=key, failures=1, window_started_at=window_start)
        session.execute(
            statement.on_conflict_do_update(
                index_elements=[StatusLookup.key], set_={"failures": StatusLookup.failures + 1}
            )
        )
        return session.execute(select(StatusLookup.failures).where(StatusLookup.key == key)).scalar_one()

    def _refresh(self, application: Application) -> tuple[Application, bool]:
        """The application with its badge's current claim state from Credly, and whether Credly answered."""
        if not application.credly_badge_id:
            return application, True  # nothing to ask Credly about
        try:
            badge = self.credly().get_badge(application.credly_badge_id)
        except CredlyError:
            return application, False
        refreshed = self.store.update_badge_state(badge.id, badge.state, revocation_reason=badge.revocation_reason)
        return refreshed or application, True


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
    if application.status == WITHDRAWN or (application.status == APPROVED and application.credly_state == REVOKED):
        return _revoked(opening, application.decision_reason, contact)
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


def _revoked(opening: str, reason: str | None, contact: str) -> str:
    because = f" The reason given: {reason.strip().rstrip('.')}." if reason and reason.strip() else ""
    return (
        f"{opening} was approved, but the badge has since been revoked.{because} "
        f"If you have questions about this, please contact {contact}."
    )


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
