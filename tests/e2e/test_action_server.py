"""The action server listens on this machine only, answers nothing but its health check without the
shared token, however a path is spelled, refuses to start without a token, and answers a failing
action without the conversation in its reply."""

from __future__ import annotations

import contextlib
import http.client
import json
import os
import secrets
import subprocess
import sys
import time

import pytest
import requests

from launcher.servers import free_port
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
    assert requests.post(f"{url}/webhook", json=call("action_cant_help"), timeout=10).status_code == 401
    wrong = requests.post(f"{url}/webhook", params={"token": "guess"}, json=call("action_cant_help"), timeout=10)
    assert wrong.status_code == 401
    right = requests.post(f"{url}/webhook", params={"token": token}, json=call("action_cant_help"), timeout=10)
    assert right.status_code == 200 and right.json()["responses"]
    assert requests.get(f"{url}/health", timeout=10).ok  # health needs no token


# Every spelling a router might map to a handler, every method, and paths that lead nowhere.
SPELLINGS = [
    ("POST", "/webhook"),
    ("POST", "/webhook/"),
    ("POST", "//webhook"),
    ("POST", "/webhook//"),
    ("POST", "/%77ebhook"),
    ("POST", "/%2Fwebhook"),
    ("POST", "/WEBHOOK"),
    ("POST", "/./webhook"),
    ("POST", "/health/../webhook"),
    ("HEAD", "/webhook"),
    ("OPTIONS", "/webhook"),
    ("GET", "/webhook"),
    ("GET", "/actions"),
    ("GET", "/actions/"),
    ("GET", "//actions"),
    ("GET", "/%61ctions"),
    ("GET", "/Actions"),
    ("HEAD", "/actions"),
    ("OPTIONS", "/actions"),
    ("GET", "/nothing-here"),
    ("GET", "/health/"),
    ("GET", "//health"),
    ("GET", "/%68ealth"),
    ("POST", "/health"),
    ("DELETE", "/health"),
]


def raw(url: str, method: str, path: str, token: str | None = None) -> tuple[int, bytes]:
    """The request exactly as spelled (requests would normalise the path, e.g. %77 into w)."""
    host, port = url.removeprefix("http://").split(":")
    connection = http.client.HTTPConnection(host, int(port), timeout=10)
    headers = {"Content-Type": "application/json"} | ({"Authorization": f"Bearer {token}"} if token else {})
    body = json.dumps(call("action_cant_help")) if method == "POST" else None
    try:
        connection.request(method, path, body=body, headers=headers)
        answer = connection.getresponse()
        return answer.status, answer.read()
    finally:
        connection.close()


@pytest.mark.parametrize("method,path", SPELLINGS)
def test_every_route_but_the_health_check_needs_the_token_however_spelled(action_server, method, path):
    url, token, _ = action_server
    assert raw(url, method, path)[0] == 401
    assert raw(url, method, path, token="guess")[0] == 401
    assert raw(url, method, path, token=token)[0] != 401


@pytest.mark.parametrize("method,path", [("POST", "/webhook"), ("POST", "/webhook/"), ("GET", "/actions/")])
def test_the_spellings_that_reach_a_handler_work_with_the_token(action_server, method, path):
    url, token, _ = action_server
    status, body = raw(url, method, path, token=token)
    assert status == 200 and json.loads(body)


def test_the_health_check_needs_no_token(action_server):
    url, _, _ = action_server
    assert raw(url, "GET", "/health") == (200, b'{"status":"ok"}')
    assert raw(url, "GET", "/health?token=x")[0] == 200


def start(env: dict) -> subprocess.Popen:
    env = {**os.environ, "PYTHONPATH": str(ROOT), **env}
    return subprocess.Popen([sys.executable, "-m", "actions.server", "--port", str(free_port())], cwd=ROOT, env=env,
                            stderr=subprocess.PIPE, text=True)  # fmt: skip


def test_without_a_token_it_refuses_to_start_with_a_clear_message():
    process = start({"ACTS_ACTION_SERVER_TOKEN": " ", "ACTS_ACTION_SERVER_INSECURE": ""})
    try:
        _, errors = process.communicate(timeout=120)
    except subprocess.TimeoutExpired:
        process.kill()
        pytest.fail("it started without a token")
    assert process.returncode == 2 and "needs a token: set ACTS_ACTION_SERVER_TOKEN" in errors


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


def test_explicitly_insecure_it_starts_without_a_token():
    port = free_port()
    env = {**os.environ, "PYTHONPATH": str(ROOT), "ACTS_ACTION_SERVER_TOKEN": "", "ACTS_ACTION_SERVER_INSECURE": "1"}
    process = subprocess.Popen([sys.executable, "-m", "actions.server", "--port", str(port)], cwd=ROOT, env=env)
    try:
        for _ in range(240):
            with contextlib.suppress(requests.ConnectionError):
                if requests.get(f"http://127.0.0.1:{port}/health", timeout=1).ok:
                    break
            assert process.poll() is None
            time.sleep(0.25)
        assert requests.post(f"http://127.0.0.1:{port}/webhook", json=call("action_cant_help"), timeout=10).ok
    finally:
        process.terminate()
        process.wait(timeout=30)
