"""The action server listens on this machine only, runs actions only with the shared token when one
is configured, and answers a failing action without the conversation in its reply."""

from __future__ import annotations

import os
import secrets
import subprocess
import sys
import time

import pytest
import requests

from bot.serve import free_port
from tests.conftest import ROOT


@pytest.fixture(scope="module")
def action_server():
    port, token = free_port(), secrets.token_urlsafe(16)
    env = {**os.environ, "ACTS_ACTION_SERVER_TOKEN": token, "PYTHONPATH": str(ROOT), "ACTS_BIND_HOST": ""}
    process = subprocess.Popen([sys.executable, "-m", "actions.server", "--port", str(port)], cwd=ROOT, env=env)
    url = f"http://127.0.0.1:{port}"
    try:
        for _ in range(120):
            try:
                if requests.get(f"{url}/health", timeout=1).ok:
                    break
            except requests.ConnectionError:
                time.sleep(0.25)
        yield url, token, port
    finally:
        process.terminate()
        process.wait(timeout=30)


def call(action: str, sender: str = "someone") -> dict:
    tracker = {"sender_id": sender, "slots": {}, "latest_message": {"text": "hi", "intent": {}}, "events": [],
               "paused": False, "followup_action": None, "active_loop": {}, "latest_action_name": None}  # fmt: skip
    return {"next_action": action, "sender_id": sender, "tracker": tracker, "domain": {}, "version": "3.6.2"}


def test_actions_run_only_with_the_token(action_server):
    url, token, _ = action_server
    assert requests.post(f"{url}/webhook", json=call("action_contact"), timeout=10).status_code == 401
    wrong = requests.post(f"{url}/webhook", params={"token": "guess"}, json=call("action_contact"), timeout=10)
    assert wrong.status_code == 401
    right = requests.post(f"{url}/webhook", params={"token": token}, json=call("action_contact"), timeout=10)
    assert right.status_code == 200 and right.json()["responses"]
    assert requests.get(f"{url}/health", timeout=10).ok  # health needs no token


def test_a_failing_action_answers_without_the_conversation(action_server):
    url, token, _ = action_server
    body = call("validate_apply_form", sender="jane.secret@uni.edu")
    body["domain"] = "not a domain"  # malformed: the action fails
    answer = requests.post(f"{url}/webhook", params={"token": token}, json=body, timeout=10)
    assert answer.status_code >= 400 and "jane.secret" not in answer.text


def test_it_listens_on_this_machine_only(action_server):
    _, _, port = action_server
    listening = subprocess.run(["ss", "-ltnH", f"sport = :{port}"], capture_output=True, text=True).stdout
    assert listening and all(line.split()[3].startswith("127.0.0.1:") for line in listening.strip().splitlines())
