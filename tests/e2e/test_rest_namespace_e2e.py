"""End to end, with Slack on (the Slack emulator): a website client that sends as a Slack
conversation's id ("slack:<user>") reaches nothing of it. It is refused, gets no reply, and the
Slack learner's conversation (form, summary, upload link) is unchanged."""

from __future__ import annotations

from tests.conftest import http_from
from tests.e2e.test_e2e_slack import JANE, Learner, bot_messages, slack  # noqa: F401 (slack: the fixture)


def test_a_rest_client_using_a_slack_conversations_id_reaches_nothing_of_it(slack):  # noqa: F811
    jane = Learner(slack, JANE)
    assert "qualifying training" in jane.say("I'd like to apply for the Team Science Fundamentals badge")
    conversation = f"slack:{JANE}"
    before = slack.deployment.tracker(conversation)
    posted = len(bot_messages(slack, jane.dm))

    url = f"http://127.0.0.1:{slack.deployment.ports.rasa}/webhooks/rest/webhook"
    stranger = http_from()
    for text in ("yes", "what have you got on me so far?", "cancel", "/stop", "/restart"):
        for sender in (conversation, f"slack:{jane.dm}", f"{conversation}:x"):
            answer = stranger.post(url, json={"sender": sender, "message": text}, timeout=30)
            assert answer.status_code == 400, (sender, answer.text)
            assert 'may not contain ":"' in answer.json()["message"] and "text" not in answer.json()

    after = slack.deployment.tracker(conversation)
    assert after["events"] == before["events"] and after["slots"] == before["slots"]
    assert len(bot_messages(slack, jane.dm)) == posted  # nothing was said to Jane either
    # Jane's own conversation goes on where it was.
    assert "Which qualifying training" in jane.click("Yes")
