"""The application form's Rasa SDK actions, run as the action server runs them."""

from __future__ import annotations

import asyncio
import re

import pytest
from rasa_sdk import Tracker
from rasa_sdk.events import FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions import proving
from actions.apply_form import (
    QUESTIONS,
    AskDocument,
    AskEmailCode,
    FinishApplication,
    ValidateApplyForm,
)
from bot.answers.faq import load_faq
from bot.applying import answers, prompts
from bot.proving.codes import EmailCodes
from bot.store.applications import ApplicationStore
from bot.store.db import migrate
from tests import trackers
from tests.applicants import FILLED_SLOTS
from tests.files import pdf_bytes

DOMAIN = {"slots": {}, "forms": {"apply_form": {"required_slots": []}}}
AskCompletionDate, AskTraining = QUESTIONS["completion_date"], QUESTIONS["training_id"]


@pytest.fixture(autouse=True)
def database(tmp_path, monkeypatch):
    url = f"sqlite:///{tmp_path / 'acts.db'}"
    monkeypatch.setenv("DATABASE_URL", url)
    monkeypatch.setenv("ACTS_UPLOAD_DIR", str(tmp_path / "uploads"))
    monkeypatch.setenv("ACTS_PUBLIC_URL", "https://badges.example.org")
    migrate(url)
    return url


def tracker(text: str, intent: str, confidence: float = 0.95, slots: dict | None = None, **more) -> Tracker:
    """In the middle of the application form."""
    return trackers.tracker(text, intent, confidence, slots=slots, active_form="apply_form", **more)


def run(action, t: Tracker):
    dispatcher = CollectingDispatcher()
    events = asyncio.run(action.run(dispatcher, t, DOMAIN))
    return dispatcher.messages, events


def test_a_faq_question_mid_form_is_answered_and_the_question_asked_again():
    t = tracker("is there a fee?", "faq_fee", slots={"requested_slot": "email", "email": "is there a fee?"})
    messages, events = run(ValidateApplyForm(), t)
    assert [m["response"] for m in messages] == ["utter_faq_fee"]
    assert events == [SlotSet("email", None)]


def unsure(text: str, ranking: list[tuple[str, float]], slots: dict) -> Tracker:
    return tracker(text, "nlu_fallback", 0.5, slots=slots, ranking=ranking)


@pytest.mark.parametrize("slot", ["badge_id", "organisation"])
def test_an_unsure_question_mid_form_gets_its_closest_answers_and_the_question_again(slot):
    text = "do badges carry any weight"
    t = unsure(
        text,
        [("nlu_fallback", 0.5), ("faq_benefits", 0.3), ("faq_copy_protection", 0.2)],
        {
            "requested_slot": slot,
            slot: text,
        },
    )
    messages, events = run(ValidateApplyForm(), t)
    assert "not quite sure" in messages[0]["text"]
    assert [m.get("response") for m in messages[1:]] == ["utter_faq_benefits", "utter_faq_copy_protection"]
    assert not any(m.get("buttons") for m in messages)  # the form's own question, with its buttons, comes next
    assert events == [SlotSet(slot, None)]


def test_an_unsure_answer_that_is_no_question_is_still_read_as_an_answer():
    t = unsure(
        "University of Toronto",
        [("nlu_fallback", 0.5), ("faq_benefits", 0.3)],
        {
            "requested_slot": "organisation",
            "organisation": "University of Toronto",
        },
    )
    messages, events = run(ValidateApplyForm(), t)
    assert not any(m.get("response") == "utter_faq_benefits" for m in messages)
    assert SlotSet("organisation", None) not in events  # not thrown away: the form validates it as an answer


def test_an_out_of_scope_question_mid_form_is_declined_and_never_stored():
    text = "what's the weather like in boston today"
    t = tracker(text, "out_of_scope", 0.9, slots={"requested_slot": "organisation", "organisation": text})
    messages, events = run(ValidateApplyForm(), t)
    assert "can't answer" in messages[0]["text"] and load_faq().contact() in messages[0]["text"]
    assert events == [SlotSet("organisation", None)]


