"""The code question in words: reading the learner's reply, and what the assistant says back.

At the code question a learner types the code, asks for it again ("didn't get it", "send it
again"), or wants to fix the address ("wrong email", "change the address"); the buttons say the
same words.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from bot.proving.codes import MAX_CODES_PER_ADDRESS, VALID_FOR, Checked, Result, Sent, read_code

SEND_AGAIN = "Send it again"
CHANGE_ADDRESS = "Change the address"
BUTTONS = ({"title": SEND_AGAIN, "payload": SEND_AGAIN}, {"title": CHANGE_ADDRESS, "payload": CHANGE_ADDRESS})

_RESEND = re.compile(
    r"\b(send (it|the code|that|a new one|another( one)?|a new code|another code|me (a|another|the|a new) code)"
    r"( again)?|re-?send|again|new code|another code|(did ?n[o']?t|did not|have ?n[o']?t|never) (get|got|receive|"
    r"arrive|come)|not (arrived|received|there)|no (code|mail|e-?mail)( (came|arrived))?|nothing (came|arrived))\b",
    re.I,
)
_CHANGE = re.compile(
    r"\b((change|fix|correct|edit|update) (the |my |that )?(e-?mail|address|e-?mail address)|"
    r"(wrong|different|other|another|new) (e-?mail|address)|mistyped|typo|change (it|address)|"
    r"use (another|a different) (e-?mail|address))\b",
    re.I,
)


@dataclass(frozen=True)
class Reply:
    kind: str  # "code", "resend", "change" or "other"
    code: str | None = None


def read_reply(text: str) -> Reply:
    code = read_code(text)
    if code is not None:
        return Reply("code", code)
    if _CHANGE.search(text):
        return Reply("change")
    if _RESEND.search(text):
        return Reply("resend")
    return Reply("other")


def after_send(sent: Sent, address: str, contact: str) -> str:
    minutes = int(VALID_FOR.total_seconds() // 60)
    if sent is Sent.SENT:
        return (
            f"I've sent a 6-digit code to {address} from ACTS Digital Badges. Please type it here: it works once, "
            f"for {minutes} minutes. Not there after a minute? Look in your spam folder, or choose below."
        )
    if sent is Sent.TOO_MANY:
        return (
            f"I've already sent {MAX_CODES_PER_ADDRESS} codes to {address} in the last hour, so I can't send "
            "another one now. Please type the latest code you got, or try again in an hour."
        )
    return (
        f'I couldn\'t send the mail to {address} just now. Say "{SEND_AGAIN.lower()}" in a minute, or contact '
        f"{contact}."
    )


def ask_again(address: str) -> str:
    return f"Please type the 6-digit code I sent to {address}."


def after_check(checked: Checked) -> str | None:
    """What to say after a try; None when the code proved the address (the form goes on)."""
    if checked.result is Result.PROVEN:
        return None
    if checked.result is Result.WRONG:
        tries = "try" if checked.tries_left == 1 else "tries"
        return f"That code doesn't match. You have {checked.tries_left} more {tries} with it."
    if checked.result is Result.SPENT:
        return (
            "That code can't be used any more (used, expired or too many wrong tries). "
            f'Say "{SEND_AGAIN.lower()}" for a new one.'
        )
    return f'I haven\'t sent a code to this address here yet. Say "{SEND_AGAIN.lower()}" and I will.'


NOT_A_CODE = (
    "The code is the 6 digits in the mail from ACTS Digital Badges, like 123456. "
    f'Say "{SEND_AGAIN.lower()}" for a new one, or "{CHANGE_ADDRESS.lower()}" to use another address.'
)
CHANGE = "OK: which email address should I use?"
PROVEN = "Thank you: that address is confirmed."
