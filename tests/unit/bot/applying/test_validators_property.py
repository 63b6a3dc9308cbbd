"""Whatever a learner types, every validator answers "valid" or "invalid": it never raises.

A validator that raises leaves the learner with no reply at all, so these run over arbitrary
unicode (digits of every script, control and zero-width characters, right-to-left text, very
long messages) and check that what is accepted comes back in its one canonical ASCII form.
"""

from __future__ import annotations

import random
import re
import unicodedata
from datetime import date

from hypothesis import example, given, settings
from hypothesis import strategies as st

from bot.applying import answers, turns
from bot.reading.corrections import FIELD_WORDS, parse_correction
from bot.reading.dates import EARLIEST_COMPLETION, check_completion_date
from bot.reading.emails import check_email
from bot.reading.names import MAX_NAME_LENGTH, check_full_name, split_name
from bot.reading.orcid import normalise_orcid, orcid_check_digit
from bot.reading.references import ALPHABET, parse_reference
from bot.store.uploads import MAX_NAME_LENGTH as MAX_FILE_NAME_LENGTH
from bot.store.uploads import safe_display_name
from tests.applicants import FILLED_SLOTS

TODAY = date(2026, 11, 27)
FAST = settings(max_examples=200, deadline=None)

ORCID_FORMAT = re.compile(r"[0-9]{4}-[0-9]{4}-[0-9]{4}-[0-9]{3}[0-9X]")
REFERENCE_FORMAT = re.compile(rf"ACTS-[{ALPHABET}]{{4}}-[{ALPHABET}]{{4}}")
FILLED = FILLED_SLOTS

# --- what learners might type ------------------------------------------------------------

digit = st.characters(categories=["Nd"])  # every script's decimal digits, ASCII included
# Each script's digits are ten consecutive code points; its zero tells where they start.
script_zero = digit.map(lambda d: chr(ord(d) - unicodedata.decimal(d)))
# Zero-width, soft hyphen, and the marks and overrides that reorder right-to-left text.
invisible = st.sampled_from("\u200b\u200c\u200d\u2060\ufeff\u00ad\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066")
right_to_left = st.characters(min_codepoint=0x0590, max_codepoint=0x06FF)  # Hebrew and Arabic

numbers = st.text(st.one_of(digit, st.sampled_from("-/.,: xX")), max_size=40)
awkward = st.text(
    st.one_of(
        st.characters(categories=["Cc", "Cf", "Zs", "Zl", "Zp", "Mn", "Mc", "Me", "No", "Nl"]),
        invisible,
        right_to_left,
        digit,
        st.characters(max_codepoint=0x7F),
    ),
    max_size=60,
)
# A short piece repeated: a message of up to ~25,000 characters without Hypothesis building it slowly.
very_long = st.builds(lambda piece, times: piece * times, st.text(min_size=1, max_size=8), st.integers(500, 3000))


def written_in(ascii_text: str, zeros: list[str], chance: random.Random) -> str:
    """`ascii_text` with each ASCII digit written in one of the scripts whose zeros are `zeros`."""
    return "".join(chr(ord(chance.choice(zeros)) + int(char)) if char in "0123456789" else char for char in ascii_text)


# One to three scripts for a text, and a seeded choice of which one each digit is written in
# (st.randoms() would cost a draw per digit and make these tests several times slower).
scripts = st.tuples(st.lists(script_zero, min_size=1, max_size=3), st.integers(0, 2**32).map(random.Random))


@st.composite
def valid_orcids(draw) -> str:
    base = draw(st.text("0123456789", min_size=15, max_size=15))
    digits = base + orcid_check_digit(base)
    return "-".join(digits[i : i + 4] for i in range(0, 16, 4))


# An iD, a date or a reference in some script's digits: random text rarely holds 16 digits in a row.
shaped = st.builds(
    lambda text, script: written_in(text, *script),
    st.one_of(valid_orcids(), st.dates().map(date.isoformat), st.text("0123456789ACTS-", min_size=12, max_size=16)),
    scripts,
)
anything = st.one_of(st.text(), numbers, awkward, very_long, shaped)


# --- never raises; what is accepted is canonical ------------------------------------------


@FAST
@given(anything)
@example("٠٠٠٠-٠٠٠٢-١٨٢٥-٠٠٩٧")  # the report: an iD in Arabic-Indic digits got no reply
def test_orcid_is_none_or_canonical(text):
    orcid = normalise_orcid(text)
    if orcid is not None:
        assert ORCID_FORMAT.fullmatch(orcid)
        digits = orcid.replace("-", "")
        assert orcid_check_digit(digits[:15]) == digits[15]


@FAST
@given(anything)
def test_reference_is_none_or_canonical(text):
    reference = parse_reference(text)
    assert reference is None or REFERENCE_FORMAT.fullmatch(reference)


@FAST
@given(anything)
def test_date_check_gives_a_plausible_day_or_a_reason(text):
    check = check_completion_date(text, TODAY)
    assert (check.value is None) != (check.problem is None)
    if check.value is not None:
        assert EARLIEST_COMPLETION <= check.value <= TODAY
        assert date.fromisoformat(check.value.isoformat()) == check.value


