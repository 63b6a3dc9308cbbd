"""Telling a learner in Slack that their application moved on: a decision, or their badge accepted.

Only applications filed from Slack are told (that is where the learner is known). A message that
cannot be sent is logged (without personal data) and never undoes or blocks the decision itself.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.settings import SlackSettings
from bot.slack.blocks import mrkdwn
from bot.slack.client import web_client
from bot.store.models import Application

log = logging.getLogger(__name__)
SLACK_PREFIX = "slack:"


def _nobody(application: Application) -> None:
    return None


def send_news(client: WebClient, application: Application) -> bool:
    """Tells the learner who filed the application from Slack where it stands now, in a DM; False
    when it was not filed from Slack (or was erased since). Raises whatever Slack raises: the notice
    outbox (bot/notices) calls it and retries."""
    if not (application.filed_by or "").startswith(SLACK_PREFIX):
        return False
    from bot.reviewing.status import explain  # the same words as a status question gets

    user = application.filed_by.removeprefix(SLACK_PREFIX)
    channel = client.conversations_open(users=user)["channel"]["id"]
    text = mrkdwn("News about your application: " + explain(application))
    client.chat_postMessage(channel=channel, text=text)
    return True


def learner_notifier(settings: SlackSettings | None) -> Callable[[Application], None]:
    """A Slack DM sent right away, its failure only logged. The assistant's own code tells learners
    through the notice outbox instead (bot/notices/tell.py), which retries."""
    if settings is None:
        return _nobody

    def notify(application: Application) -> None:
        if not (application.filed_by or "").startswith(SLACK_PREFIX):
            return
        try:
            send_news(web_client(settings), application)
        except (SlackApiError, OSError) as error:
            reason = error.response.get("error") if isinstance(error, SlackApiError) else type(error).__name__
            log.warning("could not tell a learner in Slack about their application: %s", reason)

    return notify
