"""Recognise an ORCID iD however a learner writes it, and accept it only if its check digit holds."""

from __future__ import annotations

import re

from bot.reading.text import ascii_digits

# Four groups of four, with or without hyphens or spaces; the last character may be the check
# symbol X. Digits or letters glued on either side mean it is part of something longer, not an
# iD. Links need no special case: the "/" in "orcid.org/0000-..." is already a boundary.
# [0-9], not \d: the text's digits are made ASCII first, and the check digit needs ASCII.
_ORCID = re.compile(r"(?<![0-9A-Za-z])([0-9]{4})[-\s]?([0-9]{4})[-\s]?([0-9]{4})[-\s]?([0-9]{3}[0-9Xx])(?![0-9A-Za-z])")
BASE_LENGTH = 15


def orcid_check_digit(base_digits: str) -> str:
    """The ISO 7064 MOD 11-2 check character ("0"-"9" or "X") for the first 15 digits of an iD.

    This is the algorithm ORCID documents in "Structure of the ORCID Identifier".
    """
    if len(base_digits) != BASE_LENGTH or not base_digits.isascii() or not base_digits.isdigit():
        raise ValueError(f"expected {BASE_LENGTH} digits, got {base_digits!r}")
    total = 0
    for digit in base_digits:
        total = (total + int(digit)) * 2
    result = (12 - total % 11) % 11
    return "X" if result == 10 else str(result)


def normalise_orcid(text: str) -> str | None:
    """The iD in `text` as "0000-0002-1825-0097", or None if there is none or its check digit is wrong.

    Accepts bare digits, hyphenated groups, "orcid.org/..." and "https://orcid.org/..." links,
    and a lower-case x, also inside a longer sentence, in the digits of any script ("٠٠٠٠-٠٠٠٢-...").
    """
    match = _ORCID.search(ascii_digits(text))
    if match is None:
        return None
    digits = "".join(match.groups()).upper()
    if orcid_check_digit(digits[:BASE_LENGTH]) != digits[BASE_LENGTH]:
        return None
    return "-".join(match.group(1, 2, 3)) + "-" + match.group(4).upper()
