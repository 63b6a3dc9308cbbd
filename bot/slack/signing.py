"""Is a request really Slack's? Its `X-Slack-Signature` checked against the signing secret.

Slack signs `v0:<X-Slack-Request-Timestamp>:<raw body>` with HMAC-SHA256 and refuses requests
more than 5 minutes old (https://docs.slack.dev/authentication/verifying-requests-from-slack).
slack_sdk's SignatureVerifier does the same but raises on a timestamp that is not an integer
(`int("abc")`, `int("1.5")`, 5000 digits) and on a body that is not UTF-8, which the server turned
into a 500. Here anything malformed is simply not Slack's: a timestamp must be 1 to 12 ASCII
digits, and the raw bytes are signed as they came.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import time
from collections.abc import Callable, Mapping

MAX_AGE_SECONDS = 60 * 5
_TIMESTAMP = re.compile(r"[0-9]{1,12}")  # ASCII only: str.isdigit() would take "١٢٣" too
_SIGNATURE = re.compile(r"v0=[0-9a-f]{64}")


class RequestVerifier:
    """Verifies Slack's signature on a request's raw body and headers."""

    def __init__(self, signing_secret: str, clock: Callable[[], float] = time.time) -> None:
        if not signing_secret.strip():
            raise ValueError("the Slack signing secret must not be empty")
        self._secret = signing_secret.encode()
        self.clock = clock

    def is_valid(self, body: bytes | str, headers: Mapping[str, str]) -> bool:
        """True only for a well-formed, fresh timestamp and a signature that matches; never raises
        for anything a client can send."""
        found = {str(name).lower(): value for name, value in headers.items()}
        timestamp, signature = found.get("x-slack-request-timestamp"), found.get("x-slack-signature")
        if not isinstance(timestamp, str) or not isinstance(signature, str):
            return False
        if not _TIMESTAMP.fullmatch(timestamp) or not _SIGNATURE.fullmatch(signature):
            return False
        if abs(self.clock() - int(timestamp)) > MAX_AGE_SECONDS:
            return False
        raw = body.encode() if isinstance(body, str) else bytes(body or b"")
        expected = "v0=" + hmac.new(self._secret, b"v0:" + timestamp.encode() + b":" + raw, hashlib.sha256).hexdigest()
        return hmac.compare_digest(expected, signature)
