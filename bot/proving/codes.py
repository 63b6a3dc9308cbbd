"""One-time codes that prove an email address: sent, checked, and remembered as a proof.

A code is 6 digits from `secrets`, kept only as a keyed hash, valid for 10 minutes, used once; 5
wrong tries and it is spent (a new one must be sent); at most 3 codes per address per hour, so the
assistant can't be used to flood someone's inbox. A code is bound to the conversation that asked
for it and to its purpose: a code read in one chat proves nothing in another, and a code for an
application doesn't unlock erasure.

Races: the per-address cap is counted under a lock (SQLite's write lock; a transaction-scoped
advisory lock on PostgreSQL), so two requests at once never make a fourth code. A try changes its
code's row with one conditional UPDATE, so two right tries at once prove it once, and two wrong ones
both count.
"""

from __future__ import annotations

import hmac
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from enum import Enum

from sqlalchemy import delete, func, select, text, update
from sqlalchemy.orm import Session

from bot.identity import keyed_hash
from bot.mail.sending import Mail, MailError, send_mail
from bot.proving.mail import code_mail
from bot.store.applications import ApplicationStore
from bot.store.db import as_utc
from bot.store.models import EmailCode

CODE_DIGITS = 6
VALID_FOR = timedelta(minutes=10)
MAX_WRONG_TRIES = 5
MAX_CODES_PER_ADDRESS = 3
CODES_WINDOW = timedelta(hours=1)
# How long a proof lasts in its conversation: an application takes a while (the document upload);
# erasing data needs a fresh one.
PROOF_LASTS = {
    "apply": timedelta(hours=24),
    "status": timedelta(hours=1),
    "erase": timedelta(minutes=15),
    "handoff": timedelta(hours=1),  # an address to be answered at (bot/handoff)
}


class Sent(Enum):
    SENT = "sent"
    TOO_MANY = "too_many"  # 3 codes to this address in the last hour
    MAIL_FAILED = "mail_failed"  # the SMTP server didn't take it; nothing was stored


class Result(Enum):
    PROVEN = "proven"
    WRONG = "wrong"  # tries are left
    SPENT = "spent"  # 5 wrong tries, expired or already used: a new code must be sent
    NONE = "none"  # no code was sent for this address here


@dataclass(frozen=True)
class Checked:
    result: Result
    tries_left: int = 0


def normalised(address: str) -> str:
    return address.strip().lower()


def _address_key(address: str) -> str:
    return keyed_hash("address:" + normalised(address))


def _conversation_key(conversation_id: str) -> str:
    return keyed_hash("conversation:" + conversation_id)


def _code_hash(code_id_salt: str, code: str) -> str:
    return keyed_hash(f"code:{code_id_salt}:{code}")


def read_code(text: str) -> str | None:
    """The 6 digits in a message ("123 456", "my code is 123456"), or None."""
    digits = "".join(ch for ch in text if ch.isdigit())
    if len(digits) != CODE_DIGITS:
        return None
    # Digits of any script ("١٢٣٤٥٦") are read as the digits they are.
    return "".join(str(int(ch)) for ch in digits)


