"""rasa_plugins.runtime.speedups gives exactly what Rasa's own code gives: the same validation verdicts, the
same dialogue states after every event (forms, undos and new sessions included), the same graph
results."""

from __future__ import annotations

import asyncio
import copy

import jsonschema
import pytest
import rasa.core.processor
import rasa.shared.core.trackers
from rasa.core.actions.action import RemoteAction
from rasa.core.agent import Agent
from rasa.engine.runner.dask import DaskGraphRunner
from rasa.shared.core.constants import ACTION_LISTEN_NAME, ACTION_SESSION_START_NAME
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import (
    ActionExecuted,
    ActiveLoop,
    BotUttered,
    Restarted,
    SessionStarted,
    SlotSet,
    UserUtteranceReverted,
    UserUttered,
)
from rasa.shared.core.trackers import DialogueStateTracker

from rasa_plugins.runtime import speedups
from tests.conftest import ROOT

DOMAIN = Domain.load(ROOT / "domain.yml")


def said(intent: str, text: str = "") -> UserUttered:
    return UserUttered(text or intent, {"name": intent, "confidence": 1.0})


def turn(intent: str, *answer) -> list:
    return [said(intent), *answer, ActionExecuted(ACTION_LISTEN_NAME)]


SESSION = [ActionExecuted(ACTION_SESSION_START_NAME), SessionStarted(), ActionExecuted(ACTION_LISTEN_NAME)]
FAQ = [*SESSION, *turn("greet", ActionExecuted("utter_greet"), BotUttered("hi"))]
FAQ += turn("faq_fee", ActionExecuted("utter_faq_fee"), BotUttered("no cost"))
FAQ += [*SESSION, *turn("thanks", ActionExecuted("utter_thanks"), BotUttered("welcome"))]
FORM = [*SESSION, said("apply_badge"), ActionExecuted("apply_form"), ActiveLoop("apply_form")]
FORM += [SlotSet("requested_slot", "badge_id"), ActionExecuted(ACTION_LISTEN_NAME), said("inform", "TSF")]
FORM += [ActionExecuted("apply_form"), SlotSet("badge_id", "team-science-fundamentals"), ActiveLoop(None)]
UNDO = [*SESSION, *turn("greet", ActionExecuted("utter_greet")), UserUtteranceReverted(), *turn("faq_fee")]
RESTART = [*FAQ, Restarted(), *turn("greet", ActionExecuted("utter_greet"))]


@pytest.mark.parametrize("events", [FAQ, FORM, UNDO, RESTART], ids=["faq", "form", "undo", "restart"])
@pytest.mark.parametrize("omit_unset_slots", [False, True])
def test_dialogue_states_equal_rasas_after_every_event(events, omit_unset_slots):
    tracker = DialogueStateTracker("x", DOMAIN.slots)
    for event in events:
        tracker.update(event)
        expected = DOMAIN.states_for_tracker_history(tracker, omit_unset_slots=omit_unset_slots)
        got = speedups.past_states(tracker, DOMAIN, omit_unset_slots=omit_unset_slots)
        assert got == expected
        got[-1].clear()  # a caller changing what it got changes nothing cached
        if got[:-1]:
            got[0].clear()
        assert speedups.past_states(tracker, DOMAIN, omit_unset_slots=omit_unset_slots) == expected


def test_the_action_response_check_gives_rasas_verdicts():
    schema = RemoteAction.action_response_format_spec()
    check = speedups._ResponseValidation(jsonschema.validate, schema)
    good = {"events": [{"event": "slot", "name": "email", "value": "a@b.org"}], "responses": [{"text": "hi"}]}
    check(good, schema)
    for bad in ({"events": [{"event": "slot", "name": 3}]}, {"events": "not a list"}, {"responses": [1]}):
        with pytest.raises(jsonschema.ValidationError) as ours:
            check(bad, schema)
        with pytest.raises(jsonschema.ValidationError) as rasas:
            jsonschema.validate(bad, schema)
        assert ours.value.message == rasas.value.message
    with pytest.raises(jsonschema.ValidationError):  # another schema: jsonschema's own validate
        check({"a": 1}, {"type": "object", "properties": {"a": {"type": "string"}}})


def test_the_sequential_runner_gives_the_dask_runners_results(trained_model, monkeypatch):
    messages = ["hi", "is there a fee?", "can i put it on linkedin", "qwerty", "where is my application"]

    def parse_all() -> list[dict]:
        agent = Agent.load(str(trained_model))
        return [asyncio.run(agent.parse_message(text)) for text in messages]

    expected = parse_all()
    monkeypatch.setattr(rasa.core.processor, "DaskGraphRunner", speedups.sequential_runner_class())
    assert rasa.core.processor.DaskGraphRunner is not DaskGraphRunner
    assert parse_all() == expected


