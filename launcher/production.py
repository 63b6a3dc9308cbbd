"""The production set-up on one machine: several Rasa servers on PostgreSQL and Redis behind nginx.

`make run-prod` (`python -m launcher --production`) starts what `make run` starts, with three changes:
- conversations live in PostgreSQL, in Rasa's own `events` table, through the project's shared tracker
  store (rasa_plugins/runtime/shared_tracker_store.py), and Rasa's servers take turns on a conversation
  through a Redis lock (rasa_plugins/runtime/lock_store.py), so any server can answer any message of
  any conversation;
- ACTS_RASA_SERVERS Rasa servers (2 by default) run side by side, each with ACTS_SANIC_WORKERS Sanic
  workers (1 by default);
- nginx (Debian's package) is the one public port: it sends the chat (`/webhooks/...`) to the Rasa
  servers in turn and everything else (the page, uploads, the Credly webhook) to the web service,
  and keeps Rasa's HTTP API (`/conversations/...`, `/model`, ...) off the public port.
Applications are in PostgreSQL too (DATABASE_URL). Where the servers run on several machines, the
same settings name the shared PostgreSQL and Redis (docs/production.md).
"""

from __future__ import annotations

import contextlib
import os
import secrets
import shutil
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy.engine import make_url

LOCK_STORE = "rasa_plugins.runtime.lock_store.AtomicRedisLockStore"
TRACKER_STORE = "rasa_plugins.runtime.shared_tracker_store.SharedTrackerStore"
EVENT_BROKER = "rasa_plugins.runtime.event_broker.SlimPikaEventBroker"
# Each Rasa server's connection pool to PostgreSQL (bot.settings.sql_pool reads them): enough for its
# own concurrency; Rasa's defaults (50 + 100 overflow) times several servers would exceed PostgreSQL's 100.
SQL_POOL_SIZE = "10"
SQL_MAX_OVERFLOW = "20"


@dataclass(frozen=True)
class Production:
    """Where the production set-up's parts listen and what they share."""

    rasa_ports: tuple[int, ...]  # one per Rasa server, on 127.0.0.1 behind nginx
    web_port: int  # the web service, on 127.0.0.1 behind nginx
    database_url: str  # PostgreSQL: applications, and conversations (Rasa's `events` table)
    redis_url: str  # the lock store
    sanic_workers: int = 1
    lock_prefix: str = "acts"  # letters and digits only (Rasa ignores any other prefix)
    rabbitmq_url: str | None = None  # the analytics' events through RabbitMQ; None: the event spool only
    insights_queue: tuple[str, str] = ("rasa-exchange", "acts_insights")  # the exchange and queue there


def tracker_store(database_url: str) -> dict:
    """The shared tracker store on the PostgreSQL that DATABASE_URL names. The URL (and its password)
    stays in the environment: the store reads DATABASE_URL itself."""
    if not make_url(database_url).drivername.startswith("postgresql"):
        raise ValueError("the production set-up keeps conversations in PostgreSQL: set DATABASE_URL to one")
    return {"type": TRACKER_STORE}


def lock_store(redis_url: str, prefix: str = "acts") -> dict:
    """The Redis lock every Rasa server takes before it handles a conversation's message."""
    url = make_url(redis_url)
    config = {"type": LOCK_STORE, "url": url.host or "127.0.0.1", "port": url.port or 6379, "key_prefix": prefix}
    config["db"] = int(url.database or 1)
    if url.password:
        config["password"] = url.password
    return config


def event_broker(rabbitmq_url: str, exchange: str, queue: str) -> dict:
    """Rasa's Pika broker to RabbitMQ, publishing what the analytics read to their queue (bot/insights/queue.py)."""
    url = make_url(rabbitmq_url.replace("amqp://", "postgresql://", 1))  # the same URL grammar
    config = {"type": EVENT_BROKER, "url": url.host or "127.0.0.1", "port": url.port or 5672}
    config |= {"username": url.username or "guest", "password": url.password or "guest"}
    return config | {"queues": [queue], "exchange_name": exchange}


def endpoints(config: dict, production: Production) -> dict:
    """endpoints.yml for every Rasa server of the set-up: shared conversations and lock, and the analytics'
    events through RabbitMQ when it has one."""
    shared = {"tracker_store": tracker_store(production.database_url)}
    shared["lock_store"] = lock_store(production.redis_url, production.lock_prefix)
    if production.rabbitmq_url:
        shared["event_broker"] = event_broker(production.rabbitmq_url, *production.insights_queue)
    return {**config, **shared}


def web_env() -> dict[str, str]:
    """The web service behind nginx: its clients' addresses are the ones nginx forwards."""
    return {"ACTS_WEB_PROXIES_COUNT": "1"}


def rasa_env(production: Production) -> dict[str, str]:
    return {
        "SANIC_WORKERS": str(production.sanic_workers),
        "SQL_POOL_SIZE": SQL_POOL_SIZE,
        "SQL_MAX_OVERFLOW": SQL_MAX_OVERFLOW,
        # nginx appends the client's address to X-Forwarded-For: the REST channel's source is the
        # learner's, not nginx's (docs/configuration.md, "Behind a reverse proxy").
        "SANIC_PROXIES_COUNT": "1",
    }


def nginx_binary() -> str | None:
    return shutil.which("nginx") or next((p for p in ("/usr/sbin/nginx",) if os.access(p, os.X_OK)), None)


