"""Status checks by conversation: reference and email, then the state in plain words.

Without the reference ("I lost it"), or once a reference or address is out of tries, the learner
proves the address instead: a one-time code sent to it (actions/proving.py), then the state of
every application filed with it.
"""

from __future__ import annotations

import asyncio
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.forms import InterruptibleForm
from actions.proving import SENT_TO, ask_for_code, is_proven, read_code_reply
from bot.identity import identity_of, source_of
from bot.proving.replies import read_reply
from bot.reading.emails import check_email
from bot.reading.references import no_reference_at_hand, parse_reference
from bot.reviewing.status import StatusDesk
from bot.store.applications import ApplicationStore
from bot.store.db import DatabaseUnavailable
from bot.wiring import credly_client_for_learners

SLOTS = ("status_reference", "status_email", "status_code", "status_by_code", SENT_TO)
NOT_A_REFERENCE = "That doesn't look like an application reference: it looks like ACTS-7KQ2-M9XD."
# Said instead of asking again when the learner has no reference at hand: asking again would loop.
WHERE_THE_REFERENCE_IS = (
    'No problem. Your reference was given when you submitted your application ("Your reference is ACTS-..."). '
    "Without it, I can send a one-time code to the email address you applied with: type the code here and "
    "I'll show you every application filed with that address."
)
BY_CODE_INSTEAD = (
    "So I can't look it up by reference for now. I can show you your applications another way: I'll send a "
    "one-time code to {address}, and once you type it here, you'll see every application filed with that address."
)
NOT_PROVEN = "I couldn't confirm that address, so I can't show anything filed with it. Ask me again to get a new code."
DATABASE_DOWN = (
    "I can't reach our application database right now, so I can't look up your application. "
    "Please try again in a few minutes."
)


def _email(text: str) -> str | None:
    # The address the learner applied with, exactly: a typo here is simply no match.
    return check_email(text).address


def _cleared() -> list[dict[str, Any]]:
    return [SlotSet(name, None) for name in SLOTS + ("requested_slot",)]


def _identity(tracker: Tracker):
    return identity_of(tracker.latest_message.get("metadata"), tracker.get_latest_input_channel())


class ValidateStatusForm(InterruptibleForm):
    def name(self) -> str:
        return "validate_status_form"

    purpose = "status"  # what a code proves here (actions/proving.py)

    async def required_slots(self, domain_slots, dispatcher, tracker, domain) -> list[str]:
        """In Slack the learner is known: no questions, unless they give a reference (an
        application filed on the website). Without the reference, the address and its code."""
        text = tracker.latest_message.get("text") or ""
        if _identity(tracker) and not tracker.get_slot("status_reference") and not parse_reference(text):
            return []
        if tracker.get_slot("status_by_code"):
            return ["status_email", "status_code"]
        return ["status_reference", "status_email"]

    def answers(self, slot: str, text: str, tracker: Tracker) -> bool:
        if slot == "status_code":
            return read_reply(text).kind != "other"
        return (parse_reference(text) if slot == "status_reference" else _email(text)) is not None

    async def cancel(self, dispatcher, tracker):
        dispatcher.utter_message(text="OK, I won't look anything up. Ask me anything else about badges.")
        return _cleared()

    def forgotten_when_left(self) -> list[dict[str, Any]]:
        return _cleared()

    async def extract_status_reference(self, dispatcher, tracker, domain) -> dict[str, Any]:
        """Both may come in the message that asks for the status."""
        reference = parse_reference(tracker.latest_message.get("text") or "")
        return {"status_reference": reference} if reference and not tracker.get_slot("status_reference") else {}

    async def extract_status_email(self, dispatcher, tracker, domain) -> dict[str, Any]:
        email = _email(tracker.latest_message.get("text") or "")
        return {"status_email": email} if email and not tracker.get_slot("status_email") else {}

    def validate_status_reference(self, value, dispatcher, tracker, domain):
        reference = parse_reference(str(value))
        if reference is None and no_reference_at_hand(str(value)):
            dispatcher.utter_message(text=WHERE_THE_REFERENCE_IS)
            return {"status_reference": None, "status_by_code": True}
        elif reference is None:
            dispatcher.utter_message(text=NOT_A_REFERENCE)
        return {"status_reference": reference}

    def validate_status_email(self, value, dispatcher, tracker, domain):
        check = check_email(str(value))
        if check.address is None:
            dispatcher.utter_message(text=check.problem or "That doesn't look like an email address.")
        return {"status_email": check.address}

    async def validate_status_code(self, value, dispatcher, tracker, domain):
        return await read_code_reply(dispatcher, tracker, value, "status_email", "status_code", self.purpose)


class AskStatusCode(Action):
    """Sends the code that proves the address (once per address), then asks for it: for a status question
    without a reference, for erasing one's data, or for an address to be answered at by a person."""

    def name(self) -> str:
        return "action_ask_status_code"

    async def run(self, dispatcher, tracker, domain):
        purpose = {"erase_form": "erase", "handoff_form": "handoff"}.get(tracker.active_loop_name, "status")
        return await ask_for_code(dispatcher, tracker, tracker.get_slot("status_email"), purpose)


class CheckStatus(Action):
    """Reports the application's state, only if the reference and the email both match."""

    def name(self) -> str:
        return "action_check_status"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict) -> list[dict[str, Any]]:
        reference, email = tracker.get_slot("status_reference"), tracker.get_slot("status_email")
        identity = _identity(tracker)
        desk = StatusDesk(ApplicationStore(), credly_client_for_learners)
        source = source_of(tracker.latest_message.get("metadata"), tracker.sender_id)
        try:
            # Database and Credly calls block: in a thread, so other conversations go on meanwhile.
            if tracker.get_slot("status_by_code"):
                proven = tracker.get_slot("status_code")
                if await is_proven(tracker.sender_id, proven, "status"):
                    dispatcher.utter_message(text=(await asyncio.to_thread(desk.check_address, proven)).text)
                else:
                    dispatcher.utter_message(text=NOT_PROVEN)
            elif reference and email:
                answer = await asyncio.to_thread(desk.check, source, reference, email)
                dispatcher.utter_message(text=answer.text)
                if answer.limited:  # the same words whether or not the pair matched; the owner proves the address
                    dispatcher.utter_message(text=BY_CODE_INSTEAD.format(address=email))
                    return [*_cleared(), SlotSet("status_by_code", True), SlotSet("status_email", email),
                            FollowupAction("status_form")]  # fmt: skip
            elif identity is not None:
                dispatcher.utter_message(text=(await asyncio.to_thread(desk.check_identity, identity)).text)
        except DatabaseUnavailable:
            dispatcher.utter_message(text=DATABASE_DOWN)
        # Nothing about the application stays in the conversation.
        return _cleared()