class EmailCodes:
    def __init__(
        self,
        store: ApplicationStore,
        send: Callable[[Mail], None] = send_mail,
        clock: Callable[[], datetime] = lambda: datetime.now(timezone.utc),
    ) -> None:
        self.store = store
        self.send = send
        self.clock = clock

    def send_code(self, conversation_id: str, address: str, purpose: str) -> Sent:
        """Sends a new code for `purpose` to `address`, unless 3 went there in the last hour. The row
        is written only once the mail server took the mail, so a failed send costs no allowance."""
        code = "".join(secrets.choice("0123456789") for _ in range(CODE_DIGITS))
        salt = secrets.token_hex(8)
        now = self.clock()
        address_key = _address_key(address)

        def reserve(session: Session) -> EmailCode | None:
            _lock(session, address_key)
            recent = session.execute(
                select(func.count())
                .select_from(EmailCode)
                .where(EmailCode.address_key == address_key, EmailCode.created_at > now - CODES_WINDOW)
            ).scalar_one()
            if recent >= MAX_CODES_PER_ADDRESS:
                return None
            row = EmailCode(
                address_key=address_key,
                conversation_key=_conversation_key(conversation_id),
                purpose=purpose,
                code_hash=f"{salt}${_code_hash(salt, code)}",
                created_at=now,
                # Not valid until the mail is out (see below): a reservation that counts against the cap.
                expires_at=now,
                failures=0,
            )
            session.add(row)
            session.flush()
            return row

        row = self.store.transaction(reserve)
        if row is None:
            return Sent.TOO_MANY
        try:
            self.send(code_mail(normalised(address), code, purpose, int(VALID_FOR.total_seconds() // 60)))
        except MailError:
            self.store.transaction(lambda session: session.execute(delete(EmailCode).where(EmailCode.id == row.id)))
            return Sent.MAIL_FAILED
        self.store.transaction(
            lambda session: session.execute(
                update(EmailCode).where(EmailCode.id == row.id).values(expires_at=self.clock() + VALID_FOR)
            )
        )
        return Sent.SENT

    def check(self, conversation_id: str, address: str, purpose: str, code: str) -> Checked:
        """Tries `code` against the latest code sent for this address, conversation and purpose."""
        now = self.clock()

        def work(session: Session) -> Checked:
            row = session.execute(
                select(EmailCode)
                .where(
                    EmailCode.address_key == _address_key(address),
                    EmailCode.conversation_key == _conversation_key(conversation_id),
                    EmailCode.purpose == purpose,
                )
                .order_by(EmailCode.id.desc())
                .limit(1)
            ).scalar_one_or_none()
            if row is None:
                return Checked(Result.NONE)
            live = (EmailCode.id == row.id, EmailCode.used_at.is_(None), EmailCode.failures < MAX_WRONG_TRIES)
            if as_utc(row.expires_at) <= now or row.used_at is not None or row.failures >= MAX_WRONG_TRIES:
                return Checked(Result.SPENT)
            salt, _, expected = row.code_hash.partition("$")
            if hmac.compare_digest(expected, _code_hash(salt, code)):
                used = session.execute(update(EmailCode).where(*live).values(used_at=now)).rowcount
                return Checked(Result.PROVEN) if used == 1 else Checked(Result.SPENT)
            counted = session.execute(update(EmailCode).where(*live).values(failures=EmailCode.failures + 1)).rowcount
            failures = session.execute(select(EmailCode.failures).where(EmailCode.id == row.id)).scalar_one()
            if not counted or failures >= MAX_WRONG_TRIES:
                return Checked(Result.SPENT)
            return Checked(Result.WRONG, MAX_WRONG_TRIES - failures)

        return self.store.transaction(work)

    def proven(self, conversation_id: str, address: str, purpose: str | None) -> bool:
        """Whether this conversation proved `address` for `purpose` recently enough (PROOF_LASTS); with
        no purpose, whether it ever proved it (a Slack account's own addresses, for erasure)."""
        conditions = [
            EmailCode.address_key == _address_key(address),
            EmailCode.conversation_key == _conversation_key(conversation_id),
            EmailCode.used_at.is_not(None),
        ]
        if purpose is not None:
            conditions += [EmailCode.purpose == purpose, EmailCode.used_at > self.clock() - PROOF_LASTS[purpose]]

        def work(session: Session) -> bool:
            return session.execute(select(EmailCode.id).where(*conditions).limit(1)).first() is not None

        return self.store.transaction(work)

    def forget(self, address: str) -> int:
        """Deletes every code of an address (its data is being erased)."""

        def work(session: Session) -> int:
            return session.execute(delete(EmailCode).where(EmailCode.address_key == _address_key(address))).rowcount

        return self.store.transaction(work)


def _lock(session: Session, address_key: str) -> None:
    """Serialises code requests for one address. SQLite's transactions already take the write lock
    when they begin (bot/store/db.py); PostgreSQL needs a lock of its own."""
    if session.bind.dialect.name == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": int(address_key[:15], 16)})