def test_stop_at_the_organisation_question_cancels_rather_than_being_stored():
    t = tracker("stop", "stop", slots={"requested_slot": "organisation", "organisation": "stop", "badge_id": "x"})
    messages, events = run(ValidateApplyForm(), t)
    assert "cancelled" in messages[0]["text"] and SlotSet("requested_slot", None) in events


def test_a_status_question_mid_application_says_this_one_is_not_sent_yet():
    text = "where is my application?"
    t = tracker(text, "check_status", 0.9, slots={"requested_slot": "email", "email": text})
    messages, events = run(ValidateApplyForm(), t)
    assert messages[0]["text"] == prompts.STATUS_MID_FORM and events == [SlotSet("email", None)]


def test_a_confident_stop_cancels_and_forgets_everything():
    t = tracker("stop", "stop", slots={"requested_slot": "full_name", "full_name": "stop", "badge_id": "x"})
    messages, events = run(ValidateApplyForm(), t)
    assert "cancelled" in messages[0]["text"]
    assert SlotSet("requested_slot", None) in events and SlotSet("badge_id", None) in events


def test_the_upload_link_is_bound_to_a_draft_and_reused_while_valid():
    t = tracker("skip", "deny", slots={"badge_id": "team-science-fundamentals"})
    messages, events = run(AskDocument(), t)
    [token_event] = events
    token = token_event["value"]
    assert f"https://badges.example.org/upload/{token}" in messages[0]["text"]
    assert messages[1]["custom"]["upload"]["token"] == token
    again = tracker("done", "affirm", slots={"badge_id": "team-science-fundamentals", "upload_token": token})
    assert run(AskDocument(), again)[1] == [SlotSet("upload_token", token)]


COMPLETE = {
    **FILLED_SLOTS,
    "document": "certificate.pdf (1 KB)",
    "confirmed": True,
    "eligible": True,
    "upload_token": "spent-token",
}


@pytest.fixture
def mailbox(monkeypatch):
    """The mail the actions send, kept in memory (the end-to-end tests read a real Maildir)."""
    sent: list = []
    monkeypatch.setattr(proving, "codes", lambda: EmailCodes(ApplicationStore(), send=sent.append))
    return sent


def code_in(mail) -> str:
    return re.search(r"code is (\d{6})", mail.text).group(1)


def prove(address: str, mailbox: list, conversation: str = "learner-1") -> None:
    codes = proving.codes()
    codes.send_code(conversation, address, "apply")
    assert codes.check(conversation, address, "apply", code_in(mailbox[-1])).result.value == "proven"


def test_an_application_whose_address_was_never_proven_is_not_filed(database, mailbox):
    """Issue 20, hole 2: anyone could file under someone else's address (and so block their own application,
    and then "prove" the address with their own reference to erase the owner's data)."""
    store = ApplicationStore()
    link = store.start_draft("learner-1", "team-science-fundamentals")
    store.attach_document(link.token, "certificate.pdf", pdf_bytes())
    slots = {**FILLED_SLOTS, "document": "certificate.pdf (1 KB)", "confirmed": True, "eligible": True}
    slots["email_code"] = "jane@uni.edu"  # what the conversation says is no proof: the database's word is
    messages, events = run(FinishApplication(), tracker("yes", "affirm", slots=slots))
    assert store.submitted() == []
    assert "confirm your email address" in messages[0]["text"]
    assert SlotSet("email_code", None) in events and FollowupAction("apply_form") in events


