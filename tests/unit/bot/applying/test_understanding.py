"""Reading learners' own words: several questions in one message, asides, guesses to confirm, choices,
questions about the form, names as people write them (issue 13). No Rasa needed."""

from __future__ import annotations

from datetime import date

import pytest

from bot.answers.faq import load_faq
from bot.answers.several import answers_for
from bot.applying import answers
from bot.applying.catalogue import load_catalogue
from bot.applying.choices import match_option
from bot.applying.form_questions import answer_about_form
from bot.reading.asides import NOT_SURE, TAKE_YOUR_TIME, aside_reply
from bot.reading.dates import check_completion_date
from bot.reading.names import check_full_name
from rasa_plugins.nlu.question_parts import question_parts

TODAY = date(2026, 11, 27)


@pytest.mark.parametrize(
    "text, parts",
    [
        ("is there a fee and where can I share it?", ["is there a fee", "where can I share it?"]),
        ("Is it free? Also, can I hide it?", ["Is it free?", "can I hide it?"]),
        ("thanks! is there a fee", ["is there a fee"]),  # "thanks!" is too short to be a question
        ("can I share and export my badge", ["can I share and export my badge"]),  # one question
        ("where is support.credly.com", ["where is support.credly.com"]),  # a dot inside a word cuts nothing
    ],
)
def test_a_message_is_cut_into_its_questions(text, parts):
    found = question_parts(text)
    assert [p.text for p in found] == parts
    assert all(text[p.start : p.end] == p.text for p in found)


def test_each_question_of_a_message_is_answered_in_order_and_an_unclear_one_is_named():
    said = answers_for([("faq_fee", "is it free"), ("nlu_fallback", "what about the thing")], load_faq())
    assert said[0].response == "utter_faq_fee"
    assert '"what about the thing"' in said[1].text and "other words" in said[1].text
    outside = answers_for([("faq_fee", "free?"), ("out_of_scope", "weather tomorrow?")], load_faq())
    assert "doesn't cover" in outside[1].text and load_faq().contact() in outside[1].text


@pytest.mark.parametrize(
    "text",
    [
        "hang on, let me check",
        "wait",
        "one sec",
        "Um, let me think...",
        "brb",
        "hmm not sure, hang on let me check",  # asides strung together
        "Ok hold on, I need to look at my certificate",
        "sorry, give me a minute and I'll dig it out",
        "hmm",
        # Issue 25: asides that were stored as an organisation.
        "gimme two secs to look it up",
        "just asking my supervisor",
        "I'll have to check and get back to you on that",
        "hold please, grabbing my badge email",
        "one moment, what was it called again",
        "lemme find my certificate real quick",
    ],
)
def test_an_aside_is_not_an_answer(text):
    assert aside_reply(text) == TAKE_YOUR_TIME


@pytest.mark.parametrize("text", ["I don't remember", "honestly no idea", "not sure", "I can't recall exactly"])
def test_not_knowing_yet_is_not_an_answer(text):
    assert aside_reply(text) == NOT_SURE


@pytest.mark.parametrize(
    "text",
    [
        "Jane Doe",
        "Hang Seng Bank",
        "wait, is there a fee?",
        "2024-03-01",
        "Waite Lab",
        "I don't remember exactly, maybe March 2024",  # an answer after the doubt: read it, don't drop it
        "please",
        "sorry",
        # Organisations that start like an aside: only a pronoun, particle or a phrase led by one may follow.
        "Looking Glass Foundation",
        "Checkpoint Institute",
        "Thinking Machines",
        "Second Harvest Food Bank",
        "Look Ahead Ltd",
    ],
)
def test_an_answer_is_not_an_aside(text):
    assert aside_reply(text) is None


@pytest.mark.parametrize(
    "text, spoken",
    [
        ("feb 25", "February 2025"),  # or 25 February? asked, never assumed
        ("febuary 2025", "February 2025"),  # a mistyped month
        ("2/25", "February 2025"),
        ("last spring", "March 2026"),
        ("2023", "January 2023"),
        ("03/02/2024", "2 March 2024"),  # could be 3 February
        ("2 years ago", "27 November 2024"),
    ],
)
def test_a_date_read_with_doubt_is_to_be_confirmed(text, spoken):
    check = check_completion_date(text, TODAY)
    assert check.value is not None and not check.sure and check.spoken == spoken


