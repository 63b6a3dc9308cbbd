"""One mail out over SMTP: plain text plus HTML, from the configured address.

Production sets ACTS_SMTP_HOST and friends (bot.settings.mail); on a laptop the local server that
`make run` starts takes the mail and files it under var/mail/. Failures become MailError, which
names the kind of failure and never the address or the content (both are personal data).
"""

from __future__ import annotations

import smtplib
import ssl
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import formatdate, make_msgid

from bot.settings import MailSettings, mail


class MailError(Exception):
    """The mail was not accepted by the SMTP server (its kind only: no address, no content)."""


@dataclass(frozen=True)
class Mail:
    to: str
    subject: str
    text: str
    html: str


def message_of(outgoing: Mail, sender: str) -> EmailMessage:
    message = EmailMessage()
    message["From"] = sender
    message["To"] = outgoing.to
    message["Subject"] = outgoing.subject
    message["Date"] = formatdate(localtime=False)
    message["Message-ID"] = make_msgid(domain=sender.rsplit("@", 1)[-1].strip(">") or "localhost")
    message.set_content(outgoing.text)
    message.add_alternative(outgoing.html, subtype="html")
    return message


def send_mail(outgoing: Mail, settings: MailSettings | None = None) -> None:
    """Hands the mail to the SMTP server, or raises MailError."""
    settings = settings or mail()
    message = message_of(outgoing, settings.sender)
    try:
        if settings.security == "tls":
            context = ssl.create_default_context()
            client = smtplib.SMTP_SSL(settings.host, settings.port, timeout=settings.timeout, context=context)
        else:
            client = smtplib.SMTP(settings.host, settings.port, timeout=settings.timeout)
        with client:
            if settings.security == "starttls":
                client.starttls(context=ssl.create_default_context())
            if settings.user:
                client.login(settings.user, settings.password)
            client.send_message(message)
    except (smtplib.SMTPException, OSError) as error:
        raise MailError(type(error).__name__) from None
