"""End to end in Slack: the Slack emulator (real HTTP, signed requests) drives the real servers.

Learners ask in DMs and by mention, apply with a shared file, and ask where their application
stands without a reference; reviewers decide in their channel; learners hear of decisions."""

from __future__ import annotations

import re
import time

import pytest
import requests
from sqlalchemy import select

from bot.insights.reading import conversation_key
from bot.reading.references import parse_reference
from bot.settings import secret_key
from bot.slack.reviewing import APPROVE, REJECT
from bot.store.applications import ApplicationStore
from bot.store.db import session as new_session
from bot.store.models import InsightFeedback
from bot.store.uploads import UNKNOWN_TYPE
from tests.conftest import _deploy, new_ports
from tests.files import pdf_bytes
from tests.slack_emulator_thread import slack_emulator

REVIEWS, SIG, SUPPORT = "C0REVIEWS1", "C0SIGTEAM1", "C0SUPPORT1"
JANE, JOHN, ANNA, RITA, MALLORY = "U0JANE0001", "U0JOHN0001", "U0ANNA0001", "U0RITA0001", "U0MALLORY1"
LENA = "U0LENA0001"


@pytest.fixture(scope="module")
def slack(trained_model, tmp_path_factory):
    """The assistant with Slack on, its Web API and events going to and from the emulator."""
    ports = new_ports()
    with slack_emulator(events_url=f"http://127.0.0.1:{ports.rasa}/webhooks/slack/webhook") as emulator:
        emulator.create_user("jane", "Jane Doe", "jane.doe@uni.edu", id=JANE)
        emulator.create_user("john", "John Roe", "john.roe@uni.edu", id=JOHN)
        emulator.create_user("anna", "Anna Ó Súilleabháin", "anna@uni.edu", id=ANNA)
        emulator.create_user("rita", "Rita Reviewer", "rita@actscience.org", id=RITA)
        emulator.create_user("mallory", "Mallory", "mallory@example.org", id=MALLORY)
        emulator.create_user("lena", "Lena Berg", "lena@uni.edu", id=LENA)
        emulator.create_channel("badge-reviews", is_private=True, id=REVIEWS)
        emulator.create_channel("sig-team-science", id=SIG)
        emulator.create_channel("acts-support", is_private=True, id=SUPPORT)
        env = {
            "SLACK_BOT_TOKEN": emulator.token,
            "SLACK_SIGNING_SECRET": emulator.signing_secret,
            "SLACK_API_URL": emulator.api_url,
            "SLACK_REVIEW_CHANNEL": REVIEWS,
            "SLACK_REVIEWERS": RITA,
            "SLACK_SUPPORT_CHANNEL": SUPPORT,
            "SLACK_STAFF": RITA,
        }
        workdir = tmp_path_factory.mktemp("slack-deployment")
        for deployment in _deploy(trained_model, workdir, f"sqlite:///{workdir / 'acts.db'}", ports, env):
            emulator.deployment = deployment
            yield emulator


def server_logs(slack, lines: int = 30) -> str:
    """The last lines of each server's log in this deployment (the action server's first)."""
    logs = sorted(slack.deployment.log_dir.glob("*.log"), key=lambda path: path.name != "actions.log")
    return "\n".join(f"--- {p.name}\n" + "\n".join(p.read_text(errors="replace").splitlines()[-lines:]) for p in logs)


def bot_messages(slack, channel: str, thread_ts: str | None = None) -> list[dict]:
    """The assistant's messages in a conversation (in one thread of it, with `thread_ts`)."""
    mine = [m for m in slack.messages(channel) if slack.bot_id == m.get("bot_id") or m.get("user") == slack.bot_user_id]
    return [m for m in mine if thread_ts is None or m.get("thread_ts") == thread_ts]


def wait_for_new(slack, channel: str, before: int, thread_ts: str | None = None, quiet: float = 0.8) -> list[dict]:
    """The assistant's messages after the first `before`, once it has stopped posting for `quiet` s."""
    deadline, last, since = time.monotonic() + 30, None, time.monotonic()
    while time.monotonic() < deadline:
        now = bot_messages(slack, channel, thread_ts)
        if len(now) != last:
            last, since = len(now), time.monotonic()
        elif len(now) > before and time.monotonic() - since >= quiet:
            return now[before:]
        time.sleep(0.1)
    raise AssertionError(f"no answer in {channel}")


