"""Six changes to how Rasa 3.6 serves a message, each the same result for less work.

The profile of the server under load (docs/performance.md) showed Rasa re-doing work on every
message that does not change from one message to the next:

1. The action server's answer is checked against a JSON schema with `jsonschema.validate`, which
   first checks the schema itself against the JSON Schema meta-schema: on every custom action.
   Here the schema is checked once and its validator kept.
2. The rule policy asks for the dialogue states of the whole conversation before every
   prediction, and Rasa rebuilds them by replaying every event from the start. Here the states of
   a conversation are kept with its tracker and extended by the new events only; when an event
   could rewrite the past (an undo, a form's loop), they are rebuilt exactly as Rasa does.
3. The graph of components is run by dask's scheduler, which rebuilds the task graph and formats
   a debug message of all inputs on every run. Here the nodes are run in a fixed order that is
   worked out once per set of targets.
4. Every message asks whether the domain is empty, which Rasa answers by turning the whole domain,
   and a new empty one, into dictionaries. The domain does not change while serving: the answer
   is kept with it.
5. Before every action Rasa copies the conversation by replaying all its events into a new
   tracker. The replay's result is the tracker's current state, so that state is copied directly.
   Each copy, and each new tracker, also copies every slot (31 here) through `copy.copy`'s generic
   protocol; a slot class that leaves copying to Python's default is copied attribute by attribute
   instead, which is what that protocol does for it, in a quarter of the time.
6. A response is drawn from its variations with numpy's random choice, which first makes the list
   of variations into an array. Most responses here have one variation that fits; that one is
   returned as it is (the draw could give nothing else). Several go to Rasa's draw.

`apply()` installs them; rasa_plugins/runtime/lean_server.py calls it before Rasa starts. Each is checked
against Rasa's own code by tests/model/test_speedups.py.
"""

from __future__ import annotations

import copy
import types
from typing import Any

from rasa.shared.constants import DEFAULT_SENDER_ID
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import (
    ActionExecuted,
    BotUttered,
    DefinePrevUserUtteredFeaturization,
    Restarted,
    SessionStarted,
    SlotSet,
    UserUttered,
)
from rasa.shared.core.trackers import DialogueStateTracker

# Events whose effect on the applied history is to be appended (or, for a restart or a new
# session, to start it again). Anything else (an undo, a form's loop) may rewrite the past.
_APPENDING = (UserUttered, BotUttered, SlotSet, ActionExecuted, DefinePrevUserUtteredFeaturization)
_RESETTING = (Restarted, SessionStarted)
_STATES = "_acts_past_states"


# --- 1. the action server's answer: its schema checked once --------------------------------------


class _ResponseValidation:
    """jsonschema.validate, except for Rasa's action-response schema (one constant object here),
    whose validator is built, and the schema checked, once."""

    def __init__(self, original: Any, schema: dict) -> None:
        from jsonschema import validators

        self.original, self.schema = original, schema
        cls = validators.validator_for(schema)
        cls.check_schema(schema)
        self.validator = cls(schema)

    def __call__(self, instance: Any, schema: dict, *args: Any, **kwargs: Any) -> None:
        if schema is not self.schema or args or kwargs:
            return self.original(instance, schema, *args, **kwargs)
        from jsonschema import exceptions

        error = exceptions.best_match(self.validator.iter_errors(instance))
        if error is not None:
            raise error


# --- 2. dialogue states, extended by new events only ----------------------------------------------


