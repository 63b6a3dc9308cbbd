"""A Credly Web Service API client: issue badges and read their claim state.

HTTP Basic auth with the organisation's token as user name, a timeout on every
call, retries with backoff on connection errors and 5xx, Retry-After on 429,
pagination through `metadata.next_page_url`, and errors as clear exceptions.
Issuing is idempotent: a retry or a 422 duplicate finds the existing badge. Revoking takes a
reason, which Credly tells the earner.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime, timezone
from email.utils import parsedate_to_datetime
from typing import Any
from urllib.parse import quote

import requests

log = logging.getLogger(__name__)

PENDING, ACCEPTED, REJECTED, REVOKED = "pending", "accepted", "rejected", "revoked"
STATES = (PENDING, ACCEPTED, REJECTED, REVOKED)
MAX_RETRY_AFTER = 60.0


class CredlyError(Exception):
    """Credly could not do what was asked; the message says what and why."""


class CredlyUnavailable(CredlyError):
    """Credly did not answer properly (network, timeout, 5xx, rate limit) even after retries.

    `kind` names what went wrong in a few words without any personal data ("HTTP 503", "Timeout");
    `retry_after` is how long Credly asked us to wait (429), if it said."""

    def __init__(self, message: str, kind: str = "", retry_after: float | None = None) -> None:
        super().__init__(message)
        self.kind = kind
        self.retry_after = retry_after


class CredlyRejected(CredlyError):
    """Credly refused the request (4xx other than 404 and 429)."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(f"Credly refused the request (HTTP {status}): {message}")
        self.status = status


class CredlyNotFound(CredlyError):
    """No such badge, template or organisation."""


@dataclass(frozen=True)
class IssuedBadge:
    id: str
    state: str
    recipient_email: str
    badge_template_id: str | None
    issuer_earner_id: str | None
    accept_badge_url: str | None
    badge_url: str | None
    revocation_reason: str | None

    @classmethod
    def from_api(cls, data: dict[str, Any]) -> IssuedBadge:
        template = data.get("badge_template") or {}
        return cls(
            id=data["id"],
            state=data.get("state", ""),
            recipient_email=data.get("recipient_email", ""),
            badge_template_id=data.get("badge_template_id") or template.get("id"),
            issuer_earner_id=data.get("issuer_earner_id"),
            accept_badge_url=data.get("accept_badge_url"),
            badge_url=data.get("badge_url"),
            revocation_reason=data.get("revocation_reason"),
        )


@dataclass(frozen=True)
class Recipient:
    email: str
    first_name: str
    last_name: str


def _message(response: requests.Response) -> str:
    """Credly's error text: `data.message` plus attribute errors, when the body has them."""
    try:
        data = response.json().get("data") or {}
    except ValueError:
        return response.text[:200] or response.reason
    parts = [str(data.get("message") or response.reason)]
    parts += [f"{e.get('attribute')}: {e.get('messages') or e.get('message')}" for e in data.get("errors") or []]
    return "; ".join(parts)


def _retry_after(response: requests.Response, default: float) -> float:
    value = response.headers.get("Retry-After")
    if not value:
        return default
    try:
        seconds = float(value)
    except ValueError:
        try:
            seconds = (parsedate_to_datetime(value) - datetime.now(timezone.utc)).total_seconds()
        except (TypeError, ValueError):
            return default
    return min(max(seconds, 0.0), MAX_RETRY_AFTER)