class Learner:
    """A person in their DM with the assistant."""

    def __init__(self, slack, user: str) -> None:
        self.slack, self.user = slack, user
        self.dm = slack.say(user, "hello")["channel"]
        wait_for_new(slack, self.dm, 0)

    def say(self, text: str, files: list[str] | None = None) -> str:
        before = len(bot_messages(self.slack, self.dm))
        self.slack.say(self.user, text, files=files)
        reply = "\n".join(m.get("text", "") for m in wait_for_new(self.slack, self.dm, before))
        # No test here expects an action to fail: when one does, say why, from the servers' own logs.
        assert "something went wrong on my side" not in reply, server_logs(self.slack)
        return reply

    def click(self, title: str) -> str:
        """Clicks the button `title` in the assistant's latest message that has it."""
        for message in reversed(bot_messages(self.slack, self.dm)):
            for block in message.get("blocks") or []:
                for button in block.get("elements") or []:
                    if button.get("type") == "button" and button["text"]["text"] == title:
                        before = len(bot_messages(self.slack, self.dm))
                        self.slack.click(self.user, self.dm, message["ts"], button["action_id"], button["value"])
                        return "\n".join(m.get("text", "") for m in wait_for_new(self.slack, self.dm, before))
        raise AssertionError(f"no button {title!r}")


PROFILES = {
    JANE: ("Jane Doe", "jane.doe@uni.edu"),
    JOHN: ("John Roe", "john.roe@uni.edu"),
    ANNA: ("Anna Ó Súilleabháin", "anna@uni.edu"),
}


def apply_in_slack(slack, learner: Learner, document: bytes, name: str = "certificate.pdf") -> str:
    """The application conversation up to the document, shared in the DM; returns the reply to it."""
    full_name, email = PROFILES[learner.user]
    assert "qualifying training" in learner.say("I'd like to apply for the Team Science Fundamentals badge")
    assert "Which qualifying training" in learner.click("Yes")
    assert "When did you complete" in learner.click("ACTS Team Science Fundamentals training")
    assert f"Shall I put {full_name} on your badge, as in your Slack profile?" in learner.say("March 2024")
    assert f"Shall we use {email}, the email address of your Slack profile?" in learner.click(f"Yes, {full_name}")
    assert "organisation" in learner.click(f"Yes, {email}")
    assert "ORCID" in learner.say("Example University")
    assert "drag the file into this conversation" in learner.say("skip")
    shared = slack.create_file(learner.user, name, document, "application/pdf")
    return learner.say("", files=[shared["id"]])


def store(slack) -> ApplicationStore:
    return ApplicationStore(url=slack.deployment.database_url, documents_dir=slack.deployment.upload_dir)


def review_message(slack, reference: str) -> dict:
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        for message in slack.messages(REVIEWS):
            if reference in message.get("text", "") and message.get("blocks"):
                return message
        time.sleep(0.1)
    raise AssertionError(f"{reference} was never posted for review")


def credly_badges(slack, reference: str) -> list[dict]:
    url = f"http://127.0.0.1:{slack.deployment.ports.credly}/__emulator/badges"
    return [b for b in requests.get(url, timeout=10).json()["data"] if b["issuer_earner_id"] == reference]


def wait_until(condition, what: str, timeout: float = 20):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if value := condition():
            return value
        time.sleep(0.1)
    raise AssertionError(f"never happened: {what}")


def test_a_question_in_a_direct_message(slack):
    assert "no cost" in Learner(slack, MALLORY).say("do I have to pay anything for the badge?")


def test_thumbs_under_an_answer_in_slack_mark_the_vote_and_reach_the_analytics(slack):
    learner = Learner(slack, JANE)
    assert "Credly" in learner.say("how does credly protect my privacy")
    answer = bot_messages(slack, learner.dm)[-1]
    assert [b["text"]["text"] for b in answer["blocks"][-1]["elements"]] == ["👍 Helpful", "👎 Not helpful"]

    def styles() -> list:
        (shown,) = [m for m in slack.messages(learner.dm) if m["ts"] == answer["ts"]]
        return [b.get("style") for b in shown["blocks"][-1]["elements"]]

    assert "what was missing" in learner.click("👎 Not helpful")
    assert styles() == [None, "primary"]
    assert "Thanks" in learner.click("👍 Helpful")  # changed her mind: the mark moves, the vote is replaced
    assert styles() == ["primary", None]
    conversation = conversation_key(f"slack:{JANE}", secret_key())
    query = select(InsightFeedback).where(InsightFeedback.conversation == conversation)

    def votes() -> list:
        with new_session(slack.deployment.database_url) as db:
            return [(row.topic, row.helpful) for row in db.scalars(query)]

    wait_until(lambda: votes() == [("faq_privacy", True)], "the vote in the analytics")


