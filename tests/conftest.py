"""Shared fixtures: the project root, its data, and the real servers for end-to-end tests."""

from __future__ import annotations

import contextlib
import os
import secrets
from dataclasses import dataclass
from pathlib import Path

import pytest
import requests
from sqlalchemy import create_engine, text

from bot.serve import DEFAULT_MODEL, Ports, free_port, running

# The PostgreSQL these machines run (trust auth); each test session gets a fresh database in it.
POSTGRES_ADMIN_URL = os.environ.get("ACTS_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test")

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="session")
def trained_model() -> Path:
    if not DEFAULT_MODEL.exists():
        pytest.fail(f"No trained model at {DEFAULT_MODEL}: run `make train` (make test does it for you).")
    return DEFAULT_MODEL


@dataclass(frozen=True)
class Deployment:
    """A running assistant: its ports, database and upload folder."""

    ports: Ports
    database_url: str
    upload_dir: Path
    log_dir: Path


@contextlib.contextmanager
def fresh_postgres_database():
    name = f"acts_test_{secrets.token_hex(4)}"
    admin = create_engine(POSTGRES_ADMIN_URL, isolation_level="AUTOCOMMIT", future=True)
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield POSTGRES_ADMIN_URL.rsplit("/", 1)[0] + "/" + name
    finally:
        from bot.db import engine_for

        engine_for.cache_clear()
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def _deploy(model: Path, workdir: Path, database_url: str):
    ports = Ports(rasa=free_port(), actions=free_port(), web=free_port(), credly=free_port())
    deployment = Deployment(ports, database_url, workdir / "uploads", workdir / "logs")
    env = {"DATABASE_URL": database_url, "ACTS_UPLOAD_DIR": str(deployment.upload_dir)}
    with running(ports, model, log_dir=deployment.log_dir, env=env):
        yield deployment


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


class Chat:
    """One conversation with the running assistant over its REST channel."""

    def __init__(self, rasa_port: int, sender: str) -> None:
        self.url = f"http://127.0.0.1:{rasa_port}/webhooks/rest/webhook"
        self.sender = sender

    def say(self, text: str, metadata: dict | None = None) -> list[dict]:
        body = {"sender": self.sender, "message": text}
        if metadata:
            body["metadata"] = metadata
        response = requests.post(self.url, json=body, timeout=30)
        response.raise_for_status()
        return response.json()

    def text(self, text: str, metadata: dict | None = None) -> str:
        return "\n".join(m.get("text", "") for m in self.say(text, metadata))


@pytest.fixture
def chat(servers, request):
    return Chat(servers.ports.rasa, sender=f"test-{request.node.name}-{secrets.token_hex(3)}")
