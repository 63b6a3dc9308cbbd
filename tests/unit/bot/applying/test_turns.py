"""What a turn in the middle of a form is: a cancel, the learner back from the upload, a correction, a question
about the form, an aside, several questions, an unsure question, or an answer (no Rasa needed)."""

from __future__ import annotations

import pytest

from bot.applying import turns
from bot.applying.turns import FormState, Kind, Message, decide_turn


def test_faq_questions_mid_form_are_interruptions_but_answers_are_not():
    assert turns.is_interruption("email", "is there a fee?", "faq_fee", 0.9)
    assert not turns.is_interruption("email", "is there a fee?", "faq_fee", 0.3)
    assert not turns.is_interruption(None, "is there a fee?", "faq_fee", 0.9)
    # A name or organisation is never mistaken for a question, even if the classifier thinks so.
    assert not turns.is_interruption("organisation", "Credly Inc", "faq_who_is_credly", 0.9)
    assert turns.is_interruption("organisation", "who is credly?", "faq_who_is_credly", 0.9)
    assert not turns.is_interruption("confirmed", "change my email to a@b.org", "credly_account", 0.9)


def test_only_a_confident_stop_cancels_and_never_a_correction():
    assert turns.is_cancel("email", "stop", "stop", 0.95)
    assert not turns.is_cancel("email", "stop", "stop", 0.5)
    assert not turns.is_cancel("confirmed", "change my organisation to UNC", "stop", 0.9)
    assert not turns.is_cancel("email", "a@b.org", "greet", 0.9)


def test_a_question_about_the_form_gets_an_answer():
    assert "admin@credly.com" in turns.question_about_form("email", "why do you need my email?")
    assert turns.question_about_form("email", "jane@uni.edu") is None


def test_an_out_of_scope_question_mid_form_is_declined_not_stored():
    assert turns.is_interruption("organisation", "what's the weather like in boston today", "out_of_scope", 0.9)
    assert not turns.is_interruption("organisation", "Weather Research Institute", "out_of_scope", 0.9)
    assert turns.is_interruption("organisation", "tell me a joke", "out_of_scope", 0.85)
    assert turns.is_interruption("completion_date", "tell me a joke", "out_of_scope", 0.8)
    # An answer to another question is no out-of-scope question: it is a miss at this one.
    assert not turns.is_interruption("training_id", "around the end of 2023", "out_of_scope", 0.9)


@pytest.mark.parametrize(
    "text, question",
    [
        ("what's the weather like in boston today", True),
        ("who is credly?", True),
        ("tell me a joke", True),
        ("Will Smith", False),
        ("Do Van Minh", False),
        ("Can Yilmaz", False),
    ],
)
def test_at_a_name_question_only_a_plain_question_is_no_name(text, question):
    assert turns.plainly_a_question("full_name", text) is question
    assert not turns.plainly_a_question("email", text)


@pytest.mark.parametrize("text", ["stop", "Cancel", "never mind", "please stop", "cancel my application"])
def test_stop_at_an_organisation_or_name_question_is_no_answer(text):
    assert turns.plainly_stop("organisation", text) and turns.plainly_stop("full_name", text)
    assert not turns.plainly_stop("email", text)  # elsewhere "stop" is no valid answer anyway


@pytest.mark.parametrize("text", ["Stopford Institute", "Cancel Research UK", "Exit Lab"])
def test_an_organisation_that_starts_like_a_stop_is_an_answer(text):
    assert not turns.plainly_stop("organisation", text)


# --- decide_turn: each kind, and which wins when two apply -----------------------------------------------


def decide(
    text: str,
    intent: str | None = None,
    confidence: float = 0.95,
    slot: str | None = "email",
    answers: bool = False,
    corrects: bool = False,
    back: bool = False,
    asides: tuple[str, ...] = (),
    ranking: tuple[tuple[str, float], ...] = (),
    entities: tuple[dict, ...] = (),
) -> turns.Turn:
    state = FormState(
        slot,
        asides=asides,
        answers=lambda said: answers,
        corrects_earlier_answer=lambda said: corrects,
        back_from_elsewhere=lambda: back,
    )
    ranked = tuple({"name": name, "confidence": value} for name, value in ranking)
    return decide_turn(state, Message(text, intent, confidence, ranked, entities))


def test_a_confident_stop_is_a_cancel():
    assert decide("stop", "stop").kind is Kind.CANCEL
    assert decide("stop", "stop", confidence=0.5).kind is Kind.ANSWER


def test_any_message_once_the_upload_arrived_is_the_learner_back_from_it():
    assert decide("I've uploaded certificate.pdf", "faq_documents", slot="document", back=True).kind is Kind.UPLOAD_DONE


