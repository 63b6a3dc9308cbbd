"""The action server runs every action the domain names: each question's `action_ask_<slot>` and each form's
`validate_<form>` (the question actions are made one per slot, and validation is looked up by slot name)."""

from __future__ import annotations

import pytest
import yaml
from rasa_sdk import Action, FormValidationAction
from rasa_sdk.executor import ActionExecutor

from tests.conftest import ROOT

DOMAIN = yaml.safe_load((ROOT / "domain.yml").read_text())


@pytest.fixture(scope="module")
def registered() -> dict:
    """The actions by name, registered as the action server registers them."""
    executor = ActionExecutor()
    executor.register_package("actions")
    return executor.actions


def test_every_question_and_form_validation_in_the_domain_is_an_action(registered):
    named = [name for name in DOMAIN["actions"] if name.startswith(("action_ask_", "validate_"))]
    assert "action_ask_completion_date" in named and "validate_apply_form" in named
    assert [name for name in named if name not in registered] == []


@pytest.mark.parametrize("form", sorted(DOMAIN["forms"]))
def test_every_slot_a_form_asks_for_is_validated(registered, form):
    validation = registered[f"validate_{form}"].__self__  # the registered action's run, bound to its action
    slots = DOMAIN["forms"][form]["required_slots"]
    if not isinstance(validation, FormValidationAction):
        # A loop whose validation reads every message itself (handoff_relay): it sets its slots in run().
        assert type(validation).run is not Action.run and slots == ["handoff_done"], form
        return
    assert [slot for slot in slots if not callable(getattr(validation, f"validate_{slot}", None))] == []
