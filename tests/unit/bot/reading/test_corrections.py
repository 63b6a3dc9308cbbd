from __future__ import annotations

import time

import pytest

from bot.reading.corrections import Correction, parse_correction


@pytest.mark.parametrize(
    "text, correction",
    [
        ("change my name to Jane Doe", Correction("full_name", "Jane Doe")),
        ("change my email to jane.doe@uni.edu.", Correction("email", "jane.doe@uni.edu")),
        ("my orcid should be ٠٠٠٠-٠٠٠٢-١٨٢٥-٠٠٩٧", Correction("orcid", "٠٠٠٠-٠٠٠٢-١٨٢٥-٠٠٩٧")),
        # "İ".lower() is two characters: the value must still be read from where the field was named.
        ("İbrahim from İzmir: change my name to İbrahim Yılmaz", Correction("full_name", "İbrahim Yılmaz")),
        ("İİİ change my email to ali@uni.edu", Correction("email", "ali@uni.edu")),
    ],
)
def test_reads_the_field_and_the_value(text, correction):
    assert parse_correction(text) == correction


@pytest.mark.parametrize(
    "text",
    [
        "change my name to" + " " * 50_000 + "x\ny",
        "change my email " + "a" * 50_000,
        "change my email to" + " " * 50_000,
    ],
    ids=["spaces-then-newline", "no-at-sign", "only-spaces"],
)
def test_a_very_long_message_is_answered_quickly(text):
    started = time.perf_counter()
    parse_correction(text)
    assert time.perf_counter() - started < 1.0
