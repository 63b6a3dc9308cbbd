"""Status checks by conversation: reference and email, then the state in plain words."""

from __future__ import annotations

import asyncio
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.forms import InterruptibleForm
from bot.answers.faq import load_faq
from bot.channels.source import identity_of, source_of
from bot.reading.emails import check_email
from bot.reading.references import no_reference_at_hand, parse_reference
from bot.reviewing.status import StatusDesk
from bot.settings import credly_client_for_learners
from bot.store.applications import ApplicationStore
from bot.store.db import DatabaseUnavailable

SLOTS = ("status_reference", "status_email")
NOT_A_REFERENCE = "That doesn't look like an application reference: it looks like ACTS-7KQ2-M9XD."
# Said instead of asking again when the learner has no reference at hand: asking again would loop.
WHERE_THE_REFERENCE_IS = (
    'Your reference was given when you submitted your application ("Your reference is ACTS-..."), in this chat '
    "or the conversation where you applied. For your privacy I can only look an application up with its "
    "reference and the email you applied with. If you can't find it, please contact {contact}; "
    'or say "stop" to leave this.'
)
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

    async def required_slots(self, domain_slots, dispatcher, tracker, domain) -> list[str]:
        """In Slack the learner is known: no questions, unless they give a reference (an
        application filed on the website)."""
        text = tracker.latest_message.get("text") or ""
        if _identity(tracker) and not tracker.get_slot("status_reference") and not parse_reference(text):
            return []
        return list(domain_slots)

    def answers(self, slot: str, text: str, tracker: Tracker) -> bool:
        return (parse_reference(text) if slot == "status_reference" else _email(text)) is not None

    async def cancel(self, dispatcher, tracker):
        dispatcher.utter_message(text="OK, I won't look anything up. Ask me anything else about badges.")
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
            dispatcher.utter_message(text=WHERE_THE_REFERENCE_IS.format(contact=load_faq().contact()))
        elif reference is None:
            dispatcher.utter_message(text=NOT_A_REFERENCE)
        return {"status_reference": reference}

    def validate_status_email(self, value, dispatcher, tracker, domain):
        check = check_email(str(value))
        if check.address is None:
            dispatcher.utter_message(text=check.problem or "That doesn't look like an email address.")
        return {"status_email": check.address}


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
            if reference and email:
                answer = await asyncio.to_thread(desk.check, source, reference, email)
                dispatcher.utter_message(text=answer.text)
            elif identity is not None:
                dispatcher.utter_message(text=(await asyncio.to_thread(desk.check_identity, identity)).text)
        except DatabaseUnavailable:
            dispatcher.utter_message(text=DATABASE_DOWN)
        # Nothing about the application stays in the conversation.
        return _cleared()