def test_the_code_question_sends_one_code_per_address_and_reads_the_reply(database, mailbox):
    slots = {**FILLED_SLOTS, "requested_slot": "email_code"}
    messages, events = run(AskEmailCode(), tracker("jane@uni.edu", "inform", slots=slots))
    assert len(mailbox) == 1 and mailbox[0].to == "jane@uni.edu"
    assert "jane@uni.edu" in messages[0]["text"] and code_in(mailbox[0]) not in str(messages)
    assert [b["title"] for b in messages[0]["buttons"]] == ["Send it again", "Change the address"]
    assert events == [SlotSet("code_sent_to", "jane@uni.edu")]
    slots["code_sent_to"] = "jane@uni.edu"
    messages, _ = run(AskEmailCode(), tracker("hm", "inform", slots=slots))
    assert len(mailbox) == 1 and "Please type the 6-digit code" in messages[0]["text"]  # asked again, not resent
    wrong = "000000" if code_in(mailbox[0]) != "000000" else "111111"
    messages, events = run(ValidateApplyForm(), answering("email_code", wrong, slots))
    assert "doesn't match" in messages[0]["text"] and SlotSet("email_code", None) in events
    right = code_in(mailbox[0])
    messages, events = run(ValidateApplyForm(), answering("email_code", right, slots))
    assert SlotSet("email_code", "jane@uni.edu") in events
    messages, events = run(ValidateApplyForm(), answering("email_code", "Change the address", slots))
    assert SlotSet("email", None) in events and SlotSet("email_code", None) in events


def answering(slot: str, text: str, slots: dict) -> Tracker:
    """The tracker as the form's validation sees it: the learner's text was just put in `slot`."""
    said = [{"event": "user", "text": text}, {"event": "slot", "name": slot, "value": text}]
    return tracker(text, "inform", slots={**slots, slot: text, "requested_slot": slot}, events=said)


def test_a_slack_profiles_address_needs_no_code_and_another_address_does(database):
    form = ValidateApplyForm()
    profile = {"acts_identity": {"channel": "slack", "user_id": "U1", "email": "jane@uni.edu"}}

    def required(email: str) -> list:
        slack = [{"event": "user", "input_channel": "slack"}]
        t = tracker("x", "inform", slots={**FILLED_SLOTS, "email": email}, metadata=profile, events=slack)
        return asyncio.run(form.required_slots([], CollectingDispatcher(), t, DOMAIN))

    assert "email_code" not in required("Jane@uni.edu")
    assert "email_code" in required("jane.private@example.org")


def test_finishing_a_confirmed_application_submits_it(database, mailbox):
    prove("jane@uni.edu", mailbox)
    store = ApplicationStore()
    link = store.start_draft("learner-1", "team-science-fundamentals")
    store.attach_document(link.token, "certificate.pdf", pdf_bytes())
    slots = {**FILLED_SLOTS, "document": "certificate.pdf (1 KB)", "confirmed": True, "eligible": True}
    messages, events = run(FinishApplication(), tracker("yes", "affirm", slots=slots))
    [application] = store.submitted("jane@uni.edu")
    assert application.reference in messages[0]["text"]
    assert SlotSet("full_name", None) in events


def test_finishing_when_not_eligible_stores_nothing(database):
    """Everything else is in place (a draft with its document, every answer, "yes" to submit):
    only the eligibility verdict stops the submission."""
    store = ApplicationStore()
    link = store.start_draft("learner-1", "team-science-fundamentals")
    store.attach_document(link.token, "certificate.pdf", pdf_bytes())
    slots = {**COMPLETE, "eligible": False}
    messages, events = run(FinishApplication(), tracker("yes", "affirm", slots=slots))
    assert store.submitted() == [] and not any("reference" in m.get("text", "") for m in messages)
    assert SlotSet("full_name", None) in events  # and the answers are forgotten


def test_a_duplicate_submission_is_told_nothing_about_the_open_application(database, mailbox):
    prove("jane@uni.edu", mailbox)
    store = ApplicationStore()
    for conversation in ("learner-0", "learner-1"):
        link = store.start_draft(conversation, "team-science-fundamentals")
        store.attach_document(link.token, "certificate.pdf", pdf_bytes())
    first = store.submit("learner-0", answers.details_from(COMPLETE))
    messages, events = run(FinishApplication(), tracker("yes", "affirm", slots=COMPLETE))
    assert first.reference not in messages[0]["text"] and "already open" in messages[0]["text"]
    assert SlotSet("upload_token", None) in events and SlotSet("email", None) in events


