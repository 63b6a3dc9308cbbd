"""Requests to talk to a person in the staff's Slack channel (SLACK_SUPPORT_CHANNEL, bot/handoff).

One message per request: the reference, where the learner is, their open application if any, the
conversation so far (the learner's words literal, in plain_text: no link, mention or formatting from
them), and "Take it", "Close" and "Back to the assistant". The learner's later messages go in its
thread; a staff member's reply in that thread is the answer. Only SLACK_STAFF may take, answer or
close; anyone else is told so, only them, and nothing changes.
"""

from __future__ import annotations

from typing import Any

from bot.handoff.desk import Message, Request
from bot.slack.blocks import literal, mention

TAKE, CLOSE, BACK = "handoff_take", "handoff_close", "handoff_back"
ACTIONS = (TAKE, CLOSE, BACK)
NOT_STAFF = "Only ACTS support staff can take, answer or close learners' requests: nothing was changed or sent."
_NAMES = {"learner": "Learner", "assistant": "Assistant", "staff": "Staff"}
MAX_SHOWN = 20  # turns in the message; a block holds at most 3,000 characters of text


def request_text(request: Request) -> str:
    """The message's text (notifications, search): the reference and the channel, no learner's words."""
    where = "Slack" if request.channel == "slack" else "the website"
    return f"{request.reference}: a learner on {where} asks to talk to a person"


def request_blocks(request: Request, messages: list[Message], state: str | None = None) -> list[dict[str, Any]]:
    """The staff's message of a request; `state` ("Taken by <@U…>", "Closed by ...") replaces the buttons
    it no longer needs."""
    where = "Slack" if request.channel == "slack" else "the website"
    head = f"*{request.reference}*: a learner on {where} asks to talk to a person"
    if request.application_reference:
        head += f" (their application: {request.application_reference})"
    blocks: list[dict[str, Any]] = [{"type": "section", "text": {"type": "mrkdwn", "text": head}}]
    for message in [m for m in messages if m.text][-MAX_SHOWN:]:
        who = {"type": "mrkdwn", "text": f"*{_NAMES.get(message.sender, message.sender)}:*"}
        blocks.append({"type": "context", "elements": [who, literal(message.text)]})
    blocks.append(
        {
            "type": "context",
            "elements": [{"type": "mrkdwn", "text": "Reply in this thread to answer: the learner gets every reply."}],
        }
    )
    closed = state is not None and state.startswith("Closed")
    if state:
        blocks.append({"type": "context", "elements": [{"type": "mrkdwn", "text": state}]})
    if not closed:
        buttons = [("Close", CLOSE), ("Back to the assistant", BACK)]
        if state is None:
            buttons.insert(0, ("Take it", TAKE))
        elements = [
            {
                "type": "button",
                "action_id": action,
                "text": {"type": "plain_text", "text": title},
                "value": request.reference,
            }
            for title, action in buttons
        ]
        blocks.append({"type": "actions", "block_id": "handoff", "elements": elements})
    return blocks


def state_of(what: str, user: str) -> str:
    who = mention(user) or "someone"
    return {TAKE: f"Taken by {who}", CLOSE: f"Closed by {who}", BACK: f"Closed by {who}: back to the assistant"}[what]


def thread_text(sender: str, text: str) -> str:
    """A message posted in a request's thread (the learner's words are escaped by the caller's mrkdwn)."""
    return f"{_NAMES.get(sender, sender)}: {text}"
