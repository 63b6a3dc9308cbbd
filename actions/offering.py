"""The offer of a person that follows, unasked, the second answer in a row that did not help (declined,
unsure, or a 👎: bot/handoff/offering.py). Its own module: the FAQ, fallback and feedback actions use
it, and the handoff's actions import the forms, which import those."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.events import FollowupAction

from bot.handoff import offering


def offer_a_person_if_due(tracker: Tracker) -> list[dict[str, Any]]:
    """action_offer_handoff next, at the second unhelpful turn in a row (not in a form)."""
    if tracker.active_loop_name or not offering.offer_now(tracker.events, this_turn_unhelpful=True):
        return []
    return [FollowupAction("action_offer_handoff")]
