"""The status action as the action server runs it: a slow Credly never stalls other conversations,
and a learner waits a few seconds at most before hearing "couldn't check right now"."""

from __future__ import annotations

import asyncio

import pytest
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.status import NOT_A_REFERENCE, CheckStatus, ValidateStatusForm
from bot import wiring
from bot.identity import SOURCE_KEY
from bot.reviewing.decisions import Reviews
from bot.store.applications import ApplicationStore
from bot.store.db import migrate
from tests.applicants import JANE
from tests.emulator_thread import emulator
from tests.files import pdf_bytes
from tests.trackers import tracker


@pytest.fixture
def approved(tmp_path, monkeypatch):
    """An approved application whose badge was issued on a running Credly emulator."""
    url = f"sqlite:///{tmp_path / 'acts.db'}"
    migrate(url)
    with emulator() as credly:
        for name, value in {
            "DATABASE_URL": url,
            "ACTS_UPLOAD_DIR": str(tmp_path / "uploads"),
            "CREDLY_BASE_URL": credly.base_url,
            "ACTS_STATUS_CREDLY_SECONDS": "1",
        }.items():
            monkeypatch.setenv(name, value)
        monkeypatch.delenv("CREDLY_TOKEN", raising=False)
        wiring._client.cache_clear()
        store = ApplicationStore()
        link = store.start_draft("c1", JANE.badge_id)
        store.attach_document(link.token, "certificate.pdf", pdf_bytes())
        reference = store.submit("c1", JANE).reference
        Reviews(store, wiring.credly_client).approve(reference, "alice")
        yield credly, reference
        wiring._client.cache_clear()


def status_tracker(sender: str, reference: str, email: str) -> Tracker:
    slots = {"status_reference": reference, "status_email": email}
    return tracker(email, "inform", 1.0, slots=slots, metadata={SOURCE_KEY: "web:x"}, sender=sender)


async def _ask(sender: str, reference: str, email: str, finished: list[str]) -> str:
    dispatcher = CollectingDispatcher()
    await CheckStatus().run(dispatcher, status_tracker(sender, reference, email), {})
    finished.append(sender)
    return dispatcher.messages[0]["text"]


def test_a_slow_credly_stalls_no_one_else_and_the_learner_hears_couldnt_check(approved):
    credly, reference = approved
    credly.fail(0, count=10, delay=3)  # every Credly call now takes 3 s; the learner's budget is 1 s

    async def both() -> tuple[str, str]:
        finished: list[str] = []
        slow = asyncio.create_task(_ask("owner", reference, "jane@uni.edu", finished))
        await asyncio.sleep(0.05)  # the owner's question is under way, waiting for Credly
        other = await _ask("stranger", "ACTS-AAAA-AAAA", "x@y.org", finished)
        assert finished == ["stranger"], "a second conversation waited for the first one's Credly call"
        return await slow, other

    owner_text, stranger_text = asyncio.run(both())
    assert "approved" in owner_text and "couldn't check" in owner_text
    assert "couldn't find an application" in stranger_text


@pytest.mark.parametrize("text", ["I don't have the reference on me", "can't find it", "I lost it", "idk"])
def test_a_learner_without_the_reference_is_offered_a_code_to_the_address_instead(text):
    dispatcher = CollectingDispatcher()
    updates = ValidateStatusForm().validate_status_reference(text, dispatcher, None, {})
    assert updates == {"status_reference": None, "status_by_code": True}
    said = dispatcher.messages[0]["text"]
    assert "Your reference is ACTS-" in said and "one-time code" in said


def test_a_mistyped_reference_is_still_asked_for_in_its_shape():
    dispatcher = CollectingDispatcher()
    ValidateStatusForm().validate_status_reference("ACTS-12", dispatcher, None, {})
    assert dispatcher.messages[0]["text"] == NOT_A_REFERENCE


def test_a_person_asked_for_mid_status_check_forgets_the_lookup_and_offers_one():
    from rasa_sdk.events import FollowupAction, SlotSet

    slots = {"requested_slot": "status_email", "status_reference": "ACTS-7KQ2-M9XD"}
    t = tracker("I'd rather talk to a human", "human_handoff", slots=slots, active_form="status_form")
    dispatcher = CollectingDispatcher()
    events = asyncio.run(ValidateStatusForm().run(dispatcher, t, {}))
    assert SlotSet("status_reference", None) in events and SlotSet("requested_slot", None) in events
    assert events[-1] == FollowupAction("action_offer_handoff") and dispatcher.messages == []


def test_in_the_handoff_form_asking_for_a_person_again_is_answered_not_restarted():
    from actions.handoff import ValidateHandoffForm

    slots = {"requested_slot": "status_email"}
    t = tracker("just get me a person", "human_handoff", slots=slots, active_form="handoff_form")
    dispatcher = CollectingDispatcher()
    events = asyncio.run(ValidateHandoffForm().run(dispatcher, t, {}))
    assert "first the address" in dispatcher.messages[0]["text"]
    assert not [e for e in events if e.get("event") == "followup"]
