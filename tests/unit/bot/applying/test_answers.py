"""The application conversation's rules, answer by answer (no Rasa needed)."""

from __future__ import annotations

from datetime import date

import pytest

from bot.applying import answers, prompts
from bot.reading.corrections import parse_correction
from bot.store.applications import DocumentInfo
from tests.applicants import FILLED_SLOTS

TODAY = date(2026, 11, 27)
TSF = "team-science-fundamentals"
FILLED = FILLED_SLOTS


def test_a_named_open_badge_is_taken():
    step = answers.choose_badge("Team Science Fundamentals")
    assert step.updates == {"badge_id": TSF, "eligible": True} and step.say == []


def test_a_badge_in_development_ends_the_application_politely():
    step = answers.choose_badge("one of the complementary team science badges")
    assert step.updates["eligible"] is False
    assert "not open" in step.say[0] and "questions" in step.say[0]


def test_an_unknown_badge_is_asked_again():
    step = answers.choose_badge("the quantum computing badge")
    assert step.updates == {"badge_id": None} and "Team Science Fundamentals" in step.say[0]


def test_no_training_means_not_eligible_with_a_next_step():
    step = answers.answer_training_completed("no, not yet", None, TSF)
    assert step.updates == {"training_completed": False, "eligible": False}
    assert "qualifying training" in step.say[0] and "come back" in step.say[0]
    assert answers.answer_training_completed("/affirm", "affirm", TSF).updates == {"training_completed": True}
    assert answers.answer_training_completed("banana", "greet", TSF).updates == {"training_completed": None}


def test_another_training_is_not_eligible_and_names_the_contact(monkeypatch):
    monkeypatch.setenv("ACTS_CONTACT", "badges@example.org")
    step = answers.choose_training("Another training", TSF)
    assert step.updates["eligible"] is False and "badges@example.org" in step.say[0]
    assert answers.choose_training("the digital badging pilot", TSF).updates == {"training_id": "digital-badging-pilot"}


def test_dates_are_read_and_future_dates_refused():
    assert answers.answer_completion_date("March 2024", TODAY).updates == {"completion_date": "2024-03-01"}
    assert answers.answer_completion_date("2023-11-02", TODAY).updates == {"completion_date": "2023-11-02"}
    # A relative date is a reading to confirm, never stored unasked.
    guessed = answers.answer_completion_date("last spring", TODAY).updates
    assert guessed["completion_date"] is None and guessed["guess"]["value"] == "2026-03-01"
    future = answers.answer_completion_date("2027-01-01", TODAY)
    assert future.updates == {"completion_date": None} and "future" in future.say[0]


def test_email_typos_are_offered_as_a_correction_then_confirmed():
    step = answers.answer_email("jane@gmial.com", None, None, None)
    assert step.updates == {"email": None, "email_suggestion": "jane@gmail.com", "email_typed": "jane@gmial.com"}
    yes = answers.answer_email("yes", "affirm", "jane@gmail.com", "jane@gmial.com")
    assert yes.updates["email"] == "jane@gmail.com"
    no = answers.answer_email("no", "deny", "jane@gmail.com", "jane@gmial.com")
    assert no.updates["email"] == "jane@gmial.com"
    bad = answers.answer_email("jane at home", None, None, None)
    assert bad.updates["email"] is None and bad.say


def test_orcid_is_checked_or_skipped():
    assert answers.answer_orcid("https://orcid.org/0000-0002-1825-0097", None).updates == {
        "orcid": "0000-0002-1825-0097"
    }
    assert answers.answer_orcid("skip", None).updates == {"orcid": answers.SKIPPED}
    wrong = answers.answer_orcid("0000-0002-1825-0098", None)
    assert wrong.updates == {"orcid": None} and "check digit" in wrong.say[0]


def test_the_document_step_waits_for_a_real_upload():
    assert answers.document_received([]).updates == {"document": None}
    got = answers.document_received([DocumentInfo("certificate.pdf", 245_760, "application/pdf", "ab" * 32)])
    assert got.updates == {"document": "certificate.pdf (240 KB)"} and got.say == ["Got your certificate.pdf (240 KB)."]


def test_confirmation_yes_submits():
    assert answers.answer_confirmation("/affirm", "affirm", FILLED, TODAY).updates == {"confirmed": True}


def test_a_correction_with_a_value_changes_that_field_only():
    step = answers.answer_confirmation("change my email to jane.doe@uni.edu", "credly_account", FILLED, TODAY)
    assert step.updates["email"] == "jane.doe@uni.edu" and step.updates["confirmed"] is None
    assert step.say[0] == "Updated."


def test_a_correction_without_a_value_asks_that_question_again():
    step = answers.answer_confirmation("I need to change my organisation", None, FILLED, TODAY)
    assert step.updates == {"organisation": None, "confirmed": None}


