"""The REST channel on its own (tests/rest_channel_app.py): a sender id of another channel's namespace
("slack:U…") is refused with a clear 400, and behind a reverse proxy with SANIC_PROXIES_COUNT set
learners get their own source (their own budget of status lookups), not the proxy's; an empty message is
answered by the channel itself, never passed on."""

from __future__ import annotations

import contextlib
import json
import os
import subprocess
import sys
import time

import pytest
import requests

from launcher.servers import free_port
from tests.conftest import ROOT


@contextlib.contextmanager
def rest_channel(**env: str):
    port = free_port()
    argv = [sys.executable, str(ROOT / "tests" / "rest_channel_app.py"), "--port", str(port)]
    environment = {**os.environ, "PYTHONPATH": str(ROOT), "RASA_TELEMETRY_ENABLED": "false", **env}
    for name in ("SANIC_PROXIES_COUNT", "SANIC_REAL_IP_HEADER", "SANIC_FORWARDED_SECRET"):
        if name not in env:
            environment.pop(name, None)
    process = subprocess.Popen(argv, cwd=ROOT, env=environment, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}/webhooks/rest"
    try:
        deadline = time.monotonic() + 120
        while True:
            with contextlib.suppress(requests.ConnectionError):
                if requests.get(f"{url}/", timeout=2).ok:
                    break
            assert process.poll() is None and time.monotonic() < deadline, "the REST channel did not start"
            time.sleep(0.2)
        yield f"{url}/webhook"
    finally:
        process.terminate()
        process.wait(timeout=30)


@pytest.fixture(scope="module")
def direct():
    with rest_channel() as url:
        yield url


def seen(url: str, sender: str, headers: dict | None = None) -> dict:
    answer = requests.post(url, json={"sender": sender, "message": "hi"}, headers=headers or {}, timeout=10)
    answer.raise_for_status()
    return json.loads(answer.json()[0]["text"])


@pytest.mark.parametrize(
    "sender", ["slack:U0JANE0001", "slack:C0SIG:1700000000.000100:U0JANE0001", "SLACK:U0JANE0001", "web:x", ":", "a:b"]
)
def test_a_sender_id_of_another_channels_namespace_is_refused(direct, sender):
    answer = requests.post(direct, json={"sender": sender, "message": "cancel"}, timeout=10)
    assert answer.status_code == 400
    assert 'may not contain ":"' in answer.json()["message"]


@pytest.mark.parametrize("sender", ["0123456789abcdef0123456789abcdef", "test-me_1", "slack-U0JANE0001"])
def test_the_rest_channels_own_ids_are_accepted(direct, sender):
    assert seen(direct, sender)["sender"] == sender


def test_without_proxy_settings_everyone_behind_one_proxy_shares_one_source(direct):
    one = seen(direct, "learner-1", {"X-Forwarded-For": "203.0.113.7"})
    two = seen(direct, "learner-2", {"X-Forwarded-For": "198.51.100.9"})
    assert one["source"] == two["source"]  # the proxy's address: one budget of failed lookups for all


def test_behind_a_proxy_with_sanic_proxies_count_each_learner_has_their_own_source():
    with rest_channel(SANIC_PROXIES_COUNT="1") as url:
        one = seen(url, "learner-1", {"X-Forwarded-For": "203.0.113.7"})
        two = seen(url, "learner-2", {"X-Forwarded-For": "198.51.100.9"})
        again = seen(url, "learner-3", {"X-Forwarded-For": "203.0.113.7"})
        # A client cannot pick a source by prepending addresses: the proxy appends the real one last.
        forged = seen(url, "learner-4", {"X-Forwarded-For": "198.51.100.9, 203.0.113.7"})
    assert one["source"] != two["source"]
    assert again["source"] == one["source"] == forged["source"]
    assert one["source"].startswith("web:") and "203.0.113.7" not in one["source"]  # a keyed hash, not the address


@pytest.mark.parametrize("message", ["", "   ", "\n\t"])
def test_an_empty_message_gets_a_reply_saying_so_and_never_reaches_the_assistant(direct, message):
    from rasa_plugins.channels.rest import EMPTY

    answer = requests.post(direct, json={"sender": "learner-empty", "message": message}, timeout=10)
    assert answer.status_code == 200 and [m["text"] for m in answer.json()] == [EMPTY]  # not the echo