class CredlyClient:
    def __init__(
        self,
        base_url: str,
        organization_id: str,
        token: str,
        *,
        timeout: float = 10.0,
        attempts: int = 4,
        backoff: float = 0.5,
        budget: float | None = None,
        session: requests.Session | None = None,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        """`budget`: the most seconds one call may take, retries and waits included (a learner is
        waiting); None lets a reviewer's call retry for as long as its attempts allow."""
        self.base_url = base_url.rstrip("/")
        self.organization_id = organization_id
        self.timeout = timeout
        self.attempts = attempts
        self.backoff = backoff
        self.budget = budget
        self.sleep = sleep
        self.session = session or requests.Session()
        self.session.auth = (token, "")  # the token is the user name, the password is empty
        self.session.headers.update({"Accept": "application/json"})

    def close(self) -> None:
        self.session.close()

    def __repr__(self) -> str:  # never show the token
        return f"CredlyClient({self.base_url!r}, organization={self.organization_id!r})"

    # --- HTTP --------------------------------------------------------------------------

    def _url(self, path_or_url: str) -> str:
        if path_or_url.startswith(("http://", "https://")):
            return path_or_url
        return f"{self.base_url}/organizations/{self.organization_id}/{path_or_url.lstrip('/')}"

    def _request(self, method: str, path_or_url: str, **kwargs) -> dict[str, Any]:
        url = self._url(path_or_url)
        deadline = None if self.budget is None else time.monotonic() + self.budget
        for attempt in range(1, self.attempts + 1):
            delay, retry_after = self.backoff * 2 ** (attempt - 1), None
            timeout = self.timeout if deadline is None else max(0.1, min(self.timeout, deadline - time.monotonic()))
            try:
                response = self.session.request(method, url, timeout=timeout, **kwargs)
            except (requests.ConnectionError, requests.Timeout) as error:
                kind = type(error).__name__
                problem = f"{kind} talking to Credly"
            else:
                if response.status_code == 429:
                    kind, problem = "HTTP 429", "Credly is rate limiting us (429)"
                    delay = retry_after = _retry_after(response, delay)
                elif response.status_code >= 500:
                    kind = f"HTTP {response.status_code}"
                    problem = f"Credly answered {kind}"
                elif response.status_code == 404:
                    raise CredlyNotFound(f"Credly has no such resource: {method} {url.split('?')[0]}")
                elif response.status_code >= 400:
                    raise CredlyRejected(response.status_code, _message(response))
                elif response.status_code == 204 or not response.content:
                    return {}
                else:
                    try:
                        return response.json()
                    except ValueError:
                        kind, problem = "not JSON", "Credly answered with something that is not JSON"
            log.warning("%s (attempt %d of %d)", problem, attempt, self.attempts)
            if deadline is not None and time.monotonic() + delay >= deadline:
                raise CredlyUnavailable(
                    f"{problem}; gave up after {attempt} attempts ({self.budget:g} s budget)", kind, retry_after
                )
            if attempt < self.attempts:
                self.sleep(delay)
        raise CredlyUnavailable(f"{problem}; gave up after {self.attempts} attempts", kind, retry_after)

    def _pages(self, path: str, params: dict[str, str]) -> Iterator[dict[str, Any]]:
        """Every item of a list endpoint, following `metadata.next_page_url` verbatim."""
        body = self._request("GET", path, params=params)
        while True:
            yield from body.get("data") or []
            next_url = (body.get("metadata") or {}).get("next_page_url")
            if not next_url:
                return
            body = self._request("GET", next_url)

    # --- badges ------------------------------------------------------------------------

    def issue_badge(self, template_id: str, recipient: Recipient, issued_at: datetime, earner_id: str) -> IssuedBadge:
        """Issues the badge, or returns the one already issued to this earner for this template."""
        existing = self.find_badge(template_id, recipient.email)
        if existing is not None:
            return existing
        body = {
            "badge_template_id": template_id,
            "recipient_email": recipient.email,
            "issued_to_first_name": recipient.first_name,
            "issued_to_last_name": recipient.last_name,
            "issued_at": issued_at.astimezone(timezone.utc).strftime("%Y-%m-%d %H:%M:%S %z"),
            "issuer_earner_id": earner_id,
            "suppress_badge_notification_email": False,
        }
        try:
            return IssuedBadge.from_api(self._request("POST", "badges", json=body)["data"])
        except CredlyRejected as rejected:
            # 422: a duplicate (perhaps our own earlier attempt whose answer was lost).
            found = self.find_badge(template_id, recipient.email) if rejected.status == 422 else None
            if found is None:
                raise
            return found

    def get_badge(self, badge_id: str) -> IssuedBadge:
        return IssuedBadge.from_api(self._request("GET", f"badges/{_segment(badge_id)}")["data"])

    def find_badge(self, template_id: str, email: str) -> IssuedBadge | None:
        """The badge of this template issued to this email, if any (Credly's duplicate rule). A revoked
        badge does not count: Credly lets the same badge be issued again after a revocation."""
        params = {"filter": f"badge_template_id::{template_id}|recipient_email::{email.lower()}"}
        for item in self._pages("badges", params):
            badge = IssuedBadge.from_api(item)
            same = badge.badge_template_id == template_id and badge.recipient_email.lower() == email.lower()
            if same and badge.state != REVOKED:
                return badge
        return None

    def revoke_badge(self, badge_id: str, reason: str) -> IssuedBadge:
        """Revokes an issued badge; Credly tells the earner, with the reason, by email."""
        body = {"reason": reason, "suppress_revoke_notification_email": False}
        return IssuedBadge.from_api(self._request("PUT", f"badges/{_segment(badge_id)}/revoke", json=body)["data"])

    def event(self, event_id: str) -> dict[str, Any]:
        """A webhook event's full payload: `{id, event_type, occurred_at, badge: {...}}`."""
        return self._request("GET", f"events/{_segment(event_id)}")["data"]


def _segment(value: str) -> str:
    """An id as one path segment: an id from a webhook ("../badges") cannot point at another endpoint."""
    return quote(value, safe="")
