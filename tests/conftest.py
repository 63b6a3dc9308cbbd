"""Shared fixtures: the project root, its data, and the real servers for end-to-end tests."""

from __future__ import annotations

import asyncio
import dataclasses
import os
import secrets
import signal
from dataclasses import dataclass, field
from pathlib import Path

import pytest
import requests
from requests.adapters import HTTPAdapter

from bot.settings import production_rabbitmq_url, redis_url
from launcher.production import Production, fresh_database
from launcher.servers import DEFAULT_MODEL, Cluster, Ports, free_port, running

# The PostgreSQL these machines run (trust auth); each test session gets a fresh database in it.
POSTGRES_ADMIN_URL = os.environ.get("ACTS_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test")

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="session")
def trained_model() -> Path:
    if not DEFAULT_MODEL.exists():
        pytest.fail(f"No trained model at {DEFAULT_MODEL}: run `make train` (make test does it for you).")
    return DEFAULT_MODEL


@dataclass
class Deployment:
    """A running assistant: its ports, database and upload folder."""

    ports: Ports
    database_url: str
    upload_dir: Path
    log_dir: Path
    api_token: str  # Rasa's HTTP API is enabled with it, so tests can read conversations' trackers
    cluster: Cluster | None = None
    restarted: list[Cluster] = field(default_factory=list)
    mail_dir: Path | None = None  # the local mail server's Maildir: every mail sent lands in its new/
    production: Production | None = None  # several Rasa servers behind nginx (launcher/production.py)

    def process(self, name: str):
        """The server's current process (the latest, if it was restarted)."""
        for cluster in reversed(self.restarted):
            if name in cluster.procs:
                return cluster.procs[name]
        return self.cluster.procs[name]

    def stop(self, name: str, sig: signal.Signals = signal.SIGTERM) -> None:
        process = self.process(name)
        os.killpg(process.pid, sig)
        process.wait(timeout=60)

    def restart(self, name: str) -> None:
        """Starts a stopped server again, as an operator (or a supervisor) would."""
        again = Cluster([spec for spec in self.cluster.specs if spec.name == name], self.log_dir, self.cluster.env)
        self.restarted.append(again)
        again.start()

    def restart_all(self, sig: signal.Signals = signal.SIGTERM) -> None:
        """Stops every server of the deployment, then starts them all again, in their order."""
        names = [spec.name for spec in self.cluster.specs]
        for name in reversed(names):
            self.stop(name, sig)
        again = Cluster(list(self.cluster.specs), self.log_dir, self.cluster.env)
        self.restarted.append(again)
        again.start()

    def tracker(self, sender: str) -> dict:
        url = f"http://127.0.0.1:{self.ports.rasa}/conversations/{sender}/tracker"
        response = requests.get(url, params={"token": self.api_token}, timeout=10)
        response.raise_for_status()
        return response.json()


