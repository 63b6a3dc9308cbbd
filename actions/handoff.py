"""Handing a learner over to a person (bot/handoff): the offer, the address on the web (proven by a
one-time code, actions/proving.py), the request, and then the learner's messages to the staff until
the learner or the staff end it.

While the request is open the conversation is in the loop `handoff_relay`: every message goes to its
validation, which passes it to the staff and says so, never to the FAQ answers; "back to the
assistant" closes the request. When the staff closed it, the next message is answered by the
assistant again.
"""

from __future__ import annotations

import asyncio
from datetime import datetime, timezone
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import ActiveLoop, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.proving import SENT_TO, is_proven
from actions.status import ValidateStatusForm, _identity
from bot.answers.faq import load_faq
from bot.handoff import replies
from bot.handoff.desk import LEARNER, HandoffDesk
from bot.handoff.hours import support_hours
from bot.handoff.transcript import recent_turns
from bot.notices.handoff import deliver_now, handoff_desk
from bot.settings import public_web_url
from bot.store.applications import ApplicationStore
from bot.store.db import DatabaseUnavailable

RELAY = "handoff_relay"
DONE_SLOT, REFERENCE_SLOT = "handoff_done", "handoff"
FORM_SLOTS = ("status_email", "status_code", SENT_TO, "requested_slot")


def _desk() -> HandoffDesk:
    return handoff_desk(ApplicationStore())


def _store_down(dispatcher: CollectingDispatcher) -> None:
    contact = load_faq().contact()
    dispatcher.utter_message(text=replies.STORE_DOWN.format(contact=f"reach {contact}."))


class ActionOfferHandoff(Action):
    """The learner asked for a person: offered, with their consent asked; or their open request recalled."""

    def name(self) -> str:
        return "action_offer_handoff"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict) -> list[dict[str, Any]]:
        try:
            request = await asyncio.to_thread(_desk().open_request, tracker.sender_id)
        except DatabaseUnavailable:
            request = None
        if request is not None:
            dispatcher.utter_message(text=replies.already_open(request))
            return []
        intent = (tracker.latest_message.get("intent") or {}).get("name")
        if intent in replies.DISPUTES:  # "that status is wrong": the records are all the assistant has
            dispatcher.utter_message(text=replies.DISPUTED)
        dispatcher.utter_message(text=replies.offer(load_faq(), support_hours()), buttons=list(replies.CONSENT_BUTTONS))
        return []


class ValidateHandoffForm(ValidateStatusForm):
    """On the web, the address to be answered at, proven by a code; in Slack nothing: the account is known."""

    purpose = "handoff"
    # Asking for a person here is what the learner is doing already.
    asides = {"human_handoff": "That's what we're doing: first the address the team should answer you at."}

    def name(self) -> str:
        return "validate_handoff_form"

    async def required_slots(self, domain_slots, dispatcher, tracker, domain) -> list[str]:
        return [] if _identity(tracker) else ["status_email", "status_code"]

    async def extract_status_reference(self, dispatcher, tracker, domain) -> dict[str, Any]:
        return {}

    async def cancel(self, dispatcher, tracker):
        dispatcher.utter_message(response="utter_handoff_declined")
        return [SlotSet(name, None) for name in FORM_SLOTS]


