"""Unit tests run on their own: a Redis named in the developer's shell (ACTS_REDIS_URL) would share
Slack's de-duplication between runs, so that a second run within the hour saw its events as retries."""

from __future__ import annotations

import pytest

from tests.notice_servers import mail_server


@pytest.fixture(autouse=True)
def _no_shared_redis(monkeypatch):
    monkeypatch.delenv("ACTS_REDIS_URL", raising=False)


@pytest.fixture
def smtp(monkeypatch):
    """A local mail server (tests/notice_servers.py) the code under test sends to: `.received`, `.mode`."""
    with mail_server() as (server, port):
        monkeypatch.setenv("ACTS_SMTP_HOST", "127.0.0.1")
        monkeypatch.setenv("ACTS_SMTP_PORT", str(port))
        monkeypatch.setenv("ACTS_SMTP_SECURITY", "none")
        monkeypatch.setenv("ACTS_SMTP_TIMEOUT_SECONDS", "0.5")
        server.port = port
        yield server
