"""Which Slack events are a learner's message (each once), and how answers look in Slack."""

from __future__ import annotations

from bot.identity import IDENTITY_KEY, SLACK, Identity, identity_of
from bot.slack import blocks
from bot.slack.events import EventFilter, plain_text

BOT = "UBOT"


def event(**fields) -> dict:
    body = {"type": "message", "user": "UJANE", "text": "is there a fee?", "ts": "1700000000.000100"}
    body.update(fields)
    return {"type": "event_callback", "event_id": "Ev1", "event": body}


def test_a_direct_message_is_one_conversation_per_person():
    message = EventFilter(BOT).interpret(event(channel="D1", channel_type="im"))
    assert (message.user, message.text, message.thread_ts, message.conversation_id) == (
        "UJANE",
        "is there a fee?",
        None,
        "slack:UJANE",
    )


def test_a_mention_arrives_twice_and_is_handled_once_in_its_thread():
    events = EventFilter(BOT)
    mention = event(type="app_mention", channel="C1", text=f"<@{BOT}> is there a fee?")
    message = event(channel="C1", channel_type="channel", text=f"<@{BOT}> is there a fee?")
    first = events.interpret(mention)
    assert first.text == "is there a fee?" and first.thread_ts == "1700000000.000100"
    assert first.conversation_id == "slack:C1:1700000000.000100:UJANE"
    assert events.interpret(message) is None  # the same message as a `message` event
    assert events.interpret(mention) is None  # and Slack's retry of it


def test_a_reply_in_the_thread_continues_without_a_new_mention_but_other_channel_talk_is_ignored():
    events = EventFilter(BOT)
    events.interpret(event(type="app_mention", channel="C1", text=f"<@{BOT}> apply"))
    reply = events.interpret(
        event(channel="C1", channel_type="channel", text="yes", ts="1700000001.000200", thread_ts="1700000000.000100")
    )
    assert reply.conversation_id == "slack:C1:1700000000.000100:UJANE" and reply.text == "yes"
    assert events.interpret(event(channel="C1", channel_type="channel", ts="1700000002.000300")) is None


def test_bots_edits_deletions_and_the_assistant_itself_are_not_questions():
    events = EventFilter(BOT)
    dm = {"channel": "D1", "channel_type": "im"}
    assert events.interpret(event(**dm, bot_id="B1", subtype="bot_message")) is None
    assert events.interpret(event(**dm, user=BOT, ts="2.0")) is None
    assert events.interpret(event(**dm, subtype="message_changed", ts="3.0")) is None
    assert events.interpret(event(**dm, subtype="message_deleted", ts="4.0")) is None
    assert events.interpret({"type": "event_callback", "event": {"type": "reaction_added"}}) is None
    shared = events.interpret(event(**dm, subtype="file_share", ts="5.0", text="", files=[{"id": "F1"}]))
    assert shared.file_ids == ("F1",)


def test_slack_markup_becomes_what_the_person_typed():
    assert plain_text("my email is <mailto:jane@uni.edu|jane@uni.edu>", BOT) == "my email is jane@uni.edu"
    assert plain_text(f"<@{BOT}> see <https://orcid.org/0000-0002-1825-0097>", BOT) == (
        "see https://orcid.org/0000-0002-1825-0097"
    )
    assert plain_text("Smith &amp; Jones &lt;lab&gt;", BOT) == "Smith & Jones <lab>"


def test_answers_in_slack_markup_and_block_kit():
    # Escaped as Slack requires; a Markdown link is not made a Slack link (it can only be echoed learner text).
    assert blocks.mrkdwn("a <b> & [Credly](https://credly.com) **now**") == (
        "a &lt;b&gt; &amp; [Credly](https://credly.com) **now**"
    )
    rendered = blocks.reply_blocks("Submit?", [{"title": "Yes", "payload": "/affirm"}, {"title": "No"}])
    [section, actions] = rendered
    assert section["text"]["text"] == "Submit?"
    assert [(b["text"]["text"], b["value"]) for b in actions["elements"]] == [("Yes", "/affirm"), ("No", "No")]
    chosen = blocks.chosen_blocks(rendered, "Yes", "UJANE")
    assert [b["type"] for b in chosen] == ["section", "context"]
    assert [e["text"] for e in chosen[1]["elements"]] == ["<@UJANE> chose", "Yes"]  # the label as plain text


def test_an_identity_counts_only_from_the_channel_that_verifies_it():
    metadata = {IDENTITY_KEY: {"channel": SLACK, "user_id": "UJANE", "name": "Jane Doe", "email": "jane@uni.edu"}}
    assert identity_of(metadata, "slack") == Identity(SLACK, "UJANE", "Jane Doe", "jane@uni.edu")
    assert identity_of(metadata, "rest") is None  # a website client cannot claim to be someone in Slack
    assert identity_of({IDENTITY_KEY: "UJANE"}, "slack") is None


def test_the_documented_signing_example_verifies_and_a_changed_body_does_not():
    """The example in Slack's documentation (shared/reference/slack.md), with the clock at its time."""
    from slack_sdk.signature import Clock, SignatureVerifier

    class Then(Clock):
        def now(self) -> float:
            return 1531420618

    body = (
        "token=xyzz0WbapA4vBCDEFasx0q6G&team_id=T1DC2JH3J&team_domain=testteamnow&channel_id=G8PSS9T3V"
        "&channel_name=foobar&user_id=U2CERLKJA&user_name=roadrunner&command=%2Fwebhook-collect&text="
        "&response_url=https%3A%2F%2Fhooks.slack.com%2Fcommands%2FT1DC2JH3J%2F397700885554%2F96rGlfmibIGlgcZRskXaIFfN"
        "&trigger_id=398738663015.47445629121.803a0bc887a14d10d2c447fce8b6703c"
    )
    headers = {
        "X-Slack-Request-Timestamp": "1531420618",
        "X-Slack-Signature": "v0=a2114d57b48eac39b9ad189dd8316235a7b4a8d21a10bd27519666489c69b503",
    }
    verifier = SignatureVerifier("8f742231b10e8888abcd99yyyzzz85a5", clock=Then())
    assert verifier.is_valid_request(body, headers)
    assert not verifier.is_valid_request(body + "------", headers)
    assert not SignatureVerifier("8f742231b10e8888abcd99yyyzzz85a5").is_valid_request(body, headers)  # 2018: stale