def test_a_no_at_confirmation_asks_what_to_change():
    step = answers.answer_confirmation("no", "deny", FILLED, TODAY)
    assert step.updates == {"confirmed": None} and "change" in step.say[0]


def test_corrections_are_parsed_from_free_text():
    assert parse_correction("change my name to Jane Q. Doe").value == "Jane Q. Doe"
    assert parse_correction("my email should be a@b.org").field == "email"
    assert parse_correction("the completion date is wrong").field == "completion_date"
    assert parse_correction("yes please submit") is None


def test_an_answer_that_reads_like_a_question_is_still_an_answer():
    # "Team Science Fundamentals" looks like an FAQ question about available badges to the
    # classifier; at the badge question it is the answer.
    step = answers.answer("badge_id", "Team Science Fundamentals", "faq_available_badges", {}, TODAY, documents=list)
    assert step.updates["badge_id"] == TSF


def test_answer_dispatches_each_question():
    assert answers.answer("orcid", "skip", None, FILLED, TODAY, documents=list).updates == {"orcid": answers.SKIPPED}
    assert answers.answer("document", "done", None, FILLED, TODAY, documents=list).updates == {"document": None}
    assert answers.answer("confirmed", "yes", "affirm", FILLED, TODAY, documents=list).updates == {"confirmed": True}


def test_questions_about_trainings_before_the_badge_is_known_ask_for_the_badge():
    for slot in ("training_completed", "training_id"):
        step = answers.answer(slot, "yes", "affirm", {}, date(2026, 11, 27), documents=list)
        assert step.updates == {"badge_id": None} and "Which badge" in step.say[0]


def test_an_organisation_loses_invisible_and_control_characters():
    assert answers.answer_organisation("\u202eytisrevinU \u200bof\x07 Oxford").updates["organisation"] == (
        "ytisrevinU of Oxford"
    )


def answer_to(slot, text, slots=None, intent=None):
    return answers.answer(slot, text, intent, {**FILLED, **(slots or {})}, TODAY, documents=lambda: [])


def test_a_guessed_date_is_read_back_and_stored_only_when_confirmed():
    guessed = answer_to("completion_date", "feb 25")
    assert guessed.updates["completion_date"] is None
    guess = guessed.updates["guess"]
    assert prompts.prompt_guess(guess).text == "February 2025, right?"
    assert answer_to("completion_date", "yes", {"guess": guess}).updates == {
        "completion_date": "2025-02-01",
        "guess": None,
    }
    refused = answer_to("completion_date", "no", {"guess": guess})
    assert refused.updates == {"completion_date": None, "guess": None}
    # Another date instead of yes or no is a new answer.
    assert answer_to("completion_date", "March 2024", {"guess": guess}).updates == {
        "completion_date": "2024-03-01",
        "guess": None,
    }
    # So is a no with the right date: it is taken, not dropped.
    assert answer_to("completion_date", "no, it was more like November 2023", {"guess": guess}).updates == {
        "completion_date": "2023-11-01",
        "guess": None,
    }
    assert answer_to("completion_date", "nope", {"guess": guess}).updates == {"completion_date": None, "guess": None}


def test_a_no_with_only_a_month_keeps_the_year_being_corrected_and_reads_it_back():
    guess = answer_to("completion_date", "sometime in 2024").updates["guess"]
    assert prompts.prompt_guess(guess).text == "January 2024, right?"
    corrected = answer_to("completion_date", "no idea really, maybe june?", {"guess": guess})
    assert corrected.updates["completion_date"] is None  # the year is the assistant's: asked, not stored
    assert prompts.prompt_guess(corrected.updates["guess"]).text == "June 2024, right?"
    day = answer_to("completion_date", "no, it was the 15th of june", {"guess": guess}).updates["guess"]
    assert day["value"] == "2024-06-15"
    # A year of its own is the learner's; a no without a date is no new date.
    assert answer_to("completion_date", "no, june 2023", {"guess": guess}).updates["completion_date"] == "2023-06-01"
    assert answer_to("completion_date", "no, hang on", {"guess": guess}).updates == {
        "completion_date": None,
        "guess": None,
    }


def test_a_guessed_training_is_confirmed_and_a_plain_one_is_taken():
    assert answers.choose_training("the fundamentals course", TSF).updates == {"training_id": "tsf-training"}
    guessed = answers.choose_training("I did the team science one", TSF)
    assert guessed.updates["training_id"] is None and guessed.updates["guess"]["value"] == "tsf-training"
    assert prompts.prompt_guess(guessed.updates["guess"]).text.endswith(", right?")


def test_an_aside_is_not_an_answer_and_not_a_miss():
    step = answer_to("full_name", "hang on, let me check")
    assert step.updates == {"full_name": None} and not step.missed and "take your time" in step.say[0]


