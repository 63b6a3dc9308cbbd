"""Delivering a handoff's notices (bot/notices/handoff.py queues them): to the staff by mail, or in the
support channel in Slack (the request, then its thread); to the learner in Slack where they asked (their
DM, or the channel's thread), or by mail unless their open chat showed the answer (bot/web/handoff.py).
The words and the address are read when a notice is sent: a request forgotten or erased meanwhile sends
nothing.
"""

from __future__ import annotations

from html import escape

from bot.handoff.desk import FORGOTTEN, HandoffDesk, Message, Request
from bot.handoff.hours import support_hours
from bot.mail.sending import Mail, send_mail
from bot.notices.outbox import HANDOFF_STAFF, NothingToSend
from bot.settings import support_email
from bot.slack import support
from bot.slack.blocks import mrkdwn
from bot.slack.events import thread_of
from bot.store.applications import ApplicationStore

SIGNATURE = "ACTS Digital Badges (Association for Clinical and Translational Science)"


def _live_request(desk: HandoffDesk, reference: str) -> Request:
    """The request a notice is about, or NothingToSend when it was erased or forgotten meanwhile."""
    request = desk.get(reference)
    if request is None or request.conversation_id == FORGOTTEN:
        raise NothingToSend
    return request


def _transcript(messages: list[Message]) -> str:
    names = {"learner": "Learner", "assistant": "Assistant", "staff": "Staff"}
    return "\n".join(f"{names.get(m.sender, m.sender)}: {m.text}" for m in messages if m.text)


def staff_mail(desk: HandoffDesk, payload: dict) -> Mail:
    """The mail to the support address: the request with what was said so far, or the learner's new words."""
    reference, what = payload["reference"], payload["what"]
    request = _live_request(desk, reference)
    command = f'python -m bot.commands.support reply {reference} "your answer"'
    if what == "learner":
        found = desk.message(payload["message"])
        if found is None or not found[1].text:
            raise NothingToSend
        subject, body = f"{reference}: the learner writes", f"Learner: {found[1].text}"
    elif what == "left":
        subject, body = f"{reference}: closed by the learner", "The learner went back to the assistant."
    elif what == "reminder":
        subject = f"{reference}: still waiting for someone to answer"
        body = f"Nobody has answered {reference} yet; it was due {request.due_at:%Y-%m-%d %H:%M} UTC."
    else:
        subject = f"{reference}: a learner asks to talk to a person"
        where = "Slack" if request.channel == "slack" else "the website"
        lines = [f"From {where}, {request.created_at:%Y-%m-%d %H:%M} UTC."]
        if request.application_reference:
            lines.append(f"Their application: {request.application_reference}.")
        body = "\n".join(lines) + "\n\n" + _transcript(desk.messages(reference))
    text = f"{body}\n\nAnswer with: {command}\nClose with: python -m bot.commands.support close {reference}\n"
    return Mail(support_email(), subject, text, f"<pre>{escape(text)}</pre>")


def learner_text(desk: HandoffDesk, payload: dict) -> tuple[Request, str]:
    """What the learner is told, and the request it belongs to."""
    request = _live_request(desk, payload["reference"])
    team = support_hours().team
    if payload["what"] == "closed":
        return request, (
            f"Your request {request.reference} is closed. You're back with the assistant: ask me anything about "
            "ACTS badges."
        )
    found = desk.message(payload["message"])
    if found is None or not found[1].text:
        raise NothingToSend
    return request, f"{team[0].upper()}{team[1:]} answers your request {request.reference}:\n\n{found[1].text}"


def learner_mail(request: Request, text: str) -> Mail:
    if not request.email:
        raise NothingToSend
    body = (
        f"{text}\n\nTo write back, open the chat on the ACTS digital badges page: your conversation goes on "
        f"there while the request is open.\n\n{SIGNATURE}"
    )
    return Mail(
        request.email,
        f"ACTS badges: an answer to your request {request.reference}",
        body,
        "".join(f"<p>{escape(part)}</p>" for part in body.split("\n\n")),
    )


def _to_staff_in_slack(desk: HandoffDesk, payload: dict, client, channel: str) -> None:
    """The request as one message in the support channel, and everything after it in its thread."""
    reference, what = payload["reference"], payload["what"]
    request = _live_request(desk, reference)
    posted = desk.staff_message(reference)
    if what == "opened":
        if posted is None:  # a retry after the post went through posts nothing twice
            messages = desk.messages(reference)
            answer = client.chat_postMessage(
                channel=channel,
                text=support.request_text(request),
                blocks=support.request_blocks(request, messages),
                unfurl_links=False,
            )
            desk.set_staff_message(reference, answer["channel"], answer["ts"])
        return
    if posted is None:
        raise NotYetPosted  # the request's own message first: this one is retried after it
    if what == "learner":
        found = desk.message(payload["message"])
        if found is None or not found[1].text:
            raise NothingToSend
        text = support.thread_text("learner", found[1].text)
    elif what == "reminder":
        text = f"Nobody has taken {reference} yet: it was due {request.due_at:%Y-%m-%d %H:%M} UTC."
    else:  # left
        text = "The learner went back to the assistant: this request is closed."
    client.chat_postMessage(channel=posted[0], thread_ts=posted[1], text=mrkdwn(text), unfurl_links=False)


class PageMayShowIt(Exception):
    """The learner's chat is open and will show the answer within seconds; if it does not, it is mailed."""


class NotYetPosted(Exception):
    """A thread message whose request is not posted yet: tried again later, after it."""


def deliver(store: ApplicationStore, kind: str, payload: dict, slack_client=None, support_channel=None) -> None:
    """Sends one handoff notice, or raises (the outbox retries)."""
    desk = HandoffDesk(store)
    if kind == HANDOFF_STAFF:
        if slack_client is not None and support_channel:
            _to_staff_in_slack(desk, payload, slack_client, support_channel)
        else:
            send_mail(staff_mail(desk, payload))
        return
    request, text = learner_text(desk, payload)
    if request.channel != "slack" and payload.get("message") and desk.shown_on_page(payload["message"]):
        return  # the learner's open chat showed it (bot/web/handoff.py): no mail needed
    if request.channel != "slack" and desk.page_open(request.reference):
        if not payload.get("message"):
            return  # "closed": the open chat shows it at its next read
        raise PageMayShowIt  # asked again soon: by then the page showed it, or it is closed and it is mailed
    if request.channel == "slack":
        if slack_client is None or not request.slack_user:
            raise NothingToSend
        # Where the learner asked: the thread of the channel they asked in, or their DM.
        thread = thread_of(request.conversation_id)
        if thread is not None:
            slack_client.chat_postMessage(channel=thread[0], thread_ts=thread[1], text=mrkdwn(text))
            return
        channel = slack_client.conversations_open(users=request.slack_user)["channel"]["id"]
        slack_client.chat_postMessage(channel=channel, text=mrkdwn(text))
        return
    send_mail(learner_mail(request, text))