def test_a_database_outage_keeps_the_answers(monkeypatch):
    monkeypatch.setenv("DATABASE_URL", "postgresql://nobody@127.0.0.1:1/none")
    slots = {
        "badge_id": "team-science-fundamentals",
        "training_id": "tsf-training",
        "completion_date": "2024-03-01",
        "full_name": "Jane Doe",
        "email": "jane@uni.edu",
        "organisation": "Uni",
        "orcid": "skipped",
        "document": "c.pdf",
        "confirmed": True,
        "eligible": True,
    }
    messages, events = run(FinishApplication(), tracker("yes", "affirm", slots=slots))
    assert "can't reach" in messages[0]["text"] and "kept" in messages[0]["text"]
    assert events == [SlotSet("confirmed", None)]


# --- issue 13 -------------------------------------------------------------------------------------


def test_misses_in_a_row_are_counted_and_an_answer_resets_them():
    slots = {"requested_slot": "training_id", "badge_id": "team-science-fundamentals", "training_id": "banana"}
    said = [{"event": "user", "text": "banana"}, {"event": "slot", "name": "training_id", "value": "banana"}]
    _, events = run(ValidateApplyForm(), tracker("banana", "nlu_fallback", 0.9, {**slots, "misses": 1}, events=said))
    assert SlotSet("misses", 2) in events and SlotSet("training_id", None) in events
    text = "the digital badging pilot"
    answered = {**slots, "training_id": text, "misses": 2}
    said = [{"event": "user", "text": text}, {"event": "slot", "name": "training_id", "value": text}]
    _, events = run(ValidateApplyForm(), tracker(text, "nlu_fallback", 0.9, answered, events=said))
    assert SlotSet("training_id", "digital-badging-pilot") in events and SlotSet("misses", None) in events


def test_after_two_misses_the_question_is_asked_another_way_with_a_person_to_talk_to():
    slots = {"requested_slot": "training_id", "badge_id": "team-science-fundamentals", "misses": 2}
    messages, _ = run(AskTraining(), tracker("banana", "nlu_fallback", 0.9, slots))
    assert messages[0]["text"] != prompts.prompt_training("team-science-fundamentals").text
    assert "Talk to a person" in [b["title"] for b in messages[0]["buttons"]]


def test_a_guess_is_read_back_before_it_is_stored():
    guess = {"slot": "completion_date", "value": "2025-02-01", "spoken": "February 2025"}
    messages, _ = run(AskCompletionDate(), tracker("feb 25", "nlu_fallback", 0.9, {"guess": guess}))
    assert messages[0]["text"] == "February 2025, right?"


def test_a_question_about_the_form_is_answered_then_the_question_asked_again():
    slots = {"requested_slot": "email", "email": "why do you need my email?"}
    messages, events = run(ValidateApplyForm(), tracker("why do you need my email?", "faq_privacy", 0.9, slots))
    assert "admin@credly.com" in messages[0]["text"]
    assert events == [SlotSet("email", None)]


def test_two_questions_mid_form_get_both_answers():
    text = "is there a fee and can I share it on linkedin?"
    parts = [
        {"entity": "question", "value": "faq_fee", "start": 0, "end": 14},
        {"entity": "question", "value": "faq_sharing", "start": 19, "end": len(text)},
    ]
    slots = {"requested_slot": "organisation", "organisation": text}
    messages, events = run(ValidateApplyForm(), tracker(text, "nlu_fallback", 0.9, slots, entities=parts))
    assert [m["response"] for m in messages] == ["utter_faq_fee", "utter_faq_sharing"]
    assert events == [SlotSet("organisation", None)]


