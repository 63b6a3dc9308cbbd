"""`rasa run` without TensorFlow when the pipeline has no TensorFlow component, and with
rasa_plugins.runtime.speedups, .rule_index, .debug_log_arguments, .slot_extraction, .action_failures and
.parse_in_thread applied, the sentence model in a process of its own and BLAS on one thread.

TensorFlow is 360 MB of the Rasa server's memory and several seconds of its start-up, yet this
assistant's pipeline (a character n-gram classifier and the rule policy) never calls it. Rasa
imports it anyway: five of its modules import TensorFlow at import time for training or for
components we don't use (DIET, ResponseSelector, TED). This launcher blocks TensorFlow and puts
placeholders in place of those five modules (their names exist, nothing in them can be used),
then runs Rasa's own command line. If config.yml names any other component, it runs Rasa as is.

    python -m rasa_plugins.runtime.lean_server run --model models/acts.tar.gz ...
"""

from __future__ import annotations

import importlib.abc
import os
import sys
import types
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[2]
# Rasa's components known to run without TensorFlow; the project's own (rasa_plugins.*) never use it.
TENSORFLOW_FREE = {
    "FallbackClassifier",
    "RulePolicy",
    "MemoizationPolicy",
    "AugmentedMemoizationPolicy",
}
# Rasa modules that import TensorFlow at import time but are only needed for training or for
# TensorFlow components; the serving code imports names from them without using them.
PLACEHOLDERS = (
    "rasa.utils.tensorflow.callback",
    "rasa.utils.tensorflow.data_generator",
    "rasa.nlu.classifiers.diet_classifier",
    "rasa.nlu.selectors.response_selector",
    "rasa.core.policies.ted_policy",
)
BLOCKED = {"tensorflow", "tensorflow_text", "tensorflow_hub", "tensorflow_addons", "keras"}


class _NoTensorFlow(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path, target=None):
        if name.split(".")[0] in BLOCKED:
            raise ImportError(
                f"{name} is not loaded by rasa_plugins.runtime.lean_server (the pipeline does not use it)"
            )
        return None


def _placeholder(module_name: str) -> types.ModuleType:
    module = types.ModuleType(module_name, "Placeholder: this Rasa module needs TensorFlow, which is not loaded.")
    made: dict[str, type] = {}

    def unusable(self, *args, **kwargs):
        raise RuntimeError(f"{module_name} needs TensorFlow, which rasa_plugins.runtime.lean_server does not load")

    def __getattr__(name: str) -> type:
        if name.startswith("__"):
            raise AttributeError(name)
        return made.setdefault(name, type(name, (), {"__module__": module_name, "__init__": unusable}))

    module.__getattr__ = __getattr__
    return module


def pipeline_is_tensorflow_free(config: Path = ROOT / "config.yml") -> bool:
    settings = yaml.safe_load(config.read_text()) or {}
    names = {step["name"] for key in ("pipeline", "policies") for step in settings.get(key) or []}
    return all(name in TENSORFLOW_FREE or name.startswith("rasa_plugins.") for name in names)


def without_tensorflow() -> None:
    sys.meta_path.insert(0, _NoTensorFlow())
    for name in PLACEHOLDERS:
        sys.modules[name] = _placeholder(name)


def main() -> None:
    # Before numpy loads: the server's matrices are small, and an idle BLAS thread spins for a while after each
    # product, taking half a core from the event loop. (Training, not run from here, keeps every thread.)
    os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
    if pipeline_is_tensorflow_free():
        without_tensorflow()
    from rasa.__main__ import main as rasa_main

    from bot.settings import MEANING_IN_A_PROCESS
    from rasa_plugins.runtime import (
        action_failures,
        debug_log_arguments,
        parse_in_thread,
        rule_index,
        slot_extraction,
        speedups,
    )

    speedups.apply()  # the same results for less work per message (rasa_plugins/runtime/speedups.py)
    rule_index.apply()  # the rules that fit a conversation found through an index, the same ones
    debug_log_arguments.apply()  # debug lines' copies made only when debug lines are written
    slot_extraction.apply()  # no walk through every slot's mappings when none can fill anything
    action_failures.apply()  # a failed custom action is answered, within seconds
    parse_in_thread.apply()  # a message that needs the sentence model is read on a worker thread meanwhile
    # The sentence model in a child process of each server process (rasa_plugins/nlu/sentence_meaning.py).
    os.environ.setdefault(MEANING_IN_A_PROCESS, "1")

    sys.argv[0] = "rasa"
    rasa_main()


if __name__ == "__main__":
    main()