def test_whether_the_domain_is_empty_is_rasas_answer_kept():
    is_empty = speedups.domain_is_empty_once(Domain.is_empty)
    for domain in (DOMAIN, Domain.empty()):
        assert is_empty(domain) == Domain.is_empty(domain) == is_empty(domain)


def state_of(tracker: DialogueStateTracker) -> dict:
    return {
        "events": [e.as_dict() for e in tracker.events],
        "slots": {name: (slot.value, slot.has_been_set) for name, slot in tracker.slots.items()},
        "attributes": {
            key: value
            for key, value in vars(tracker).items()
            if key not in ("events", "slots", "_acts_past_states") and not callable(value)
        },
    }


@pytest.mark.parametrize("events", [FAQ, FORM, UNDO, RESTART], ids=["faq", "form", "undo", "restart"])
def test_a_tracker_copy_is_the_replayed_copy_and_independent(events):
    tracker = DialogueStateTracker("x", DOMAIN.slots)
    tracker.model_id = "model"  # not carried over by Rasa's copy either
    for event in events:
        tracker.update(event)
        fast, replayed = speedups.copy_tracker(tracker), speedups._replaying_copy(tracker)
        assert state_of(fast) == state_of(replayed)
    fast.update(SlotSet("badge_id", "changed"))
    fast.update(ActiveLoop("apply_form"))
    assert tracker.get_slot("badge_id") != "changed" and len(fast.events) == len(tracker.events) + 2


class _WithState:
    def __init__(self) -> None:
        self.value, self.copies = 1, 0

    def __getstate__(self) -> dict:
        return {"value": self.value, "copies": self.copies + 1}


def test_a_slot_copy_is_copy_copys_and_independent():
    for slot in DOMAIN.slots:
        slot.value = "set"
        fast, python = speedups.copy_slot(slot), copy.copy(slot)
        assert type(fast) is type(slot) and vars(fast) == vars(python) == vars(slot)
        fast.value = "changed"
        assert slot.value == "set"
        slot.reset()
    # A class with its own copying is copied its way.
    assert speedups.copy_slot(_WithState()).copies == 1


def test_a_new_trackers_slots_are_copied_as_rasa_copies_them(monkeypatch):
    rasas = DialogueStateTracker("x", DOMAIN.slots)
    monkeypatch.setattr(rasa.shared.core.trackers, "copy", speedups._TRACKERS_COPY)
    ours = DialogueStateTracker("x", DOMAIN.slots)
    assert state_of(ours) == state_of(rasas)
    ours.update(SlotSet("badge_id", "changed"))
    assert next(slot for slot in DOMAIN.slots if slot.name == "badge_id").value is None
    assert rasas.get_slot("badge_id") is None


def test_a_response_with_one_fitting_variation_is_rasas_only_possible_draw(trained_model):
    from rasa.core.nlg.response import TemplatedNaturalLanguageGenerator

    domain = Agent.load(str(trained_model)).domain
    responses = {
        **domain.responses,
        "utter_two_ways": [{"text": "one way"}, {"text": "another"}],  # (every response here has one today)
        "utter_on_condition": [{"text": "if set", "condition": [{"type": "slot", "name": "badge_id", "value": "x"}]}],
    }
    generator = TemplatedNaturalLanguageGenerator(responses)
    draws = []

    def rasas_draw(self, utter_action, output_channel, filled_slots):
        draws.append(utter_action)
        return TemplatedNaturalLanguageGenerator._random_response_for(self, utter_action, output_channel, filled_slots)

    ours = speedups.one_variation_as_it_is(rasas_draw)
    singles = [name for name, variations in domain.responses.items() if len(variations) == 1]
    several = ["utter_two_ways"]
    assert len(singles) > 10  # the FAQ answers
    for name in singles:
        for channel in ("rest", "slack"):
            expected = TemplatedNaturalLanguageGenerator._random_response_for(generator, name, channel, {})
            assert ours(generator, name, channel, {}) is expected
    assert not draws  # no draw was needed
    for name in several:
        assert ours(generator, name, "rest", {}) in responses[name]
    assert ours(generator, "utter_on_condition", "rest", {"badge_id": "x"}) == responses["utter_on_condition"][0]
    assert draws == [*several, "utter_on_condition"]  # each of these is Rasa's draw
    assert ours(generator, "utter_no_such_response", "rest", {}) is None
