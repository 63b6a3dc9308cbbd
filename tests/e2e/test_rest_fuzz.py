"""Property test of the REST channel over real HTTP: whatever a client sends, the answer is never a
server error or a traceback, and the server answers the next normal message."""

from __future__ import annotations

import json
import secrets

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.conftest import Chat, http_from

# Text a client may send: control, zero-width and right-to-left characters, emoji, anything.
anything = st.text(st.characters(codec="utf-8"), max_size=300) | st.sampled_from(
    ["", "\x00", "\u200b\u200f\u202e", "🦄" * 50, "x" * 6000, "<script>alert(1)</script>", "/restart", "/faq_fee{"]
)
json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | anything,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(anything, inner, max_size=4),
    max_leaves=12,
)
bodies = st.one_of(
    st.binary(max_size=2000),
    anything.map(str.encode),
    json_values.map(lambda value: json.dumps(value).encode()),
    st.fixed_dictionaries(
        {"sender": anything | json_values, "message": anything | json_values},
        optional={"metadata": json_values, "input_channel": anything},
    ).map(lambda value: json.dumps(value).encode()),
)


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(body=bodies)
def test_anything_a_client_sends_gets_a_clean_answer(servers, body):
    url = f"http://127.0.0.1:{servers.ports.rasa}/webhooks/rest/webhook"
    # Each example from its own address: the per-source limit is not what is tested here.
    answer = http_from().post(url, data=body, headers={"Content-Type": "application/json"}, timeout=30)
    assert answer.status_code < 500, (body[:200], answer.status_code, answer.text[:300])
    assert "Traceback" not in answer.text


def test_the_server_still_answers_after_the_fuzzing(servers):
    assert "no cost" in Chat(servers.ports.rasa, sender=f"after-fuzz-{secrets.token_hex(3)}").text("is there a fee?")