def past_states(
    self: DialogueStateTracker,
    domain: Any,
    omit_unset_slots: bool = False,
    ignore_rule_only_turns: bool = False,
    rule_only_data: dict[str, Any] | None = None,
) -> list[dict]:
    """DialogueStateTracker.past_states, kept up to date event by event (same result)."""
    if ignore_rule_only_turns or self._max_event_history is not None:
        return domain.states_for_tracker_history(self, omit_unset_slots, ignore_rule_only_turns, rule_only_data)
    cached = getattr(self, _STATES, None)
    events = self.events
    if (
        cached is None
        or cached["domain"] is not domain
        or cached["omit"] != omit_unset_slots
        or not _still_prefix(cached, events)
    ):
        cached = {"domain": domain, "omit": omit_unset_slots, "seen": 0, "last": None, "replay": None, "states": []}
        if any(not isinstance(event, _APPENDING + _RESETTING) for event in events):
            return domain.states_for_tracker_history(self, omit_unset_slots, ignore_rule_only_turns, rule_only_data)
        cached["replay"] = self.init_copy()
        setattr(self, _STATES, cached)
    new = list(events)[cached["seen"] :] if cached["seen"] else list(events)
    if any(not isinstance(event, _APPENDING + _RESETTING) for event in new):
        delattr(self, _STATES)  # from now on the past may be rewritten: Rasa's way every time
        return domain.states_for_tracker_history(self, omit_unset_slots, ignore_rule_only_turns, rule_only_data)
    replay, states = cached["replay"], cached["states"]
    for event in new:
        if isinstance(event, _RESETTING):  # Rasa's applied history starts again after these
            replay, states = self.init_copy(), []
            continue
        if isinstance(event, ActionExecuted):
            states.append(domain._clean_state(domain.get_active_state(replay, omit_unset_slots=omit_unset_slots)))
        replay.update(event)
    cached.update(replay=replay, states=states, seen=len(events), last=events[-1] if events else None)
    final = domain._clean_state(domain.get_active_state(replay, omit_unset_slots=omit_unset_slots))
    # Copies: callers change the states they get (the last user input, for instance).
    return [{key: dict(value) for key, value in state.items()} for state in states] + [final]


def _still_prefix(cached: dict, events: Any) -> bool:
    """The events seen before are still the first events of the tracker (it only grew)."""
    seen = cached["seen"]
    return seen == 0 or (len(events) >= seen and events[seen - 1] is cached["last"])


# --- 3. the graph, in a fixed order ----------------------------------------------------------------


def sequential_runner_class():
    """A DaskGraphRunner that runs its nodes one after the other, in an order computed once."""
    from rasa.engine.exceptions import GraphRunError
    from rasa.engine.runner.dask import DaskGraphRunner

    class SequentialGraphRunner(DaskGraphRunner):
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, **kwargs)
            self._plans: dict[tuple[str, ...], list[tuple[str, tuple[str, ...]]]] = {}

        def _plan(self, targets: tuple[str, ...]) -> list[tuple[str, tuple[str, ...]]]:
            """The nodes needed for `targets`, each after the nodes it needs."""
            schema = self._graph_schema.minimal_graph_schema(list(targets))
            order: list[tuple[str, tuple[str, ...]]] = []
            placed: set[str] = set()

            def place(name: str) -> None:
                if name in placed or name not in schema.nodes:
                    return
                placed.add(name)
                needs = tuple(schema.nodes[name].needs.values())
                for need in needs:
                    place(need)
                order.append((name, needs))

            for target in targets:
                place(target)
            return order

        def run(self, inputs: dict[str, Any] | None = None, targets: list[str] | None = None) -> dict[str, Any]:
            run_targets = tuple(targets if targets else self._graph_schema.target_names)
            plan = self._plans.get(run_targets)
            if plan is None:
                plan = self._plans[run_targets] = self._plan(run_targets)
            results: dict[str, Any] = {}
            for name, value in (inputs or {}).items():
                if isinstance(value, str) and value in self._graph_schema.nodes:
                    raise GraphRunError(f"Input value '{value}' clashes with a node name.")
                results[name] = (name, value)
            try:
                for name, needs in plan:
                    results[name] = self._instantiated_nodes[name](*(results.get(need, need) for need in needs))
            except RuntimeError as error:
                raise GraphRunError("Error running runner.") from error
            return dict(results[target] for target in run_targets)

    return SequentialGraphRunner


# --- 4. whether the domain is empty, answered once -------------------------------------------------


def domain_is_empty_once(original: Any) -> Any:
    def is_empty(self: Any) -> bool:
        known = self.__dict__.get("_acts_is_empty")
        if known is None:
            known = self.__dict__["_acts_is_empty"] = original(self)
        return known

    return is_empty


