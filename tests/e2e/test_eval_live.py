"""`make eval`'s scorer against the running assistant (the session's servers): a handful of questions, so
the scoring itself is tested end to end. No timing assertions."""

from __future__ import annotations

from eval.__main__ import ask_all, table
from eval.client import Assistant
from eval.scoring import contact_address, score_out_of_scope, score_question
from eval.sets import Question


def test_the_scorer_reads_the_assistants_replies(servers):
    assistant = Assistant(f"http://127.0.0.1:{servers.ports.rasa}")
    questions = [
        Question("is there a fee to use credly", "faq_fee", ("faq_fee",)),
        Question("I forgot my credly password", "credly_support", ("credly_support",)),
        Question("I'd like to apply for the Team Science Fundamentals badge", "apply", ("apply",)),
        Question("is there a fee to use credly", "faq_privacy", ("faq_privacy",)),  # a wrong answer
    ]
    results = ask_all(assistant, questions, lambda reply, q: score_question(reply, q.named))
    assert [verdict.right for _, _, verdict in results] == [True, True, True, False]
    assert "faq_fee" in results[3][2].why
    lines, total = table("dev", results)
    assert total == 0.75 and any("faq_privacy | 0/1" in line for line in lines)


def test_the_scorer_sees_an_honest_decline(servers):
    assistant = Assistant(f"http://127.0.0.1:{servers.ports.rasa}/webhooks/rest/webhook")
    reply = assistant.first_reply("how much does ACTS membership cost?")
    assert score_out_of_scope(reply, contact_address()).right
    assert not score_out_of_scope(assistant.first_reply("is there a fee to use credly"), contact_address()).right
