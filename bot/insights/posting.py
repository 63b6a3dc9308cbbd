"""The report's summary in the staff's Slack channel (SLACK_STAFF_CHANNEL), for a weekly post from cron.

Only the summary's numbers and topics go to Slack, never a learner's question: the page, with the
masked questions, stays where it was written.
"""

from __future__ import annotations

from bot.settings import slack, slack_staff_channel
from bot.slack.client import web_client


def post_summary(summary: str) -> str | None:
    """Posts the summary; returns the channel it went to, or None when no staff channel is set up."""
    settings, channel = slack(), slack_staff_channel()
    if settings is None or channel is None:
        return None
    text = "What learners asked the badge assistant, " + summary
    web_client(settings).chat_postMessage(channel=channel, text=text, unfurl_links=False, mrkdwn=False)
    return channel
