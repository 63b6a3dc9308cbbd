"""The badge catalogue (bot/content/badges.yml): which badges exist and what each requires."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import yaml

CATALOGUE_FILE = Path(__file__).resolve().parents[1] / "content" / "badges.yml"
OPEN = "open"


@dataclass(frozen=True)
class Training:
    id: str
    name: str
    aliases: tuple[str, ...]


@dataclass(frozen=True)
class Document:
    id: str
    name: str


@dataclass(frozen=True)
class Badge:
    id: str
    name: str
    status: str
    credly_template_id: str | None
    aliases: tuple[str, ...]
    trainings: tuple[Training, ...]
    documents: tuple[Document, ...]

    @property
    def is_open(self) -> bool:
        return self.status == OPEN

    def training(self, training_id: str | None) -> Training | None:
        return next((t for t in self.trainings if t.id == training_id), None)

    def match_training(self, text: str) -> Training | None:
        return _best_match(text, {t: (t.id, t.name, *t.aliases) for t in self.trainings})


def _words(text: str) -> str:
    return " " + " ".join(re.findall(r"[a-z0-9]+", text.lower())) + " "


def _best_match(text: str, names: dict) -> object | None:
    """The item whose longest name occurs in the text, as whole words."""
    said = _words(text)
    best, best_length = None, 0
    for item, candidates in names.items():
        for candidate in candidates:
            words = _words(candidate)
            if words.strip() and words in said and len(words) > best_length:
                best, best_length = item, len(words)
    return best


@dataclass(frozen=True)
class Catalogue:
    badges: tuple[Badge, ...]

    def get(self, badge_id: str | None) -> Badge | None:
        return next((b for b in self.badges if b.id == badge_id), None)

    def match(self, text: str) -> Badge | None:
        """The badge a learner names in free text ("the team science one"), if any."""
        return _best_match(text, {b: (b.id, b.name, *b.aliases) for b in self.badges})

    @property
    def open_badges(self) -> tuple[Badge, ...]:
        return tuple(b for b in self.badges if b.is_open)


@lru_cache(maxsize=4)
def load_catalogue(path: Path = CATALOGUE_FILE) -> Catalogue:
    raw = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
    badges = tuple(
        Badge(
            id=spec["id"],
            name=spec["name"],
            status=spec["status"],
            credly_template_id=spec.get("credly_template_id"),
            aliases=tuple(spec.get("aliases", ())),
            trainings=tuple(
                Training(id=t["id"], name=t["name"], aliases=tuple(t.get("aliases", ())))
                for t in spec.get("qualifying_trainings", ())
            ),
            documents=tuple(Document(id=d["id"], name=d["name"]) for d in spec.get("documents", ())),
        )
        for spec in raw["badges"]
    )
    return Catalogue(badges=badges)
