"""The question sets the evaluation asks: the shared dev set, and this project's traps and paraphrases."""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path

from eval.scoring import named_answers

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
DEV_SET = ROOT.parent / "shared" / "eval" / "real_questions_dev.tsv"
OUT_OF_SCOPE = HERE / "out_of_scope.tsv"
PARAPHRASES = HERE / "paraphrases.tsv"
# Questions in the style of public badge FAQs and Credly's help centre, written for this project without
# looking at the dev set or the training data: a second, larger measure of the same kind as the dev set.
REAL_STYLE = HERE / "real_style.tsv"


@dataclass(frozen=True)
class Question:
    text: str
    group: str  # the row of the table it is counted in
    named: tuple[str, ...]  # the answers that are right (empty for an out-of-scope message)


def _rows(path: Path) -> list[list[str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        rows = [row for row in csv.reader(handle, delimiter="\t", quoting=csv.QUOTE_NONE) if row and row[0].strip()]
    return [row for row in rows[1:] if not row[0].startswith("#")]


def dev_questions(path: Path = DEV_SET) -> list[Question]:
    """Real learners' questions; counted under the first answer their label names."""
    questions = []
    for row in _rows(path):
        named = tuple(named_answers(row[1]))
        questions.append(Question(row[0].strip(), named[0], named))
    return questions


def real_style_questions(path: Path = REAL_STYLE) -> list[Question]:
    return dev_questions(path)


def out_of_scope_messages(path: Path = OUT_OF_SCOPE) -> list[Question]:
    return [Question(row[1].strip(), row[0].strip(), ()) for row in _rows(path)]


def paraphrases(path: Path = PARAPHRASES) -> list[Question]:
    return [Question(row[1].strip(), row[0].strip(), (row[0].strip(),)) for row in _rows(path)]
