"""What the model tests compare our serving speed-ups on: a component of the trained model's graph, and the
training conversations cut before each of their actions (the states a policy and slot extraction see)."""

from __future__ import annotations

from typing import Any

from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted
from rasa.shared.core.generator import TrainingDataGenerator
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.shared.importers.importer import TrainingDataImporter

from tests.conftest import ROOT


def component(processor: Any, kind: type) -> Any:
    """The loaded component of the model's graph that is a `kind` (the one RulePolicy, the one classifier)."""
    nodes = processor.graph_runner._instantiated_nodes.values()
    return next(node._component for node in nodes if isinstance(getattr(node, "_component", None), kind))


def conversations_before_each_action(domain: Domain) -> list[DialogueStateTracker]:
    """Every conversation of data/ (stories and rules), cut before each of its actions."""
    importer = TrainingDataImporter.load_from_config(
        str(ROOT / "config.yml"), str(ROOT / "domain.yml"), [str(ROOT / "data")]
    )
    found = []
    for tracker in TrainingDataGenerator(importer.get_stories(), domain, augmentation_factor=0).generate():
        events = list(tracker.events)
        found += [
            DialogueStateTracker.from_events(tracker.sender_id, events[:end], domain.slots)
            for end, event in enumerate(events)
            if isinstance(event, ActionExecuted)
        ]
    return found
