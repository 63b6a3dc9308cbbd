"""Keeps the stored claim state of issued badges fresh from Credly's webhooks.

Credly's webhooks are not signed, so a payload is only a hint that something
happened: the event and the badge are read back from the API, and only what
the API says is stored. So a forged event (an id Credly does not know) changes nothing, and a
replayed one changes nothing either: the badge's state is read as it is now, not as the event had it.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from bot.credly.client import CredlyClient, CredlyNotFound
from bot.store.applications import ApplicationStore
from bot.store.models import Application

# Credly's ids are UUIDs; anything else (a path, a megabyte of text) is not an event of Credly's.
EVENT_ID = re.compile(r"[A-Za-z0-9-]{1,64}")


class BadWebhook(ValueError):
    """The payload is not a Credly event notification."""


def handle_webhook(
    payload: object,
    store: ApplicationStore,
    credly: Callable[[], CredlyClient],
    notify: Callable[[Application], None] | None = None,
) -> str:
    """Returns what happened: "updated", "unknown badge" or "ignored". `notify` hears of a badge
    whose state changed (the learner is told in Slack when it was filed there)."""
    if not isinstance(payload, dict) or not isinstance(payload.get("id"), str) or not EVENT_ID.fullmatch(payload["id"]):
        raise BadWebhook("expected a JSON object with the event id")
    client = credly()
    try:
        event = client.event(payload["id"])
    except CredlyNotFound:
        return "ignored"  # not an event of our organisation
    badge_id = (event.get("badge") or {}).get("id")
    if not badge_id or not str(event.get("event_type", "")).startswith("badge."):
        return "ignored"
    badge = client.get_badge(badge_id)
    reason = badge.revocation_reason
    updated = store.update_badge_state(badge.id, badge.state, on_change=notify, revocation_reason=reason)
    return "updated" if updated else "unknown badge"
