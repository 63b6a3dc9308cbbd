"""Unit tests run on their own: a Redis named in the developer's shell (ACTS_REDIS_URL) would share
Slack's de-duplication between runs, so that a second run within the hour saw its events as retries."""

from __future__ import annotations

import pytest


@pytest.fixture(autouse=True)
def _no_shared_redis(monkeypatch):
    monkeypatch.delenv("ACTS_REDIS_URL", raising=False)
