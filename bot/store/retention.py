"""The scheduled clean-up: forgets what is kept longer than needed.

    python -m bot.store.retention [--dry-run] [--days 90] [--document-days 365]

- Conversations (their every event) idle for longer than the retention (default 90 days,
  ACTS_CONVERSATION_RETENTION_DAYS, or --days) are deleted from the conversation store.
- Draft applications abandoned for longer than an upload link lives (ACTS_UPLOAD_LINK_HOURS)
  are cancelled and their uploaded files deleted.
- Uploaded documents of applications decided (approved, rejected, revoked) longer ago than the
  document retention (default 365 days, ACTS_DOCUMENT_RETENTION_DAYS, or --document-days) have
  their files deleted; their rows stay, with size and SHA-256, and the history says so
  (bot/store/document_retention.py).

Run it daily (cron, a Kubernetes CronJob); --dry-run says what it would delete and deletes nothing.
"""

from __future__ import annotations

import argparse
import sys
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

from bot.settings import conversation_retention_days, conversations_db, document_retention_days, upload_link_hours
from bot.store.conversation_logs import open_conversations
from bot.store.conversations import ConversationLog


def _plural(count: int, noun: str) -> str:
    return f"{count} {noun}{'' if count == 1 else 's'}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bot.store.retention", description=__doc__.splitlines()[0])
    parser.add_argument("--dry-run", action="store_true", help="say what would be deleted; delete nothing")
    parser.add_argument("--days", type=float, default=None, help="conversation retention in days of inactivity")
    parser.add_argument("--conversations-db", type=Path, default=None)
    parser.add_argument(
        "--document-days", type=float, default=None, help="document retention in days after the decision"
    )
    args = parser.parse_args(argv)

    days = args.days if args.days is not None else conversation_retention_days()
    path = args.conversations_db or conversations_db()
    log = ConversationLog(path) if args.conversations_db and path.exists() else open_conversations()
    if log is not None:
        due = log.idle_since(time.time() - days * 86400)
        if args.dry_run:
            print(f"would delete {_plural(len(due), 'conversation')} idle for more than {days:g} days")
        else:
            print(f"deleted {_plural(log.delete(due), 'conversation')} idle for more than {days:g} days")
    else:
        print("0 conversations: no conversation store yet")

    from bot.store.applications import ApplicationStore  # the database only when needed
    from bot.store.db import DatabaseUnavailable
    from bot.store.document_retention import remove_documents_decided_before

    now = datetime.now(timezone.utc)
    document_days = args.document_days if args.document_days is not None else document_retention_days()
    store = ApplicationStore()
    try:
        drafts = store.discard_abandoned_drafts(now - timedelta(hours=upload_link_hours()), dry_run=args.dry_run)
        removed = remove_documents_decided_before(store, now - timedelta(days=document_days), dry_run=args.dry_run)
    except DatabaseUnavailable:
        print("The applications database cannot be reached (check DATABASE_URL).", file=sys.stderr)
        return 3
    verb = "would cancel" if args.dry_run else "cancelled"
    print(f"{verb} {_plural(drafts, 'abandoned draft')} (and deleted their files)")
    verb = "would delete" if args.dry_run else "deleted"
    print(
        f"{verb} the files of {_plural(removed.documents, 'document')} ({removed.bytes / 1024 / 1024:.1f} MB) of "
        f"applications decided more than {document_days:g} days ago (their size and SHA-256 are kept)"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
