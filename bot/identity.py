"""Where a message came from and who sent it, as the channel saw it: never what the client claims.

A website client chooses its own conversation id, so limits keyed by it limit nothing. The
channel adds the source to the message's metadata: a keyed hash of the client's address on the
web, the user id in Slack. Addresses are personal data, so only the keyed hash is kept in
conversations and counters. Slack also verifies who the user is (a signed request), so the Slack
channel adds the identity: user id, and name and email from the Slack profile.

Every metadata key starting with "acts_" is the channels' own: the REST channel drops any that a
client sends, and actions read identities only from messages of the channel that sets them.
"""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass
from functools import lru_cache

from bot.settings import secret_key

RESERVED_PREFIX = "acts_"
SOURCE_KEY = "acts_source"
IDENTITY_KEY = "acts_identity"
SHARED_FILES_KEY = "acts_shared_files"
SLACK = "slack"


@dataclass(frozen=True)
class Identity:
    """A person the channel verified: where (`channel`), who (`user_id`), and their profile."""

    channel: str
    user_id: str
    name: str | None = None
    email: str | None = None

    @property
    def key(self) -> str:
        """How applications remember who filed them ("slack:U123")."""
        return f"{self.channel}:{self.user_id}"

    def as_metadata(self) -> dict[str, str | None]:
        return {"channel": self.channel, "user_id": self.user_id, "name": self.name, "email": self.email}


def identity_of(metadata: object, input_channel: str | None) -> Identity | None:
    """The verified identity of a message, if its channel verifies people (Slack); else None."""
    if input_channel != SLACK or not isinstance(metadata, dict):
        return None
    found = metadata.get(IDENTITY_KEY)
    if not isinstance(found, dict) or found.get("channel") != SLACK or not found.get("user_id"):
        return None
    return Identity(SLACK, str(found["user_id"]), found.get("name") or None, found.get("email") or None)


@lru_cache(maxsize=1)
def _secret() -> bytes:
    return secret_key()


def keyed_hash(text: str) -> str:
    """A keyed hash of personal data (an email address, a conversation id) for counters and proofs:
    without the key, a leaked table can't be matched against a list of addresses."""
    return hmac.new(_secret(), text.encode(), hashlib.sha256).hexdigest()


@lru_cache(maxsize=4096)  # a learner sends many messages from one address: one HMAC for all of them
def web_source(address: str) -> str:
    return "web:" + hmac.new(_secret(), address.encode(), hashlib.sha256).hexdigest()[:32]


def slack_source(user_id: str) -> str:
    return f"slack:{user_id}"


def source_of(metadata: object, conversation_id: str) -> str:
    """The source a channel recorded, else the conversation (channels that record none)."""
    recorded = metadata.get(SOURCE_KEY) if isinstance(metadata, dict) else None
    return recorded if isinstance(recorded, str) and recorded else f"conversation:{conversation_id}"