def test_a_mention_in_a_channel_is_answered_once_in_its_thread_and_the_thread_goes_on(slack):
    asked = slack.say(JOHN, f"<@{slack.bot_user_id}> can I put my badge on LinkedIn?", channel=SIG)
    assert [d["kind"] for d in asked["deliveries"]] == ["app_mention", "message"]  # as Slack sends it
    root = asked["message"]["ts"]
    [answer] = wait_for_new(slack, SIG, 0, thread_ts=root)
    assert "LinkedIn" in answer["text"]
    slack.retry(asked["deliveries"][0]["event_id"])  # Slack thinks we missed it: acknowledged, not redone
    slack.edit(SIG, root, f"<@{slack.bot_user_id}> can I put my badge on LinkedIn? (edited)")
    slack.bot_says("a bot talking", channel=SIG)
    time.sleep(1.5)
    assert len(bot_messages(slack, SIG)) == 1
    slack.say(JOHN, "is there a fee?", channel=SIG, thread_ts=root)  # no new mention needed in the thread
    [fee] = wait_for_new(slack, SIG, 1, thread_ts=root)
    assert "no cost" in fee["text"]


def test_apply_in_slack_with_a_shared_pdf_then_reviewers_approve_once_and_the_learner_is_told(slack):
    jane = Learner(slack, JANE)
    summary = apply_in_slack(slack, jane, pdf_bytes())
    assert "Got your certificate.pdf" in summary and "Jane Doe" in summary and "jane.doe@uni.edu" in summary
    reference = parse_reference(jane.click("Submit"))
    assert reference
    [application] = store(slack).submitted("jane.doe@uni.edu")
    assert application.reference == reference and application.filed_by == f"slack:{JANE}"
    [document] = application.documents
    assert (slack.deployment.upload_dir / document.stored_name).read_bytes() == pdf_bytes()

    # The reviewers' channel gets the application, its document in the thread, and the buttons.
    posted = review_message(slack, reference)
    assert "Jane Doe" in str(posted["blocks"]) and "certificate.pdf" in str(posted["blocks"])
    wait_until(lambda: any(m.get("files") for m in slack.messages(REVIEWS) if m.get("thread_ts") == posted["ts"]),
               "the document shared in the review thread")  # fmt: skip
    # Someone who is not a reviewer clicks Approve: told so, privately; nothing changes.
    slack.click(MALLORY, REVIEWS, posted["ts"], APPROVE, reference)
    wait_until(lambda: slack.ephemeral(user=MALLORY), "the non-reviewer told")
    assert store(slack).get(reference).status == "submitted" and credly_badges(slack, reference) == []
    # The reviewer double-clicks: one approval, one badge.
    slack.click(RITA, REVIEWS, posted["ts"], APPROVE, reference)
    slack.click(RITA, REVIEWS, posted["ts"], APPROVE, reference)
    wait_until(lambda: store(slack).get(reference).credly_badge_id, "the badge issued")
    time.sleep(1.5)
    assert len(credly_badges(slack, reference)) == 1
    history = [(h.to_status, h.actor) for h in store(slack).get(reference).history]
    assert history.count(("approved", f"reviewer:slack:{RITA} (Rita Reviewer)")) == 2  # decided, then issued
    decided = wait_until(lambda: "Approved by" in str(review_message(slack, reference)["blocks"]) and review_message(
        slack, reference), "the decision shown in the channel")  # fmt: skip
    assert APPROVE not in str(decided["blocks"])  # no more buttons
    told = wait_until(lambda: [m for m in bot_messages(slack, jane.dm) if "News about your application" in m["text"]],
                      "the learner told")  # fmt: skip
    assert reference in told[0]["text"] and "approved" in told[0]["text"]

    # Where does it stand? In Slack the learner is known: no reference, no email asked.
    assert "admin@credly.com" in jane.say("where is my application?")


def test_a_shared_fake_pdf_is_refused_with_the_web_uploads_words(slack):
    john = Learner(slack, JOHN)
    refused = apply_in_slack(slack, john, b"MZ\x90\x00 a renamed program", "certificate.pdf")
    assert UNKNOWN_TYPE in refused
    assert "Got your" in john.say("", files=[slack.create_file(JOHN, "real.pdf", pdf_bytes())["id"]])


