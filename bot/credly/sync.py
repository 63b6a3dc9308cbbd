"""Keeps the stored claim state of issued badges fresh from Credly's webhooks.

Credly's webhooks are not signed, so a payload is only a hint that something
happened: the event and the badge are read back from the API, and only what
the API says is stored. So a forged event (an id Credly does not know) changes nothing, and a
replayed one changes nothing either: the badge's state is read as it is now, not as the event had it.

Each event id is claimed in the database (table credly_events) before Credly is asked about it, so
a delivery repeated later, or arriving twice at once (on one server or two), costs one Credly call
in all: a handled id is answered at once, and an id being handled right now asks the sender to try
again shortly (WebhookBusy). A claim whose handler failed is released, and one whose handler died
is taken over after CLAIM_SECONDS, so Credly's next try is handled.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import timedelta

from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from bot.credly.client import CredlyClient, CredlyNotFound
from bot.store import db
from bot.store.applications import ApplicationStore
from bot.store.models import Application, CredlyEvent

# Credly's ids are UUIDs; anything else (a path, a megabyte of text) is not an event of Credly's.
EVENT_ID = re.compile(r"[A-Za-z0-9-]{1,64}")
DUPLICATE = "already handled"
# Longer than a handler can take (the Credly client's retries included): an older claim is a dead one.
CLAIM_SECONDS = 300
# Handled ids are kept this long; Credly retries a delivery for up to 25 days.
KEEP_DAYS = 30


class BadWebhook(ValueError):
    """The payload is not a Credly event notification."""


class WebhookBusy(RuntimeError):
    """The same event is being handled right now (another delivery of it): try again shortly."""


def handle_webhook(
    payload: object,
    store: ApplicationStore,
    credly: Callable[[], CredlyClient],
    notify: Callable[[Application], None] | None = None,
) -> str:
    """Returns what happened: "updated", "unknown badge", "ignored", or "already handled" for an
    event id handled before (Credly is not asked again). `notify` hears of a badge whose state
    changed (the learner is told in Slack when it was filed there). Raises WebhookBusy while another
    delivery of the same event is being handled; any error of the handling releases the claim."""
    if not isinstance(payload, dict) or not isinstance(payload.get("id"), str) or not EVENT_ID.fullmatch(payload["id"]):
        raise BadWebhook("expected a JSON object with the event id")
    event_id = payload["id"]
    claim = _claim(store, event_id)
    if claim is None:
        return DUPLICATE
    try:
        result = _handle(event_id, store, credly, notify)
    except BaseException:
        _release(store, event_id, claim)
        raise
    _done(store, event_id, result)
    return result


def _handle(
    event_id: str,
    store: ApplicationStore,
    credly: Callable[[], CredlyClient],
    notify: Callable[[Application], None] | None,
) -> str:
    client = credly()
    try:
        event = client.event(event_id)
    except CredlyNotFound:
        return "ignored"  # not an event of our organisation
    badge_id = (event.get("badge") or {}).get("id")
    if not badge_id or not str(event.get("event_type", "")).startswith("badge."):
        return "ignored"
    badge = client.get_badge(badge_id)
    reason = badge.revocation_reason
    updated = store.update_badge_state(badge.id, badge.state, on_change=notify, revocation_reason=reason)
    return "updated" if updated else "unknown badge"


def _claim(store: ApplicationStore, event_id: str):
    """The claim's time when this delivery may handle the event; None when it was handled before.
    Two deliveries at once: the unique event id lets one insert win; the other, run again
    (conflict_retries), sees the winner's row."""

    def work(session: Session):
        now = store.clock()
        session.execute(
            delete(CredlyEvent).where(
                CredlyEvent.handled_at.is_not(None), CredlyEvent.received_at < now - timedelta(days=KEEP_DAYS)
            )
        )
        row = session.execute(select(CredlyEvent).where(CredlyEvent.event_id == event_id)).scalar_one_or_none()
        if row is None:
            session.add(CredlyEvent(event_id=event_id, received_at=now))
            session.flush()  # a second delivery's insert fails here, inside its transaction
            return now
        if row.handled_at is not None:
            return None
        claimed_at = row.received_at
        if db.as_utc(claimed_at) > now - timedelta(seconds=CLAIM_SECONDS):
            raise WebhookBusy(event_id)
        # A dead handler's claim: taken over by exactly one delivery (the update matches only once).
        taken = session.execute(
            update(CredlyEvent)
            .where(CredlyEvent.event_id == event_id, CredlyEvent.received_at == claimed_at)
            .values(received_at=now)
            .execution_options(synchronize_session=False)
        )
        if taken.rowcount != 1:
            raise WebhookBusy(event_id)
        return now

    return store.transaction(work, conflict_retries=2)


def _release(store: ApplicationStore, event_id: str, claimed_at) -> None:
    """Gives up this delivery's claim, so that Credly's next try handles the event."""

    def work(session: Session) -> None:
        session.execute(
            delete(CredlyEvent).where(
                CredlyEvent.event_id == event_id,
                CredlyEvent.received_at == claimed_at,
                CredlyEvent.handled_at.is_(None),
            )
        )

    try:
        store.transaction(work)
    except db.DatabaseUnavailable:
        pass  # the claim runs out after CLAIM_SECONDS instead


def _done(store: ApplicationStore, event_id: str, result: str) -> None:
    def work(session: Session) -> None:
        session.execute(
            update(CredlyEvent)
            .where(CredlyEvent.event_id == event_id)
            .values(handled_at=store.clock(), result=result)
            .execution_options(synchronize_session=False)
        )

    store.transaction(work)
