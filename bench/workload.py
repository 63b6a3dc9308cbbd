"""The conversations the benchmark sends: a realistic mix of courtesies in several wordings, FAQ
questions, a question of the kind the classifier is unsure of today, and a custom action.

The unsure questions were written for the benchmark (never taken from an evaluation set). Their
character n-grams leave the classifier unsure, so each asks the meaning model too (about 16 ms of CPU,
`rasa_plugins/nlu/sentence_meaning.py`), as does a courtesy with a word its intent's examples don't use
("cheers, that's all": a thank-you the classifier double-checks). `tests/model/test_bench_workload.py`
checks that every unsure question still asks the model and no FAQ question does, so the meaning model's
cost stays in the numbers.
"""

from __future__ import annotations

# (message, a phrase the right answer contains)
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
# Read by the n-grams and the meaning model both.
UNSURE_TURNS = [
    ("do badges ever stop being valid", "validity period"),
    ("can people fake one of these", "uniquely linked"),
    ("is it a problem if I took the course ages ago", "no need to retake"),
    ("how do other people check mine is real", "uniquely linked"),
    ("can I move it to a different wallet", "Badgr"),
]
GREETINGS = [
    ("hello", "ACTS badge assistant"),
    ("hey there", "ACTS badge assistant"),
    ("good morning", "ACTS badge assistant"),
    ("hello, anyone there?", "ACTS badge assistant"),
]
CLOSINGS = [
    ("thanks!", "welcome"),
    ("thx a lot", "welcome"),
    ("thank you so much for the help", "welcome"),
    ("bye for now", "Goodbye"),
    ("talk later", "Goodbye"),
    ("cheers, that's all", "welcome"),
]
# Runs a custom action on the action server (the offer of a person reads the database for an open
# request); every other conversation asks a second FAQ question instead.
CUSTOM_ACTION_TURN = ("can I talk to a real person please", "reach")

FIRST_QUESTION = FAQ_TURNS[0]


def conversation(index: int) -> list[tuple[str, str]]:
    """Five turns: a greeting, an FAQ question, an unsure question, the custom action or another FAQ
    question (in turn), and a thank-you or goodbye; each wording in its turn."""
    fourth = CUSTOM_ACTION_TURN if index % 2 == 0 else FAQ_TURNS[(index + 3) % len(FAQ_TURNS)]
    return [
        GREETINGS[index % len(GREETINGS)],
        FAQ_TURNS[index % len(FAQ_TURNS)],
        UNSURE_TURNS[index % len(UNSURE_TURNS)],
        fourth,
        CLOSINGS[index % len(CLOSINGS)],
    ]
