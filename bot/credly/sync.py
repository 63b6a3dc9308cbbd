"""Keeps the stored claim state of issued badges fresh from Credly's webhooks.

Credly's webhooks are not signed, so a payload is only a hint that something
happened: the event and the badge are read back from the API, and only what
the API says is stored.
"""

from __future__ import annotations

from collections.abc import Callable

from bot.credly.client import CredlyClient, CredlyNotFound
from bot.store.applications import ApplicationStore
from bot.store.models import Application


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
    if not isinstance(payload, dict) or not isinstance(payload.get("id"), str) or not payload["id"]:
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
    return "updated" if store.update_badge_state(badge.id, badge.state, on_change=notify) else "unknown badge"