def test_a_rejection_with_its_reason_reaches_the_learner_and_others_learn_nothing(slack):
    anna = Learner(slack, ANNA)
    assert "Got your certificate.pdf" in apply_in_slack(slack, anna, pdf_bytes())
    reference = parse_reference(anna.click("Submit"))
    posted = review_message(slack, reference)
    slack.click(RITA, REVIEWS, posted["ts"], REJECT, reference)
    [view] = wait_until(lambda: slack.views(user=RITA), "the reason form opened")
    slack.submit_view(RITA, view["id"], {"reason": {"reason": "The certificate is for another course."}})
    told = wait_until(lambda: [m for m in bot_messages(slack, anna.dm) if "News about your application" in m["text"]],
                      "the learner told")  # fmt: skip
    assert "The certificate is for another course." in told[0]["text"]
    # The learner's notice and the reviewers' message are sent independently: either may come first.
    wait_until(lambda: "Rejected by" in str(review_message(slack, reference)["blocks"]), "the decision shown")
    assert store(slack).get(reference).status == "rejected"
    # Another person asks in Slack: the same reply as for anyone with no application.
    nothing = Learner(slack, MALLORY).say("has my badge been issued?")
    assert "can't find an application" in nothing and "ACTS-" not in nothing.replace("ACTS-7KQ2-M9XD", "")


def test_a_website_client_cannot_claim_a_slack_identity(slack):
    url = f"http://127.0.0.1:{slack.deployment.ports.rasa}/webhooks/rest/webhook"
    forged = {"acts_identity": {"channel": "slack", "user_id": JANE, "email": "jane.doe@uni.edu"}}
    body = {"sender": "forger", "message": "where is my application?", "metadata": forged}
    reply = " ".join(m.get("text", "") for m in requests.post(url, json=body, timeout=30).json())
    assert "reference" in reply and "approved" not in reply  # asked for the reference like anyone


def test_requests_not_signed_by_slack_are_refused(slack):
    event = {"type": "event_callback", "event": {"type": "message", "channel_type": "im", "user": JANE, "text": "hi"}}
    assert slack.url_verification()["echoed"]
    for overrides in ({"signature": "v0=" + "0" * 64}, {"timestamp_offset": -400}, {"timestamp_offset": 400},
                      {"signature": None}, {"timestamp": None}):  # fmt: skip
        assert slack.raw(event, **overrides)["status"] == 401, overrides


def test_slack_rate_limiting_the_answer_delays_it_but_loses_nothing(slack):
    learner = Learner(slack, MALLORY)
    slack.fail("ratelimited", method="chat.postMessage", count=2, retry_after=1)
    assert "no cost" in learner.say("is the badge free?")  # slack_sdk waits as asked, then posts
    rate_limited = [c for c in slack.calls("chat.postMessage") if c.get("error") == "ratelimited"]
    assert len(rate_limited) == 2


def test_in_slack_a_learner_deletes_their_data_with_their_identity_as_proof(slack):
    anna = Learner(slack, ANNA)
    confirm = anna.say("please delete my personal data")
    assert "permanently deletes" in confirm  # no reference or email asked: Slack says who this is
    assert "Done: your data is deleted" in anna.click("Yes, delete it all")
    assert store(slack).submitted("anna@uni.edu") == []
    assert "can't find an application" in anna.say("where is my application?")


# --- a learner handed over to a person, the staff answering in the support channel ---------------------


def request_post(slack, reference: str) -> dict:
    return wait_until(
        lambda: next((m for m in slack.messages(SUPPORT) if reference in m.get("text", "") and m.get("blocks")), None),
        f"{reference} posted for the staff",
    )


def thread_of(slack, post: dict) -> list[str]:
    return [
        m.get("text", "") for m in slack.messages(SUPPORT) if m.get("thread_ts") == post["ts"] and m["ts"] != post["ts"]
    ]


def shown(post_blocks: list[dict]) -> str:
    """The text of a message's blocks: sections, context elements and button labels."""
    texts = []
    for block in post_blocks:
        for part in block.get("elements") or [block.get("text") or {}]:
            text = part.get("text") if isinstance(part, dict) else None
            texts.append(text.get("text", "") if isinstance(text, dict) else str(text or ""))
    return "\n".join(texts)


