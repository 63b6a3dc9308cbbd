"""👍 / 👎 under an FAQ answer in Slack: valid Block Kit, the same payloads as the widget's, and a vote
marked in place so the learner can change it."""

from __future__ import annotations

from bot.answers.feedback import payload
from bot.slack import blocks
from emulators.slack import block_problems

ANSWER = "About fees: there is no cost to you. <!channel> & more"


def test_an_answer_carries_both_votes_with_the_widgets_payloads():
    made = blocks.answer_blocks(ANSWER, "faq_fee")
    assert block_problems(made, 50) == []
    assert made[0]["text"]["text"].startswith("About fees") and "&lt;!channel&gt; &amp; more" in made[0]["text"]["text"]
    buttons = made[1]["elements"]
    assert [b["value"] for b in buttons] == [payload("faq_fee", True), payload("faq_fee", False)]
    assert [b["text"]["text"] for b in buttons] == ["👍 Helpful", "👎 Not helpful"]
    assert all(b["action_id"].startswith(blocks.FEEDBACK_ACTION) for b in buttons)
    assert not any(b["action_id"].startswith(blocks.REPLY_ACTION) for b in buttons)


def test_a_vote_marks_the_chosen_button_and_a_second_vote_moves_the_mark():
    made = blocks.answer_blocks(ANSWER, "faq_fee")
    down = blocks.voted_blocks(made, f"{blocks.FEEDBACK_ACTION}_no")
    assert [b.get("style") for b in down[1]["elements"]] == [None, "primary"]
    up = blocks.voted_blocks(down, f"{blocks.FEEDBACK_ACTION}_yes")
    assert [b.get("style") for b in up[1]["elements"]] == ["primary", None]
    assert up[0] == made[0] and block_problems(up, 50) == []
    assert [b.get("style") for b in made[1]["elements"]] == [None, None]  # the original is not changed
