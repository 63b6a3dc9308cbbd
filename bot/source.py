"""Where a message came from, as the channel saw it: what limits a guesser, never chosen by the client.

A website client chooses its own conversation id, so limits keyed by it limit nothing. The
channel adds the source to the message's metadata (overwriting anything the client sent
under that name): a keyed hash of the client's address on the web, the user id in Slack.
Addresses are personal data, so only the keyed hash is kept in conversations and counters.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import secrets
from functools import lru_cache

from bot.settings import VAR

SOURCE_KEY = "acts_source"


@lru_cache(maxsize=1)
def _secret() -> bytes:
    """ACTS_SECRET_KEY in production; on a laptop, a random key kept under var/ (created once)."""
    configured = os.environ.get("ACTS_SECRET_KEY", "").strip()
    if configured:
        return configured.encode()
    path = VAR / "secret.key"
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        with open(path, "x", encoding="ascii") as file:  # "x": two processes never both write it
            os.chmod(path, 0o600)
            file.write(secrets.token_hex(32))
    except FileExistsError:
        pass
    return path.read_text(encoding="ascii").strip().encode()


def web_source(address: str) -> str:
    return "web:" + hmac.new(_secret(), address.encode(), hashlib.sha256).hexdigest()[:32]


def slack_source(user_id: str) -> str:
    return f"slack:{user_id}"


def source_of(metadata: object, conversation_id: str) -> str:
    """The source a channel recorded, else the conversation (channels that record none)."""
    recorded = metadata.get(SOURCE_KEY) if isinstance(metadata, dict) else None
    return recorded if isinstance(recorded, str) and recorded else f"conversation:{conversation_id}"
