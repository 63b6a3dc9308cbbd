from __future__ import annotations

import unicodedata

import pytest

from bot.reading.names import NOT_A_NAME, ONE_WORD, check_full_name, split_name


@pytest.mark.parametrize(
    "text, name",
    [
        ("Jane Doe", "Jane Doe"),
        ("my name is jane doe", "Jane Doe"),
        ("JANE DOE", "Jane Doe"),
        ("Jane Q. Doe", "Jane Q. Doe"),
        ("Jean-Luc Picard", "Jean-Luc Picard"),
        ("Siobhán O'Brien", "Siobhán O'Brien"),
        ("Siobhán O\u2019Brien", "Siobhán O\u2019Brien"),  # curly apostrophe, as phones type it
        ("Jeanne d\u2019Arc", "Jeanne d\u2019Arc"),
        ("Nguyễn Văn An", "Nguyễn Văn An"),
        ("Ñandú Pérez", "Ñandú Pérez"),
        ("ʻIolani Kaʻiulani", "ʻIolani Kaʻiulani"),
        ("محمد علي", "محمد علي"),
        ("李 小龙", "李 小龙"),
        ("अनिल कुमार", "अनिल कुमार"),  # Devanagari vowel signs are combining marks
        ("தமிழ் செல்வி", "தமிழ் செல்வி"),
        ("สมชาย ใจดี", "สมชาย ใจดี"),
    ],
)
def test_names_of_every_script_are_accepted(text, name):
    assert check_full_name(text).full_name == name


def test_a_decomposed_accent_is_accepted_and_stored_composed():
    typed = unicodedata.normalize("NFD", "José Álvarez")
    assert typed != "José Álvarez"
    assert check_full_name(typed).full_name == "José Álvarez"


@pytest.mark.parametrize(
    "text",
    [
        "Jane Doe ٣",  # a digit of any script is not part of a name
        "Jane Doe3",
        "Jane² Doe",
        "Henry Ⅷ Tudor",
        "Jane\u200bDoe Smith",  # invisible characters
        "Jane \u202eeoD",
        "Jane\x00 Doe",
        "jane.doe@uni.edu",
        "what is my name?",
        "Jane Doe" * 20,
        "",
    ],
)
def test_what_is_not_a_name_is_refused(text):
    assert check_full_name(text).problem == NOT_A_NAME


def test_one_word_asks_for_the_full_name():
    assert check_full_name("Jane").problem == ONE_WORD


def test_split_name_for_credly():
    assert split_name("Jane Q. Doe") == ("Jane", "Q. Doe")
    assert split_name("Cher Cher") == ("Cher", "Cher")
