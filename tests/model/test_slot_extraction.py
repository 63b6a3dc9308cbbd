"""rasa_plugins.runtime.slot_extraction gives exactly Rasa's slot extraction: over every prefix of every
training conversation (forms included), and over each of those put in every form with every requested slot,
with and without the form rejected; it skips the walk outside forms and runs it where a mapping can fill."""

from __future__ import annotations

import asyncio
import copy

import pytest
from rasa.core.actions.action import ActionExtractSlots
from rasa.shared.core.constants import REQUESTED_SLOT
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecutionRejected, ActiveLoop, SlotSet, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

from rasa_plugins.runtime import slot_extraction
from tests.conftest import ROOT
from tests.rasa_model import conversations_before_each_action

rasas_run = ActionExtractSlots.run
TYPED_INTENTS = ["inform", "greet", "stop", "faq_fee"]
ours = slot_extraction.skipping_when_nothing_to_extract(rasas_run)


@pytest.fixture(scope="module")
def domain() -> Domain:
    return Domain.load(ROOT / "domain.yml")


@pytest.fixture(scope="module")
def trackers(domain) -> list[DialogueStateTracker]:
    """Each training conversation cut before each of its actions, then each of those in every form and
    requested slot too."""
    found = conversations_before_each_action(domain)
    altered = []
    for index, tracker in enumerate(found[::7]):
        for form in domain.form_names:
            for slot in domain.required_slots_for_form(form):
                changed = copy.deepcopy(tracker)
                changed.update(ActiveLoop(form))
                changed.update(SlotSet(REQUESTED_SLOT, slot))
                if index % 3 == 0:
                    changed.update(ActionExecutionRejected(form))
                if index % 2 == 0:  # an answer typed in the form
                    changed.update(UserUttered("Jane Doe", {"name": TYPED_INTENTS[index % 4], "confidence": 1.0}))
                altered.append(changed)
    return found + altered


def extracted(run, tracker, domain) -> list:
    action = ActionExtractSlots(action_endpoint=None)
    return asyncio.run(run(action, None, None, tracker, domain))


def test_the_same_events_as_rasas_extraction(trackers, domain):
    skipped = filled = 0
    for tracker in trackers:
        expected = extracted(rasas_run, tracker, domain)
        assert extracted(ours, tracker, domain) == expected
        skipped += slot_extraction.nothing_to_extract(tracker, domain)
        filled += bool(expected)
    assert skipped > len(trackers) / 4  # most messages outside forms skip the walk
    assert filled > 20  # and the comparison covers real extractions too


def test_a_mapping_that_can_fill_by_itself_keeps_rasas_walk(domain):
    changed = Domain.from_dict(domain.as_dict())
    changed.slots[0].mappings.append({"type": "from_intent", "intent": "greet", "value": "x"})
    assert slot_extraction._plan(changed) is None
    assert not slot_extraction.nothing_to_extract(DialogueStateTracker("x", changed.slots), changed)


def test_this_domains_mappings_are_all_skippable_outside_forms(domain):
    plan = slot_extraction._plan(domain)
    assert plan and all(mapping["type"] == "from_text" for _, mapping in plan)
    assert slot_extraction.nothing_to_extract(DialogueStateTracker("x", domain.slots), domain)
