"""End to end: apply for a badge by conversation over REST, upload a real PDF through the link,
confirm, and find exactly one stored application, on SQLite and on PostgreSQL."""

from __future__ import annotations

import secrets

import pytest
import requests
from sqlalchemy import select

from bot.applying import answers
from bot.reading.references import parse_reference
from bot.store.applications import ApplicationStore
from bot.store.models import Application
from rasa_plugins.channels.rest import EMPTY
from tests.conftest import Chat
from tests.conversations import answer_until_upload, code_for, new_learner, prove_address, upload, upload_link
from tests.files import jpeg_bytes, pdf_bytes


@pytest.fixture(params=["sqlite", "postgresql"])
def deployment(request):
    return request.getfixturevalue("servers" if request.param == "sqlite" else "pg_servers")


def test_apply_upload_confirm_stores_exactly_one_application(deployment):
    chat, email = new_learner(deployment)
    link = answer_until_upload(chat, email)
    uploaded = requests.post(
        link,
        files={"file": ("certificate.pdf", pdf_bytes(), "application/pdf")},
        headers={"Accept": "application/json"},
        timeout=30,
    )
    assert uploaded.status_code == 201, uploaded.text
    summary = chat.text("done")
    assert "Got your certificate.pdf" in summary and "Jane Doe" in summary and email in summary
    confirmation = chat.text("yes")
    reference = parse_reference(confirmation)
    assert reference and "submitted" in confirmation

    store = ApplicationStore(url=deployment.database_url, documents_dir=deployment.upload_dir)
    [application] = store.submitted(email)
    assert application.reference == reference and application.status == "submitted"
    assert application.full_name == "Jane Doe"
    assert application.orcid == "0000-0002-1825-0097"
    [document] = application.documents
    assert document.original_name == "certificate.pdf" and document.mime == "application/pdf"
    assert (deployment.upload_dir / document.stored_name).read_bytes() == pdf_bytes()

    # The learner applies again, in another conversation (proving the address again): nothing is filed,
    # nothing is told about the open application, nothing kept.
    again = Chat(deployment.ports.rasa, f"again-{secrets.token_hex(4)}", deployment.mail_dir)
    link = answer_until_upload(again, email)
    upload(link, jpeg_bytes(), "stranger.jpg")
    again.text("done")
    reply = again.text("yes")
    assert "already open" in reply and parse_reference(reply) is None and reference not in reply
    [application] = store.submitted(email)
    assert [d.original_name for d in application.documents] == ["certificate.pdf"]
    assert store.draft_documents(again.sender) == []
    assert not any(path.suffix == ".jpg" for path in deployment.upload_dir.iterdir())


def test_nothing_of_the_application_stays_in_the_conversation(servers):
    chat, email = new_learner(servers)
    upload(answer_until_upload(chat, email))
    chat.text("done")
    assert parse_reference(chat.text("yes"))
    slots = servers.tracker(chat.sender)["slots"]
    kept = {name: slots[name] for name in (*answers.FORM_SLOTS, *answers.HELPER_SLOTS) if slots.get(name) is not None}
    assert kept == {}  # no answer, and no upload token


def test_faq_mid_form_is_answered_then_the_form_resumes(servers):
    chat, _ = new_learner(servers)
    chat.text("I want to apply for the team science badge")
    reply = chat.text("sorry, is there a fee to use credly?")
    assert "no cost" in reply and "qualifying training" in reply
    assert "Which qualifying training" in chat.text("yes")


def test_corrections_at_the_summary(servers):
    chat, email = new_learner(servers)
    upload(answer_until_upload(chat, email))
    chat.text("done")
    reply = chat.text("change my email to jane.corrected@uni.edu")
    # A new address is proven like the first, before anything is filed under it.
    assert "Updated." in reply and "sent a 6-digit code to jane.corrected@uni.edu" in reply
    reply = chat.text(code_for(servers.mail_dir, "jane.corrected@uni.edu"))
    assert "Email: jane.corrected@uni.edu" in reply and "Submit" in str(chat.say("hm"))
    reply = chat.text("change my organisation to UNC")  # "change" must never read as "cancel"
    assert "Updated." in reply and "Organisation: UNC" in reply
    assert "full name" in chat.text("change my name")
    assert "Jane Q. Doe" in chat.text("Jane Q. Doe")


def test_email_typo_is_caught_and_confirmed(servers):
    chat, _ = new_learner(servers)
    chat.text("I'd like to apply for the Team Science Fundamentals badge")
    chat.text("yes")
    chat.text("the digital badging pilot")
    chat.text("2023-11-02")
    chat.text("Jane Doe")
    assert "Did you mean jane.doe@gmail.com?" in chat.text("jane.doe@gmial.com")
    # The corrected address is the one the code goes to.
    assert "sent a 6-digit code to jane.doe@gmail.com" in chat.text("yes")


def test_not_eligible_says_why_and_stores_nothing(servers):
    chat, _ = new_learner(servers)
    chat.text("I'd like to apply for the Team Science Fundamentals badge")
    reply = chat.text("no, not yet")
    assert "qualifying training" in reply and "come back" in reply
    assert "no cost" in chat.text("is there a fee to use credly")  # the form is over
    store = ApplicationStore(url=servers.database_url, documents_dir=servers.upload_dir)
    rows = store.transaction(
        lambda session: session.execute(select(Application.id).where(Application.conversation_id == chat.sender)).all()
    )
    assert rows == []  # not even a draft


def test_badge_in_development_is_not_open(servers):
    chat, _ = new_learner(servers)
    reply = chat.text("I want to apply for one of the complementary team science badges")
    assert "not open" in reply and "questions" in reply


