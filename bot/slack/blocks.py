"""What the assistant's messages look like in Slack: mrkdwn text and Block Kit buttons.

Learners' buttons carry the same payloads as on the web; a click is answered like typed text,
and the clicked message then shows what was chosen instead of its buttons. An FAQ answer carries
👍 / 👎 (bot/answers/feedback.py); after a vote both stay, the chosen one marked, so the learner can
change their mind.

Text a learner supplied (a name, an organisation, a file name...) is shown to reviewers exactly
as typed: it goes into `plain_text` objects (`literal`), which Slack never parses for links,
mentions or formatting, and never into `mrkdwn`. In mrkdwn, Slack has no escape for `*`, `_`,
`~` or a backquote, only for `&`, `<` and `>`; a plain_text object needs none of that.
"""

from __future__ import annotations

import re
from typing import Any

from bot.answers import feedback

REPLY_ACTION = "acts_reply"
FEEDBACK_ACTION = "acts_feedback"
_VOTES = (("yes", "👍 Helpful"), ("no", "👎 Not helpful"))
_USER_ID = re.compile(r"[UW][A-Z0-9]{2,}")
# Slack's limits: a section's text, a section field's, a button's label and value.
MAX_TEXT, MAX_FIELD, MAX_LABEL, MAX_VALUE = 3000, 2000, 75, 2000


def mrkdwn(text: str) -> str:
    """Slack's markup for the assistant's text: &, < and > escaped as Slack requires, so no mention
    (`<!channel>`, `<@U…>`, `<!subteam^…>`) or `<url|label>` link can come from it. Markdown links
    and **bold** are not translated: the assistant's own words (bot/content, domain.yml) have none,
    so one here is a learner's answer echoed back; Slack links a bare address itself, showing
    where it goes."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def literal(text: object, limit: int = MAX_FIELD) -> dict[str, Any]:
    """Text shown letter for letter: a plain_text object (no links, mentions or formatting are
    parsed in it), with emoji off so `:name:` stays as typed. Empty text shows as "-"."""
    shown = str(text) if text not in (None, "") else "-"
    return {"type": "plain_text", "text": shown[:limit], "emoji": False}


def mention(user_id: str) -> str | None:
    """A mention of a Slack user (mrkdwn), only for what has the form of a user id."""
    return f"<@{user_id}>" if _USER_ID.fullmatch(user_id) else None


def _plain(text: str, limit: int) -> dict[str, Any]:
    return {"type": "plain_text", "text": text[:limit], "emoji": True}


def reply_blocks(text: str, buttons: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """A message with buttons: the text, then one button per choice (value = the payload)."""
    blocks: list[dict[str, Any]] = []
    if text:
        blocks.append({"type": "section", "text": {"type": "mrkdwn", "text": mrkdwn(text)[:MAX_TEXT]}})
    elements = [
        {
            "type": "button",
            "action_id": f"{REPLY_ACTION}_{index}",
            "text": _plain(str(button.get("title") or button.get("payload")), MAX_LABEL),
            "value": str(button.get("payload") or button.get("title"))[:MAX_VALUE],
        }
        for index, button in enumerate(buttons)
    ]
    for start in range(0, len(elements), 25):  # at most 25 elements per actions block
        chunk = elements[start : start + 25]
        blocks.append({"type": "actions", "block_id": f"{REPLY_ACTION}_{start}", "elements": chunk})
    return blocks


def answer_blocks(text: str, topic: str, chosen: str | None = None) -> list[dict[str, Any]]:
    """An FAQ answer with 👍 / 👎 under it; `chosen` ("yes" or "no") marks the learner's vote."""
    elements = []
    for helpful, label in _VOTES:
        button = {
            "type": "button",
            "action_id": f"{FEEDBACK_ACTION}_{helpful}",
            "text": _plain(label, MAX_LABEL),
            "value": feedback.payload(topic, helpful == "yes"),
        }
        if helpful == chosen:
            button["style"] = "primary"
        elements.append(button)
    section = {"type": "section", "text": {"type": "mrkdwn", "text": mrkdwn(text)[:MAX_TEXT]}}
    return [section, {"type": "actions", "block_id": FEEDBACK_ACTION, "elements": elements}]


def voted_blocks(blocks: list[dict[str, Any]], action_id: str) -> list[dict[str, Any]]:
    """The answer after a vote: the same message, the clicked button marked and the other not."""
    marked = []
    for block in blocks:
        if block.get("block_id") == FEEDBACK_ACTION:
            elements = [{k: v for k, v in e.items() if k != "style"} for e in block.get("elements") or []]
            for element in elements:
                if element.get("action_id") == action_id:
                    element["style"] = "primary"
            block = {**block, "elements": elements}
        marked.append(block)
    return marked


def chosen_blocks(blocks: list[dict[str, Any]], title: str, user: str) -> list[dict[str, Any]]:
    """The clicked message afterwards: its text, and who chose what instead of the buttons (the
    label as plain text: a button may repeat a learner's answer)."""
    kept = [block for block in blocks if block.get("type") != "actions"]
    who = {"type": "mrkdwn", "text": f"{mention(user) or 'Someone'} chose"}
    return kept + [{"type": "context", "elements": [who, literal(title)]}]


def button_title(payload: dict[str, Any], value: str) -> str:
    """The label of the clicked button, read from the message the click came from."""
    for block in (payload.get("message") or {}).get("blocks") or []:
        for element in block.get("elements") or []:
            if element.get("type") == "button" and element.get("value") == value:
                return str((element.get("text") or {}).get("text") or value)
    return value
