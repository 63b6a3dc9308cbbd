"""What the assistant says in the application form: the summary, and every question asked another way
after two misses (no Rasa needed)."""

from __future__ import annotations

from datetime import date

import pytest

from bot.applying import answers, prompts
from tests.applicants import FILLED_SLOTS

FILLED = FILLED_SLOTS


def test_summary_and_details():
    text = prompts.summary(FILLED)
    for expected in ("Team Science Fundamentals", "Jane Doe", "jane@uni.edu", "not given", "cert.pdf"):
        assert expected in text
    details = answers.details_from({**FILLED, "confirmed": True})
    assert details.orcid is None and details.completion_date == date(2024, 3, 1)


@pytest.mark.parametrize("slot", [s for s in answers.FORM_SLOTS])
def test_every_question_has_another_way_after_two_misses(slot):
    prompt = prompts.prompt_after_misses(slot, FILLED)
    assert "Talk to a person" in [b["title"] for b in prompt.buttons]
    assert "actscts.org" in prompt.text
