"""The conversations the benchmark sends: FAQ questions, small talk and a custom action."""

from __future__ import annotations

# (question, a phrase the right answer contains)
FAQ_TURNS = [
    ("is there a fee to use credly", "no cost"),
    ("how will I know I have earned my badge?", "admin@credly.com"),
    ("I don't want my badge to be public", "privacy settings"),
    ("where can i share my badge", "LinkedIn"),
    ("can i export my badge to another platform", "Badgr"),
    ("what stops someone from copying my badge", "uniquely linked"),
    ("who is credly", "digital credentials"),
    ("which badges can I get right now?", "Team Science Fundamentals"),
]
SMALL_TALK = [("hello", "ACTS badge assistant"), ("thanks!", "welcome")]
# Runs a custom action on the action server: the contact comes from configuration.
CUSTOM_ACTION_TURN = ("can I talk to a real person please", "reach")

FIRST_QUESTION = FAQ_TURNS[0]


def conversation(index: int) -> list[tuple[str, str]]:
    """Five turns: greet, two FAQ questions, the custom-action turn, thanks."""
    first = FAQ_TURNS[index % len(FAQ_TURNS)]
    second = FAQ_TURNS[(index + 3) % len(FAQ_TURNS)]
    return [SMALL_TALK[0], first, second, CUSTOM_ACTION_TURN, SMALL_TALK[1]]
