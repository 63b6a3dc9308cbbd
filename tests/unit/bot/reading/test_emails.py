from __future__ import annotations

import time

import pytest

from bot.reading.emails import (
    BAD_DOMAIN,
    BAD_LOCAL,
    NOT_FOUND,
    TOO_LONG,
    TOO_MANY_ATS,
    EmailCheck,
    check_email,
    damerau_levenshtein,
)


def test_finds_the_address_in_a_sentence_and_suggests_the_provider():
    check = check_email("it's Jane.Doe@Gmial.com thanks")
    assert check.address == "Jane.Doe@gmial.com"
    assert check.suggestion == "Jane.Doe@gmail.com"
    assert check.problem is None


@pytest.mark.parametrize(
    "typed, suggested",
    [
        ("jane@gmial.com", "jane@gmail.com"),
        ("jane@gmai.com", "jane@gmail.com"),
        ("jane@gmail.co", "jane@gmail.com"),
        ("jane@gamil.com", "jane@gmail.com"),
        ("jane@hotmial.com", "jane@hotmail.com"),
        ("jane@yaho.com", "jane@yahoo.com"),
        ("jane@outlok.com", "jane@outlook.com"),
        ("jane@iclod.com", "jane@icloud.com"),
        ("jane@hotmal.co", "jane@hotmail.com"),
        ("jane@comcast.nte", "jane@comcast.net"),
        ("jane@gmial.con", "jane@gmail.com"),
        ("jane@gmail.cmo", "jane@gmail.com"),
    ],
)
def test_suggests_the_provider_a_typo_was_meant_to_be(typed, suggested):
    check = check_email(typed)
    assert check.problem is None
    assert check.suggestion == suggested


@pytest.mark.parametrize(
    "typed, suggested",
    [
        ("jane@jhu.eud", "jane@jhu.edu"),
        ("jane@med.unc.eud", "jane@med.unc.edu"),
        ("jane@acts.ogr", "jane@acts.org"),
        ("jane@example.con", "jane@example.com"),
        ("jane@aol.con", "jane@aol.com"),
    ],
)
def test_fixes_a_mistyped_top_level_domain_on_any_domain(typed, suggested):
    assert check_email(typed).suggestion == suggested


@pytest.mark.parametrize(
    "domain",
    [
        "gmail.com",
        "me.com",
        "googlemail.com",
        "jhu.edu",
        "med.unc.edu",
        "unc.edu",
        "mail.com",
        "email.com",
        "ymail.com",
        "yahoo.ca",
        "protonmail.ch",
        "live.ca",
        "life.com",
        "mac.com",
        "gmx.com",
    ],
)
def test_leaves_correct_and_real_domains_alone(domain):
    assert check_email(f"jane@{domain}") == EmailCheck(f"jane@{domain}", None, None)
    assert check_email(f"jane@{domain.upper()}") == EmailCheck(f"jane@{domain}", None, None)


def test_lower_cases_the_domain_but_keeps_the_local_part_as_typed():
    assert check_email("  Jane.Doe@GMAIL.COM  ").address == "Jane.Doe@gmail.com"


@pytest.mark.parametrize(
    "text",
    [
        "my email is jane@jhu.edu.",
        "<jane@jhu.edu>",
        "mailto:jane@jhu.edu",
        "'jane@jhu.edu'",
        "jane @ jhu.edu",
        "Email: jane@jhu.edu, thanks!",
    ],
)
def test_picks_the_address_out_of_surrounding_text(text):
    assert check_email(text).address == "jane@jhu.edu"


def test_takes_the_first_of_several_addresses():
    assert check_email("jane@jhu.edu or else jd@unc.edu").address == "jane@jhu.edu"


def test_accepts_the_local_part_characters_people_really_use():
    for address in ["o'brien@tcd.ie", "jane.doe+acts@jhu.edu", "j_doe-1@jhu.edu"]:
        assert check_email(address).address == address


@pytest.mark.parametrize(
    "text, problem",
    [
        ("I don't have one", NOT_FOUND),
        ("", NOT_FOUND),
        ("jane@@jhu.edu", TOO_MANY_ATS),
        ("jane@jhu@edu.com", TOO_MANY_ATS),
        ("@jhu.edu", BAD_LOCAL),
        (".jane@jhu.edu", BAD_LOCAL),
        ("jane.@jhu.edu", BAD_LOCAL),
        ("jane..doe@jhu.edu", BAD_LOCAL),
        ("jané@jhu.edu", BAD_LOCAL),
        ("a" * 65 + "@jhu.edu", BAD_LOCAL),
        ("jane@", BAD_DOMAIN),
        ("jane@localhost", BAD_DOMAIN),
        ("jane@jhu.e", BAD_DOMAIN),
        ("jane@jhu.123", BAD_DOMAIN),
        ("jane@-jhu.edu", BAD_DOMAIN),
        ("jane@jhu-.edu", BAD_DOMAIN),
        ("jane@jhu..edu", BAD_DOMAIN),
        ("jane@jh_u.edu", BAD_DOMAIN),
    ],
)
def test_explains_what_is_wrong_with_an_invalid_address(text, problem):
    assert check_email(text) == EmailCheck(None, None, problem)


def test_problems_are_sentences_for_a_learner():
    for problem in (NOT_FOUND, TOO_MANY_ATS, BAD_LOCAL, BAD_DOMAIN, TOO_LONG):
        assert problem[0].isupper() and problem.endswith("?")


def address_of_length(length: int) -> str:
    """A syntactically valid address of exactly `length` characters (the longest local part)."""
    last_label = "d" * (length - len("@") - 64 - len(".") * 3 - 63 * 2 - len("com"))
    return "a" * 64 + "@" + ".".join(["b" * 63, "c" * 63, last_label, "com"])


def test_254_characters_is_the_longest_address():
    longest = address_of_length(254)
    assert len(longest) == 254
    assert check_email(longest).address == longest
    assert check_email(address_of_length(255)) == EmailCheck(None, None, TOO_LONG)


@pytest.mark.parametrize(
    "a, b, distance",
    [
        ("gmail", "gmail", 0),
        ("gmial", "gmail", 1),
        ("gmai", "gmail", 1),
        ("gmaill", "gmail", 1),
        ("hotmal.co", "hotmail.com", 2),
        ("", "abc", 3),
        ("ca", "abc", 3),
    ],
)
def test_damerau_levenshtein_counts_a_swap_as_one_edit(a, b, distance):
    assert damerau_levenshtein(a, b) == distance
    assert damerau_levenshtein(b, a) == distance


def test_a_digit_of_another_script_is_not_silently_changed():
    # It could be a real (internationalised) address, so it is refused rather than rewritten.
    assert check_email("jane٢@uni.edu").problem == BAD_LOCAL


@pytest.mark.parametrize(
    "text",
    ["a" * 50_000, "a." * 25_000, " " * 50_000, "x" + " " * 50_000 + "@uni.edu"],
    ids=["letters", "dots", "spaces", "spaces-before-at"],
)
def test_a_very_long_message_is_answered_quickly(text):
    started = time.perf_counter()
    check_email(text)
    assert time.perf_counter() - started < 1.0
