"""Reads Rasa NLU YAML files into {intent: [examples]} for the data tests."""

from __future__ import annotations

import re
from collections import defaultdict
from pathlib import Path

import yaml


def load_examples(paths) -> dict[str, list[str]]:
    examples: dict[str, list[str]] = defaultdict(list)
    for path in paths:
        for block in yaml.safe_load(Path(path).read_text()).get("nlu", []):
            if "intent" not in block:
                continue
            for line in block["examples"].splitlines():
                line = line.strip()
                if line.startswith("- "):
                    examples[block["intent"]].append(line[2:].strip())
    return dict(examples)


def normalise(text: str) -> str:
    """Lower case, no punctuation, single spaces: near-identical sentences compare equal."""
    return " ".join(re.sub(r"[^\w\s@.]", " ", text.lower()).replace(".", " ").split())
