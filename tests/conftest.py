"""Shared fixtures: the project root, its data, and the real servers for end-to-end tests."""
from __future__ import annotations

from pathlib import Path

import pytest
import requests

from bot.serve import DEFAULT_MODEL, Ports, free_port, running

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="session")
def trained_model() -> Path:
    if not DEFAULT_MODEL.exists():
        pytest.fail(f"No trained model at {DEFAULT_MODEL}: run `make train` (make test does it for you).")
    return DEFAULT_MODEL


@pytest.fixture(scope="session")
def servers(trained_model, tmp_path_factory):
    """The assistant as `make run` starts it, on free ports, for the whole session."""
    ports = Ports(rasa=free_port(), actions=free_port())
    log_dir = tmp_path_factory.mktemp("server-logs")
    with running(ports, trained_model, log_dir=log_dir) as cluster:
        yield cluster, ports, log_dir


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
    _, ports, _ = servers
    return Chat(ports.rasa, sender=f"test-{request.node.name}")
