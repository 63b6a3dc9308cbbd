"""Delivering one notice of each kind: the reviewers' post, a learner's Slack DM, a learner's mail.

Each reads what it needs from the application when it is sent (who filed it, its address, where it
stands), so a notice holds no personal data and an application erased since sends nothing. Any
failure is raised as it is: the worker (bot/notices/worker.py) gives the notice back for a later
try. The Slack client here makes each call once (no sleeping through a Retry-After inside one
try): the outbox waits between tries, honouring Slack's Retry-After.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import lru_cache

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.mail.sending import MailError, send_mail
from bot.notices import handoff_delivery
from bot.notices.mails import decision_mail
from bot.notices.outbox import (  # NothingToSend: raised here, by the handoff's delivery too
    HANDOFF_LEARNER,
    HANDOFF_STAFF,
    MAIL,
    REVIEW_POST,
    SLACK_DM,
    NothingToSend,
    NoticeClaim,
)
from bot.settings import SlackSettings, notice_slack_timeout, slack
from bot.slack.notify import send_news
from bot.store.applications import ApplicationStore


class NotConfigured(Exception):
    """This service has no Slack app (or no reviewers' channel) configured: retried, as a deployment
    whose settings are being fixed will deliver it, and given up after the last try."""


@lru_cache(maxsize=4)
def notice_client(settings: SlackSettings, timeout: float) -> WebClient:
    return WebClient(token=settings.bot_token, base_url=settings.api_url, timeout=timeout, retry_handlers=[])


def _slack() -> tuple[SlackSettings, WebClient]:
    settings = slack()
    if settings is None:
        raise NotConfigured("Slack")
    return settings, notice_client(settings, notice_slack_timeout())


def deliver(store: ApplicationStore, claim: NoticeClaim, progress: Callable[..., object]) -> None:
    """Sends the notice, or raises. `progress` records a step done (the reviewers' post) for retries."""
    reference = claim.payload.get("reference")
    if claim.kind == REVIEW_POST:
        from bot.slack.reviewing import post_for_review  # it imports the reviewing code, which imports us

        settings, client = _slack()
        if not settings.review_channel:
            raise NotConfigured("SLACK_REVIEW_CHANNEL")
        if post_for_review(settings, store, reference, client, claim.payload, progress) is None:
            raise NothingToSend
        return
    if claim.kind in (HANDOFF_STAFF, HANDOFF_LEARNER):
        settings = slack()
        support_channel = settings.support_channel if settings else None
        # Slack for a Slack learner, and for the staff when they have a support channel; mail otherwise.
        uses_slack = settings is not None and (claim.kind == HANDOFF_LEARNER or support_channel)
        handoff_delivery.deliver(store, claim.kind, claim.payload, _slack()[1] if uses_slack else None, support_channel)
        return
    application = store.get(reference)
    if claim.kind == SLACK_DM:
        if application is None or not (application.filed_by or "").startswith("slack:"):
            raise NothingToSend
        send_news(_slack()[1], application)
        return
    if claim.kind == MAIL:
        if application is None or application.applicant is None or not application.applicant.email:
            raise NothingToSend  # erased: nobody to write to
        send_mail(decision_mail(application.applicant.email, application, claim.payload["news"]))
        return
    raise NothingToSend


def error_kind(error: BaseException) -> str:
    """What went wrong in a few words, for logs and the listing: no address, no content."""
    if isinstance(error, SlackApiError):
        response = error.response
        code = response.data.get("error") if isinstance(response.data, dict) else None
        if code:
            return f"Slack: {code} (HTTP {response.status_code})"
        return f"Slack: HTTP {response.status_code}, unexpected answer"
    if isinstance(error, MailError):
        return f"Mail: {error}"
    if isinstance(error, NotConfigured):
        return f"NotConfigured: {error}"
    return type(error).__name__  # a timeout, a refused connection, an answer of an unexpected shape


def retry_after(error: BaseException) -> float | None:
    """Slack's Retry-After (seconds) on a 429, else None."""
    if not isinstance(error, SlackApiError) or error.response.status_code != 429:
        return None
    for name, value in (error.response.headers or {}).items():
        if name.lower() == "retry-after":
            value = value[0] if isinstance(value, list) else value
            try:
                return float(value)
            except (TypeError, ValueError):
                return None
    return None
