"""Rasa's REST channel, plus where each message came from (bot.identity), which the client cannot set,
a clear 400 for a malformed request instead of a server error, and limits: a message of at most
5,000 characters, metadata of at most 4 KB, 30 messages a minute per conversation and 300 per
source (429 beyond). The request body itself is capped at 1 MB by SANIC_REQUEST_MAX_SIZE (launcher/servers.py).

A REST client chooses its conversation id, so the REST channel's ids are those without a ":": every
other channel names its conversations "<channel>:…" (Slack: "slack:U…", "slack:C…:<thread>:U…"), and a
sender id with a ":" is refused (400), so no website client can write into, or read from, a
conversation of another channel. The website widget's ids are 128 random bits, in hex.

Same name and URL as Rasa's own (`/webhooks/rest/webhook`), so clients notice nothing. Behind a
reverse proxy, set SANIC_PROXIES_COUNT (or SANIC_REAL_IP_HEADER) so that Sanic reports the
client's address rather than the proxy's.
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from typing import Any

from rasa.core.channels.channel import UserMessage
from rasa.core.channels.rest import RestInput
from sanic import Blueprint
from sanic.exceptions import InvalidUsage, SanicException
from sanic.request import Request

from bot.identity import RESERVED_PREFIX, SOURCE_KEY, web_source
from bot.web.limits import SlidingWindow, conversation_limit, source_limit

MAX_SENDER_LENGTH = 128
NAMESPACE_SEPARATOR = ":"  # "<channel>:<id>": conversations of the other channels (Slack), never REST's
OTHER_CHANNEL = '"sender" may not contain ":": ids of the form "<channel>:…" belong to other channels\' conversations'
MAX_MESSAGE_LENGTH = 5000
MAX_METADATA_BYTES = 4096
TOO_FAST = "You're sending messages faster than I can read them: please wait a minute, then try again."
EMPTY = "Your message reached me empty. Type your question or your answer, and I'll reply."


def _body(request: Request) -> dict[str, Any]:
    try:
        body = request.json
    except Exception as error:  # Sanic raises its own error type for a body that is not JSON
        raise InvalidUsage('Send JSON: {"sender": "...", "message": "..."}') from error
    if not isinstance(body, dict):
        raise InvalidUsage('Send a JSON object: {"sender": "...", "message": "..."}')
    return body


def _source(request: Request) -> str:
    return web_source(request.remote_addr or request.ip or "unknown")


class RestWithSourceInput(RestInput):
    def __init__(self) -> None:
        self.per_conversation = SlidingWindow(conversation_limit())
        self.per_source = SlidingWindow(source_limit())

    @classmethod
    def name(cls) -> str:
        return "rest"

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        async def answered(message: UserMessage) -> None:
            if not (message.text or "").strip():
                # Rasa answers an empty message with nothing at all. The learner hears why instead, and the
                # conversation is not touched: a form keeps its question, nothing is stored or counted.
                await message.output_channel.send_text_message(message.sender_id, EMPTY)
                return
            await on_new_message(message)

        return super().blueprint(answered)

    async def _extract_sender(self, request: Request) -> str:
        sender = _body(request).get("sender")
        if not isinstance(sender, str) or not sender.strip() or len(sender) > MAX_SENDER_LENGTH:
            raise InvalidUsage(f'"sender" must be a conversation id of 1 to {MAX_SENDER_LENGTH} characters')
        if NAMESPACE_SEPARATOR in sender:
            raise InvalidUsage(OTHER_CHANNEL)
        # Called first for every message: the place to count it.
        if not (self.per_source.allow(_source(request)) and self.per_conversation.allow(sender)):
            raise SanicException(TOO_FAST, status_code=429)
        return sender

    def _extract_message(self, request: Request) -> str:
        message = _body(request).get("message")
        if not isinstance(message, str):
            raise InvalidUsage('"message" must be text')
        if len(message) > MAX_MESSAGE_LENGTH:
            raise InvalidUsage(f"That message is too long: please keep it under {MAX_MESSAGE_LENGTH} characters.")
        return message

    def _extract_input_channel(self, request: Request) -> str:
        return self.name()  # never the client's claim: a channel name may carry trust (Slack)

    def get_metadata(self, request: Request) -> dict[str, Any]:
        sent = _body(request).get("metadata")
        metadata = dict(sent) if isinstance(sent, dict) else {}  # anything else is dropped, not a crash
        if len(json.dumps(metadata, default=str)) > MAX_METADATA_BYTES:
            raise InvalidUsage(f'"metadata" is too large: at most {MAX_METADATA_BYTES} bytes of JSON')
        # The channels' own keys (source, identity, shared files) are never the client's to set.
        metadata = {key: value for key, value in metadata.items() if not str(key).startswith(RESERVED_PREFIX)}
        metadata[SOURCE_KEY] = _source(request)
        return metadata
