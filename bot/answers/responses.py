"""Writes the FAQ answers of bot/content/faq.yml as Rasa responses (data/nlu/faq_responses.yml).

Rasa then utters an answer itself, without a round trip to the action server:
custom actions cost Rasa a JSON-schema check of every reply (about 20 ms of
CPU each in Rasa 3.6), which would dominate the cost of an FAQ turn.
`make` regenerates the file whenever bot/content/faq.yml changes, so
bot/content/faq.yml stays the one place to edit the answers.
"""

from __future__ import annotations

import sys
from pathlib import Path

import yaml

from bot.answers.faq import Faq, load_faq

OUTPUT = Path(__file__).resolve().parents[2] / "data" / "nlu" / "faq_responses.yml"
HEADER = (
    "# GENERATED from bot/content/faq.yml by `make` (python -m bot.answers.responses).\n"
    "# Do not edit: change the answers in bot/content/faq.yml instead.\n"
)


# The key of an answer's custom payload that names its topic, for the feedback buttons.
FEEDBACK_KEY = "feedback"


def response_name(intent: str) -> str:
    return f"utter_{intent}"


def render(faq: Faq) -> str:
    # The custom payload names the answer's topic: the widget and Slack put 👍 / 👎 under it
    # (bot/answers/feedback.py).
    responses = {
        response_name(t.intent): [{"text": t.reply, "custom": {FEEDBACK_KEY: {"topic": t.intent}}}]
        for t in faq.topics.values()
    }
    body = yaml.safe_dump({"version": "3.1", "responses": responses}, sort_keys=False, width=100, allow_unicode=True)
    return HEADER + body


def main(argv: list[str]) -> int:
    target = Path(argv[0]) if argv else OUTPUT
    target.write_text(render(load_faq()), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
