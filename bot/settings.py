"""Run-time settings: every environment variable the assistant reads is read here, and only here.

Secrets never live in the repository: they come from the environment, or on a laptop from files made
once under var/ (mode 0600). Each setting is read when it is asked for, not at import, so a test or
a restarted worker sees the environment as it is now. docs/configuration.md lists them all.
"""

from __future__ import annotations

import os
import re
import secrets
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parent.parent
VAR = ROOT / "var"


def environment() -> dict[str, str]:
    """The whole environment, for the launcher, which hands it on to the servers it starts."""
    return dict(os.environ)


def _number(name: str, default: float) -> float:
    """A number from the environment, or the default when unset or empty."""
    return float(os.environ.get(name) or default)


def _whole(name: str, default: int) -> int:
    return int(os.environ.get(name) or default)


def positive_whole(name: str, default: int) -> int:
    """A positive whole number from the environment, or the default when unset or not one: a typo in a
    limit must not switch the limit off."""
    try:
        value = int(os.environ.get(name, ""))
    except ValueError:
        return default
    return value if value > 0 else default


def database_url() -> str:
    """PostgreSQL where DATABASE_URL says so; an SQLite file under var/ otherwise."""
    return os.environ.get("DATABASE_URL") or f"sqlite:///{VAR / 'acts.db'}"


def upload_dir() -> Path:
    """Where uploaded documents are kept: outside any web root, never served back."""
    return Path(os.environ.get("ACTS_UPLOAD_DIR") or VAR / "uploads")


def public_web_url() -> str:
    """The address learners use to reach the project's web service (upload links)."""
    return (os.environ.get("ACTS_PUBLIC_URL") or "http://localhost:8080").rstrip("/")


def bot_public_url() -> str:
    """The address learners' browsers use to reach the Rasa server (the website widget's bot server)."""
    return (os.environ.get("ACTS_BOT_URL") or "http://localhost:5005").rstrip("/")


def origin_of(url: str) -> str:
    """scheme://host[:port] of a URL, the form browsers send in their Origin header."""
    parts = urlsplit(url.strip())
    return f"{parts.scheme}://{parts.netloc}".lower()


def allowed_origins(page_url: str | None = None) -> list[str]:
    """The web pages allowed to talk to the bot and upload servers from a browser (CORS): the
    comma-separated ACTS_ALLOWED_ORIGINS, else the demo page's own origin (page_url, by default
    ACTS_PUBLIC_URL), with its 127.0.0.1 twin when that is localhost: the same page by address."""
    listed = os.environ.get("ACTS_ALLOWED_ORIGINS", "").strip()
    if listed:
        return list(dict.fromkeys(origin_of(url) for url in listed.split(",") if url.strip()))
    page = origin_of(page_url or public_web_url())
    twin = page.replace("://localhost", "://127.0.0.1", 1)
    return list(dict.fromkeys([page, twin]))


def upload_link_hours() -> float:
    return float(os.environ.get("ACTS_UPLOAD_LINK_HOURS") or 24)


# The secret path segment of the Credly webhook URL (`/webhooks/credly/<secret>`): Credly posts to the
# organisation's webhook_url and can send no header of ours, so the secret rides in the path.
WEBHOOK_SECRET_FILE = "credly-webhook.secret"
WEBHOOK_SECRET = re.compile(r"[A-Za-z0-9._~-]{16,200}")


def credly_webhook_secret() -> str:
    """ACTS_CREDLY_WEBHOOK_SECRET in production; for `make run`, a random one kept in
    var/credly-webhook.secret (created once, owner-only), which the web service and the local
    Credly emulator both read."""
    configured = os.environ.get("ACTS_CREDLY_WEBHOOK_SECRET", "").strip()
    if configured:
        if not WEBHOOK_SECRET.fullmatch(configured):
            raise ValueError(
                "ACTS_CREDLY_WEBHOOK_SECRET must be 16 to 200 characters of A-Z, a-z, 0-9, '.', '_', '~' or '-' "
                "(it is a segment of the webhook URL); for example: python -c 'import secrets; "
                "print(secrets.token_urlsafe(32))'"
            )
        return configured
    return _secret_file(VAR / WEBHOOK_SECRET_FILE)