# --- 5. a tracker copied, not replayed -------------------------------------------------------------

_replaying_copy = DialogueStateTracker.copy
_PLAIN: dict[type, bool] = {}


def _copied_by_default(cls: type) -> bool:
    """Whether copy.copy(instance) is `cls.__new__(cls)` with the instance's __dict__ (Python's default)."""
    plain = _PLAIN.get(cls)
    if plain is None:
        plain = _PLAIN[cls] = (
            cls.__reduce_ex__ is object.__reduce_ex__
            and cls.__reduce__ is object.__reduce__
            and cls.__new__ is object.__new__
            and not any(hasattr(cls, name) for name in ("__copy__", "__getstate__", "__setstate__", "__getnewargs__"))
            and all(not getattr(base, "__slots__", ()) for base in cls.__mro__[:-1])
        )
    return plain


def copy_slot(slot: Any) -> Any:
    """copy.copy(slot), without the generic protocol's detour when the slot's class copies by default."""
    cls = type(slot)
    if not _copied_by_default(cls):
        return copy.copy(slot)
    new = object.__new__(cls)
    new.__dict__.update(slot.__dict__)
    return new


# Stands for the `copy` module in rasa.shared.core.trackers, whose only use is copying slots.
_TRACKERS_COPY = types.SimpleNamespace(copy=copy_slot, deepcopy=copy.deepcopy)


def copy_tracker(self: DialogueStateTracker) -> DialogueStateTracker:
    """DialogueStateTracker.copy: a new tracker in the state replaying every event would give it."""
    if type(self) is not DialogueStateTracker or type(self.slots) is not dict:
        return _replaying_copy(self)
    new = DialogueStateTracker(self.sender_id or DEFAULT_SENDER_ID, None, self._max_event_history)
    new.is_rule_tracker = self.is_rule_tracker
    new.slots = {name: copy_slot(slot) for name, slot in self.slots.items()}  # values as they are now
    new.events = new._create_events(list(self.events))
    new._paused, new.followup_action = self._paused, self.followup_action
    new.latest_action = copy.copy(self.latest_action)
    new.latest_message, new.latest_bot_utterance = self.latest_message, self.latest_bot_utterance
    new.active_loop = copy.copy(self.active_loop)  # changed in place by later events
    return new


# --- 6. a response with one fitting variation --------------------------------------------------------


def one_variation_as_it_is(rasas_draw: Any) -> Any:
    """TemplatedNaturalLanguageGenerator._random_response_for, without the draw when one variation fits."""
    from rasa.core.nlg.generator import ResponseVariationFilter
    from rasa.shared.constants import RESPONSE_CONDITION

    def random_response_for(self: Any, utter_action: str, output_channel: str, filled_slots: dict) -> Any:
        if utter_action in self.responses:
            fitting = ResponseVariationFilter(self.responses).responses_for_utter_action(
                utter_action, output_channel, filled_slots
            )
            if len(fitting) == 1 and not fitting[0].get(RESPONSE_CONDITION):  # (a condition is logged by Rasa)
                return fitting[0]
        return rasas_draw(self, utter_action, output_channel, filled_slots)

    return random_response_for


def apply() -> None:
    import jsonschema
    import rasa.core.processor
    import rasa.shared.core.trackers
    from rasa.core.actions.action import RemoteAction
    from rasa.core.nlg.response import TemplatedNaturalLanguageGenerator

    schema = RemoteAction.action_response_format_spec()
    RemoteAction.action_response_format_spec = staticmethod(lambda: schema)
    jsonschema.validate = _ResponseValidation(jsonschema.validate, schema)
    DialogueStateTracker.past_states = past_states
    rasa.core.processor.DaskGraphRunner = sequential_runner_class()
    Domain.is_empty = domain_is_empty_once(Domain.is_empty)
    DialogueStateTracker.copy = copy_tracker
    rasa.shared.core.trackers.copy = _TRACKERS_COPY  # the slots of every new tracker
    generator = TemplatedNaturalLanguageGenerator
    generator._random_response_for = one_variation_as_it_is(generator._random_response_for)