def test_a_miss_is_counted_and_two_in_a_row_change_the_question():
    assert answer_to("training_id", "banana").missed
    assert not answer_to("training_id", "the digital badging pilot").missed
    assert not prompts.needs_help({"misses": 1}) and prompts.needs_help({"misses": 2})
    help_prompt = prompts.prompt_after_misses("training_id", FILLED)
    titles = [b["title"] for b in help_prompt.buttons]
    assert "ACTS Team Science Fundamentals training" in titles and "Another training" in titles
    assert "Talk to a person" in titles and "Stop applying" in titles
    assert help_prompt.text != prompts.prompt_training(TSF).text


@pytest.mark.parametrize(
    "said, field_name",
    [("the completion date", "completion_date"), ("my organisation", "organisation"), ("email", "email")],
)
def test_after_change_something_the_learners_words_name_the_field(said, field_name):
    step = answers.answer_confirmation(said, None, FILLED, TODAY)
    assert step.updates == {field_name: None, "confirmed": None}


@pytest.mark.parametrize(
    "text, field, value",
    [
        ("sorry, the date was wrong, it was march 2024", "completion_date", "march 2024"),
        ("my name is spelled wrong, it's Jane Smyth", "full_name", "Jane Smyth"),
        ("the organisation should be University of Utah", "organisation", "University of Utah"),
        ("change my name to Jane Q. Doe", "full_name", "Jane Q. Doe"),
    ],
)
def test_the_new_value_is_read_after_what_was_wrong(text, field, value):
    correction = parse_correction(text)
    assert (correction.field, correction.value) == (field, value)


def test_an_earlier_answer_corrected_later_in_the_form_is_changed_and_the_question_comes_back():
    slots = {**FILLED, "document": None, "confirmed": None}
    step = answers.answer("document", "sorry, the date was wrong, it was 14 March 2024", None, slots, TODAY, list)
    assert step.updates["completion_date"] == "2024-03-14" and step.updates["document"] is None
    assert step.say[0] == "Updated your completion date." and not step.missed
    # No new value given: that question is asked again (the form goes back to it, then comes here again).
    step = answers.answer("document", "oh no, my email was wrong", None, slots, TODAY, list)
    assert step.updates == {"email": None, "document": None}
    # The question being asked is answered, not corrected; an answer not yet given can't be corrected.
    assert answers.answer("email", "actually my email is jo@uni.edu", None, slots, TODAY, list).updates["email"]
    unanswered = {**slots, "organisation": None}
    assert (
        "organisation"
        not in answers.answer("orcid", "change my organisation to UNC", None, unanswered, TODAY, list).updates
    )


def test_a_surname_or_first_name_corrected_later_changes_only_that_part():
    at_email = {"full_name": "Siobhán O’Neill-Ní Bhraonáin", "email": None, "organisation": None}
    step = answer_to("email", "oops, actually my surname is just O'Neill", at_email)
    assert step.updates["full_name"] == "Siobhán O'Neill" and step.updates["email"] is None
    assert step.say == ["Updated your name to Siobhán O'Neill."]  # said back: the assistant put it together
    first = answer_to("email", "my first name is Joan", at_email).updates["full_name"]
    assert first == "Joan O’Neill-Ní Bhraonáin"
    particles = answer_to("confirmed", "change my surname to de la Cruz", {"full_name": "Jane Doe"})
    assert particles.updates["full_name"] == "Jane de la Cruz"


def test_i_meant_corrects_the_answer_just_given_or_answers_this_question():
    at_email = {"full_name": "mary-kate d'arcy", "email": None, "organisation": None}
    step = answer_to("email", "sorry I meant Mary-Kate D'Arcy-Smith", at_email)
    assert step.updates["full_name"] == "Mary-Kate D'Arcy-Smith" and step.updates["email"] is None
    at_organisation = {"email": "mk@uni.edu", "organisation": None}
    step = answer_to("organisation", "sorry, I meant mk.darcy@uni.edu", at_organisation)
    assert step.updates["email"] == "mk.darcy@uni.edu" and step.updates["organisation"] is None
    # Not a value for the question before: a new answer to this one, without the "I mean".
    assert answer_to("organisation", "I mean UCD", at_organisation).updates == {"organisation": "UCD"}
    assert answer_to("full_name", "sorry I meant March 2023", {"full_name": None}).updates["completion_date"] == (
        "2023-03-01"
    )


def test_an_email_address_typed_at_the_organisation_question_is_not_an_organisation():
    step = answers.answer_organisation("siobhan@ucd.ie")
    assert step.updates == {"organisation": None} and step.missed
    assert "email address" in step.say[0]
    assert answers.answer_organisation("UCD (ucd.ie)").updates == {"organisation": "UCD (ucd.ie)"}