def _secret_file(path: Path) -> str:
    """The secret in `path`, written first if there is none: complete and 0600 before it has its name
    (written aside, then linked into place), so a process starting at the same moment never reads
    half of it, and two never write different ones."""
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        aside = path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}")
        descriptor = os.open(aside, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        try:
            os.fchmod(descriptor, 0o600)  # whatever the umask
            os.write(descriptor, secrets.token_urlsafe(32).encode("ascii"))
            os.fsync(descriptor)
        finally:
            os.close(descriptor)
        try:
            os.link(aside, path)  # fails if another process got there first: its secret counts
        except FileExistsError:
            pass
        finally:
            os.unlink(aside)
    return path.read_text(encoding="ascii").strip()


# The local Credly emulator (emulators/credly.py) that `make run` and the tests start when no
# Credly credentials are configured. Its token is not a secret: only the emulator accepts it.
EMULATOR_ORGANIZATION = "acts-local"
EMULATOR_TOKEN = "local-emulator-token"
EMULATOR_PORT = 8090
CREDLY_SANDBOX = "https://sandbox-api.credly.com/v1"


@dataclass(frozen=True)
class CredlySettings:
    base_url: str
    organization_id: str
    token: str = field(repr=False)  # never printed or logged
    emulated: bool


def credly() -> CredlySettings:
    """Real Credly when CREDLY_TOKEN and CREDLY_ORGANIZATION_ID are set, else the local emulator."""
    token = os.environ.get("CREDLY_TOKEN", "").strip()
    if token:
        return CredlySettings(
            base_url=os.environ.get("CREDLY_BASE_URL") or CREDLY_SANDBOX,
            organization_id=os.environ["CREDLY_ORGANIZATION_ID"],
            token=token,
            emulated=False,
        )
    return CredlySettings(
        base_url=os.environ.get("CREDLY_BASE_URL") or f"http://localhost:{EMULATOR_PORT}/v1",
        organization_id=EMULATOR_ORGANIZATION,
        token=EMULATOR_TOKEN,
        emulated=True,
    )


def credly_timeout() -> float:
    """Seconds one call to Credly may take (CREDLY_TIMEOUT_SECONDS)."""
    return _number("CREDLY_TIMEOUT_SECONDS", 10.0)


def status_credly_seconds() -> float:
    """How long a learner's status answer waits for Credly before saying "couldn't check right now"."""
    return _number("ACTS_STATUS_CREDLY_SECONDS", 4.0)


def issuing_poll_seconds() -> float:
    """How often the web service looks for badges to issue; 0 turns its worker off."""
    return _number("ACTS_ISSUING_POLL_SECONDS", 5.0)


SLACK_API = "https://slack.com/api/"


@dataclass(frozen=True)
class SlackSettings:
    bot_token: str = field(repr=False)  # never printed or logged
    signing_secret: str = field(repr=False)
    api_url: str
    review_channel: str | None
    reviewers: frozenset[str]
    # Requests to talk to a person (bot/handoff): the staff's channel, and who may take, answer or close.
    support_channel: str | None = None
    staff: frozenset[str] = frozenset()


def slack() -> SlackSettings | None:
    """The Slack app, when SLACK_BOT_TOKEN and SLACK_SIGNING_SECRET are set; else None (no Slack)."""
    token = os.environ.get("SLACK_BOT_TOKEN", "").strip()
    secret = os.environ.get("SLACK_SIGNING_SECRET", "").strip()
    if not (token and secret):
        return None
    reviewers = os.environ.get("SLACK_REVIEWERS", "")
    return SlackSettings(
        bot_token=token,
        signing_secret=secret,
        api_url=(os.environ.get("SLACK_API_URL") or SLACK_API).rstrip("/") + "/",
        review_channel=os.environ.get("SLACK_REVIEW_CHANNEL", "").strip() or None,
        reviewers=frozenset(user.strip() for user in reviewers.split(",") if user.strip()),
        support_channel=os.environ.get("SLACK_SUPPORT_CHANNEL", "").strip() or None,
        staff=frozenset(user.strip() for user in os.environ.get("SLACK_STAFF", "").split(",") if user.strip()),
    )


def slack_staff_channel() -> str | None:
    """The staff's Slack channel, where `python -m bot.insights report --post` puts the summary."""
    return os.environ.get("SLACK_STAFF_CHANNEL", "").strip() or None


# The local SMTP server that `make run` starts (emulators/mail.py) files mail into a Maildir.
LOCAL_SMTP_PORT = 8025
SMTP_SECURITY = ("none", "starttls", "tls")


@dataclass(frozen=True)
class MailSettings:
    host: str
    port: int
    security: str  # "none" (the local server only), "starttls" or "tls"
    user: str | None
    password: str = field(repr=False)  # never printed or logged
    sender: str = "ACTS Digital Badges <badges@acts.local>"
    timeout: float = 10.0


def mail() -> MailSettings:
    """SMTP from the environment (ACTS_SMTP_HOST, _PORT, _SECURITY, _USER, _PASSWORD, ACTS_MAIL_FROM);
    without ACTS_SMTP_HOST, the local server of `make run` on 127.0.0.1."""
    host = os.environ.get("ACTS_SMTP_HOST", "").strip()
    security = (os.environ.get("ACTS_SMTP_SECURITY") or ("starttls" if host else "none")).strip().lower()
    if security not in SMTP_SECURITY:
        raise ValueError(f"ACTS_SMTP_SECURITY must be one of {', '.join(SMTP_SECURITY)}")
    default_port = {"none": LOCAL_SMTP_PORT, "starttls": 587, "tls": 465}[security] if host else LOCAL_SMTP_PORT
    return MailSettings(
        host=host or "127.0.0.1",
        port=int(os.environ.get("ACTS_SMTP_PORT") or default_port),
        security=security,
        user=os.environ.get("ACTS_SMTP_USER", "").strip() or None,
        password=os.environ.get("ACTS_SMTP_PASSWORD", ""),
        sender=os.environ.get("ACTS_MAIL_FROM", "").strip() or MailSettings.sender,
        timeout=float(os.environ.get("ACTS_SMTP_TIMEOUT_SECONDS") or 10),
    )


def mail_dir() -> Path:
    """Where the local SMTP server files every mail (a Maildir: new/, cur/, tmp/)."""
    return Path(os.environ.get("ACTS_MAIL_DIR") or VAR / "mail")


ACTION_SERVER_TOKEN_FILE = "action-server.token"


def action_server_token() -> str:
    """The token Rasa sends to the action server: ACTS_ACTION_SERVER_TOKEN in production; on a laptop a
    random one kept in var/action-server.token, made on first use with mode 0600 (_secret_file)."""
    configured = os.environ.get("ACTS_ACTION_SERVER_TOKEN", "").strip()
    return configured or _secret_file(VAR / ACTION_SERVER_TOKEN_FILE)


def action_server_insecure() -> bool:
    """ACTS_ACTION_SERVER_INSECURE=1: the action server may start without a token (a test bench only)."""
    return os.environ.get("ACTS_ACTION_SERVER_INSECURE") == "1"


def configured_action_server_token() -> str | None:
    """The token the environment gives the action server (make run passes its own), else None."""
    return os.environ.get("ACTS_ACTION_SERVER_TOKEN", "").strip() or None


def bind_host() -> str:
    """The address the servers listen on: this machine only unless ACTS_BIND_HOST says otherwise."""
    return os.environ.get("ACTS_BIND_HOST") or "127.0.0.1"


def action_timeout_seconds() -> float:
    """How long Rasa waits for the action server before the learner hears "something went wrong"."""
    return _number("ACTS_ACTION_TIMEOUT_SECONDS", 8.0)


def conversations_db() -> Path:
    """The conversation store's SQLite file (Rasa's tracker store of make run)."""
    return Path(os.environ.get("ACTS_CONVERSATIONS_DB") or VAR / "conversations.db")


def events_spool() -> Path:
    """The SQLite file Rasa's event broker writes the conversations' events to, until the web service
    reads them into the staff's analytics and deletes them (bot/insights/spool.py)."""
    return Path(os.environ.get("ACTS_EVENTS_DB") or VAR / "events.db")


def rabbitmq_url() -> str | None:
    """RabbitMQ for the analytics' events (the production set-up): when set, the web service reads the
    insights queue (bot/insights/queue.py); unset, only the event spool."""
    return os.environ.get("ACTS_RABBITMQ_URL", "").strip() or None


def insights_queue() -> tuple[str, str]:
    """The RabbitMQ exchange Rasa's broker publishes to and the analytics' queue bound to it."""
    exchange = os.environ.get("ACTS_INSIGHTS_EXCHANGE", "").strip() or "rasa-exchange"
    return exchange, os.environ.get("ACTS_INSIGHTS_QUEUE", "").strip() or "acts_insights"


def insights_poll_seconds() -> float:
    """How often the web service reads the event spool into the analytics; 0 turns its worker off."""
    return _number("ACTS_INSIGHTS_POLL_SECONDS", 5.0)


def conversation_retention_days() -> float:
    return _number("ACTS_CONVERSATION_RETENTION_DAYS", 90.0)


def document_retention_days() -> float:
    return _number("ACTS_DOCUMENT_RETENTION_DAYS", 365.0)


def upload_seconds() -> float:
    """How long one upload may take to arrive whole, before the web service gives up on it."""
    return _number("ACTS_UPLOAD_SECONDS", 300.0)


def notice_slack_timeout() -> float:
    """Seconds one Slack call of the notice worker may take."""
    return _number("ACTS_NOTICE_SLACK_TIMEOUT_SECONDS", 10.0)


def notice_max_attempts() -> int:
    """Tries before a notice is given up (20: about 13 hours of backoff)."""
    return _whole("ACTS_NOTICE_MAX_ATTEMPTS", 20)


def notice_poll_seconds() -> float:
    """How often the web service looks for notices to deliver; 0 turns its worker off."""
    return _number("ACTS_NOTICE_POLL_SECONDS", 5.0)


def credly_webhooks_per_minute(default: int) -> int:
    return positive_whole("ACTS_CREDLY_WEBHOOKS_PER_MINUTE", default)


def messages_per_conversation_per_minute(default: int) -> int:
    return positive_whole("ACTS_MESSAGES_PER_CONVERSATION_PER_MINUTE", default)


def messages_per_source_per_minute(default: int) -> int:
    return positive_whole("ACTS_MESSAGES_PER_SOURCE_PER_MINUTE", default)


def secret_key() -> bytes:
    """The key of every keyed hash (message sources, email codes): ACTS_SECRET_KEY in production; on a
    laptop a random one kept in var/secret.key, made on first use with mode 0600 (_secret_file)."""
    configured = os.environ.get("ACTS_SECRET_KEY", "").strip()
    return (configured or _secret_file(VAR / "secret.key")).encode()


def contact(default: str) -> str:
    """Where a learner reaches a person (ACTS_CONTACT), else the FAQ's own contact."""
    return os.environ.get("ACTS_CONTACT", "").strip() or default


def support_email() -> str:
    """Where a request to talk to a person goes when there is no Slack support channel (bot/handoff):
    ACTS_SUPPORT_EMAIL; under `make run` the local mail server files it in var/mail like every mail."""
    return os.environ.get("ACTS_SUPPORT_EMAIL", "").strip() or "badges-support@actscts.example.org"


def handoff_page_seconds() -> float:
    """How long after the chat last asked for the staff's answers its page counts as open (an answer is
    then shown there, not mailed); the chat asks every 2 s (bot/handoff)."""
    return _number("ACTS_HANDOFF_PAGE_SECONDS", 10.0)


def reviewer_name() -> str | None:
    """Who the review command records as the reviewer when --reviewer is not given."""
    return os.environ.get("ACTS_REVIEWER") or None


# The production set-up (`make run-prod`, launcher/production.py): several Rasa servers on PostgreSQL
# and Redis behind nginx. These machines run PostgreSQL and Redis locally; elsewhere set the URLs.
PRODUCTION_DATABASE = "postgresql://postgres@127.0.0.1:5432/test"


def production_database_url() -> str:
    """PostgreSQL for applications and conversations: DATABASE_URL, else the local one."""
    return os.environ.get("DATABASE_URL") or PRODUCTION_DATABASE


def sql_pool() -> tuple[int, int]:
    """Each Rasa server's connections to PostgreSQL for conversations: kept open, and added on demand
    (Rasa's own names, SQL_POOL_SIZE and SQL_MAX_OVERFLOW; its defaults of 50 + 100 times several
    servers would pass PostgreSQL's 100 connections)."""
    return positive_whole("SQL_POOL_SIZE", 10), positive_whole("SQL_MAX_OVERFLOW", 20)


def production_rabbitmq_url() -> str:
    """The RabbitMQ of the production set-up's analytics: ACTS_RABBITMQ_URL, else the local one."""
    return os.environ.get("ACTS_RABBITMQ_URL") or "amqp://guest:guest@127.0.0.1:5672/"


def redis_url() -> str:
    """The Redis that the Rasa servers' lock (and Slack's de-duplication) share."""
    return os.environ.get("ACTS_REDIS_URL") or "redis://127.0.0.1:6379/1"


def rasa_servers() -> int:
    """How many Rasa servers the production set-up starts."""
    return positive_whole("ACTS_RASA_SERVERS", 2)


def sanic_workers() -> int:
    """Sanic workers per Rasa server in the production set-up."""
    return positive_whole("ACTS_SANIC_WORKERS", 1)


# More threads than cores: a thread whose message waits on the sentence model's process must not hold up the
# confident messages behind it, which take a millisecond; and the more unsure messages wait together, the
# bigger the model's next batch. With the benchmark's mix at 32 conversations, 2 threads gave 152-178 msg/s,
# 8 gave 213-248, 16 gave 205-220 (docs/performance.md).
DEFAULT_PARSE_THREADS = 8
# Set by the Rasa server's launcher (rasa_plugins/runtime/lean_server.py) for its own processes.
MEANING_IN_A_PROCESS = "ACTS_MEANING_IN_A_PROCESS"


def parse_threads() -> int:
    """Threads that read messages beside the Rasa server's event loop (rasa_plugins/runtime/parse_in_thread.py);
    0 reads on the loop. Anything but a whole number of 0 or more stops the server, saying why."""
    value = os.environ.get("ACTS_PARSE_THREADS", str(DEFAULT_PARSE_THREADS)).strip()
    try:
        threads = int(value)
    except ValueError:
        raise SystemExit(f"ACTS_PARSE_THREADS must be a whole number of threads, not {value!r}") from None
    if threads < 0:
        raise SystemExit("ACTS_PARSE_THREADS must be 0 (read on the event loop) or more")
    return threads


def meaning_in_a_process() -> bool:
    """Whether the sentence model runs in a child process of this one (bot/meaning/process.py)."""
    return os.environ.get(MEANING_IN_A_PROCESS) == "1"


def shared_redis_url() -> str | None:
    """The Redis that several Rasa servers share their Slack de-duplication in (bot/recent.py), only when
    ACTS_REDIS_URL names one: one server alone remembers in its own memory."""
    return os.environ.get("ACTS_REDIS_URL", "").strip() or None


def conversation_store() -> str:
    """Where conversations are kept: "file" (make run: the embedded conversation file) or "database"
    (the production set-up: the shared tracker store, Rasa's `events` table of DATABASE_URL)."""
    return "database" if os.environ.get("ACTS_CONVERSATION_STORE", "").strip() == "database" else "file"


def web_proxies_count() -> int:
    """How many reverse proxies in front of the web service append to X-Forwarded-For (nginx in the
    production set-up: 1); 0 (the default) trusts no such header: a client could write its own."""
    try:
        return max(0, int(os.environ.get("ACTS_WEB_PROXIES_COUNT") or 0))
    except ValueError:
        return 0
