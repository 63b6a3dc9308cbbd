"""A question's text as the analytics may keep it: personal data masked.

Kept only for questions the assistant could not answer, so staff can add them to the FAQ; what could
name or reach a person is replaced by a placeholder first: email addresses, ORCID iDs, application
references, web links (an upload link is a credential), phone numbers and any other run of digits
long enough to be an account, a member or a card number.
"""

from __future__ import annotations

import re

from bot.reading.references import parse_reference

_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+", re.UNICODE)
_LINK = re.compile(r"\b(?:https?://|www\.)\S+", re.IGNORECASE)
_ORCID = re.compile(r"\b\d{4}-?\d{4}-?\d{4}-?\d{3}[\dXx]\b")
_REFERENCE = re.compile(r"\bACTS[\s-]*[0-9A-Z]{4}[\s-]*[0-9A-Z]{4}\b", re.IGNORECASE)
# A phone number: digits with the separators people type, 7 digits or more in all.
_PHONE = re.compile(r"(?<![\w])\+?\(?\d[\d\s().-]{5,}\d(?![\w])")
_DIGITS = re.compile(r"\d{5,}")


def mask(text: str) -> str:
    """`text` with every piece of personal data replaced by a placeholder in angle brackets."""
    masked = _LINK.sub("<link>", text)
    masked = _EMAIL.sub("<email>", masked)
    masked = _ORCID.sub("<orcid>", masked)
    masked = _REFERENCE.sub(_reference, masked)
    masked = _PHONE.sub(_phone, masked)
    return _DIGITS.sub("<number>", masked)


def _reference(match: re.Match[str]) -> str:
    return "<reference>" if parse_reference(match.group(0)) else match.group(0)


def _phone(match: re.Match[str]) -> str:
    digits = sum(character.isdigit() for character in match.group(0))
    return "<phone>" if digits >= 7 else match.group(0)
