from __future__ import annotations

from datetime import date

import pytest

from bot.reading.dates import (
    UNREADABLE,
    DateCheck,
    check_completion_date,
    parse_completion_date,
    read_completion_date,
)

TODAY = date(2026, 11, 27)  # late autumn: the current season began on 1 September 2026


@pytest.mark.parametrize(
    "text, expected",
    [
        ("2023-11-02", date(2023, 11, 2)),
        ("2023/11/02", date(2023, 11, 2)),
        ("02/11/2023", date(2023, 2, 11)),  # slashes are month first
        ("11/2/2023", date(2023, 11, 2)),
        ("2 Nov 2023", date(2023, 11, 2)),
        ("2nd of November, 2023", date(2023, 11, 2)),
        ("November 2, 2023", date(2023, 11, 2)),
        ("Nov. 2nd 2023", date(2023, 11, 2)),
        ("Sept 30 2022", date(2022, 9, 30)),
    ],
)
def test_exact_dates(text, expected):
    assert parse_completion_date(text, TODAY) == expected


@pytest.mark.parametrize(
    "text, expected",
    [
        ("Nov 2023", date(2023, 11, 1)),
        ("March 2024", date(2024, 3, 1)),
        ("june of 2025", date(2025, 6, 1)),
        ("May, 2024", date(2024, 5, 1)),
        ("2023", date(2023, 1, 1)),
        ("spring 2024", date(2024, 3, 1)),
        ("fall of 2023", date(2023, 9, 1)),
        ("winter 2024", date(2023, 12, 1)),  # winter 2024 began in December 2023
    ],
)
def test_a_named_period_means_its_first_day(text, expected):
    assert parse_completion_date(text, TODAY) == expected


@pytest.mark.parametrize(
    "text, expected",
    [
        ("today", TODAY),
        ("yesterday", date(2026, 11, 26)),
        ("a month ago", date(2026, 10, 27)),
        ("3 months ago", date(2026, 8, 27)),
        ("two years ago", date(2024, 11, 27)),
        ("twelve weeks ago", date(2026, 9, 4)),
        ("ten days ago", date(2026, 11, 17)),
        ("an year ago", date(2025, 11, 27)),
        ("last month", date(2026, 10, 1)),
        ("this month", date(2026, 11, 1)),
        ("last year", date(2025, 1, 1)),
        ("this year", date(2026, 1, 1)),
    ],
)
def test_relative_phrases(text, expected):
    assert parse_completion_date(text, TODAY) == expected


@pytest.mark.parametrize(
    "text, expected",
    [
        ("last spring", date(2026, 3, 1)),
        ("last summer", date(2026, 6, 1)),
        ("last fall", date(2025, 9, 1)),  # we are in fall 2026, so the last one was 2025's
        ("last autumn", date(2025, 9, 1)),
        ("last winter", date(2025, 12, 1)),
        ("this spring", date(2026, 3, 1)),
        ("this summer", date(2026, 6, 1)),
        ("this fall", date(2026, 9, 1)),
        ("this winter", date(2025, 12, 1)),
        ("this past summer", date(2026, 6, 1)),
    ],
)
def test_seasons_relative_to_late_autumn(text, expected):
    assert parse_completion_date(text, TODAY) == expected


@pytest.mark.parametrize(
    "today, text, expected",
    [
        (date(2027, 1, 15), "last winter", date(2025, 12, 1)),
        (date(2027, 1, 15), "this winter", date(2026, 12, 1)),
        (date(2027, 1, 15), "last fall", date(2026, 9, 1)),
        (date(2026, 7, 4), "last spring", date(2026, 3, 1)),
        (date(2026, 7, 4), "last summer", date(2025, 6, 1)),
        (date(2026, 3, 1), "last winter", date(2025, 12, 1)),
        (date(2026, 3, 1), "this spring", date(2026, 3, 1)),
    ],
)
def test_seasons_at_other_times_of_year(today, text, expected):
    assert parse_completion_date(text, today) == expected


@pytest.mark.parametrize(
    "today, text, expected",
    [
        (date(2026, 3, 31), "a month ago", date(2026, 2, 28)),
        (date(2024, 2, 29), "a year ago", date(2023, 2, 28)),
        (date(2026, 1, 10), "last month", date(2025, 12, 1)),
        (date(2026, 1, 10), "2 months ago", date(2025, 11, 10)),
    ],
)
def test_month_arithmetic_at_the_edges(today, text, expected):
    assert parse_completion_date(text, today) == expected


@pytest.mark.parametrize(
    "text, expected",
    [
        ("I finished it in March 2024", date(2024, 3, 1)),
        ("I FINISHED IT IN MARCH 2024!", date(2024, 3, 1)),
        ("completed on 2 Nov 2023 I think", date(2023, 11, 2)),
        ("um, about 3 months ago?", date(2026, 8, 27)),
        ("it was last spring, I believe", date(2026, 3, 1)),
        ("Yesterday.", date(2026, 11, 26)),
    ],
)
def test_tolerates_surrounding_words_and_case(text, expected):
    assert parse_completion_date(text, TODAY) == expected


