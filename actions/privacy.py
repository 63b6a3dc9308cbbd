"""A learner erases their own data by conversation: "delete my data".

On the website they prove it is theirs as for a status question (a reference and the email it
was filed with, counted against the same limits); in Slack their verified identity is the proof.
Then they confirm, and everything of theirs goes (bot/store/personal_data.py): applications'
personal fields, documents, conversations, this one included.
"""

from __future__ import annotations

import asyncio
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import Restarted, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.status import DATABASE_DOWN, ValidateStatusForm, _identity
from bot.answers.faq import load_faq
from bot.channels.source import source_of
from bot.reviewing.status import LIMITED, NO_MATCH, TOO_MANY, StatusDesk
from bot.store import personal_data
from bot.store.applications import ApplicationStore
from bot.store.conversations import ConversationLog
from bot.store.db import DatabaseUnavailable
from bot.store.retention import conversations_db

SLOTS = ("status_reference", "status_email", "erase_confirmed", "erase_email")
CONFIRM = (
    "This permanently deletes everything we keep about you: your applications' details, the documents you "
    "uploaded and our conversations. What stays is a record without your personal data of what was decided "
    "and when. A badge already issued stays in your Credly account (support.credly.com). Shall I delete it all?"
)
DONE = "Done: your data is deleted: {applications}, {documents} and {conversations}."
KEPT = "OK, I haven't deleted anything."


def _plural(count: int, noun: str) -> str:
    return f"{count} {noun}{'' if count == 1 else 's'}"


def _cleared() -> list[dict[str, Any]]:
    return [SlotSet(name, None) for name in SLOTS + ("requested_slot",)]


class ValidateEraseForm(ValidateStatusForm):
    """The status form's questions (reference, then email), checked at once, then a confirmation."""

    def name(self) -> str:
        return "validate_erase_form"

    async def required_slots(self, domain_slots, dispatcher, tracker, domain) -> list[str]:
        if _identity(tracker):  # Slack: the learner is known
            return ["erase_confirmed"]
        return ["status_reference", "status_email", "erase_confirmed"]

    def answers(self, slot: str, text: str, tracker: Tracker) -> bool:
        return slot == "erase_confirmed" or super().answers(slot, text, tracker)

    async def cancel(self, dispatcher, tracker):
        dispatcher.utter_message(text=KEPT)
        return _cleared()

    async def validate_status_email(self, value, dispatcher, tracker, domain):
        checked = super().validate_status_email(value, dispatcher, tracker, domain)
        reference, email = tracker.get_slot("status_reference"), checked["status_email"]
        if not (reference and email):
            return checked
        desk = StatusDesk(ApplicationStore(), credly=lambda: None)
        source = source_of(tracker.latest_message.get("metadata"), tracker.sender_id)
        try:
            owner = await asyncio.to_thread(desk.owner, source, reference, email)
        except DatabaseUnavailable:
            dispatcher.utter_message(text=DATABASE_DOWN)
            return {"status_reference": None, "status_email": None}
        if owner in (None, LIMITED):
            dispatcher.utter_message(text=NO_MATCH if owner is None else TOO_MANY.format(contact=load_faq().contact()))
            return {"status_reference": None, "status_email": None}
        return {"status_email": email, "erase_email": owner}

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


def _erase(emails: set[str], actor: str, this_conversation: str) -> dict[str, int]:
    """Everything of the person, and this conversation too (it holds the reference and email they
    just typed): the conversation store forgets it, and keeps only this message's last events."""
    store = ApplicationStore()
    path = conversations_db()
    log = ConversationLog(path) if path.exists() else None
    total = {"applications": 0, "documents": 0, "conversations": 0}
    for email in emails:
        for key, count in personal_data.erase(store, email, log, actor).items():
            total[key] += count
    if log is not None:
        total["conversations"] += log.delete([this_conversation])
    return total


class EraseMyData(Action):
    """Erases once confirmed; the conversation then starts afresh (nothing of it is kept either)."""

    def name(self) -> str:
        return "action_erase_my_data"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict) -> list[dict[str, Any]]:
        if tracker.get_slot("erase_confirmed") is not True:
            dispatcher.utter_message(text=KEPT)
            return _cleared()
        identity = _identity(tracker)
        if identity is not None:
            store = ApplicationStore()
            found = await asyncio.to_thread(store.of_identity, identity.key, identity.email)
            emails = {a.applicant.email for a in found if a.applicant} | ({identity.email} if identity.email else set())
            actor = f"learner:{identity.key}"
        else:
            emails = {tracker.get_slot("erase_email")} - {None}
            actor = "learner"
        try:
            done = await asyncio.to_thread(_erase, emails, actor, tracker.sender_id)
        except DatabaseUnavailable:
            dispatcher.utter_message(text=DATABASE_DOWN)
            return _cleared()
        counted = {key: _plural(count, key.removesuffix("s")) for key, count in done.items()}
        dispatcher.utter_message(text=DONE.format(**counted))
        return [*_cleared(), Restarted()]
