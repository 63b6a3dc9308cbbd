"""`python -m bot.insights report [--since D] [--until D] [--out FILE]`: the staff's report as one HTML
file (var/report.html by default) and a text summary, the file's path printed last.
`python -m bot.insights consume`: read the event spool into the analytics now (the web service does it
every few seconds on its own); `consume --rabbitmq`: read the RabbitMQ queue of the production set-up
(ACTS_RABBITMQ_URL) until stopped, as the web service does when that is set.
`report --weekly --post` (from cron, say Mondays at 8): the last seven days, the summary posted to the
staff's Slack channel (SLACK_STAFF_CHANNEL)."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import sys
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

from bot.insights.page import html, text
from bot.insights.posting import post_summary
from bot.insights.report import build
from bot.insights.spool import drain_round
from bot.settings import VAR, production_rabbitmq_url, secret_key
from bot.store.db import migrate
from bot.store.private import private_file


def _day(value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError as error:
        raise argparse.ArgumentTypeError(f"{value!r} is not a date like 2026-11-01") from error


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bot.insights", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    report = commands.add_parser("report", help="write the report")
    today = datetime.now(timezone.utc).date()
    report.add_argument("--since", type=_day, default=today - timedelta(days=28), help="first day (28 days ago)")
    report.add_argument("--until", type=_day, default=today + timedelta(days=1), help="day after the last (tomorrow)")
    report.add_argument("--out", type=Path, default=VAR / "report.html")
    report.add_argument("--weekly", action="store_true", help="the last seven whole days (for a weekly cron job)")
    report.add_argument("--post", action="store_true", help="post the summary to the staff's Slack channel")
    consume = commands.add_parser("consume", help="read the event spool into the analytics now")
    consume.add_argument("--rabbitmq", action="store_true", help="read the RabbitMQ queue instead, until stopped")
    args = parser.parse_args(argv)
    migrate()
    if args.command == "consume" and args.rabbitmq:
        print("reading the analytics' RabbitMQ queue (Ctrl-C to stop)", flush=True)
        with contextlib.suppress(KeyboardInterrupt):
            asyncio.run(consume(production_rabbitmq_url(), secret_key()))
        return 0
    if args.command == "consume":
        drain_round()
        print("the event spool is read into the analytics")
        return 0
    if args.weekly:
        args.since, args.until = today - timedelta(days=7), today
    if args.until <= args.since:
        parser.error("--until must be after --since")
    drain_round()  # what the servers saw up to now counts
    built = build(args.since, args.until, secret_key())
    args.out.parent.mkdir(parents=True, exist_ok=True)
    private_file(args.out)
    args.out.write_text(html(built), encoding="utf-8")
    summary = text(built)
    print(summary)
    if args.post:
        posted = post_summary(summary)
        print(f"posted to Slack ({posted})" if posted else "not posted: set SLACK_STAFF_CHANNEL and the Slack app")
    print(args.out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
