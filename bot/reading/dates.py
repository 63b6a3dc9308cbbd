"""Turn how a learner says when they finished a course into a date, and say when it can't be right.

Every phrase resolves to one day. A phrase naming a period (a month, a year, a season) resolves to
the period's first day; "N months ago" and the like keep today's day of the month.

Seasons start on the first of March (spring), June (summer), September (fall/autumn) and
December (winter), so the winter of a year Y begins on 1 December of Y-1.
- "this <season>" is the most recent start of that season on or before today: the current one
  if we are in it, else the one earlier this year (in November, "this spring" is this year's March).
- "last <season>" is the most recent one that started before the current season did: in
  November, "last summer" is this June and "last fall" is the previous September.
"""

from __future__ import annotations

import re
from calendar import monthrange
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from difflib import SequenceMatcher

from bot.reading.text import ascii_digits

# A course finished before this day is implausibly old for this programme.
EARLIEST_COMPLETION = date(2015, 1, 1)

_MONTH = (
    r"(jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?"
    r"|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\.?"
)
# Month names that can stand alone in a sentence without being another word ("may" is handled apart).
_MONTH_ALONE = (
    r"(january|february|march|april|june|july|august|september|october|november|december"
    r"|jan|feb|apr|jun|jul|aug|sept?|oct|nov|dec)\.?"
)
_MONTHS = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")
_DAY = r"([0-9]{1,2})(?:st|nd|rd|th)?"
_YEAR = r"([0-9]{4})"
_SEASON_MONTH = {"spring": 3, "summer": 6, "fall": 9, "autumn": 9, "winter": 12}
_SEASON = r"(spring|summer|fall|autumn|winter)"
_NUMBER_WORDS = {
    "a": 1,
    "an": 1,
    "one": 1,
    "two": 2,
    "three": 3,
    "four": 4,
    "five": 5,
    "six": 6,
    "seven": 7,
    "eight": 8,
    "nine": 9,
    "ten": 10,
    "eleven": 11,
    "twelve": 12,
}
_NUMBER = "(" + "|".join(_NUMBER_WORDS) + r"|[0-9]{1,2})"

UNREADABLE = (
    "I couldn't read that date. Could you write it like 2 November 2023, "
    "or just the month and year, like November 2023?"
)


def _month(name: str) -> int:
    return _MONTHS.index(name[:3]) + 1


def _months_before(day: date, months: int) -> date:
    """The same day `months` earlier, or that month's last day if it is shorter (31 Mar -> 28 Feb)."""
    year, month_index = divmod(day.year * 12 + day.month - 1 - months, 12)
    month = month_index + 1
    return date(year, month, min(day.day, monthrange(year, month)[1]))


def _latest_start(month: int, on_or_before: date) -> date:
    """The latest first-of-`month` that is not after `on_or_before`."""
    start = date(on_or_before.year, month, 1)
    return start if start <= on_or_before else date(on_or_before.year - 1, month, 1)


def _month_alone(m: re.Match, today: date) -> date:
    """ "june", "maybe in June, I think 2024": with a year said anywhere in the message, that year's;
    otherwise the latest one so far."""
    year = re.search(r"\b((?:19|20)[0-9]{2})\b", m.string)
    return date(int(year[1]), _month(m[1]), 1) if year else _latest_start(_month(m[1]), today)


def _last_named_month(m: re.Match, today: date) -> date:
    """ "last june": the latest June before this month."""
    return _latest_start(_month(m[1]), date(today.year, today.month, 1) - timedelta(days=1))


def _current_season_start(today: date) -> date:
    return max(_latest_start(month, today) for month in set(_SEASON_MONTH.values()))


def _relative_season(which: str, season: str, today: date) -> date:
    """`which` is "this", or "last" / "this past" for the last one before the current season."""
    month = _SEASON_MONTH[season]
    if which == "this":
        return _latest_start(month, today)
    return _latest_start(month, _current_season_start(today) - timedelta(days=1))


def _season_of_year(season: str, year: str) -> date:
    month = _SEASON_MONTH[season]
    # Winter Y straddles the new year, beginning in December of Y-1.
    return date(int(year) - (month == 12), month, 1)


def _ago(count: str, unit: str, today: date) -> date:
    n = _NUMBER_WORDS.get(count) or int(count)
    if unit == "day":
        return today - timedelta(days=n)
    if unit == "week":
        return today - timedelta(weeks=n)
    return _months_before(today, n * (12 if unit == "year" else 1))


def _this_or_last(which: str, unit: str, today: date) -> date:
    back = 1 if which == "last" else 0
    if unit == "year":
        return date(today.year - back, 1, 1)
    return _months_before(today, back).replace(day=1)


# "the end of 2023", "early 2024", "mid-2024": a month in that part of the year, read back to be sure.
_PART_OF_YEAR = r"(start of|beginning of|early|mid|middle of|late|end of)"
_PART_MONTH = {"start of": 1, "beginning of": 1, "early": 2, "mid": 6, "middle of": 6, "late": 11, "end of": 12}


