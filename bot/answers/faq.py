"""The ACTS badge FAQ: topics, their answers, and the facts each answer must keep.

The texts live in bot/content/faq.yml so that non-programmers can edit them.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import yaml

from bot.settings import contact as configured_contact

CONTENT_FILE = Path(__file__).resolve().parents[1] / "content" / "faq.yml"


@dataclass(frozen=True)
class Topic:
    intent: str
    title: str
    answer: str
    facts: tuple[str, ...]
    question: str = ""  # the seed FAQ's wording, for seed topics
    about: str = ""  # what the answer is about, in a few words

    @property
    def reply(self) -> str:
        """The answer as the assistant gives it: saying first which question it answers, so a learner
        whose question was understood as another one sees it at once."""
        return f"About {self.about}: {self.answer}" if self.about else self.answer


@dataclass(frozen=True)
class Faq:
    topics: Mapping[str, Topic]
    messages: Mapping[str, str]
    default_contact: str

    def topic(self, intent: str | None) -> Topic | None:
        return self.topics.get(intent or "")

    def contact(self) -> str:
        """Who to reach when the assistant can't help; deployments set ACTS_CONTACT."""
        return configured_contact(self.default_contact)

    def message(self, key: str) -> str:
        return self.messages[key].format(contact=self.contact())


def _clean(text: str) -> str:
    # YAML folded scalars keep single spaces; collapse any accidental runs.
    return " ".join(str(text).split())


@lru_cache(maxsize=4)
def load_faq(path: Path = CONTENT_FILE) -> Faq:
    raw = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
    topics = {
        intent: Topic(
            intent=intent,
            title=_clean(spec["title"]),
            answer=_clean(spec["answer"]),
            facts=tuple(spec.get("facts", ())),
            question=_clean(spec.get("question", "")),
            about=_clean(spec.get("about", "")),
        )
        for intent, spec in raw["topics"].items()
    }
    messages = {key: _clean(text) for key, text in raw["messages"].items()}
    return Faq(topics=topics, messages=messages, default_contact=_clean(raw["contact"]))
