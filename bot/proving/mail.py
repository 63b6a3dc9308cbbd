"""The mail that carries a one-time code: what it is for, who sent it, the code; nothing else."""

from __future__ import annotations

from html import escape

from bot.mail.sending import Mail

# What the code unlocks, in the words of the mail ("... to <this>").
PURPOSES = {
    "apply": "confirm the email address of your ACTS digital badge application",
    "status": "see where your ACTS badge applications stand",
    "erase": "delete the data ACTS keeps about you",
    "handoff": "be answered at this address by the ACTS badge team",
}


def code_mail(to: str, code: str, purpose: str, minutes: int) -> Mail:
    what = PURPOSES[purpose]
    text = (
        f"Your ACTS Digital Badges code is {code}\n\n"
        f"Type it in the chat with the ACTS badge assistant to {what}. It works once, for {minutes} minutes.\n\n"
        "If you didn't ask for it, you can ignore this mail: nothing happens without the code, and nobody "
        "at ACTS will ever ask you for it.\n\n"
        "ACTS Digital Badges (Association for Clinical and Translational Science)\n"
    )
    html = (
        f'<p>Your ACTS Digital Badges code is <strong style="font-size:1.4em;letter-spacing:0.2em">'
        f"{escape(code)}</strong></p>"
        f"<p>Type it in the chat with the ACTS badge assistant to {escape(what)}. "
        f"It works once, for {minutes} minutes.</p>"
        "<p>If you didn't ask for it, you can ignore this mail: nothing happens without the code, and nobody "
        "at ACTS will ever ask you for it.</p>"
        "<p>ACTS Digital Badges (Association for Clinical and Translational Science)</p>"
    )
    return Mail(to=to, subject=f"Your ACTS Digital Badges code: {code}", text=text, html=html)