def _part_of_year(part: str, year: str) -> date:
    return date(int(year), _PART_MONTH[part], 1)


_Rule = Callable[[re.Match, date], date]
DAY, MONTH = "day", "month"  # how precisely a phrase names its date (a period is read as its first day)


def _slashed(m: re.Match, t: date) -> date:
    return date(int(m[3]), int(m[1]), int(m[2]))


def _two_digit_year(year: str) -> int:
    return 2000 + int(year)


# Most specific first: the first rule whose pattern appears in the text decides, so that
# "2 Nov 2023" is never read as "Nov 2023", and a mistyped date ("2023-02-30") is rejected
# rather than read as the bare year inside it. The text's digits are made ASCII before matching,
# so [0-9] and not \d: "٢٠٢٣" is 2023, and a digit of any script glued on still lengthens a number.
# Each rule says whether its reading is sure; a reading that is not (a relative phrase, a season, a
# bare year, a two-digit year, 02/03 that could be either way round) is confirmed with the learner.
_RULES: tuple[tuple[re.Pattern, _Rule, bool, str], ...] = tuple(
    (re.compile(pattern), rule, sure, precision)
    for pattern, rule, sure, precision in (
        (
            r"(?<![0-9])([0-9]{4})[-/.]([0-9]{1,2})[-/.]([0-9]{1,2})(?![0-9])",
            lambda m, t: date(*map(int, m.groups())),
            True,
            DAY,
        ),
        # Slashes are read the US way, month first; sure only when the day can't be a month.
        (
            r"(?<![0-9])(1[3-9]|2[0-9]|3[01])/([0-9]{1,2})/([0-9]{4})(?![0-9])",
            lambda m, t: date(int(m[3]), int(m[2]), int(m[1])),  # 13/02/2024 can only be day first
            True,
            DAY,
        ),
        (r"(?<![0-9])([0-9]{1,2})/(1[3-9]|2[0-9]|3[01])/([0-9]{4})(?![0-9])", _slashed, True, DAY),
        (r"(?<![0-9])([0-9]{1,2})/([0-9]{1,2})/([0-9]{4})(?![0-9])", _slashed, False, DAY),
        # 3/4/24: the US way round with a two-digit year, read back to be sure.
        (
            r"(?<![0-9])(1[3-9]|2[0-9]|3[01])/(0?[1-9]|1[0-2])/([0-9]{2})(?![0-9/])",
            lambda m, t: date(_two_digit_year(m[3]), int(m[2]), int(m[1])),
            False,
            DAY,
        ),
        (
            r"(?<![0-9])(0?[1-9]|1[0-2])/([0-9]{1,2})/([0-9]{2})(?![0-9/])",
            lambda m, t: date(_two_digit_year(m[3]), int(m[1]), int(m[2])),
            False,
            DAY,
        ),
        (
            rf"\b{_DAY}\s+(?:of\s+)?{_MONTH},?\s+{_YEAR}\b",
            lambda m, t: date(int(m[3]), _month(m[2]), int(m[1])),
            True,
            DAY,
        ),
        (
            rf"\b{_MONTH}\s+{_DAY},?\s+{_YEAR}\b",
            lambda m, t: date(int(m[3]), _month(m[1]), int(m[2])),
            True,
            DAY,
        ),
        (r"\byesterday\b", lambda m, t: t - timedelta(days=1), True, DAY),
        (r"\btoday\b", lambda m, t: t, True, DAY),
        (rf"\b{_NUMBER}\s+(day|week|month|year)s?\s+ago\b", lambda m, t: _ago(m[1], m[2], t), False, DAY),
        (rf"\b{_PART_OF_YEAR}\s*-?\s*{_YEAR}\b", lambda m, t: _part_of_year(m[1], m[2]), False, MONTH),
        (
            rf"\b{_PART_OF_YEAR}\s+(this|last)\s+year\b",
            lambda m, t: _part_of_year(m[1], str(t.year - (m[2] == "last"))),
            False,
            MONTH,
        ),
        (
            r"\bq([1-4])\s*-?\s*((?:19|20)[0-9]{2})\b",
            lambda m, t: date(int(m[2]), 3 * int(m[1]) - 2, 1),
            False,
            MONTH,
        ),
        (r"\b(this|last)\s+(month|year)\b", lambda m, t: _this_or_last(m[1], m[2], t), False, MONTH),
        # "this past spring" means the one already over, like "last spring".
        (
            rf"\b(this|last|this\s+past)\s+{_SEASON}\b",
            lambda m, t: _relative_season(m[1], m[2], t),
            False,
            MONTH,
        ),
        (rf"\b{_SEASON},?\s+(?:of\s+)?{_YEAR}\b", lambda m, t: _season_of_year(m[1], m[2]), False, MONTH),
        (
            rf"\b{_SEASON},?\s+(?:of\s+)?'?([0-9]{{2}})\b(?![/.-]?[0-9])",
            lambda m, t: _season_of_year(m[1], str(_two_digit_year(m[2]))),
            False,
            MONTH,
        ),
        (rf"\b{_MONTH},?\s+(?:of\s+)?{_YEAR}\b", lambda m, t: date(int(m[2]), _month(m[1]), 1), True, MONTH),
        # "Feb 25" or "feb '25": most likely February 2025, but it could be the 25th.
        (
            rf"\b{_MONTH},?\s+'?([0-9]{{2}})\b(?![/.-]?[0-9])",
            lambda m, t: date(_two_digit_year(m[2]), _month(m[1]), 1),
            False,
            MONTH,
        ),
        (r"(?<![0-9/])(0?[1-9]|1[0-2])/([0-9]{4})(?![0-9/])", lambda m, t: date(int(m[2]), int(m[1]), 1), True, MONTH),
        (
            r"(?<![0-9/])(0?[1-9]|1[0-2])/([0-9]{2})(?![0-9/])",
            lambda m, t: date(_two_digit_year(m[2]), int(m[1]), 1),
            False,
            MONTH,
        ),
        (rf"\b(?:last|this\s+past)\s+{_MONTH}\b", _last_named_month, False, MONTH),
        # A month on its own ("maybe june?"). "may" only where it can't be the verb ("I may have").
        (rf"\b{_MONTH_ALONE}(?![a-z])", _month_alone, False, MONTH),
        (r"(?:^|\b(?:in|around|early|late|mid|maybe|sometime|since|until|by)\s+)(may)\b(?!\s+(?:have|be|not|i)\b)",
         _month_alone, False, MONTH),
        (r"\b((?:19|20)[0-9]{2})\b", lambda m, t: date(int(m[1]), 1, 1), False, MONTH),
    )
)  # fmt: skip
_MONTH_NAMES = ("january", "february", "march", "april", "may", "june", "july", "august", "september",
                "october", "november", "december")  # fmt: skip
