"""Reviewers decide applications in their Slack channel: each submission is posted there with its
document and Approve / Reject buttons (through the notice outbox, bot/notices, which retries until
Slack takes it); a click does exactly what the reviewer command does.

Only the users listed in SLACK_REVIEWERS may decide. The decision, who and when are written into
the message. An approval is recorded at once with the badge it owes; if Credly does not accept the
badge right away, the issuing outbox issues it later (bot/reviewing/issuing.py). Rejecting asks for
the reason (a modal), since the learner is told it.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from datetime import datetime, timezone
from typing import Any

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.applying.catalogue import load_catalogue
from bot.reviewing.decisions import Outcome, ReviewError, Reviews
from bot.settings import SlackSettings, upload_dir
from bot.slack.blocks import literal, mention
from bot.slack.client import web_client
from bot.slack.notify import SLACK_PREFIX
from bot.store.applications import ApplicationStore
from bot.store.models import Application

log = logging.getLogger(__name__)
APPROVE, REJECT = "acts_review_approve", "acts_review_reject"
REASON_VIEW = "acts_review_reason"
REASON_BLOCK = REASON_ACTION = "reason"
NOT_A_REVIEWER = "Only ACTS badge reviewers can decide applications. Nothing was changed."


def is_reviewer(settings: SlackSettings, user_id: str) -> bool:
    return user_id in settings.reviewers


def _field(label: str, value: object) -> dict[str, object]:
    """A learner's answer shown literally (plain_text): "<!channel>" notifies nobody, and
    "[verified](https://…)" or "*bold*" is shown as typed, never as a link or formatting."""
    return literal(f"{label}\n{value if value not in (None, '') else '-'}")


def review_blocks(application: Application) -> list[dict[str, Any]]:
    """The application as a reviewer reads it: who, what badge, the eligibility answers, when."""
    badge = load_catalogue().get(application.badge_id)
    training = badge.training(application.training_id) if badge else None
    filed = application.filed_by or ""
    who = mention(filed.removeprefix(SLACK_PREFIX)) if filed.startswith(SLACK_PREFIX) else None
    where = f"Slack, {who}" if who else ("Slack" if filed.startswith(SLACK_PREFIX) else "the website")
    submitted = f"{application.submitted_at:%Y-%m-%d %H:%M} UTC" if application.submitted_at else "-"
    documents = ", ".join(f"{d.original_name} ({d.size} bytes)" for d in application.documents) or "none"
    return [
        {"type": "header", "text": {"type": "plain_text", "text": f"Application {application.reference}"}},
        {
            "type": "section",
            "fields": [
                _field("Applicant", application.full_name),
                _field("Email", application.applicant.email),
                _field("Organisation", application.organisation),
                _field("ORCID iD", application.orcid),
                _field("Badge", badge.name if badge else application.badge_id),
                _field("Qualifying training", training.name if training else application.training_id),
                _field("Completed", application.completion_date),
                {"type": "mrkdwn", "text": f"*Submitted*\n{submitted}, from {where}"},  # no learner text
            ],
        },
        {"type": "context", "elements": [literal(f"Document: {documents} (in this thread)")]},
    ]


def _buttons(reference: str) -> dict[str, Any]:
    return {
        "type": "actions",
        "block_id": "acts_review",
        "elements": [
            {"type": "button", "action_id": APPROVE, "style": "primary", "value": reference,
             "text": {"type": "plain_text", "text": "Approve"}},
            {"type": "button", "action_id": REJECT, "style": "danger", "value": reference,
             "text": {"type": "plain_text", "text": "Reject"}},
        ],
    }  # fmt: skip


def post_for_review(
    settings: SlackSettings,
    store: ApplicationStore,
    reference: str,
    client: WebClient | None = None,
    progress: dict | None = None,
    on_progress: Callable[..., object] | None = None,
) -> str | None:
    """Posts a new submission to the reviewers' channel, its documents in the thread; the message ts,
    or None when there is nothing to post (no channel configured, no such application).

    Raises whatever Slack or the file system raise: the notice outbox (bot/notices) calls it and
    retries. `progress` is what an earlier try already did ({"ts": ..., "files": n}); `on_progress`
    hears each step as soon as it is done, so a retry neither posts the message nor uploads a
    document a second time."""
    if not settings.review_channel:
        return None
    application = store.get(reference)
    if application is None:
        return None
    client = client or web_client(settings)
    progress = dict(progress or {})
    report = on_progress or (lambda **_: None)
    ts = progress.get("ts")
    if not ts:
        posted = client.chat_postMessage(
            channel=settings.review_channel,
            text=f"New application {reference} to review",
            blocks=review_blocks(application) + [_buttons(reference)],
        )
        ts = posted["ts"]  # an answer without one (or not JSON) raises here, and the outbox retries
        report(ts=ts, files=0)
    documents = [d for d in application.documents if d.removed_at is None]
    for number, document in enumerate(documents, start=1):
        if number <= int(progress.get("files") or 0):
            continue
        client.files_upload_v2(
            channel=settings.review_channel,
            thread_ts=ts,
            file=str(upload_dir() / document.stored_name),
            filename=document.original_name,
            title=f"{reference}: {document.original_name}",
        )
        report(ts=ts, files=number)
    return ts


def reason_modal(reference: str, channel: str, ts: str) -> dict[str, Any]:
    return {
        "type": "modal",
        "callback_id": REASON_VIEW,
        "private_metadata": json.dumps({"reference": reference, "channel": channel, "ts": ts}),
        "title": {"type": "plain_text", "text": "Reject application"},
        "submit": {"type": "plain_text", "text": "Reject"},
        "close": {"type": "plain_text", "text": "Cancel"},
        "blocks": [
            {
                "type": "input",
                "block_id": REASON_BLOCK,
                "label": {"type": "plain_text", "text": f"Why is {reference} rejected? The learner reads this."},
                "element": {"type": "plain_text_input", "action_id": REASON_ACTION, "multiline": True},
            }
        ],
    }


def decide(
    settings: SlackSettings,
    reviews: Reviews,
    reviewer: tuple[str, str],
    reference: str,
    where: tuple[str, str],
    reason: str | None = None,
) -> Outcome:
    """Approves (reason None) or rejects, as the reviewer command does, then shows the decision in
    the reviewers' message. `reviews` is the reviewers' desk (bot/wiring.py reviewer_desk, the same as
    the command's); `reviewer` is (user id, name); `where` the message's (channel, ts)."""
    user_id, name = reviewer
    actor = f"slack:{user_id} ({name})"
    try:
        outcome = reviews.approve(reference, actor) if reason is None else reviews.reject(reference, actor, reason)
    except ReviewError as error:
        outcome = Outcome(False, str(error))
    channel, ts = where
    client = web_client(settings)
    try:
        if not outcome.changed:  # a second click, or someone else was quicker: the message already says it
            client.chat_postEphemeral(channel=channel, user=user_id, text=f"Nothing changed. {outcome.message}")
            return outcome
        verb = "Approved" if reason is None else "Rejected"
        when = datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
        said = f"{outcome.message}\nReason given to the learner: {reason}" if reason else outcome.message
        note = [{"type": "mrkdwn", "text": f"{verb} by {mention(user_id) or 'a reviewer'} on {when}."}, literal(said)]
        blocks = review_blocks(reviews.store.get(reference))  # no more buttons: a badge still to issue is the outbox's
        blocks.append({"type": "context", "elements": note})
        client.chat_update(channel=channel, ts=ts, text=f"{reference}: {outcome.message}", blocks=blocks)
    except SlackApiError as error:
        log.warning("could not show a decision in the reviewers' channel: %s", error.response.get("error"))
    return outcome