def nginx_config(production: Production, listen: str, public_port: int, workdir: Path, max_body_bytes: int) -> str:
    """One public port: the chat to the Rasa servers in turn, everything else to the web service."""
    rasa = "\n".join(f"    server 127.0.0.1:{port} max_fails=1 fail_timeout=2s;" for port in production.rasa_ports)
    return f"""# Written by launcher/production.py for this run.
worker_processes 1;
pid {workdir}/nginx.pid;
error_log stderr warn;
events {{ worker_connections 4096; }}
http {{
  access_log off;  # no personal data in logs: addresses and conversation ids stay out
  client_body_temp_path {workdir}/client_body;
  proxy_temp_path {workdir}/proxy;
  fastcgi_temp_path {workdir}/fastcgi;
  uwsgi_temp_path {workdir}/uwsgi;
  scgi_temp_path {workdir}/scgi;
  server_tokens off;
  client_max_body_size {max_body_bytes};
  upstream rasa {{
{rasa}
    keepalive 64;
  }}
  upstream web {{
    server 127.0.0.1:{production.web_port};
    keepalive 16;
  }}
  proxy_http_version 1.1;
  proxy_set_header Connection "";
  proxy_set_header Host $http_host;
  proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
  proxy_set_header X-Forwarded-Proto $scheme;
  server {{
    listen {listen}:{public_port};
    # The chat: any Rasa server can answer any conversation (PostgreSQL and the Redis lock). A
    # server that refuses the connection (stopped for a deploy) is skipped; a request it had taken
    # is not sent twice.
    location /webhooks/rest/ {{
      proxy_pass http://rasa;
      proxy_next_upstream error;
      proxy_read_timeout 60s;
    }}
    location /webhooks/slack/ {{
      proxy_pass http://rasa;
      proxy_next_upstream error;
    }}
    location /webhooks/credly/ {{ proxy_pass http://web; }}
    location /webhooks/ {{ return 404; }}
    # Everything else is the web service: the page, the widget's files, uploads, OpenAPI, health.
    # Rasa's own HTTP API (/conversations/..., /model, /status) is never published here.
    location / {{
      proxy_pass http://web;
      proxy_request_buffering off;  # an upload streams to the web service, which checks it as it comes
    }}
  }}
}}
"""


def write_nginx_config(production: Production, listen: str, public_port: int, workdir: Path, max_body: int) -> Path:
    for folder in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi"):
        (workdir / folder).mkdir(mode=0o700, exist_ok=True)
    if os.geteuid() == 0:  # nginx's workers drop to nobody when started as root: their temp folders too
        import pwd

        nobody = pwd.getpwnam("nobody")
        for folder in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi"):
            os.chown(workdir / folder, nobody.pw_uid, nobody.pw_gid)
        os.chmod(workdir, 0o711)
    path = workdir / "nginx.conf"
    path.write_text(nginx_config(production, listen, public_port, workdir, max_body))
    return path


@contextlib.contextmanager
def fresh_database(admin_url: str, prefix: str = "acts_test") -> Iterator[str]:
    """A new, empty PostgreSQL database on the server `admin_url` names (for the tests and the benchmark),
    dropped afterwards together with any connection still open to it. Yields its URL."""
    from sqlalchemy import create_engine, text

    name = f"{prefix}_{secrets.token_hex(4)}"
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT", future=True)
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield make_url(admin_url).set(database=name).render_as_string(hide_password=False)
    finally:
        from bot.store.db import engine_for

        engine_for.cache_clear()  # this process's engines on the database are of no more use
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def take_out(config: Path, port: int, master_pid: int, out: bool = True, timeout: float = 30.0) -> None:
    """nginx sends no new request to the Rasa server on `port` (with out=False: sends them again).
    Its line in the config gains (or loses) `down` and nginx reloads gracefully; this returns once
    nginx's old worker has finished the requests it had passed on, so that the server can then be
    stopped with nothing in flight: the first step of a deploy without downtime."""
    import signal
    import time

    server = f"server 127.0.0.1:{port} "
    lines = []
    for line in config.read_text().splitlines():
        if line.strip().startswith(server):
            line = line.replace(" down;", ";")
            if out:
                line = line.replace(";", " down;", 1)
        lines.append(line)
    config.write_text("\n".join(lines) + "\n")
    before = set(_children(master_pid))
    os.kill(master_pid, signal.SIGHUP)  # reload: new workers with the new config, old ones finish theirs
    deadline = time.monotonic() + timeout
    while before & set(_children(master_pid)):
        if time.monotonic() > deadline:
            raise TimeoutError("nginx's old worker did not finish its requests in time")
        time.sleep(0.05)


def _children(pid: int) -> list[int]:
    """The processes whose parent is `pid` (nginx's workers), from /proc."""
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            # The command may hold spaces and parentheses: the fields after its closing ")" are fixed.
            if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
                found.append(int(entry.name))
    return found


CREATE_CONVERSATION_TABLES = (
    "import sys; from rasa_plugins.runtime.shared_tracker_store import create_tables; "
    "create_tables(sys.stdin.read().strip()).dispose()"
)


def create_conversation_tables(database_url: str) -> None:
    """Rasa's `events` table (and the shared store's index on it), made before the servers start, as an
    earlier start of a deployment leaves it.
    On a new database the Sanic workers of one server would race to create it, and the loser (an
    IntegrityError) waits 5 s before Rasa tries again: a worker short during the first load."""
    subprocess.run(
        [sys.executable, "-c", CREATE_CONVERSATION_TABLES],
        input=database_url,  # not on the command line, where any user sees it
        cwd=Path(__file__).resolve().parents[1],
        env={**os.environ, "RASA_TELEMETRY_ENABLED": "false"},
        capture_output=True,
        text=True,
        check=True,
    )
