"""The website widget's conversation id, run in Node as the browser runs it: 128 random bits in hex
(a UUID keeps only 122), never a ":" (the REST channel refuses ids of other channels' namespaces),
and an id of an older, weaker kind is not carried on."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import time

import pytest

from tests.conftest import ROOT

CHAT_STATE = ROOT / "bot" / "web" / "static" / "chat-state.js"
HEX_128 = re.compile("[0-9a-f]{32}")

# A page's localStorage (argv[1]), then ChatState as the widget uses it; prints what it did as JSON.
SCRIPT = """
const store = new Map(Object.entries(JSON.parse(process.argv[1])));
globalThis.localStorage = { getItem: (k) => store.get(k) ?? null, setItem: (k, v) => store.set(k, v) };
const { ChatState } = await import(process.argv[2]);
const ids = Array.from({ length: 200 }, (_, i) => new ChatState(`fresh-${i}`, { text: 'hi' }).sender);
const restored = new ChatState('saved', { text: 'hi' }).sender;
console.log(JSON.stringify({ ids, restored }));
"""


def widget_ids(saved_sender: str) -> dict:
    """200 new conversations' ids, and the id of a saved conversation whose id was `saved_sender`."""
    if not shutil.which("node"):
        pytest.skip("needs Node (make install)")
    saved = {"version": 1, "updated": int(time.time() * 1000), "sender": saved_sender, "transcript": [{"text": "x"}]}
    result = subprocess.run(
        ["node", "--input-type=module", "-e", SCRIPT, json.dumps({"saved": json.dumps(saved)}), CHAT_STATE.as_uri()],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_a_new_conversation_id_is_128_random_bits_in_hex():
    ids = widget_ids("0" * 32)["ids"]
    assert all(HEX_128.fullmatch(sender) for sender in ids), ids[:3]
    assert len(set(ids)) == len(ids)
    # Every one of the 128 bits varies across 200 ids (a UUID's fixed version and variant bits would not).
    bits = [int(sender, 16) for sender in ids]
    assert all(len({(value >> bit) & 1 for value in bits}) == 2 for bit in range(128))


def test_a_saved_conversation_goes_on_with_its_id():
    saved = "0123456789abcdef0123456789abcdef"
    assert widget_ids(saved)["restored"] == saved


@pytest.mark.parametrize("weaker", ["8c1f2e34-5b6a-4c7d-8e9f-0a1b2c3d4e5f", "slack:U0JANE0001", "me"])
def test_a_saved_id_of_another_kind_starts_a_new_conversation(weaker):
    restored = widget_ids(weaker)["restored"]
    assert restored != weaker and HEX_128.fullmatch(restored)
