"""RulePolicy's search for the rules that fit a conversation, with the rules compiled once and indexed by
the action each one ends after.

Rasa 3.6 answers "which rules apply here?" (`RulePolicy._get_possible_keys`) by checking every rule
against the conversation's last state, then the survivors against the state before, and so on back to
the conversation's first state. Each check decodes the rule (a JSON key, cached), reverses its states and
walks their dictionaries. It does this two or three times per message, and under load it was 30 % of
the Rasa server's event-loop thread (docs/performance.md).

Here, for the same answer:
- each rule is compiled once into, per turn, its previous-action state and the (part, key, value)
  checks `RulePolicy._does_rule_match_state` makes, in Rasa's order and with Rasa's conditions;
- the first check (the conversation's last state) only looks at the rules that end after that state's
  previous action, plus the rules that do not name one (a rule naming another action fails that check
  in Rasa's code too: its value is set and differs);
- the walk back stops once every surviving rule is shorter than the turns already checked (Rasa's check
  passes every turn beyond a rule's length).

`tests/model/test_rule_index.py` checks the result equals Rasa's for the trained model's rules over
every conversation of the stories, the rules and the benchmark's mix, and over altered states.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from rasa.core.policies.rule_policy import SHOULD_NOT_BE_SET, RulePolicy
from rasa.shared.core.constants import PREVIOUS_ACTION
from rasa.shared.nlu.constants import ACTION_NAME

_INDEXES = "_acts_rule_indexes"
_MUST_BE_UNSET = object()  # a check's marker: the conversation's value must be empty (or SHOULD_NOT_BE_SET)


class _Rule:
    """One rule, turn by turn from its last state back: the previous action it names, and its checks."""

    __slots__ = ("key", "turns", "length")

    def __init__(self, key: str, states: list[dict]) -> None:
        self.key = key
        self.turns = [(state.get(PREVIOUS_ACTION), _checks(state)) for state in reversed(states)]
        self.length = len(self.turns)

    def applies_at(self, turn_index: int, conversation_state: dict) -> bool:
        """RulePolicy._is_rule_applicable(key, turn_index, conversation_state), without decoding the key."""
        if turn_index >= self.length:
            return True
        rule_previous_action, checks = self.turns[turn_index]
        current_previous_action = conversation_state.get(PREVIOUS_ACTION)
        if not rule_previous_action and not current_previous_action:
            return True
        if not rule_previous_action or not current_previous_action:
            return False
        for part, key, value in checks:
            found = conversation_state.get(part, {}).get(key)
            if value is _MUST_BE_UNSET:
                if found and found != SHOULD_NOT_BE_SET:
                    return False
            elif found != value:
                return False
        return True


def _checks(rule_state: dict) -> list[tuple[str, str, Any]]:
    """RulePolicy._does_rule_match_state's conditions for one rule state, in its order: a set value must be
    the conversation's (lists compared as tuples, as Rasa does); SHOULD_NOT_BE_SET must find nothing set;
    an empty value checks nothing."""
    checks = []
    for part, sub_state in rule_state.items():
        for key, value in sub_state.items():
            if isinstance(value, list):
                value = tuple(value)
            if value == SHOULD_NOT_BE_SET:
                checks.append((part, key, _MUST_BE_UNSET))
            elif value:
                checks.append((part, key, value))
    return checks


class _Index:
    """The rules of one lookup table that can fit after each previous action: those ending after it, and those
    whose last state names none."""

    def __init__(self, policy: RulePolicy, lookup: dict[str, str]) -> None:
        self.lookup = lookup
        self.size = len(lookup)
        named_after: dict[str, list[_Rule]] = defaultdict(list)
        self.any_last_action: list[_Rule] = []
        for key in lookup:
            rule = _Rule(key, policy._rule_key_to_state(key))
            named = _named_action(rule.turns[0][0]) if rule.turns else None
            if named is None:
                self.any_last_action.append(rule)
            else:
                named_after[named].append(rule)
        # Joined once here, not at every look-up.
        self.after_action = {name: self.any_last_action + rules for name, rules in named_after.items()}

    def candidates(self, last_state: dict) -> list[_Rule]:
        named = (last_state.get(PREVIOUS_ACTION) or {}).get(ACTION_NAME)
        return self.after_action.get(named, self.any_last_action)


def _named_action(previous_action: dict | None) -> str | None:
    """The action a rule state insists on, when it insists on one (a set value other than SHOULD_NOT_BE_SET)."""
    if not previous_action:
        return None
    name = previous_action.get(ACTION_NAME)
    if not name or name == SHOULD_NOT_BE_SET or not isinstance(name, str):
        return None
    return name


def _index_for(policy: RulePolicy, lookup: dict[str, str]) -> _Index:
    indexes = policy.__dict__.setdefault(_INDEXES, {})
    index = indexes.get(id(lookup))
    # Rebuilt if the table is another object (or was changed): the lookup is fixed once the model is loaded.
    if index is None or index.lookup is not lookup or index.size != len(lookup):
        index = indexes[id(lookup)] = _Index(policy, lookup)
    return index


def possible_keys(self: RulePolicy, lookup: dict[str, str], states: list[dict]) -> set[str]:
    """RulePolicy._get_possible_keys: the keys of the rules in `lookup` that fit `states`."""
    if not states:
        return set(lookup.keys())
    index = _index_for(self, lookup)
    survivors = index.candidates(states[-1])
    for turn_index, state in enumerate(reversed(states)):
        survivors = [rule for rule in survivors if rule.applies_at(turn_index, state)]
        if not survivors or all(rule.length <= turn_index + 1 for rule in survivors):
            break  # every later turn passes each survivor (or there are none)
    return {rule.key for rule in survivors}


def apply() -> None:
    RulePolicy._get_possible_keys = possible_keys
