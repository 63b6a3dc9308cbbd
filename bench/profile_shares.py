"""Where the Rasa server's time goes under load, from a py-spy profile: `python -m bench.profile_shares
PROFILE.txt`, where PROFILE.txt is `py-spy record --format raw` of the Rasa server, with or without
`--threads` (docs/performance.md says how it is taken; with `--gil`, only the thread that holds the GIL
is sampled, which is the server's Python work as it really runs). Each sample goes to the first of PARTS
that any frame of its stack belongs to, so the order is a priority: the meaning model's matrix products
count for the meaning model, not for the classifier that called it, and the custom action's aiohttp
frames for the custom action, not for HTTP. Prints each part's share of the busy samples, largest first.
"""

from __future__ import annotations

import argparse
from collections import Counter

# (part, what a frame's text contains), in order of priority.
PARTS = (
    ("the meaning model (MiniLM, numpy)", ("bot/meaning/", "meaning_probabilities")),
    ("NLU: n-grams, the other components", ("rasa_plugins/nlu/", "rasa/nlu/")),
    ("RulePolicy", ("rule_policy.py",)),
    ("other dialogue prediction (graph, featurising states)", ("rasa/core/policies/", "rasa/engine/", "ensemble.py")),
    ("the custom action's HTTP call", ("runtime/action_failures.py", "rasa/utils/endpoints.py", "_action_call_format")),
    ("Rasa's own actions: responses, slot extraction", ("rasa/core/actions/", "rasa/core/nlg/")),
    ("the conversation store and its writer", ("tracker_store", "sqlite3", "rasa_plugins/runtime/shared")),
    ("the lock (one message of a conversation at a time)", ("lock_store", "lock.py")),
    ("the event broker", ("event_broker", "broker")),
    ("the tracker: events applied, copied, serialised", ("rasa/shared/core/trackers.py", "rasa/shared/core/events.py")),
    ("HTTP in and out (Sanic, aiohttp), the event loop", ("sanic/", "aiohttp/", "asyncio/", "uvloop", "httptools")),
)
OTHER = "other"


def part_of(stack: list[str]) -> str:
    for name, marks in PARTS:
        if any(mark in frame for frame in stack for mark in marks):
            return name
    return OTHER


MAIN_THREAD = "_run_module_as_main"  # the outermost frame of the main thread: the event loop's
THREAD_NAME = "thread ("  # py-spy --threads puts "thread (0x...): name" before each stack


def shares(lines: list[str], main_thread_only: bool = True) -> list[tuple[str, float]]:
    """Each part's share of the busy samples; by default of the main thread's only, since one event
    loop thread handles every message (the stores' writer threads wait on the disk beside it)."""
    counts: Counter[str] = Counter()
    for line in lines:
        stack_text, _, count = line.rstrip().rpartition(" ")
        if not stack_text or not count.isdigit():
            continue
        stack = stack_text.split(";")
        if stack[0].startswith(THREAD_NAME):
            stack = stack[1:]
        if main_thread_only and not (stack and stack[0].startswith(MAIN_THREAD)):
            continue
        counts[part_of(stack)] += int(count)
    total = sum(counts.values()) or 1
    return [(name, n / total) for name, n in counts.most_common()]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("profile", help="py-spy record --format raw output")
    parser.add_argument("--all-threads", action="store_true", help="count every thread, not the main one only")
    args = parser.parse_args()
    with open(args.profile, encoding="utf-8") as handle:
        for name, share in shares(handle.readlines(), main_thread_only=not args.all_threads):
            print(f"{share:6.1%}  {name}")


if __name__ == "__main__":
    main()
