"""What the assistant's messages look like in Slack: mrkdwn text and Block Kit buttons.

Learners' buttons carry the same payloads as on the web; a click is answered like typed text,
and the clicked message then shows what was chosen instead of its buttons.
"""

from __future__ import annotations

import re
from typing import Any

REPLY_ACTION = "acts_reply"
_MARKDOWN_LINK = re.compile(r"\[([^\]]+)\]\((https?://[^)\s]+)\)")
_BOLD = re.compile(r"\*\*(.+?)\*\*")
# Slack's limits: a section's text, a button's label and value.
MAX_TEXT, MAX_LABEL, MAX_VALUE = 3000, 75, 2000


def mrkdwn(text: str) -> str:
    """Slack's markup for the assistant's text: &, < and > escaped as Slack requires, Markdown links
    and bold turned into Slack's forms. Bare addresses are linked by Slack itself."""
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    text = _MARKDOWN_LINK.sub(lambda m: f"<{m.group(2)}|{m.group(1)}>", text)
    return _BOLD.sub(lambda m: f"*{m.group(1)}*", text)


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


def chosen_blocks(blocks: list[dict[str, Any]], title: str, user: str) -> list[dict[str, Any]]:
    """The clicked message afterwards: its text, and who chose what instead of the buttons."""
    kept = [block for block in blocks if block.get("type") != "actions"]
    choice = {"type": "mrkdwn", "text": f"<@{user}> chose *{mrkdwn(title)}*"}
    return kept + [{"type": "context", "elements": [choice]}]


def button_title(payload: dict[str, Any], value: str) -> str:
    """The label of the clicked button, read from the message the click came from."""
    for block in (payload.get("message") or {}).get("blocks") or []:
        for element in block.get("elements") or []:
            if element.get("type") == "button" and element.get("value") == value:
                return str((element.get("text") or {}).get("text") or value)
    return value
