from __future__ import annotations

import pytest

from bot.reading.orcid import normalise_orcid, orcid_check_digit

# Real, published iDs: Josiah Carberry (ORCID's test persona) and two with other check symbols.
REAL_IDS = ["0000-0002-1825-0097", "0000-0001-5109-3700", "0000-0002-1694-233X"]


@pytest.mark.parametrize("orcid", REAL_IDS)
def test_check_digit_of_real_ids(orcid):
    digits = orcid.replace("-", "")
    assert orcid_check_digit(digits[:15]) == digits[15]


@pytest.mark.parametrize("orcid", REAL_IDS)
def test_real_ids_normalise_to_themselves(orcid):
    assert normalise_orcid(orcid) == orcid


@pytest.mark.parametrize(
    "text",
    [
        "0000-0002-1825-0097",
        "0000000218250097",
        "0000 0002 1825 0097",
        "https://orcid.org/0000-0002-1825-0097",
        "http://orcid.org/0000-0002-1825-0097",
        "orcid.org/0000-0002-1825-0097",
        "  0000-0002-1825-0097\n",
        "my ORCID is 0000-0002-1825-0097, thanks",
    ],
)
def test_accepts_the_ways_people_write_an_id(text):
    assert normalise_orcid(text) == "0000-0002-1825-0097"


def test_lower_case_check_symbol_becomes_upper_case():
    assert normalise_orcid("0000-0002-1694-233x") == "0000-0002-1694-233X"
    assert normalise_orcid("https://orcid.org/000000021694233x") == "0000-0002-1694-233X"


@pytest.mark.parametrize(
    "text",
    [
        "0000-0002-1825-0098",  # check digit changed
        "0000-0002-1825-0197",  # body digit changed
        "0000-0002-1852-0097",  # two digits swapped
        "0000-0001-5109-3701",
        "0000-0002-1694-2330",  # X replaced by 0
        "0000-0002-1825-009",  # too short
        "10000-0002-1825-0097",  # part of a longer number
        "0000-0002-1825-00970",
        "0000-0002-1825-009Y",
        "no orcid yet",
        "",
    ],
)
def test_rejects_what_is_not_a_valid_id(text):
    assert normalise_orcid(text) is None


@pytest.mark.parametrize("base", ["", "12345", "00000002182500970", "00000002182500a", "٠٠٠٠٠٠٠٢١٨٢٥٠٠٩"])
def test_check_digit_needs_fifteen_ascii_digits(base):
    with pytest.raises(ValueError):
        orcid_check_digit(base)


@pytest.mark.parametrize(
    "text",
    [
        "٠٠٠٠-٠٠٠٢-١٨٢٥-٠٠٩٧",  # Arabic-Indic
        "۰۰۰۰-۰۰۰۲-۱۸۲۵-۰۰۹۷",  # Persian (extended Arabic-Indic)
        "००००-०००२-१८२५-००९७",  # Devanagari
        "０００００００２１８２５００９７",  # fullwidth, as a Japanese or Chinese keyboard types them
        "0000-0002-1825-009٧",  # one digit from another keyboard layout
        "https://orcid.org/٠٠٠٠-٠٠٠٢-١٨٢٥-٠٠٩٧",
    ],
)
def test_digits_of_any_script_are_read_as_ascii(text):
    assert normalise_orcid(text) == "0000-0002-1825-0097"


def test_an_x_check_symbol_after_arabic_indic_digits():
    assert normalise_orcid("٠٠٠٠-٠٠٠٢-١٦٩٤-٢٣٣x") == "0000-0002-1694-233X"


@pytest.mark.parametrize(
    "text",
    [
        "٠٠٠٠-٠٠٠٢-١٨٢٥-٠٠٩٨",  # check digit wrong: refused, not a crash
        "١0000-0002-1825-0097",  # a digit of another script glued on is still part of a longer number
        "0000-0002-1825-0097٠",
    ],
)
def test_rejects_invalid_ids_in_any_script(text):
    assert normalise_orcid(text) is None