MIN_MONTH_SIMILARITY = 0.8
# The learner offers two dates ("june or july 2024") or hedges ("maybe", "I think", "March 2024?"): the
# date read is one possibility, so it is said back to confirm, never stored as it stands.
_HEDGED = re.compile(
    r"\b(?:or|either|maybe|perhaps|probably|possibly|i think|i guess|not sure|around|roughly|approximately)\b|\?"
)


@dataclass(frozen=True)
class Reading:
    """A date read from text: `sure` False when it is an interpretation the learner should confirm."""

    value: date
    sure: bool
    precision: str

    @property
    def spoken(self) -> str:
        return _spoken(self.value) if self.precision == DAY else f"{self.value:%B %Y}"


def _mended_months(text: str) -> tuple[str, bool]:
    """ "febuary 2025" -> "february 2025": month names with a typo, and whether any was mended."""
    mended = False

    def mend(word: re.Match) -> str:
        nonlocal mended
        token = word.group(0)
        if len(token) < 5 or token in _MONTH_NAMES or re.fullmatch(_MONTH, token):
            return token
        best = max(_MONTH_NAMES, key=lambda name: SequenceMatcher(None, token, name).ratio())
        if SequenceMatcher(None, token, best).ratio() >= MIN_MONTH_SIMILARITY:
            mended = True
            return best
        return token

    return re.sub(r"[a-z]+", mend, text), mended


def read_completion_date(text: str, today: date) -> Reading | None:
    """The day `text` refers to, relative to `today`, and how sure that reading is; None if none."""
    spelled = ascii_digits(text).lower()
    lowered, mended = _mended_months(spelled)
    for pattern, rule, sure, precision in _RULES:
        match = pattern.search(lowered)
        # A month standing alone must be spelled as one: "marched" mended to "march" is no date.
        if match and rule is _month_alone and mended:
            match = pattern.search(spelled)
        if match:
            try:
                value = rule(match, today)
            except ValueError:  # e.g. 31 February: the learner meant a date, but not a real one
                return None
            return Reading(value, sure and not mended and not _HEDGED.search(lowered), precision)
    return None


def parse_completion_date(text: str, today: date) -> date | None:
    """The day `text` refers to, relative to `today`, or None if it names no date we understand."""
    reading = read_completion_date(text, today)
    return reading.value if reading else None


@dataclass(frozen=True)
class DateCheck:
    """`value` is set only when the date is acceptable; otherwise `problem` says why not. `sure` False:
    the value is a reading to confirm with the learner ("February 2025, right?"), said as `spoken`."""

    value: date | None
    problem: str | None
    sure: bool = True
    spoken: str = ""


def check_completion_date(text: str, today: date) -> DateCheck:
    """The completion date in `text`, if it is readable, not in the future and not implausibly old."""
    reading = read_completion_date(text, today)
    if reading is None:
        return DateCheck(None, UNREADABLE)
    value = reading.value
    if value > today:
        return DateCheck(None, f"That date ({_spoken(value)}) is in the future. When did you finish the course?")
    if value < EARLIEST_COMPLETION:
        return DateCheck(
            None,
            f"That date ({_spoken(value)}) is before 2015, which is too early for a course in "
            "this programme. Could you check the year?",
        )
    return DateCheck(value, None, reading.sure, reading.spoken)


def _spoken(day: date) -> str:
    return f"{day.day} {day:%B %Y}"