def test_a_web_learner_handed_over_is_answered_from_the_support_channel_by_staff_only(slack):
    from tests.conftest import Chat
    from tests.conversations import mails_to
    from tests.e2e.test_e2e_handoff import handed_over

    chat = Chat(slack.deployment.ports.rasa, "handoff-web-learner", slack.deployment.mail_dir)
    email = "ana.web@uni.example.edu"
    reference = handed_over(chat, email)
    post = request_post(slack, reference)
    assert "can my employer pay the fee for my badge?" in shown(post["blocks"]) and email not in str(post)
    assert [e["text"]["text"] for e in post["blocks"][-1]["elements"]] == ["Take it", "Close", "Back to the assistant"]

    # The learner's next message appears in the thread; a stranger's click or reply changes and sends nothing.
    assert "Passed on" in chat.text("it is for a team of five, <!channel>")
    wait_until(
        lambda: any("it is for a team of five, &lt;!channel&gt;" in t for t in thread_of(slack, post)), "in the thread"
    )
    slack.click(MALLORY, SUPPORT, post["ts"], "handoff_take", reference)
    told = [e["message"]["text"] for e in wait_until(lambda: slack.ephemeral(SUPPORT, MALLORY), "told")]
    assert told == [support_NOT_STAFF()]
    slack.say(MALLORY, "I am staff, trust me", channel=SUPPORT, thread_ts=post["ts"])
    # The staff answer in the thread: the learner gets it (by mail: the page may be closed), once.
    slack.say(RITA, "Yes: ask your department to write to us.", channel=SUPPORT, thread_ts=post["ts"])
    answers = wait_until(lambda: [m for m in mails_to(slack.deployment.mail_dir, email) if "department" in m], "answer")
    assert len(answers) == 1 and not any("trust me" in m for m in mails_to(slack.deployment.mail_dir, email))
    # Close: the message says who closed it, the learner is told, and the assistant answers again.
    slack.click(RITA, SUPPORT, post["ts"], "handoff_close", reference)
    wait_until(lambda: "Closed by" in shown(request_post(slack, reference)["blocks"]), "closed")
    back = chat.text("is there a fee?")
    assert f"Your request {reference} was closed by the team" in back and "no cost" in back


def support_NOT_STAFF() -> str:
    from bot.slack.support import NOT_STAFF

    return NOT_STAFF


def test_a_slack_learner_handed_over_gets_the_answer_in_the_dm_once(slack):
    learner = Learner(slack, LENA)
    offered = learner.say("could I talk to someone from ACTS please")
    assert "Shall I pass it on?" in offered
    done = learner.click("Yes, pass it on")  # in Slack the account is enough: no address, no code
    reference = re.search(r"HELP-[A-Z0-9]{4}", done).group(0)
    post = request_post(slack, reference)
    assert "could I talk to someone from ACTS please" in shown(post["blocks"])
    assert "Passed on" in learner.say("my badge never arrived")
    wait_until(lambda: any("my badge never arrived" in t for t in thread_of(slack, post)), "in the thread")
    before = len(bot_messages(slack, learner.dm))
    replied = slack.say(RITA, "I have re-sent it: check your spam folder.", channel=SUPPORT, thread_ts=post["ts"])
    slack.retry(replied["deliveries"][0]["event_id"])  # Slack thinks we missed it: delivered once all the same
    answer = wait_for_new(slack, learner.dm, before, quiet=1.5)
    assert [m["text"] for m in answer if "re-sent" in m["text"]] and len(
        [m for m in answer if "re-sent" in m["text"]]
    ) == 1
    assert "is closed" in learner.say("back to the assistant")
    assert "no cost" in learner.say("is there a fee?")


def test_a_learner_who_asked_in_a_channels_thread_is_answered_in_that_thread(slack):
    asked = slack.say(ANNA, f"<@{slack.bot_user_id}> can a person from ACTS help me with this?", channel=SIG)
    root = asked["message"]["ts"]
    [offer] = wait_for_new(slack, SIG, 0, thread_ts=root)
    assert "Shall I pass it on?" in offer["text"]
    button = next(b for block in offer["blocks"] for b in block.get("elements") or [] if b.get("type") == "button")
    slack.click(ANNA, SIG, offer["ts"], button["action_id"], button["value"])  # "Yes, pass it on"
    done = wait_for_new(slack, SIG, 1, thread_ts=root)
    reference = re.search(r"HELP-[A-Z0-9]{4}", "\n".join(m["text"] for m in done)).group(0)
    post = request_post(slack, reference)
    before = len(bot_messages(slack, SIG, thread_ts=root))
    slack.say(RITA, "We can: what do you need?", channel=SUPPORT, thread_ts=post["ts"])
    [answer] = wait_for_new(slack, SIG, before, thread_ts=root)
    assert "We can: what do you need?" in answer["text"] and reference in answer["text"]
    assert not [m for m in bot_messages(slack, slack.say(ANNA, "hi")["channel"]) if "what do you need" in m["text"]]