@FAST
@given(anything)
def test_name_check_gives_a_tidy_name_or_a_reason(text):
    check = check_full_name(text)
    assert (check.full_name is None) != (check.problem is None)
    if check.full_name is not None:
        name = check.full_name
        assert len(name) <= MAX_NAME_LENGTH and len(name.split(" ")) >= 2
        assert name == unicodedata.normalize("NFC", name)
        # No digit of any script, no control or invisible format character.
        assert not any(unicodedata.category(char)[0] in "NC" for char in name)
        first, last = split_name(name)
        assert first and last


@FAST
@given(anything)
def test_email_check_gives_an_ascii_address_or_a_reason(text):
    check = check_email(text)
    assert (check.address is None) != (check.problem is None)
    if check.address is not None:
        assert check.address.isascii() and check_email(check.address).address == check.address
    if check.suggestion is not None:
        assert check.address is not None and check.suggestion.isascii()


@FAST
@given(anything)
def test_correction_names_a_field_and_a_value_from_the_text(text):
    correction = parse_correction(text)
    if correction is not None:
        assert correction.field in FIELD_WORDS
        assert correction.value is None or (correction.value and correction.value in text)


@FAST
@given(st.one_of(st.none(), anything))
def test_display_name_is_short_printable_and_has_no_folders(filename):
    shown = safe_display_name(filename)
    assert shown and shown not in {".", ".."} and len(shown) <= MAX_FILE_NAME_LENGTH
    assert shown.isprintable() and "/" not in shown and "\\" not in shown


@FAST
@given(
    st.sampled_from(answers.FORM_SLOTS),
    anything,
    st.sampled_from([None, "affirm", "deny", "stop", "help", "faq_fee"]),
    # Answers that depend on what was offered or suggested before take other paths.
    st.sampled_from(
        [{}, {"email_suggestion": "jane@gmail.com", "email_typed": "jane@gmial.com"}, {"name_offered": "Jane Doe"}]
    ),
)
@example("orcid", "٠٠٠٠-٠٠٠٢-١٨٢٥-٠٠٩٧", None, {})
@example("confirmed", "change my orcid to ٠٠٠٠-٠٠٠٢-١٨٢٥-٠٠٩٧", None, {})
def test_every_form_answer_is_a_step_and_never_raises(slot, text, intent, extra):
    step = answers.answer(slot, text, intent, {**FILLED, **extra}, TODAY, documents=lambda: [])
    assert set(step.updates) <= set(answers.FORM_SLOTS) | set(answers.HELPER_SLOTS)
    assert all(isinstance(sentence, str) and sentence for sentence in step.say)
    orcid = step.updates.get("orcid")
    assert orcid in (None, answers.SKIPPED) or ORCID_FORMAT.fullmatch(orcid)
    completion = step.updates.get("completion_date")
    assert completion is None or date.fromisoformat(completion).isoformat() == completion
    assert isinstance(turns.is_cancel(slot, text, intent, 0.9), bool)
    assert isinstance(turns.is_interruption(slot, text, intent, 0.9), bool)


# --- a number in any script's digits is read as that number -------------------------------


@FAST
@given(valid_orcids(), st.sampled_from(["", "-", " "]), st.sampled_from(["", "https://orcid.org/", "ORCID: "]), scripts)
def test_an_orcid_in_any_script_is_read_as_its_ascii_form(orcid, separator, before, script):
    assert normalise_orcid(written_in(before + orcid.replace("-", separator), *script)) == orcid


@FAST
@given(st.text(ALPHABET, min_size=8, max_size=8), st.sampled_from(["-", " ", ""]), scripts)
def test_a_reference_in_any_script_is_read_as_its_ascii_form(symbols, separator, script):
    reference = f"ACTS-{symbols[:4]}-{symbols[4:]}"
    assert parse_reference(written_in(reference.replace("-", separator).lower(), *script)) == reference


@FAST
@given(
    st.dates(EARLIEST_COMPLETION, TODAY), st.sampled_from(["%Y-%m-%d", "%d %B %Y", "%B %d, %Y", "%m/%d/%Y"]), scripts
)
def test_a_date_in_any_script_is_read_as_that_day(day, layout, script):
    assert check_completion_date(written_in(day.strftime(layout), *script), TODAY).value == day


# --- names of every script are names; a digit of any script is not part of one -------------

letter = st.characters(categories=["Lu", "Ll", "Lo"], min_codepoint=0xC0)  # non-ASCII: no "im", "it's" lead-in
mark = st.characters(categories=["Mn", "Mc"])
name_word = st.builds(
    lambda first, rest: first + "".join(rest),
    letter,
    st.lists(
        st.one_of(letter, st.tuples(letter, mark).map("".join), st.sampled_from(["'", "\u2019", "-"])), max_size=8
    ),
).filter(lambda word: word[-1] not in "'\u2019-")


@FAST
@given(st.lists(name_word, min_size=2, max_size=4), digit)
def test_letters_and_marks_of_any_script_make_a_name_and_a_digit_of_any_script_does_not(words, number):
    check = check_full_name(" ".join(words))
    assert check.full_name is not None, check.problem
    assert len(check.full_name.split(" ")) == len(words)
    assert check_full_name(" ".join(words) + number).full_name is None
