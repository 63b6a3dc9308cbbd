"""Asks the running assistant one question in a fresh conversation, over its REST channel."""

from __future__ import annotations

import time
import uuid

import requests

from eval.scoring import Reply

# Enough to wait out a per-minute limit; an assistant that still refuses fails the run (raise_for_status).
RETRIES_AFTER_429 = 30


class Assistant:
    def __init__(self, url: str, timeout: float = 30.0) -> None:
        # Accepts the server's base address as well as its REST webhook.
        self.url = url if url.rstrip("/").endswith("/webhook") else url.rstrip("/") + "/webhooks/rest/webhook"
        self.timeout = timeout
        self.http = requests.Session()

    def first_reply(self, text: str) -> Reply:
        """The reply to `text` as the first message of a new conversation."""
        body = {"sender": f"eval-{uuid.uuid4().hex}", "message": text}
        response = self.http.post(self.url, json=body, timeout=self.timeout)
        for _ in range(RETRIES_AFTER_429):  # a running assistant's per-source limit (--url): wait, ask again
            if response.status_code != 429:
                break
            time.sleep(float(response.headers.get("Retry-After") or 5))
            response = self.http.post(self.url, json=body, timeout=self.timeout)
        response.raise_for_status()
        return Reply.from_rest(response.json())
