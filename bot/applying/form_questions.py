"""Questions about the application itself ("why do you need my email?"): answered before the question
is asked again, never read as an answer to it."""

from __future__ import annotations

import re

from bot.reading.corrections import FIELD_WORDS

_ASKING = re.compile(
    r"^\W*(?:why|what|what's|whats|how|who|do|does|is|are|must|should|can|will|would)\b|\?\s*$", re.IGNORECASE
)
_WHY = re.compile(
    r"\b(?:why|what for|what's it for|what is it for|how come|need(?:ed)?|required|have to|must|optional|"
    r"mandatory|necessary|do i need|what do you (?:use|do with))\b",
    re.IGNORECASE,
)
_DATA = re.compile(
    r"\b(?:my data|personal data|my (?:personal )?information|my details|who (?:will )?sees? (?:this|it|my|these)|"
    r"who can see (?:this|it|my answers|these)|stored|kept|shared with|gdpr)\b",
    re.IGNORECASE,
)
_WHAT_IS_ORCID = re.compile(r"\bwhat(?:'s| is| are)?\b.*\borcid\b|\borcid\b.*\?", re.IGNORECASE)

DATA = (
    "What you tell me here is used for your application only: an ACTS reviewer checks it, and once it is "
    "approved your name and email go to Credly, which issues the badge. Nothing is submitted until you say "
    '"submit", and if you stop, nothing is kept.'
)
ORCID = (
    "An ORCID iD is a free identifier for researchers (orcid.org), 16 characters like 0000-0002-1825-0097. "
    'It\'s optional: it links your application to your research record. Say "skip" to leave it out.'
)
WHY = {
    "badge_id": "So I know which badge you are applying for: each has its own qualifying trainings.",
    "training_completed": (
        "The badge recognises learning you have already completed, so a qualifying training must be finished "
        "before you apply."
    ),
    "training_id": (
        "Only some trainings qualify for the badge, and the reviewer checks your document against the one you "
        "name. If yours isn't listed, choose \"Another training\" and I'll tell you who to ask."
    ),
    "completion_date": (
        "The reviewer checks it against your certificate; the month and year are enough if you don't remember the day."
    ),
    "full_name": "It is the name on your badge, exactly as you type it here, so type it as you want it shown.",
    "email": (
        "Your badge is issued to this address: Credly emails you there from admin@credly.com to claim it, and "
        "it is how ACTS reaches you about your application."
    ),
    "organisation": "It goes to the ACTS reviewer with your application, to help match you to your training.",
    "orcid": ORCID,
    "document": (
        "The reviewer needs proof that you completed the qualifying training: a certificate of completion, or "
        "another record of it (a PDF, PNG or JPEG of up to 10 MB). Only ACTS reviewers see it."
    ),
    "confirmed": 'Nothing is sent until you say "submit": you can still change any answer, or cancel.',
}


def _field_named(text: str) -> str | None:
    lowered = text.lower()
    for field, words in FIELD_WORDS.items():
        if any(re.search(rf"\b{re.escape(word)}\b", lowered) for word in words):
            return field
    return None


def answer_about_form(slot: str, text: str) -> str | None:
    """The answer when `text` is a question about the application (the question asked, or a field, or
    what happens to the learner's data), else None."""
    if not _ASKING.search(text):
        return None
    if _WHAT_IS_ORCID.search(text):
        return ORCID
    if _DATA.search(text):
        return DATA
    if _WHY.search(text):
        field = _field_named(text) or slot
        return WHY.get(field)
    return None
