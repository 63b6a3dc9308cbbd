"""A learner erases their own data by conversation: "delete my data".

On the website they prove the address is theirs: a one-time code sent to it comes back
(actions/proving.py); then everything filed with that address goes, and nothing else. In Slack
their verified identity is the proof: the account's own applications, and everything filed with
its profile's address or with an address it proved by a code. Then they confirm, and it goes
(bot/store/personal_data.py): applications' personal fields, documents, conversations, this one
included.
"""

from __future__ import annotations

import asyncio
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import Restarted, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.proving import codes, is_proven
from actions.status import DATABASE_DOWN, SLOTS, ValidateStatusForm, _identity
from bot.identity import Identity
from bot.store import personal_data
from bot.store.applications import ApplicationStore
from bot.store.conversation_logs import open_conversations
from bot.store.db import DatabaseUnavailable

ERASE_SLOTS = (*SLOTS, "erase_confirmed")
CONFIRM = (
    "This permanently deletes everything we keep about you: your applications' details, the documents you "
    "uploaded and our conversations. What stays is a record without your personal data of what was decided "
    "and when. A badge already issued stays in your Credly account (support.credly.com). Shall I delete it all?"
)
DONE = "Done: your data is deleted: {applications}, {documents} and {conversations}."
KEPT = "OK, I haven't deleted anything."
NOT_PROVEN = "I couldn't confirm that the address is yours, so I haven't deleted anything. Ask me again for a new code."


def _plural(count: int, noun: str) -> str:
    return f"{count} {noun}{'' if count == 1 else 's'}"


def _cleared() -> list[dict[str, Any]]:
    return [SlotSet(name, None) for name in ERASE_SLOTS + ("requested_slot",)]


class ValidateEraseForm(ValidateStatusForm):
    """The address, the code sent to it, then a confirmation; in Slack only the confirmation."""

    purpose = "erase"

    def name(self) -> str:
        return "validate_erase_form"

    async def required_slots(self, domain_slots, dispatcher, tracker, domain) -> list[str]:
        if _identity(tracker):  # Slack: the learner is known
            return ["erase_confirmed"]
        return ["status_email", "status_code", "erase_confirmed"]

    def answers(self, slot: str, text: str, tracker: Tracker) -> bool:
        return slot == "erase_confirmed" or super().answers(slot, text, tracker)

    async def cancel(self, dispatcher, tracker):
        dispatcher.utter_message(text=KEPT)
        return _cleared()

    def forgotten_when_left(self) -> list[dict[str, Any]]:
        return _cleared()

    def validate_erase_confirmed(self, value, dispatcher, tracker, domain):
        intent = (tracker.latest_message.get("intent") or {}).get("name")
        text = str(value).strip().lower()
        if intent == "affirm" or text.startswith(("yes", "delete")):
            return {"erase_confirmed": True}
        return {"erase_confirmed": False}


class AskEraseConfirmed(Action):
    def name(self) -> str:
        return "action_ask_erase_confirmed"

    async def run(self, dispatcher, tracker, domain):
        buttons = [{"title": "Yes, delete it all", "payload": "/affirm"}, {"title": "No, keep it", "payload": "/deny"}]
        dispatcher.utter_message(text=CONFIRM, buttons=buttons)
        return []


def _erase(emails: set[str], references: list[str], actor: str, this_conversation: str) -> dict[str, int]:
    """Everything filed with `emails`, the applications `references` (a Slack account's own, filed with an
    address it never proved), their codes, and this conversation too (it holds what they just typed): the
    conversation store forgets it, and keeps only this message's last events."""
    store = ApplicationStore()
    log = open_conversations()
    total = personal_data.erase_applications(store, references, actor)
    for email in emails:
        for key, count in personal_data.erase(store, email, log, actor).items():
            total[key] += count
        codes().forget(email)
    if log is not None:
        total["conversations"] += log.delete([this_conversation])
    return total


def _slack_scope(identity: Identity, conversation_id: str) -> tuple[set[str], list[str]]:
    """A Slack account's erasure: the addresses it proved (its profile's, verified by Slack, and those it
    proved by a code) and, filed from it with another address, those applications alone."""
    found = ApplicationStore().of_identity(identity.key, identity.email)
    emails = {identity.email.lower()} if identity.email else set()
    references = []
    for application in found:
        address = application.applicant.email if application.applicant else None
        if address in emails or (address and codes().proven(conversation_id, address, None)):
            emails.add(address)
        elif application.filed_by == identity.key:
            references.append(application.reference)
    return emails, references


class EraseMyData(Action):
    """Erases once proven and confirmed; the conversation then starts afresh (nothing of it is kept either)."""

    def name(self) -> str:
        return "action_erase_my_data"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict) -> list[dict[str, Any]]:
        if tracker.get_slot("erase_confirmed") is not True:
            dispatcher.utter_message(text=KEPT)
            return _cleared()
        identity = _identity(tracker)
        try:
            if identity is not None:
                emails, references = await asyncio.to_thread(_slack_scope, identity, tracker.sender_id)
                actor = f"learner:{identity.key}"
            else:
                address = tracker.get_slot("status_code")
                if not await is_proven(tracker.sender_id, address, "erase"):
                    dispatcher.utter_message(text=NOT_PROVEN)
                    return _cleared()
                emails, references, actor = {address}, [], "learner"
            done = await asyncio.to_thread(_erase, emails, references, actor, tracker.sender_id)
        except DatabaseUnavailable:
            dispatcher.utter_message(text=DATABASE_DOWN)
            return _cleared()
        counted = {key: _plural(count, key.removesuffix("s")) for key, count in done.items()}
        dispatcher.utter_message(text=DONE.format(**counted))
        return [*_cleared(), Restarted()]
