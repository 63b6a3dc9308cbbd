"""The scheduled clean-up: forgets what is kept longer than needed.

    python -m bot.store.retention [--dry-run] [--days 90]

- Conversations (their every event) idle for longer than the retention (default 90 days,
  ACTS_CONVERSATION_RETENTION_DAYS, or --days) are deleted from the conversation store.
- Draft applications abandoned for longer than an upload link lives (ACTS_UPLOAD_LINK_HOURS)
  are cancelled and their uploaded files deleted.

Run it daily (cron, a Kubernetes CronJob); --dry-run says what it would delete and deletes nothing.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

from bot.settings import VAR, upload_link_hours
from bot.store.conversations import ConversationLog

DEFAULT_DAYS = 90


def conversations_db() -> Path:
    return Path(os.environ.get("ACTS_CONVERSATIONS_DB") or VAR / "conversations.db")


def retention_days() -> float:
    return float(os.environ.get("ACTS_CONVERSATION_RETENTION_DAYS") or DEFAULT_DAYS)


def _plural(count: int, noun: str) -> str:
    return f"{count} {noun}{'' if count == 1 else 's'}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bot.store.retention", description=__doc__.splitlines()[0])
    parser.add_argument("--dry-run", action="store_true", help="say what would be deleted; delete nothing")
    parser.add_argument("--days", type=float, default=None, help="conversation retention in days of inactivity")
    parser.add_argument("--conversations-db", type=Path, default=None)
    args = parser.parse_args(argv)

    days = args.days if args.days is not None else retention_days()
    path = args.conversations_db or conversations_db()
    if path.exists():
        log = ConversationLog(path)
        due = log.idle_since(time.time() - days * 86400)
        if args.dry_run:
            print(f"would delete {_plural(len(due), 'conversation')} idle for more than {days:g} days")
        else:
            print(f"deleted {_plural(log.delete(due), 'conversation')} idle for more than {days:g} days")
    else:
        print(f"0 conversations: no conversation store at {path}")

    from bot.store.applications import ApplicationStore  # the database only when needed
    from bot.store.db import DatabaseUnavailable

    before = datetime.now(timezone.utc) - timedelta(hours=upload_link_hours())
    try:
        drafts = ApplicationStore().discard_abandoned_drafts(before, dry_run=args.dry_run)
    except DatabaseUnavailable:
        print("The applications database cannot be reached (check DATABASE_URL).", file=sys.stderr)
        return 3
    verb = "would cancel" if args.dry_run else "cancelled"
    print(f"{verb} {_plural(drafts, 'abandoned draft')} (and deleted their files)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
