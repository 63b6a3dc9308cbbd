"""How long the staff's report takes on a day of traffic: `python -m bench.report_timing [--messages N]`.

A day of the benchmark's conversations (bench/workload.py: a greeting, FAQ questions, an unsure one,
the offer of a person, a thank-you or goodbye), with one message in ten a question the assistant
declines, is written into the analytics tables of a fresh SQLite database as the broker's events, then
the report is built and drawn. Prints one JSON object: the messages, the seconds to read them in, and
the seconds to make the report.
"""

from __future__ import annotations

import argparse
import json
import tempfile
import time
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

from bench.workload import conversation

DAY = datetime(2026, 11, 2, tzinfo=timezone.utc)
SECRET = b"bench-report-timing"
# What each benchmark message is read as, and the action that answers it.
FAQ_TOPICS = (
    "faq_fee",
    "faq_earned_notification",
    "faq_privacy",
    "faq_sharing",
    "faq_export",
    "faq_copy_protection",
    "faq_who_is_credly",
    "faq_available_badges",
)
UNSURE_TOPICS = ("badge_expiry", "faq_copy_protection", "faq_prior_training", "faq_copy_protection", "faq_export")


def readings() -> dict[str, tuple[str, str]]:
    from bench.workload import CLOSINGS, CUSTOM_ACTION_TURN, FAQ_TURNS, GREETINGS, UNSURE_TURNS

    topics = {
        **dict(zip((q for q, _ in FAQ_TURNS), FAQ_TOPICS, strict=True)),
        **dict(zip((q for q, _ in UNSURE_TURNS), UNSURE_TOPICS, strict=True)),
    }
    return {
        **{text: (topic, f"utter_{topic}") for text, topic in topics.items()},
        **{text: ("greet", "utter_greet") for text, _ in GREETINGS},
        **{
            text: ("goodbye", "utter_goodbye") if said == "Goodbye" else ("thanks", "utter_youre_welcome")
            for text, said in CLOSINGS
        },
        CUSTOM_ACTION_TURN[0]: ("human_handoff", "action_offer_handoff"),
    }


def day_of_events(messages: int) -> list[dict]:
    """`messages` learners' messages spread over one day, each followed by the action that answered it."""
    read = readings()
    events: list[dict] = []
    step = 86_400 / max(1, messages)
    index = 0
    while index < messages:
        sender = f"bench-day-{index // 5}"
        for text, _ in conversation(index // 5):
            if index >= messages:
                break
            at = (DAY + timedelta(seconds=index * step)).timestamp()
            if index % 10 == 9:
                text, (intent, action) = (
                    f"can I get CME credit number {index % 50}?",
                    ("out_of_scope", "action_cant_help"),
                )
            else:
                intent, action = read[text]
            parse = {"intent": {"name": intent, "confidence": 0.95}}
            events.append({"sender_id": sender, "event": "user", "timestamp": at, "text": text,
                           "input_channel": "rest", "parse_data": parse})  # fmt: skip
            events.append({"sender_id": sender, "event": "action", "timestamp": at + 0.01, "name": action})
            index += 1
    return events


def measure(messages: int) -> dict:
    from bot.insights.ingest import ingest
    from bot.insights.page import html
    from bot.insights.report import build
    from bot.store.db import migrate

    with tempfile.TemporaryDirectory(prefix="acts-report-timing-") as tmp:
        url = f"sqlite:///{Path(tmp) / 'acts.db'}"
        migrate(url)
        events = day_of_events(messages)
        started = time.perf_counter()
        for start in range(0, len(events), 2000):  # as the worker reads the spool: a batch at a time
            ingest(events[start : start + 2000], SECRET, url)
        read_s = time.perf_counter() - started
        started = time.perf_counter()
        report = build(date(2026, 11, 2), date(2026, 11, 3), SECRET, url)
        page = html(report)
        report_s = time.perf_counter() - started
    return {
        "messages": report.total_messages,
        "read_in_s": round(read_s, 2),
        "report_s": round(report_s, 2),
        "page_kb": round(len(page.encode()) / 1024),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--messages", type=int, default=100_000)
    print(json.dumps(measure(parser.parse_args().messages)))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
