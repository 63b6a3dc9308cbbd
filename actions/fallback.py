"""Honest answers for what the assistant cannot help with, and how to reach a person."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.faq import cant_help
from actions.offering import offer_a_person_if_due


class ActionCantHelp(Action):
    """Out of scope, or none of the closest answers was it: say so, never guess."""

    def name(self) -> str:
        return "action_cant_help"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict) -> list[dict[str, Any]]:
        cant_help(dispatcher)
        return offer_a_person_if_due(tracker)