class ActionOpenHandoff(Action):
    """Opens the request with the recent turns, tells the learner its reference and when to expect an
    answer, and puts the conversation in the relay loop."""

    def name(self) -> str:
        return "action_open_handoff"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict) -> list[dict[str, Any]]:
        cleared = [SlotSet(name, None) for name in FORM_SLOTS]
        identity = _identity(tracker)
        email = None
        if identity is None:
            email = tracker.get_slot("status_code")
            if not await is_proven(tracker.sender_id, email, "handoff"):
                dispatcher.utter_message(text=replies.NOT_PROVEN)
                return cleared
        desk = _desk()
        channel = "slack" if identity else "rest"
        turns = recent_turns(tracker.events)
        try:
            application = await asyncio.to_thread(desk.open_application, tracker.sender_id)
            opened = await asyncio.to_thread(
                desk.open,
                tracker.sender_id,
                channel,
                turns,
                email=email,
                slack_user=identity.user_id if identity else None,
                application_reference=application,
            )
        except DatabaseUnavailable:
            _store_down(dispatcher)
            return cleared
        request = opened.request
        if opened.new:
            dispatcher.utter_message(text=replies.opened(request, support_hours(), datetime.now(timezone.utc)))
            await asyncio.to_thread(deliver_now, desk.store)  # the staff hear of it now, not at the next round
        else:
            dispatcher.utter_message(text=replies.already_open(request))
        if identity is None:  # the website's chat reads the staff's answers while its page is open
            token = await asyncio.to_thread(desk.page_token, request.reference)
            answers = f"{public_web_url()}/handoff/{token}/answers"
            dispatcher.utter_message(json_message={"handoff": {"reference": request.reference, "answers": answers}})
        relay = [SlotSet(REFERENCE_SLOT, request.reference), SlotSet(DONE_SLOT, None), ActiveLoop(RELAY)]
        return [*cleared, *relay, SlotSet("requested_slot", DONE_SLOT)]


class ValidateHandoffRelay(Action):
    """Each message while the request is open: to the staff; "back to the assistant" ends it; a request
    the staff closed ends the loop, and the assistant answers again."""

    def name(self) -> str:
        return "validate_handoff_relay"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict) -> list[dict[str, Any]]:
        if not _after_a_message(tracker):
            return []  # the loop starting, right after the request was opened: no message of the learner's yet
        text = tracker.latest_message.get("text") or ""
        desk = _desk()
        # Setting the loop's slot (to nothing) says the message was taken: Rasa would otherwise hand it on
        # to the rules, and the FAQ answers would reply to it.
        taken = [SlotSet(DONE_SLOT, None)]
        over = [SlotSet(DONE_SLOT, True), SlotSet(REFERENCE_SLOT, None)]
        try:
            request = await asyncio.to_thread(desk.open_request, tracker.sender_id)
            if request is None:  # closed by the staff (the learner was told), or forgotten
                reference = tracker.get_slot(REFERENCE_SLOT) or "your request"
                dispatcher.utter_message(text=replies.CLOSED_BY_STAFF.format(reference=reference))
                answer_as_the_assistant(dispatcher, tracker)
                return over
            if replies.wants_the_assistant(text):
                await asyncio.to_thread(desk.close, request.reference, LEARNER)
                dispatcher.utter_message(text=replies.LEFT.format(reference=request.reference))
                await asyncio.to_thread(deliver_now, desk.store)
                return over
            await asyncio.to_thread(desk.learner_says, tracker.sender_id, text)
        except DatabaseUnavailable:
            _store_down(dispatcher)
            return taken
        dispatcher.utter_message(text=replies.PASSED_ON.format(reference=request.reference))
        await asyncio.to_thread(deliver_now, desk.store)
        return taken


def _after_a_message(tracker: Tracker) -> bool:
    """Whether the loop runs for a learner's message: Rasa hands its validation the conversation with
    the loop's own action last, so the action before it says (action_listen: a message came)."""
    actions = [event.get("name") for event in tracker.events if event.get("event") == "action"]
    return len(actions) >= 2 and actions[-2] == "action_listen"


def answer_as_the_assistant(dispatcher: CollectingDispatcher, tracker: Tracker) -> None:
    """The message that found the request closed: an FAQ question gets its answer; anything else the offer to ask."""
    intent = (tracker.latest_message.get("intent") or {}).get("name")
    if load_faq().topic(intent) is not None:
        dispatcher.utter_message(response=f"utter_{intent}")
    else:
        dispatcher.utter_message(text="Ask me anything about ACTS badges.")


class AskHandoffDone(Action):
    """The relay's question is no question: the validation has said what there was to say."""

    def name(self) -> str:
        return "action_ask_handoff_done"

    async def run(self, dispatcher, tracker, domain):
        return []


class ActionHandoffOver(Action):
    def name(self) -> str:
        return "action_handoff_over"

    async def run(self, dispatcher, tracker, domain):
        return [SlotSet(DONE_SLOT, None), SlotSet(REFERENCE_SLOT, None)]
