"""rasa_plugins.runtime.rule_index finds exactly the rules Rasa's RulePolicy finds: with the trained model's
rules, over every prefix of every conversation in the training stories and rules (forms, interruptions and
all), over each rule's own states, and over those states altered (another intent, another or no previous
action, a form active, a slot that rules want unset)."""

from __future__ import annotations

import random

import pytest
from rasa.core.agent import Agent
from rasa.core.policies.rule_policy import (
    RULES,
    RULES_FOR_LOOP_UNHAPPY_PATH,
    SHOULD_NOT_BE_SET,
    RulePolicy,
)
from rasa.shared.core.constants import ACTIVE_LOOP, LOOP_NAME, PREVIOUS_ACTION, USER
from rasa.shared.nlu.constants import ACTION_NAME, INTENT

from rasa_plugins.runtime import rule_index
from tests.rasa_model import component, conversations_before_each_action

rasas_possible_keys = RulePolicy._get_possible_keys


@pytest.fixture(scope="module")
def policy_and_domain(trained_model):
    agent = Agent.load(str(trained_model))
    return component(agent.processor, RulePolicy), agent.domain


@pytest.fixture(scope="module")
def conversation_states(policy_and_domain) -> list[list[dict]]:
    """The states the policy sees before each action of each training conversation, intent and text both."""
    policy, domain = policy_and_domain
    found = [
        policy._prediction_states(prefix, domain, use_text, rule_only_data=policy._get_rule_only_data())
        for prefix in conversations_before_each_action(domain)
        for use_text in (False, True)
    ]
    assert len(found) > 400  # the stories and rules really were read (428 on 2026-12-08)
    return found


def same_keys(policy: RulePolicy, states: list[dict]) -> None:
    for table in (RULES, RULES_FOR_LOOP_UNHAPPY_PATH):
        lookup = policy.lookup[table]
        assert rule_index.possible_keys(policy, lookup, states) == rasas_possible_keys(policy, lookup, states)


def test_the_same_rules_fit_every_training_conversation(policy_and_domain, conversation_states):
    policy, _ = policy_and_domain
    matched = 0
    for states in conversation_states:
        same_keys(policy, states)
        matched += bool(rasas_possible_keys(policy, policy.lookup[RULES], states))
    assert matched > len(conversation_states) / 4  # most of them fit some rule: the comparison means something


def test_each_rule_fits_its_own_states_and_the_same_rules_as_rasas(policy_and_domain):
    policy, _ = policy_and_domain
    for table in (RULES, RULES_FOR_LOOP_UNHAPPY_PATH):
        for key in policy.lookup[table]:
            # As a conversation's states hold them: lists (entities) as tuples; a rule's key is JSON.
            states = [
                {part: {k: _tuple(v) for k, v in sub.items()} for part, sub in state.items()}
                for state in policy._rule_key_to_state(key)
            ]
            assert key in rule_index.possible_keys(policy, policy.lookup[table], states)
            same_keys(policy, states)


def _tuple(value):
    return tuple(value) if isinstance(value, list) else value


def altered(state: dict, rng: random.Random, intents: list[str], actions: list[str]) -> dict:
    state = {part: dict(sub) for part, sub in state.items()}
    change = rng.randrange(6)
    if change == 0 and USER in state:
        state[USER][INTENT] = rng.choice(intents)
    elif change == 1:
        state[PREVIOUS_ACTION] = {ACTION_NAME: rng.choice(actions)}
    elif change == 2:
        state.pop(PREVIOUS_ACTION, None)
    elif change == 3:
        state[ACTIVE_LOOP] = {LOOP_NAME: rng.choice(["apply_form", "status_form", SHOULD_NOT_BE_SET])}
    elif change == 4:
        state.setdefault("slots", {})["requested_slot"] = rng.choice([(1.0,), SHOULD_NOT_BE_SET, (0.0,)])
    else:
        state.pop(USER, None)
    return state


def test_the_same_rules_fit_altered_conversations(policy_and_domain, conversation_states):
    policy, domain = policy_and_domain
    rng = random.Random(7)
    intents, actions = list(domain.intents), list(domain.action_names_or_texts)
    for states in rng.sample(conversation_states, 300):
        changed = list(states)
        for _ in range(rng.randint(1, 3)):
            index = rng.randrange(len(changed))
            changed[index] = altered(changed[index], rng, intents, actions)
        same_keys(policy, changed)


def test_no_states_fit_every_rule(policy_and_domain):
    policy, _ = policy_and_domain
    assert rule_index.possible_keys(policy, policy.lookup[RULES], []) == set(policy.lookup[RULES])


def test_a_changed_lookup_table_is_indexed_again(policy_and_domain, conversation_states):
    policy, _ = policy_and_domain
    lookup = dict(policy.lookup[RULES])
    states = next(states for states in conversation_states if rasas_possible_keys(policy, lookup, states))
    assert rule_index.possible_keys(policy, lookup, states)
    for key in rasas_possible_keys(policy, lookup, states):
        del lookup[key]
    assert rule_index.possible_keys(policy, lookup, states) == rasas_possible_keys(policy, lookup, states)
