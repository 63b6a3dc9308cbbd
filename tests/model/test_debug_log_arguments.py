"""rasa_plugins.runtime.debug_log_arguments: Rasa's debug-line arguments are built only when a debug line
is written, and in the modules it changes, `copy` and `format_tracker_states` serve nothing but debug lines."""

from __future__ import annotations

import ast
import importlib
import inspect
import logging
from pathlib import Path

import pytest
import structlog
from rasa.core.policies.policy import Policy
from rasa.core.policies.rule_policy import RulePolicy
from rasa.utils.log_utils import configure_structlog

from rasa_plugins.runtime import debug_log_arguments

STATES = [{"user": {"intent": "greet"}, "prev_action": {"action_name": "action_listen"}}]


@pytest.fixture
def applied():
    modules = [importlib.import_module(name) for name in debug_log_arguments.MODULES]
    originals = [module.copy for module in modules]
    saved_config = structlog.get_config()
    root_level = logging.getLogger().level
    debug_log_arguments.apply()
    yield modules
    for module, original in zip(modules, originals, strict=True):
        module.copy = original
    if "format_tracker_states" in RulePolicy.__dict__:
        del RulePolicy.format_tracker_states
    structlog.configure(**saved_config)
    logging.getLogger().setLevel(root_level)


def log_at(level: int) -> None:
    configure_structlog(level)
    logging.getLogger().setLevel(level)


def test_at_the_default_level_nothing_is_copied_or_formatted(applied):
    log_at(logging.INFO)
    events = [{"event": "action", "name": "utter_greet"}]
    for module in applied:
        assert module.copy.deepcopy(events) is events
    assert RulePolicy.format_tracker_states(STATES) == ""


def test_with_debug_lines_the_copies_and_text_are_rasas(applied):
    log_at(logging.DEBUG)
    events = [{"event": "action", "name": "utter_greet"}]
    for module in applied:
        copied = module.copy.deepcopy(events)
        assert copied == events and copied is not events and copied[0] is not events[0]
    assert RulePolicy.format_tracker_states(STATES) == Policy.format_tracker_states(STATES) != ""


def test_without_rasas_log_set_up_nothing_is_left_out(applied):
    structlog.reset_defaults()  # no level filter: every debug line is written
    events = [{"event": "action"}]
    assert applied[0].copy.deepcopy(events) is not events


def _debug_calls(tree: ast.AST) -> list[ast.Call]:
    return [
        node
        for node in ast.walk(tree)
        if isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and node.func.attr == "debug"
        and isinstance(node.func.value, ast.Name)
        and node.func.value.id == "structlogger"
    ]


def _inside(node: ast.AST, calls: list[ast.Call]) -> bool:
    return any(node is inner for call in calls for inner in ast.walk(call))


@pytest.mark.parametrize("module_name", debug_log_arguments.MODULES)
def test_copy_serves_only_debug_lines_in_those_modules(module_name):
    tree = ast.parse(Path(inspect.getfile(importlib.import_module(module_name))).read_text())
    uses = [
        node
        for node in ast.walk(tree)
        if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and node.value.id == "copy"
    ]
    assert uses, "the module no longer uses copy: the change is not needed there"
    assert all(use.attr == "deepcopy" for use in uses)
    assert all(_inside(use, _debug_calls(tree)) for use in uses)


def test_formatted_states_serve_only_a_debug_line():
    tree = ast.parse(Path(inspect.getfile(RulePolicy)).read_text())
    debug_calls = _debug_calls(tree)
    for function in (node for node in ast.walk(tree) if isinstance(node, ast.FunctionDef)):
        for statement in ast.walk(function):
            if not (
                isinstance(statement, ast.Assign)
                and isinstance(statement.value, ast.Call)
                and getattr(statement.value.func, "attr", None) == "format_tracker_states"
            ):
                continue
            name = statement.targets[0].id
            target = statement.targets[0]
            reads = [n for n in ast.walk(function) if isinstance(n, ast.Name) and n.id == name and n is not target]
            assert reads and all(_inside(read, debug_calls) for read in reads)
    callers = [n for n in ast.walk(tree) if isinstance(n, ast.Attribute) and n.attr == "format_tracker_states"]
    assert len(callers) == 1
