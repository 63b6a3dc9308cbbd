"""Rasa's debug-log arguments built only when debug lines are written.

Rasa 3.6 builds the arguments of its structured debug lines before it knows whether they are written:
a deep copy of every action's events and of the parsed message (`rasa.core.processor`), and the whole
conversation formatted as text and deep-copied before every rule look-up (`RulePolicy`). At the default
log level every one is thrown away. Under load they were about 7 % of the Rasa server's event-loop thread
(docs/performance.md).

In those two modules `copy` is used for nothing else (each use is an argument of `structlogger.debug`),
and `format_tracker_states` only for that line. Here they do the work only when a debug line of that
module would be written: when Rasa's log set-up filters by level (`structlog.stdlib.filter_by_level`, as
`rasa.utils.log_utils.configure_structlog` does) and that module's logger is not enabled for DEBUG, the
copy is the object itself and the formatting is empty. With `--debug`, or any other log set-up, they
are Rasa's own. `tests/model/test_debug_log_arguments.py` checks both.
"""

from __future__ import annotations

import copy
import logging
from typing import Any

import structlog

# The Rasa modules whose `copy` serves only debug lines (checked by the test against their source).
MODULES = ("rasa.core.processor", "rasa.core.policies.rule_policy")


RULE_POLICY = MODULES[1]


def debug_dropped(logger: logging.Logger) -> bool:
    """Whether a structlog debug line of the module `logger` is named after is thrown away by the log set-up."""
    if structlog.stdlib.filter_by_level not in structlog.get_config()["processors"]:
        return False
    return not logger.isEnabledFor(logging.DEBUG)


class CopiesForDebugLines:
    """Stands for the `copy` module inside one Rasa module: deepcopy is Python's when the line is written."""

    def __init__(self, module_name: str) -> None:
        self.logger = logging.getLogger(module_name)  # (kept: getLogger takes a lock at every call)

    def deepcopy(self, value: Any, memo: dict | None = None) -> Any:
        if debug_dropped(self.logger):
            return value  # only ever passed to a debug line that is not written
        return copy.deepcopy(value, memo)


def apply() -> None:
    import importlib

    from rasa.core.policies.policy import Policy
    from rasa.core.policies.rule_policy import RulePolicy

    for name in MODULES:
        importlib.import_module(name).copy = CopiesForDebugLines(name)
    rasa_format = Policy.format_tracker_states
    rule_policy_logger = logging.getLogger(RULE_POLICY)

    def format_tracker_states(states: list[dict]) -> str:
        if debug_dropped(rule_policy_logger):
            return ""
        return rasa_format(states)

    RulePolicy.format_tracker_states = staticmethod(format_tracker_states)