def test_welcome_back_only_when_the_application_is_resumed():
    slots = {"requested_slot": "training_id", "badge_id": "team-science-fundamentals", "training_id": "x"}
    during = [{"event": "active_loop", "name": "apply_form"}, {"event": "user", "text": "the workshop"}]
    text = "the team science fundamentals workshop"
    messages, _ = run(
        ValidateApplyForm(), tracker(text, "apply_badge", 0.9, {**slots, "training_id": text}, events=during)
    )
    assert not any("Welcome back" in (m.get("text") or "") for m in messages)
    resumed = [{"event": "active_loop", "name": None}, {"event": "user", "text": "continue my application"}]
    messages, _ = run(
        ValidateApplyForm(), tracker("continue my application", "apply_badge", 0.9, slots, events=resumed)
    )
    assert "Welcome back" in messages[0]["text"]


def test_an_earlier_answer_corrected_at_the_upload_step_is_changed_however_the_message_was_classified():
    text = "sorry, the date was wrong, it was 14 April 2023"
    slots = {
        "requested_slot": "document",
        "badge_id": "team-science-fundamentals",
        "training_completed": True,
        "training_id": "tsf-training",
        "completion_date": "2023-03-01",
        "full_name": "Jane Doe",
        "email": "jane@uni.edu",
        "organisation": "Example University",
        "orcid": "skipped",
        "document": text,
    }
    said = [{"event": "user", "text": text}, {"event": "slot", "name": "document", "value": text}]
    messages, events = run(ValidateApplyForm(), tracker(text, "out_of_scope", 0.9, slots, events=said))
    assert [m["text"] for m in messages] == ["Updated your completion date."]
    assert SlotSet("completion_date", "2023-04-14") in events and SlotSet("document", None) in events


def test_a_person_asked_for_mid_form_leaves_the_form_keeps_the_answers_and_offers_one():
    slots = {**FILLED_SLOTS, "organisation": None, "requested_slot": "organisation"}
    t = tracker("can I talk to a real person about this?", "human_handoff", slots=slots)
    messages, events = run(ValidateApplyForm(), t)
    assert [m["text"] for m in messages] == [prompts.KEPT_FOR_LATER]
    # The form ends (requested_slot None) and the offer comes next: nothing else is cleared or submitted.
    assert events == [SlotSet("requested_slot", None), FollowupAction("action_offer_handoff")]


def test_after_two_refused_uploads_the_document_question_offers_a_person():
    slots = {"badge_id": "team-science-fundamentals"}
    messages, events = run(AskDocument(), tracker("skip", "deny", slots=slots))
    assert not messages[0].get("buttons")
    token = events[0]["value"]
    store = ApplicationStore()
    for _ in range(2):
        with pytest.raises(Exception) as refused:
            store.attach_document(token, "certificate.pdf", b"not a pdf at all")
    assert refused.value.refusals == 2 and store.refused_uploads("learner-1") == 2
    messages, _ = run(AskDocument(), tracker("it keeps refusing my file", "application_documents", slots=slots))
    assert messages[0]["buttons"] == [prompts.TALK_TO_A_PERSON]


def test_another_providers_training_described_at_the_training_question_is_answered_not_taken_for_an_faq():
    """Issue 25: it sounds like the FAQ on prior training, but it answers the question: which qualify."""
    slots = {"badge_id": "team-science-fundamentals", "training_completed": True, "requested_slot": "training_id"}
    text = "a collaboration workshop my university ran"
    said = [{"event": "user", "text": text}, {"event": "slot", "name": "training_id", "value": text}]
    t = tracker(text, "faq_prior_training", slots={**slots, "training_id": text}, events=said)
    messages, events = run(ValidateApplyForm(), t)
    assert not [m for m in messages if m.get("response")]  # no FAQ answer
    assert "only these count" in messages[0]["text"] and SlotSet("training_id", None) in events