def fresh_postgres_database():
    """A fresh database on the test PostgreSQL, dropped afterwards (a context manager yielding its URL)."""
    return fresh_database(POSTGRES_ADMIN_URL)


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgresql)])
def database_url(request, tmp_path):
    """Each test that asks for it runs twice: on an SQLite file and on a fresh PostgreSQL database (marked
    `postgresql`: `make check` leaves those twins to `make test`)."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'acts.db'}"
    else:
        with fresh_postgres_database() as url:
            yield url


def new_ports() -> Ports:
    return Ports(
        rasa=free_port(), actions=free_port(), web=free_port(), credly=free_port(), slack=free_port(), mail=free_port()
    )


def _deploy(
    model: Path,
    workdir: Path,
    database_url: str,
    ports: Ports | None = None,
    env: dict | None = None,
    rasa_servers: int = 0,
):
    """A running assistant, as `make run` starts it; with `rasa_servers`, as `make run-prod` does: that
    many Rasa servers (ports.rasa is the first's) on `database_url` (PostgreSQL) and Redis, behind nginx
    on ports.web."""
    ports = ports or new_ports()
    production = None
    if rasa_servers:
        rasa_ports = (ports.rasa, *(free_port() for _ in range(rasa_servers - 1)))
        # A lock prefix of its own: this deployment's locks never meet another test session's.
        lock_prefix = f"test{secrets.token_hex(4)}"
        production = Production(rasa_ports, free_port(), database_url, redis_url(), lock_prefix=lock_prefix)
        # The machine's RabbitMQ, on an exchange and queue of this deployment's own.
        queue = (f"acts-test-{lock_prefix}", f"acts_insights_{lock_prefix}")
        production = dataclasses.replace(production, rabbitmq_url=production_rabbitmq_url(), insights_queue=queue)
    deployment = Deployment(ports, database_url, workdir / "uploads", workdir / "logs", secrets.token_urlsafe(16))
    deployment.mail_dir = workdir / "mail"
    env = {
        "DATABASE_URL": database_url,
        "ACTS_UPLOAD_DIR": str(deployment.upload_dir),
        "ACTS_RASA_API_TOKEN": deployment.api_token,
        "ACTS_CONVERSATIONS_DB": str(workdir / "conversations.db"),
        "ACTS_EVENTS_DB": str(workdir / "events.db"),
        "ACTS_INSIGHTS_POLL_SECONDS": "0.5",  # the analytics catch up within a second
        "ACTS_MAIL_DIR": str(deployment.mail_dir),
        "ACTS_ACTION_SERVER_TOKEN": secrets.token_urlsafe(16),  # every test deployment runs with it
        **(env or {}),
    }
    deployment.production = production
    with running(ports, model, log_dir=deployment.log_dir, env=env, production=production) as cluster:
        deployment.cluster = cluster
        try:
            yield deployment
        finally:
            for again in deployment.restarted:
                again.stop()
    if production is not None and production.rabbitmq_url:
        asyncio.run(_delete_exchange_and_queue(production.rabbitmq_url, *production.insights_queue))


async def _delete_exchange_and_queue(url: str, exchange: str, queue: str) -> None:
    """The deployment's own RabbitMQ exchange and queue go with it (they are durable)."""
    import aio_pika

    connection = await aio_pika.connect_robust(url)
    async with connection:
        channel = await connection.channel()
        await channel.queue_delete(queue)
        await channel.exchange_delete(exchange)


@pytest.fixture(scope="session")
def servers(trained_model, tmp_path_factory):
    """The assistant as `make run` starts it (SQLite), on free ports, for the whole session."""
    workdir = tmp_path_factory.mktemp("sqlite-deployment")
    yield from _deploy(trained_model, workdir, f"sqlite:///{workdir / 'acts.db'}")


@pytest.fixture(scope="session")
def pg_servers(trained_model, tmp_path_factory):
    """The same, on the PostgreSQL at 127.0.0.1:5432 (a fresh database, dropped afterwards)."""
    workdir = tmp_path_factory.mktemp("postgres-deployment")
    with fresh_postgres_database() as url:
        yield from _deploy(trained_model, workdir, url)


class _FromAddress(HTTPAdapter):
    def __init__(self, address: str) -> None:
        self.address = address
        super().__init__()

    def init_poolmanager(self, *args, **kwargs):
        kwargs["source_address"] = (self.address, 0)
        super().init_poolmanager(*args, **kwargs)


def http_from(address: str | None = None) -> requests.Session:
    """An HTTP client whose requests come from `address` (by default a random one of 127.0.0.0/8):
    the assistant limits status guesses per client address, so every learner in the tests gets
    their own, as on the web."""
    address = address or "127.{}.{}.{}".format(*(secrets.randbelow(254) + 1 for _ in range(3)))
    session = requests.Session()
    session.mount("http://", _FromAddress(address))
    return session


class Chat:
    """One conversation with the running assistant over its REST channel, from its own address."""

    def __init__(self, rasa_port: int, sender: str, mail_dir: Path | None = None) -> None:
        self.url = f"http://127.0.0.1:{rasa_port}/webhooks/rest/webhook"
        self.sender = sender
        self.http = http_from()
        self.mail_dir = mail_dir  # the learner's inbox: the local mail server's Maildir

    def say(self, text: str, metadata: dict | None = None) -> list[dict]:
        body = {"sender": self.sender, "message": text}
        if metadata:
            body["metadata"] = metadata
        response = self.http.post(self.url, json=body, timeout=30)
        response.raise_for_status()
        return response.json()

    def text(self, text: str, metadata: dict | None = None) -> str:
        # Only the messages with text: an FAQ answer's topic (for 👍 / 👎) follows it as a message of its own.
        return "\n".join(m["text"] for m in self.say(text, metadata) if m.get("text"))


@pytest.fixture
def chat(servers, request):
    return Chat(servers.ports.rasa, f"test-{request.node.name[:80]}-{secrets.token_hex(3)}", servers.mail_dir)