@pytest.mark.parametrize("text", ["2024-03-15", "March 2024", "15 March 2024", "13/02/2024", "yesterday"])
def test_a_plain_date_is_sure(text):
    assert check_completion_date(text, TODAY).sure


@pytest.mark.parametrize(
    "typed, stored",
    [
        ("jane de la cruz", "Jane de la Cruz"),
        ("ludwig van beethoven", "Ludwig van Beethoven"),
        ("siobhán o\u2018brien", "Siobhán O'Brien"),  # a left quote typed as an apostrophe
        ("D\u00b4Angelo Russo", "D'Angelo Russo"),  # an acute accent typed as one
        ("mary-jane o`neil", "Mary-Jane O'Neil"),  # a backtick
        ("Siobhán O\u2019Brien", "Siobhán O\u2019Brien"),  # the curly one is kept as typed
        ("Anne\u2011Marie Dupont", "Anne-Marie Dupont"),  # a non-breaking hyphen
        ("José Álvarez", "José Álvarez"),
    ],
)
def test_names_as_people_write_them(typed, stored):
    check = check_full_name(typed)
    assert check.full_name == stored and check.sure


@pytest.mark.parametrize("typed", ["hang on let me check", "the digital thing", "Jane Mary Anne Louise Doe"])
def test_a_name_read_with_doubt_is_to_be_confirmed(typed):
    check = check_full_name(typed)
    assert check.full_name and not check.sure


TRAININGS = {t.id: (t.id, t.name, *t.aliases) for t in load_catalogue().get("team-science-fundamentals").trainings}


@pytest.mark.parametrize(
    "text, training, sure",
    [
        ("the fundamentals course", "tsf-training", True),  # "course" means "training" here
        ("the team science fundamentals workshop", "tsf-training", True),
        ("the badging pilto", "digital-badging-pilot", True),  # a typo
        ("I did the team science one", "tsf-training", False),  # most of a name: a guess to confirm
    ],
)
def test_options_are_matched_in_the_learners_own_words(text, training, sure):
    match = match_option(text, TRAININGS)
    assert match is not None and match.option == training and match.sure is sure


def test_words_that_fit_no_option_match_none():
    assert match_option("banana", TRAININGS) is None
    assert match_option("another training", TRAININGS) is None


@pytest.mark.parametrize(
    "text",
    [
        "a collaboration workshop my own university ran last spring",
        "the NIH course on team science",
        "team science bootcamp from my medical school",
        "fundamentals of clinical trials at the hospital",
        "a team science module on Coursera",
    ],
)
def test_another_providers_training_is_never_read_back_as_one_of_ours(text):
    """Issue 25: "The ACTS Team Science Fundamentals training, right?" after a learner described another
    provider's course would steer a "yes" into a false claim. Asked instead, saying what qualifies."""
    assert match_option(text, TRAININGS) is None
    step = answers.choose_training(text, "team-science-fundamentals")
    assert step.updates == {"training_id": None} and step.missed
    [said] = step.say
    assert "only these count" in said and "another training" in said and "ACTS team can tell you" in said


@pytest.mark.parametrize(
    "slot, text, expected",
    [
        ("email", "why do you need my email?", "admin@credly.com"),
        ("orcid", "what is an orcid?", "orcid.org"),
        ("full_name", "who will see my data?", "reviewer"),
        ("completion_date", "do I need the exact date?", "month and year"),
        ("organisation", "is this required?", "reviewer"),
    ],
)
def test_questions_about_the_form_are_answered(slot, text, expected):
    assert expected in answer_about_form(slot, text)


@pytest.mark.parametrize("slot, text", [("email", "jane@uni.edu"), ("organisation", "University of Why")])
def test_answers_are_not_questions_about_the_form(slot, text):
    assert answer_about_form(slot, text) is None
