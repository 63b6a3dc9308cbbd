"""The code question of the forms that need a proven email address (apply, status, erase).

The ask action sends the code the first time it asks about an address (slot `code_sent_to` says
which address got one in this conversation) and only asks again after that; the validation reads
the reply: a code, "send it again" or "change the address". The proof itself lives in the database
(bot/proving/codes.py), where actions check it again before they file, show or erase anything: a
slot is what the conversation says, not what was proven.
"""

from __future__ import annotations

import asyncio
from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from bot.answers.faq import load_faq
from bot.proving import replies
from bot.proving.codes import EmailCodes, Result, Sent
from bot.store.applications import ApplicationStore
from bot.store.db import DatabaseUnavailable

SENT_TO = "code_sent_to"
STORE_DOWN = "I can't reach our database right now, so I can't send or check a code. Please try again in a few minutes."


def codes() -> EmailCodes:
    return EmailCodes(ApplicationStore())


async def ask_for_code(dispatcher: CollectingDispatcher, tracker: Tracker, address: str, purpose: str) -> list:
    """Sends a code to `address` unless one was sent to it in this conversation already; asks for it."""
    if (tracker.get_slot(SENT_TO) or "").lower() == address.lower():
        dispatcher.utter_message(text=replies.ask_again(address), buttons=list(replies.BUTTONS))
        return []
    try:
        sent = await asyncio.to_thread(codes().send_code, tracker.sender_id, address, purpose)
    except DatabaseUnavailable:
        dispatcher.utter_message(text=STORE_DOWN, buttons=list(replies.BUTTONS))
        return []
    said = replies.after_send(sent, address, load_faq().contact())
    dispatcher.utter_message(text=said, buttons=list(replies.BUTTONS))
    # A failed mail isn't "sent": the next ask tries again.
    return [SlotSet(SENT_TO, address if sent is not Sent.MAIL_FAILED else None)]


async def read_code_reply(
    dispatcher: CollectingDispatcher, tracker: Tracker, value: Any, address_slot: str, code_slot: str, purpose: str
) -> dict[str, Any]:
    """The slot updates for a reply at the code question; `code_slot` becomes the proven address."""
    address = tracker.get_slot(address_slot)
    reply = replies.read_reply(str(value or ""))
    if reply.kind == "change" or not address:
        dispatcher.utter_message(text=replies.CHANGE)
        return {address_slot: None, code_slot: None, SENT_TO: None}
    if reply.kind == "resend":
        return {code_slot: None, SENT_TO: None}  # the ask action sends a new one
    if reply.kind != "code":
        dispatcher.utter_message(text=replies.NOT_A_CODE)
        return {code_slot: None}
    try:
        checked = await asyncio.to_thread(codes().check, tracker.sender_id, address, purpose, reply.code)
    except DatabaseUnavailable:
        dispatcher.utter_message(text=STORE_DOWN)
        return {code_slot: None}
    if checked.result is Result.PROVEN:
        dispatcher.utter_message(text=replies.PROVEN)
        return {code_slot: address.lower()}
    dispatcher.utter_message(text=replies.after_check(checked))
    return {code_slot: None}


async def is_proven(conversation_id: str, address: str | None, purpose: str) -> bool:
    """The database's word, not the conversation's: this conversation proved `address` for `purpose`."""
    if not address:
        return False
    return await asyncio.to_thread(codes().proven, conversation_id, address, purpose)
