"""The profile summary puts each sample where its work belongs, by priority across its whole stack."""

from __future__ import annotations

from bench.profile_shares import OTHER, part_of, shares

LEAN = "_run_module_as_main (runpy.py:196);<module> (rasa_plugins/runtime/lean_server.py:10)"


def test_the_meaning_models_matrix_products_count_for_it_not_for_the_classifier():
    stack = [
        LEAN,
        "process (rasa_plugins/nlu/sentence_meaning.py:170)",
        "encode (bot/meaning/minilm.py:80)",
        "matmul (numpy)",
    ]
    assert part_of(stack) == "the meaning model (MiniLM, numpy)"


def test_the_custom_actions_http_frames_count_for_the_action():
    stack = [
        LEAN,
        "run (rasa_plugins/runtime/action_failures.py:61)",
        "run (rasa/core/actions/action.py:700)",
        "request (rasa/utils/endpoints.py:150)",
        "send (aiohttp/client.py:1)",
    ]
    assert part_of(stack) == "the custom action's HTTP call"


def test_shares_add_up_over_the_busy_samples():
    lines = [
        f"{LEAN};predict (rasa/core/policies/rule_policy.py:1) 3\n",
        f"{LEAN};handle (sanic/app.py:1) 1\n",
        f"{LEAN};something (elsewhere.py:1) 4\n",
        "garbage\n",
        "_bootstrap (threading.py:973);_write (bot/store/conversations.py:301) 9\n",  # a writer thread
    ]
    assert dict(shares(lines)) == {
        OTHER: 0.5,
        "RulePolicy": 0.375,
        "HTTP in and out (Sanic, aiohttp), the event loop": 0.125,
    }


def test_rasas_own_actions_are_not_the_custom_actions_call():
    stack = [
        LEAN,
        "_run_action (rasa/core/processor.py:982)",
        "run (rasa/core/actions/action.py:300)",
        "generate (rasa/core/nlg/response.py:72)",
    ]
    assert part_of(stack) == "Rasa's own actions: responses, slot extraction"


def test_thread_names_before_the_stacks_are_read_past():
    lines = [
        f"thread (0x7F): MainThread;{LEAN};predict (rasa/core/policies/rule_policy.py:1) 2\n",
        "thread (0x7E): acts-parse_0;_bootstrap (threading.py:973);process (rasa_plugins/nlu/x.py:1) 5\n",
    ]
    assert dict(shares(lines)) == {"RulePolicy": 1.0}
    every_thread = {"RulePolicy": 2 / 7, "NLU: n-grams, the other components": 5 / 7}
    assert dict(shares(lines, main_thread_only=False)) == every_thread
