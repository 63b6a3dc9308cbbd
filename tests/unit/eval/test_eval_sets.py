"""The evaluation measures what it claims: its questions are not in the training data, and its scorer
reads replies as shared/eval/README.md says."""

from __future__ import annotations

import re

import pytest

from bot.answers.faq import load_faq
from eval.scoring import (
    APPLY,
    CREDLY_SUPPORT,
    SIGNATURES,
    STATUS,
    Reply,
    named_answers,
    score_out_of_scope,
    score_question,
)
from eval.sets import DEV_SET, dev_questions, out_of_scope_messages, paraphrases, real_style_questions
from tests.conftest import ROOT
from tests.nlu_files import load_examples, near_copies, near_duplicates

TRAIN = load_examples(sorted((ROOT / "data" / "nlu").glob("*.yml")))
HELD_OUT = load_examples([ROOT / "tests" / "nlu" / "test_nlu.yml"])


def _by_group(questions) -> dict[str, list[str]]:
    grouped: dict[str, list[str]] = {}
    for question in questions:
        grouped.setdefault(question.group, []).append(question.text)
    return grouped


@pytest.mark.skipif(not DEV_SET.exists(), reason="the shared dev set is not beside the repository")
def test_no_dev_question_or_near_copy_is_in_the_training_data():
    # The dev set measures; a copy of one of its questions in the training data would measure memory.
    leaked = near_copies([q.text for q in dev_questions()], TRAIN)
    assert leaked == [], f"{len(leaked)} dev questions too close to training data:\n" + "\n".join(leaked)


@pytest.mark.skipif(not DEV_SET.exists(), reason="the shared dev set is not beside the repository")
def test_no_dev_question_is_in_the_held_out_nlu_set():
    assert near_copies([q.text for q in dev_questions()], HELD_OUT) == []


def test_a_near_copy_is_a_copy_with_a_word_changed_not_a_shared_frame():
    training = {"faq_fee": ["is there a fee to use credly"], "faq_export": ["how do I download my badge"]}
    assert near_copies(["Is there a fee to use Credly?"], training)  # as it is
    assert near_copies(["is there a fe to use credly"], training)  # a word mistyped
    assert near_copies(["is there a fee to use credly at all"][:1], {"x": ["is there a fee to use credly at"]})
    assert near_copies(["to use credly is there a fee"], training)  # the same words in another order
    assert not near_copies(["how do I accept my badge"], training)  # only the frame is shared


def test_the_projects_own_traps_and_paraphrases_are_not_training_data():
    for questions in (out_of_scope_messages(), paraphrases()):
        assert near_duplicates(_by_group(questions), TRAIN) == []


def test_no_real_style_question_or_near_copy_is_in_the_training_or_held_out_data():
    questions = [q.text for q in real_style_questions()]
    assert len(questions) >= 100
    assert near_copies(questions, TRAIN) == [] and near_copies(questions, HELD_OUT) == []


# The import answer points to Credly's help article, at support.credly.com, like the support answer.
SHARED_BY_DESIGN = {("faq_credly_support", "support.credly.com"): ["faq_import"]}


def test_every_signature_is_in_its_own_answer_and_no_other_seed_answer():
    topics = load_faq().topics
    seed = [intent for intent in SIGNATURES if intent.startswith("faq_")]
    assert sorted(seed) == sorted(i for i in topics if i.startswith("faq_"))
    for intent in seed:
        for phrase in SIGNATURES[intent]:
            assert phrase.lower() in topics[intent].answer.lower(), (intent, phrase)
            others = [o for o in seed if o != intent and phrase.lower() in topics[o].answer.lower()]
            assert others == SHARED_BY_DESIGN.get((intent, phrase), []), (intent, phrase, others)


def test_dev_labels_name_known_answers():
    assert named_answers("Who is Credly? | Credly support (support.credly.com)") == [
        "faq_who_is_credly",
        CREDLY_SUPPORT,
    ]
    assert named_answers("How will I know if I've earned a badge?") == ["faq_earned_notification"]  # straight '
    assert named_answers("application status (the status conversation) | applying for a badge") == [STATUS, APPLY]
    with pytest.raises(ValueError):
        named_answers("What is the meaning of life?")


def answer(intent: str) -> str:
    return load_faq().topic(intent).reply


def test_a_named_answer_is_right():
    assert score_question(Reply((answer("faq_fee"),)), ["faq_fee"]).right
    assert score_question(Reply((answer("credly_sign_in"),)), [CREDLY_SUPPORT]).right


def test_another_answer_is_wrong():
    verdict = score_question(Reply((answer("faq_benefits"),)), ["faq_privacy"])
    assert not verdict.right and "faq_benefits" in verdict.why


def test_a_digest_of_topics_is_wrong_but_one_extra_topic_is_allowed():
    one_extra = Reply((answer("faq_earned_notification"), answer("faq_privacy")))
    assert score_question(one_extra, ["faq_earned_notification"]).right
    digest = Reply((answer("faq_earned_notification"), answer("faq_privacy"), answer("faq_fee")))
    verdict = score_question(digest, ["faq_earned_notification"])
    assert not verdict.right and verdict.why.startswith("a digest")


def test_did_you_mean_and_cant_answer_are_not_right():
    offer = Reply(("I'm not quite sure what you mean. Did you mean one of these?",), ("Is there a fee?", "None"))
    assert not score_question(offer, ["faq_fee"]).right
    decline = Reply((load_faq().message("cant_help"),))
    assert not score_question(decline, ["faq_fee"]).right


def test_a_conversation_is_recognised_by_its_first_question():
    started = Reply(("What is your application reference? It looks like ACTS-7KQ2-M9XD.",))
    assert score_question(started, [STATUS]).right
    assert not score_question(started, [APPLY]).right


def test_out_of_scope_is_right_only_as_an_honest_decline_with_the_contact():
    contact = "https://www.actscts.org"
    assert score_out_of_scope(Reply((load_faq().message("cant_help"),)), contact).right
    assert not score_out_of_scope(Reply(("Goodbye, and good luck with your badge!",)), contact).right
    with_facts = Reply((load_faq().message("cant_help") + " " + answer("faq_fee"),))
    assert not score_out_of_scope(with_facts, contact).right


def test_replies_are_read_whatever_the_apostrophes():
    curly = Reply((answer("faq_earned_notification").replace("'", "\u2019"),))
    assert score_question(curly, ["faq_earned_notification"]).right
    assert re.search("admin@credly.com", curly.text)
