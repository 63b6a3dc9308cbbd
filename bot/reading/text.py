"""Digits of any script read as the ASCII digits they stand for, where a learner types a number."""

from __future__ import annotations

import re
import unicodedata

# In a str pattern \d is exactly the Unicode decimal digits (category Nd): Arabic-Indic ٠-٩,
# Persian ۰-۹, Devanagari ०-९, fullwidth ０-９ and every other script's.
_NON_ASCII_DIGIT = re.compile(r"(?![0-9])\d")


def ascii_digits(text: str) -> str:
    """`text` with every decimal digit written "0"-"9"; nothing else changes, not even its length."""
    return _NON_ASCII_DIGIT.sub(lambda match: str(unicodedata.decimal(match[0])), text)
