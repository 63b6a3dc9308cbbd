"""Queueing notices right after a change was stored, then one try right away.

The reviewers' post of a new application, and a learner's news: a Slack DM when the application was
filed from Slack, else a mail to the address it was filed with (approved, rejected, revoked). Each
is queued in the outbox first, so a Slack or mail server that is down, slow or answering
strangely delays the notice but never loses it, and never reaches the code that made the change.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from bot.notices.mails import news_of
from bot.notices.outbox import MAIL, REVIEW_POST, SLACK_DM, NoticeOutbox
from bot.notices.worker import deliver_quietly
from bot.settings import slack
from bot.store.applications import ApplicationStore
from bot.store.models import Application

log = logging.getLogger(__name__)


def queue_review_post(store: ApplicationStore, reference: str) -> int | None:
    """Queues the reviewers' post of a new submission (once per application); None when there is no
    reviewers' channel configured, as before the outbox, or it was queued already."""
    settings = slack()
    if settings is None or not settings.review_channel:
        return None
    return NoticeOutbox(store).enqueue(REVIEW_POST, {"reference": reference}, key=f"review:{reference}")


def queue_news(store: ApplicationStore, application: Application) -> list[int]:
    """Queues what the learner is owed after a change to their application; the notices' ids."""
    outbox = NoticeOutbox(store)
    reference = application.reference
    if (application.filed_by or "").startswith("slack:"):
        # Today's Slack behaviour: every change a learner is told of, in the words of a status answer.
        return [outbox.enqueue(SLACK_DM, {"reference": reference})]
    news = news_of(application)
    if news is None or application.applicant is None:
        return []
    # One mail per decision: the badge issued after an approval, or the same change heard twice, adds none.
    notice = outbox.enqueue(MAIL, {"reference": reference, "news": news}, key=f"mail:{reference}:{news}")
    return [notice] if notice is not None else []


def tell_learner(store: ApplicationStore, right_away: bool = True) -> Callable[[Application], None]:
    """What Reviews, the badge issuer and the Credly webhook sync call after a change: queues the
    learner's notice and (with `right_away`) tries it once at once. Never raises into the caller:
    the change is stored already."""

    def notify(application: Application) -> None:
        try:
            notices = queue_news(store, application)
        except Exception as error:
            log.error("a learner's notice could not be queued: %s", type(error).__name__)
            return
        if right_away:
            for notice in notices:
                deliver_quietly(store, notice)

    return notify
