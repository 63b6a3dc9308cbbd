from __future__ import annotations

import re

import pytest

from bot.reading.references import ALPHABET, new_reference, no_reference_at_hand, parse_reference

FORMAT = re.compile(r"ACTS-[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}")


def test_alphabet_is_crockford_base32():
    assert len(ALPHABET) == len(set(ALPHABET)) == 32
    assert not set("ILOU") & set(ALPHABET)


def test_new_reference_has_the_documented_format():
    for _ in range(200):
        assert FORMAT.fullmatch(new_reference())


def test_new_references_are_unique():
    assert len({new_reference() for _ in range(1000)}) == 1000


def test_new_reference_parses_back_to_itself():
    reference = new_reference()
    assert parse_reference(reference) == reference
    assert parse_reference(reference.lower()) == reference


@pytest.mark.parametrize(
    "text",
    [
        "ACTS-7KQ2-M9XD",
        "acts-7kq2-m9xd",
        "acts 7kq2 m9xd",
        "ACTS7KQ2M9XD",
        "ACTS-7KQ2M9XD",
        "ACTS 7KQ2-M9XD",
        "Acts - 7kq2 - m9xd",
        "my reference is ACTS-7KQ2-M9XD, thanks",
        "(ref: acts-7kq2-m9xd)",
    ],
)
def test_parse_is_tolerant_of_how_it_was_typed(text):
    assert parse_reference(text) == "ACTS-7KQ2-M9XD"


@pytest.mark.parametrize(
    "text, canonical",
    [
        ("ACTS-7KQ2-M9XO", "ACTS-7KQ2-M9X0"),
        ("ACTS-7KQ2-M9Xo", "ACTS-7KQ2-M9X0"),
        ("ACTS-IKQ2-M9XD", "ACTS-1KQ2-M9XD"),
        ("acts-lkq2-m9xd", "ACTS-1KQ2-M9XD"),
        ("ACTS-OOOO-LLII", "ACTS-0000-1111"),
    ],
)
def test_parse_maps_crockford_confusables(text, canonical):
    assert parse_reference(text) == canonical


@pytest.mark.parametrize(
    "text",
    [
        "ACTS-7KQ2-M9X",  # 7 symbols
        "ACTS-7KQ-M9XD",
        "ACTS-7KQ2-M9XDA",  # 9 symbols
        "ACTS-7KQ22-M9XD",
        "ACTS7KQ2M9X",
        "ACTS-7KQ2-M9XU",  # U is not a Crockford symbol
        "ACTS-7KQ2-M9X!",
        "7KQ2-M9XD",  # no prefix
        "FACTS-7KQ2-M9XD",
        "no reference here",
        "",
    ],
)
def test_parse_rejects_what_is_not_a_reference(text):
    assert parse_reference(text) is None


@pytest.mark.parametrize(
    "text",
    ["ACTS-٧KQ٢-M٩XD", "acts ७kq२ m९xd", "ACTS-７KQ２-M９XD", "my reference is ACTS-٧KQ٢-M٩XD"],
)
def test_digits_of_any_script_are_read_as_ascii(text):
    assert parse_reference(text) == "ACTS-7KQ2-M9XD"


def test_a_digit_of_another_script_still_makes_a_group_too_long():
    assert parse_reference("ACTS-7KQ2-M9XD٣") is None


@pytest.mark.parametrize(
    "text",
    ["I don't have the reference on me", "can't find it", "I lost it", "forgot my reference", "idk", "I never got one"],
)
def test_saying_there_is_no_reference_at_hand(text):
    assert no_reference_at_hand(text)


@pytest.mark.parametrize(
    "text", ["ACTS-7KQ2-M9XD", "ACTS-12", "my email is a@b.com", "I lost it, oh wait: ACTS-7KQ2-M9XD"]
)
def test_a_reference_or_anything_else_is_not_saying_there_is_none(text):
    assert not no_reference_at_hand(text)
