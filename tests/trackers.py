"""The conversation as the action server hands it to an action: one rasa_sdk Tracker, built the same way
for every action test."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from rasa_sdk import Tracker


def tracker(
    text: str = "",
    intent: str | None = None,
    confidence: float = 0.95,
    *,
    slots: Mapping[str, Any] | None = None,
    events: Iterable[dict] = (),
    entities: Iterable[dict] = (),
    ranking: Iterable[tuple[str, float]] | None = None,
    metadata: dict | None = None,
    sender: str = "learner-1",
    active_form: str | None = None,
) -> Tracker:
    """The learner's latest message (`text`, classified as `intent`), the slots so far (no question asked
    unless `slots` sets requested_slot), the events before it, and the form going on, if one is."""
    message: dict[str, Any] = {
        "text": text,
        "intent": {"name": intent, "confidence": confidence},
        "entities": list(entities),
    }
    if ranking is not None:  # the classifier's readings, best first as it ranks them
        message["intent_ranking"] = [{"name": name, "confidence": value} for name, value in ranking]
    if metadata is not None:
        message["metadata"] = metadata
    return Tracker(
        sender,
        {"requested_slot": None, **(slots or {})},
        message,
        list(events),
        False,
        None,
        {"name": active_form} if active_form else {},
        "action_listen",
    )