def test_a_correction_of_an_earlier_answer_is_one_however_the_message_was_classified():
    turn = decide("sorry, the date was wrong, it was 14 April 2023", "out_of_scope", slot="document", corrects=True)
    assert turn.kind is Kind.CORRECTION


def test_a_question_about_the_form_comes_with_its_answer():
    turn = decide("why do you need my email?", "faq_privacy")
    assert turn.kind is Kind.FORM_QUESTION and "admin@credly.com" in turn.reply


def test_an_faq_question_is_an_aside_and_so_is_one_this_form_answers_itself():
    assert decide("is there a fee?", "faq_fee") == turns.Turn(Kind.ASIDE, intent="faq_fee")
    said = "where is my application?"
    assert decide(said, "check_status", asides=("check_status",)) == turns.Turn(Kind.ASIDE, intent="check_status")
    assert decide(said, "check_status").kind is Kind.ANSWER


def test_a_message_that_asks_several_things_is_several_questions():
    text = "is there a fee and can I share it on linkedin?"
    parts = (
        {"entity": "question", "value": "faq_fee", "start": 0, "end": 14},
        {"entity": "question", "value": "faq_sharing", "start": 19, "end": len(text)},
    )
    turn = decide(text, "nlu_fallback", 0.9, slot="organisation", entities=parts)
    assert turn.kind is Kind.SEVERAL_QUESTIONS
    assert turn.questions == (("faq_fee", 0, 14), ("faq_sharing", 19, len(text)))


def test_an_unsure_question_gets_its_closest_answers():
    ranking = (("nlu_fallback", 0.5), ("faq_benefits", 0.3), ("faq_copy_protection", 0.2))
    turn = decide("do badges carry any weight", "nlu_fallback", 0.5, slot="badge_id", ranking=ranking)
    assert turn.kind is Kind.UNSURE and "faq_benefits" in turn.closest.answered
    # No question in it: read as an answer.
    assert decide("University of Toronto", "nlu_fallback", 0.5, slot="organisation", ranking=ranking).kind is (
        Kind.ANSWER
    )


def test_anything_else_is_an_answer():
    assert decide("jane@uni.edu", "inform", answers=True) == turns.Turn(Kind.ANSWER)


def test_a_plain_stop_cancels_even_where_it_would_pass_as_an_answer():
    assert decide("stop", "stop", slot="organisation", answers=True).kind is Kind.CANCEL
    # Elsewhere a valid answer is never taken for a stop.
    assert decide("stop", "stop", slot="email", answers=True).kind is Kind.ANSWER


def test_a_cancel_beats_being_back_from_the_upload_and_a_correction():
    assert decide("stop", "stop", slot="document", back=True, corrects=True).kind is Kind.CANCEL


def test_being_back_from_the_upload_beats_a_correction_and_a_correction_beats_a_question():
    assert decide("the date was wrong", "faq_fee", slot="document", back=True, corrects=True).kind is Kind.UPLOAD_DONE
    assert decide("why do you need my email?", "faq_privacy", corrects=True).kind is Kind.CORRECTION


def test_a_question_about_the_form_beats_an_aside_and_a_valid_answer_beats_both():
    assert decide("why do you need my email?", "faq_privacy").kind is Kind.FORM_QUESTION
    assert decide("why do you need my email?", "faq_privacy", answers=True).kind is Kind.ANSWER


def test_at_a_name_or_organisation_question_a_plain_question_is_an_aside_even_if_it_would_pass_as_an_answer():
    assert decide("who is credly?", "faq_who_is_credly", slot="organisation", answers=True).kind is Kind.ASIDE
    assert decide("Credly Inc", "faq_who_is_credly", slot="organisation", answers=True).kind is Kind.ANSWER


def test_an_aside_beats_several_questions():
    parts = ({"entity": "question", "value": "faq_fee", "start": 0, "end": 7},)
    assert decide("is there a fee?", "faq_fee", entities=parts).kind is Kind.ASIDE


def test_the_forms_readings_are_asked_only_when_needed_and_once():
    asked: list[str] = []

    def state(slot: str, answers: bool) -> FormState:
        def reading(name: str, value: bool):
            return lambda *said: asked.append(name) or value

        return FormState(
            slot,
            answers=reading("answers", answers),
            corrects_earlier_answer=reading("corrects", False),
            back_from_elsewhere=reading("back", False),
        )

    assert decide_turn(state("document", False), Message("stop", "stop", 0.95)).kind is Kind.CANCEL
    assert asked == ["answers"]  # the upload is not looked for when the learner stops
    asked.clear()
    assert decide_turn(state("email", True), Message("why do you need my email?", "faq_privacy", 0.95)).kind is (
        Kind.ANSWER
    )
    assert asked == ["back", "corrects", "answers"]  # read once, though two checks ask whether it answers