@pytest.mark.parametrize(
    "text, expected",
    [
        ("june", date(2026, 6, 1)),  # the latest June so far
        ("maybe june?", date(2026, 6, 1)),
        ("December", date(2025, 12, 1)),  # this December hasn't happened yet
        ("sept I think", date(2026, 9, 1)),
        ("june, I think 2024", date(2024, 6, 1)),  # the year said elsewhere in the message
        ("last june", date(2026, 6, 1)),
        ("last november", date(2025, 11, 1)),  # not this month
        ("in may", date(2026, 5, 1)),
        ("May", date(2026, 5, 1)),
        ("I may have done it in 2024", date(2024, 1, 1)),  # "may" the verb: only the year is a date
    ],
)
def test_a_month_on_its_own_is_read_and_read_back(text, expected):
    reading = read_completion_date(text, TODAY)
    assert (reading.value, reading.sure) == (expected, False)


@pytest.mark.parametrize(
    "text",
    [
        "",
        "no idea",
        "I may have finished it",
        "soon",
        "2023-02-30",  # a date, but not a real one: not read as "2023"
        "2023-13-01",
        "13/45/2023",
        "31 February 2024",
        "marched in 99",
    ],
)
def test_returns_none_when_nothing_parses(text):
    assert parse_completion_date(text, TODAY) is None


def test_check_accepts_a_plausible_past_date():
    assert check_completion_date("2 Nov 2023", TODAY) == DateCheck(date(2023, 11, 2), None, True, "2 November 2023")


@pytest.mark.parametrize("text", ["today", "2015-01-01", "January 2015"])
def test_check_accepts_the_boundaries(text):
    assert check_completion_date(text, TODAY).problem is None


def test_check_explains_an_unreadable_date():
    assert check_completion_date("sometime", TODAY) == DateCheck(None, UNREADABLE)
    assert UNREADABLE.startswith("I couldn't read that date")


@pytest.mark.parametrize("text", ["2026-11-28", "December 2026", "2027", "winter 2027"])
def test_check_refuses_a_future_date(text):
    check = check_completion_date(text, TODAY)
    assert check.value is None
    assert check.problem.startswith("That date (")
    assert "is in the future" in check.problem


@pytest.mark.parametrize("text", ["2014-12-31", "2003", "March 2010", "12 years ago"])
def test_check_refuses_an_implausibly_old_date(text):
    check = check_completion_date(text, TODAY)
    assert check.value is None
    assert "before 2015" in check.problem


def test_check_names_the_date_it_read():
    assert "(1 December 2026)" in check_completion_date("December 2026", TODAY).problem
    assert "(31 December 2014)" in check_completion_date("2014-12-31", TODAY).problem


@pytest.mark.parametrize(
    "text, expected",
    [
        ("٢٠٢٣-١١-٠٢", date(2023, 11, 2)),  # Arabic-Indic
        ("۲ Nov ۲۰۲۳", date(2023, 11, 2)),  # Persian digits
        ("२ Nov २०२३", date(2023, 11, 2)),  # Devanagari
        ("２０２３/１１/０２", date(2023, 11, 2)),  # fullwidth
        ("١١/٢/٢٠٢٣", date(2023, 11, 2)),
        ("March ٢٠٢٤", date(2024, 3, 1)),
        ("٣ months ago", date(2026, 8, 27)),
        ("٢٠٢٣", date(2023, 1, 1)),  # a bare year: "(?:19|20)" once matched ASCII only
    ],
)
def test_digits_of_any_script_are_read(text, expected):
    assert parse_completion_date(text, TODAY) == expected


@pytest.mark.parametrize("text", ["١2023-11-02", "٢٠٢٣-٠٢-٣٠", "١٢٠٢٣"])
def test_digits_of_any_script_still_make_one_number(text):
    assert parse_completion_date(text, TODAY) is None


@pytest.mark.parametrize(
    "text, expected",
    [
        ("3/4/24", date(2024, 3, 4)),  # a two-digit year, month first as with four digits
        ("13/4/24", date(2024, 4, 13)),  # 13 can't be a month
        ("summer '24", date(2024, 6, 1)),
        ("fall 23", date(2023, 9, 1)),
        ("around the end of 2023", date(2023, 12, 1)),
        ("early 2024", date(2024, 2, 1)),
        ("mid-2024", date(2024, 6, 1)),
        ("late 2025", date(2025, 11, 1)),
        ("the beginning of last year", date(2025, 1, 1)),
        ("end of last year", date(2025, 12, 1)),
        ("Q3 2024", date(2024, 7, 1)),
    ],
)
def test_loose_ways_of_saying_when_are_read_and_read_back_to_be_sure(text, expected):
    check = check_completion_date(text, TODAY)
    assert (check.value, check.sure) == (expected, False)


@pytest.mark.parametrize(
    "text", ["uh, june or july 2024", "maybe March 2024", "around March 2024", "March 2024?", "I think 2024-03-15"]
)
def test_two_dates_offered_or_a_hedge_are_read_back_never_stored_as_they_stand(text):
    reading = read_completion_date(text, TODAY)
    assert reading is not None and not reading.sure


def test_a_plain_date_is_sure():
    assert read_completion_date("March 2024", TODAY).sure
