"""The training and test data are big enough, and the test set is truly held out."""

from __future__ import annotations

from collections import Counter

import yaml

from bot.answers.faq import load_faq
from tests.conftest import ROOT
from tests.nlu_files import load_examples, near_duplicates, normalise

TRAIN = load_examples(sorted((ROOT / "data" / "nlu").glob("*.yml")))
TEST = load_examples([ROOT / "tests" / "nlu" / "test_nlu.yml"])
SEED_TOPICS = [i for i in load_faq().topics if i.startswith("faq_")]


def test_fourteen_seed_topics():
    assert len(SEED_TOPICS) == 14


def test_enough_training_examples_per_topic():
    for intent in SEED_TOPICS:
        assert len(TRAIN.get(intent, [])) >= 30, intent
    assert len(TRAIN["out_of_scope"]) >= 60
    for intent in ("greet", "goodbye", "thanks", "bot_challenge", "help"):
        assert len(TRAIN.get(intent, [])) >= 10, intent


def test_enough_test_examples_per_topic():
    for intent in SEED_TOPICS:
        assert len(TEST.get(intent, [])) >= 8, intent
    assert len(TEST["out_of_scope"]) >= 30


def test_no_test_example_is_in_the_training_data():
    trained = {normalise(text) for texts in TRAIN.values() for text in texts}
    leaked = [text for texts in TEST.values() for text in texts if normalise(text) in trained]
    assert leaked == []


def test_no_test_example_is_a_near_duplicate_of_a_training_example():
    # A word or two changed is not a new wording: see tests/nlu_files.py for the thresholds.
    offenders = near_duplicates(TEST, TRAIN)
    assert offenders == [], f"{len(offenders)} held-out examples too close to training data:\n" + "\n".join(offenders)


def test_no_example_is_given_two_intents():
    owners: dict[str, set] = {}
    for intent, texts in TRAIN.items():
        for text in texts:
            owners.setdefault(normalise(text), set()).add(intent)
    assert {t: o for t, o in owners.items() if len(o) > 1} == {}


def test_no_duplicate_training_examples():
    counts = Counter(normalise(t) for texts in TRAIN.values() for t in texts)
    assert [t for t, n in counts.items() if n > 1] == []


def test_every_intent_in_the_data_is_in_the_domain():
    domain = set(yaml.safe_load((ROOT / "domain.yml").read_text())["intents"])
    assert set(TRAIN) | set(TEST) <= domain


def test_membership_questions_are_out_of_scope_examples():
    oos = " ".join(TRAIN["out_of_scope"]).lower()
    for near_domain in ("membership", "cme", "journal", "regist"):
        assert near_domain in oos, near_domain