def test_stop_cancels_cleanly_and_deletes_the_upload(servers):
    chat, email = new_learner(servers)
    link = answer_until_upload(chat, email)
    upload(link)
    assert "cancelled" in chat.text("stop")
    store = ApplicationStore(url=servers.database_url, documents_dir=servers.upload_dir)
    assert store.submitted(email) == [] and store.draft_documents(chat.sender) == []
    assert "nothing in progress" in chat.text("stop").lower()


def test_fake_and_oversize_files_are_refused_with_a_clear_message(servers):
    chat, email = new_learner(servers)
    link = answer_until_upload(chat, email)
    fake = requests.post(
        link,
        files={"file": ("certificate.pdf", b"MZ\x90\x00 not a pdf", "application/pdf")},
        headers={"Accept": "application/json"},
        timeout=30,
    )
    assert fake.status_code == 422 and "PDF, PNG or JPEG" in fake.json()["message"]
    assert "talk to a person" not in fake.json()["message"]
    big = requests.post(
        link,
        files={"file": ("big.pdf", b"%PDF-" + b"0" * (11 * 1024 * 1024), "application/pdf")},
        headers={"Accept": "application/json"},
        timeout=60,
    )
    # The second refusal says how to reach a person, and so does the question when the learner is back.
    assert big.status_code == 413 and "10 MB" in big.json()["message"]
    assert 'say "talk to a person"' in big.json()["message"]
    back = chat.say("done")
    assert "haven't received" in " ".join(m.get("text", "") for m in back)
    assert "Talk to a person" in [b["title"] for m in back for b in m.get("buttons") or []]
    # The learner takes it, the application is left with its answers kept, and a person offered.
    left = chat.text("/human_handoff")
    assert "continue my application" in left and "Shall I pass it on?" in left
    assert "won't pass it on" in chat.text("/deny")
    resumed = chat.say("continue my application")
    assert "Welcome back" in resumed[0]["text"] and upload_link(resumed) == link
    # Nothing was lost: the same link still takes a good file.
    good = requests.post(link, files={"file": ("certificate.pdf", pdf_bytes(), "application/pdf")}, timeout=30)
    assert good.status_code == 201
    assert "Got your certificate.pdf" in chat.text("done")


def test_unknown_upload_links_are_refused(servers):
    page = requests.get(f"http://127.0.0.1:{servers.ports.web}/upload/not-a-real-token", timeout=10)
    assert page.status_code == 404 and "not valid" in page.text
    post = requests.post(
        f"http://127.0.0.1:{servers.ports.web}/upload/not-a-real-token",
        files={"file": ("c.pdf", pdf_bytes(), "application/pdf")},
        timeout=10,
    )
    assert post.status_code == 422


def test_choosing_the_badge_by_its_button_after_a_general_request(servers):
    chat, _ = new_learner(servers)
    reply = chat.say("hi, I'd like to apply for a badge")
    titles = [b["title"] for m in reply for b in m.get("buttons", [])]
    assert "Team Science Fundamentals" in titles
    assert "qualifying training" in chat.text("Team Science Fundamentals")


def test_a_learner_in_their_own_words_with_guesses_asides_and_misses(servers):
    """Issue 13: free-text choices, guesses read back, an aside, a question about the form, two misses."""
    chat, email = new_learner(servers)
    assert "qualifying training" in chat.text("I'd like to apply for the Team Science Fundamentals badge")
    assert "Which qualifying training" in chat.text("yes")
    # Issue 25: another provider's course is never read back as ACTS's ("..., right?"): what qualifies instead.
    reply = chat.text("a team science course at my university")
    assert "only these count" in reply and "right?" not in reply
    reply = chat.text("the team science fundamentals workshop")
    assert "When did you complete" in reply and "Welcome back" not in reply
    assert chat.text("feb 25").startswith("February 2025, right?")
    assert "full name" in chat.text("yes")
    reply = chat.text("hang on, let me check")
    assert "take your time" in reply and "full name" in reply
    assert "email" in chat.text("jane o\u2019brien").lower()
    reply = chat.text("why do you need my email?")
    assert "admin@credly.com" in reply and "What email address" in reply
    assert "organisation" in prove_address(chat, email)
    # An out-of-scope aside is declined, and the question comes back without counting as a miss.
    reply = chat.text("what's the weather like in boston today")
    assert "can't answer" in reply and "Which organisation" in reply
    # An aside and an empty message: neither is stored as the organisation, nor counted as a miss.
    reply = chat.text("one moment, checking with my supervisor")
    assert "take your time" in reply and "Which organisation" in reply
    assert chat.text("  ") == EMPTY
    first = chat.text("???")
    second = chat.say("!!!")
    assert "Which organisation" in first
    assert "Talk to a person" in [b["title"] for m in second for b in m.get("buttons") or []]
    assert "ORCID" in chat.text("Example University")
    link = upload_link(chat.say("skip"))
    # An earlier answer corrected at a later question: changed, then the upload is asked for again.
    reply = chat.text("hmm sorry, the date was wrong, it was January 2025")
    assert "Updated your completion date" in reply and "/upload/" in reply
    upload(link)
    summary = chat.text("done")
    assert "Completed: 2025-01-01" in summary and "Jane O\u2019brien" not in summary and "O\u2019Brien" in summary
    assert "What would you like to change" in chat.text("Change something")
    assert "When did you complete" in chat.text("the completion date")
    assert "2024-03-01" in chat.text("March 2024")
    assert parse_reference(chat.text("submit"))
