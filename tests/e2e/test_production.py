"""The production set-up (launcher/production.py): two Rasa servers on PostgreSQL and Redis behind
nginx, as `make run-prod` starts them. Any server answers any message of any conversation: turns that
alternate between the servers, a burst that lands on both at once, a server killed mid-application and
a rolling restart under load all keep every conversation whole, each message handled exactly once."""

from __future__ import annotations

import re
import secrets
import signal
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from itertools import cycle
from pathlib import Path

import pytest
import requests

from launcher.production import take_out
from tests.conftest import Chat, _deploy, fresh_postgres_database, http_from, new_ports
from tests.conversations import code_for, codes_to
from tests.e2e.test_e2e_slack import JANE, bot_messages, wait_for_new
from tests.slack_emulator_thread import slack_emulator


@pytest.fixture(scope="module")
def production(trained_model, tmp_path_factory):
    workdir = tmp_path_factory.mktemp("production")
    with fresh_postgres_database() as url:
        # The rolling restart's learners send as fast as they are answered, far above a person's pace.
        limits = {
            "ACTS_MESSAGES_PER_CONVERSATION_PER_MINUTE": "100000",
            "ACTS_MESSAGES_PER_SOURCE_PER_MINUTE": "100000",
        }
        yield from _deploy(trained_model, workdir, url, rasa_servers=2, env=limits)


class AlternatingChat(Chat):
    """One conversation whose every message goes to the next server in turn."""

    def __init__(self, ports: list[int], sender: str, mail_dir) -> None:
        super().__init__(ports[0], sender, mail_dir)
        self.urls = cycle(f"http://127.0.0.1:{port}/webhooks/rest/webhook" for port in ports)

    def say(self, text: str, metadata: dict | None = None) -> list[dict]:
        self.url = next(self.urls)
        return super().say(text, metadata)


def nginx_chat(deployment, sender: str) -> Chat:
    """A learner on the public port: nginx chooses the server."""
    return Chat(deployment.ports.web, sender, deployment.mail_dir)


def apply_until_summary(chat: Chat, email: str) -> list[str]:
    """An application by conversation up to the upload step: every reply, the learner's own address,
    code and upload link written as placeholders so that two learners' replies compare."""
    said = [
        "I'd like to apply for the Team Science Fundamentals badge",
        "yes",
        "ACTS Team Science Fundamentals training",
        "March 2024",
        "my name is Ada Lovelace",
    ]
    replies = [chat.text(text) for text in said]
    seen = len(codes_to(chat.mail_dir, email))
    replies.append(chat.text(email))
    replies.append(chat.text(code_for(chat.mail_dir, email, seen)))
    replies.append(chat.text("Analytical Engines Ltd"))
    replies.append(chat.text("0000-0002-1825-0097"))
    return [re.sub(r"https?://\S+", "<link>", reply.replace(email, "<email>")) for reply in replies]


def test_turns_alternating_between_the_servers_get_the_replies_of_one_server(production):
    rasa_ports = list(production.production.rasa_ports)
    tag = secrets.token_hex(3)
    one = Chat(rasa_ports[0], f"one-{tag}", production.mail_dir)
    both = AlternatingChat(rasa_ports, f"both-{tag}", production.mail_dir)

    on_one = apply_until_summary(one, f"ada.one.{tag}@uni.edu")
    on_both = apply_until_summary(both, f"ada.both.{tag}@uni.edu")

    assert on_both == on_one
    assert "upload" in on_both[-1].lower()  # the form went all the way to the upload step
    slots = production.tracker(both.sender)["slots"]
    assert (slots["organisation"], slots["orcid"]) == ("Analytical Engines Ltd", "0000-0002-1825-0097")


def test_a_burst_on_both_servers_is_handled_one_message_at_a_time_each_once(production):
    sender = f"burst-{secrets.token_hex(4)}"
    questions = [f"is there a fee? ({n})" for n in range(24)]
    servers = cycle(production.production.rasa_ports)
    chats = [Chat(next(servers), sender) for _ in questions]
    with ThreadPoolExecutor(len(questions)) as pool:
        replies = list(pool.map(lambda pair: pair[0].text(pair[1]), zip(chats, questions, strict=True)))
    assert all("no cost" in reply for reply in replies)

    events = production.tracker(sender)["events"]
    said = [e["text"] for e in events if e["event"] == "user"]
    assert sorted(said) == sorted(questions)  # every message exactly once, none lost
    # One at a time across both servers: each message is answered before the next one is read.
    kinds = [e["event"] for e in events if e["event"] in ("user", "bot")]
    assert kinds == ["user", "bot"] * len(questions)


def test_a_server_killed_mid_application_the_other_continues_the_form(production):
    tag = secrets.token_hex(3)
    chat = nginx_chat(production, f"killed-{tag}")
    assert "qualifying training" in chat.text("I'd like to apply for the Team Science Fundamentals badge")
    assert "Which qualifying training" in chat.text("yes")
    production.stop("rasa-2", signal.SIGKILL)
    try:
        # Every message now reaches rasa-1, which reads the form from PostgreSQL where rasa-2 left it.
        assert "When did you complete" in chat.text("ACTS Team Science Fundamentals training")
        assert "full name" in chat.text("March 2024")
        assert "email" in chat.text("Ada Lovelace").lower()
    finally:
        production.restart("rasa-2")
    assert "code" in chat.text(f"ada.{tag}@uni.edu")  # and on whichever server comes next, the same form


def test_a_rolling_restart_under_load_loses_no_answered_message_and_strands_no_conversation(production):
    senders = [f"rolling-{n}-{secrets.token_hex(3)}" for n in range(6)]
    answered: dict[str, list[str]] = {sender: [] for sender in senders}
    failed: list[str] = []
    stop = threading.Event()

    def learner(sender: str) -> None:
        http = http_from()
        url = f"http://127.0.0.1:{production.ports.web}/webhooks/rest/webhook"
        number = 0
        while not stop.is_set():
            text = f"do I have to pay for my badge? ({number})"
            number += 1
            try:
                response = http.post(url, json={"sender": sender, "message": text}, timeout=60)
            except requests.ConnectionError:
                # nginx's reload closes its idle kept-alive connections; a request sent on one just then
                # gets no answer, and a browser sends it again on a new connection. So does this learner:
                # had nginx taken the first, the message would show twice in the conversation below.
                try:
                    response = http.post(url, json={"sender": sender, "message": text}, timeout=60)
                except requests.RequestException as error:
                    failed.append(type(error).__name__)
                    continue
            except requests.RequestException as error:
                failed.append(type(error).__name__)
                continue
            if response.status_code == 200 and any("no cost" in m.get("text", "") for m in response.json()):
                answered[sender].append(text)
            else:
                failed.append(str(response.status_code))

    threads = [threading.Thread(target=learner, args=(sender,)) for sender in senders]
    for thread in threads:
        thread.start()
    try:
        time.sleep(2)
        config = Path(production.cluster.specs[-1].argv[2])  # nginx -c <config>
        nginx = production.process("nginx").pid
        for number, port in enumerate(production.production.rasa_ports, 1):  # one at a time, as a deploy does
            take_out(config, port, nginx)  # nginx stops sending it messages and lets its own finish
            production.stop(f"rasa-{number}", signal.SIGTERM)
            production.restart(f"rasa-{number}")
            take_out(config, port, nginx, out=False)
            time.sleep(2)
    finally:
        stop.set()
        for thread in threads:
            thread.join(timeout=90)

    assert failed == [], sorted(set(failed))  # every message reached a server that was up, and was answered
    for sender in senders:
        assert answered[sender], "a learner was never answered"
        said = [e["text"] for e in production.tracker(sender)["events"] if e["event"] == "user"]
        assert sorted(said) == sorted(answered[sender])  # every answered message kept, once
        assert "no cost" in nginx_chat(production, sender).text("is there a fee?")  # not stuck


def test_the_public_port_serves_the_page_and_the_chat_but_not_rasas_api(production):
    web = f"http://127.0.0.1:{production.ports.web}"
    assert requests.get(f"{web}/", timeout=10).status_code == 200
    assert requests.get(f"{web}/health", timeout=10).status_code == 200
    sender = f"public-{secrets.token_hex(3)}"
    reply = requests.post(f"{web}/webhooks/rest/webhook", json={"sender": sender, "message": "hi"}, timeout=30)
    assert reply.status_code == 200 and reply.json()
    for path in (f"/conversations/{sender}/tracker", "/status", "/model/parse", "/version"):
        assert requests.get(f"{web}{path}", timeout=10).status_code == 404, path


def test_the_analytics_arrive_through_rabbitmq_each_message_with_its_outcome(production):
    """Rasa's Pika broker on both servers, the queue's one active consumer in the web service, PostgreSQL."""
    from tests.e2e.test_e2e_insights import analytics_of

    chat = AlternatingChat(list(production.production.rasa_ports), f"insights-{secrets.token_hex(4)}", None)
    chat.text("hello")
    chat.text("is there a fee to use credly")
    chat.text("what's the weather like in Boston tomorrow?")
    rows = analytics_of(production.database_url, chat.sender, 3)
    assert [(row.intent, row.outcome, row.topic) for row in rows] == [
        ("greet", "other", None),
        ("faq_fee", "answered", "faq_fee"),
        ("out_of_scope", "declined", None),
    ]
    spool = production.log_dir.parent / "events.db"
    assert not spool.exists() or spool.stat().st_size < 64 * 1024  # the Pika broker, not the spool


@pytest.fixture(scope="module")
def slack_production(trained_model, tmp_path_factory):
    """The production set-up with Slack on, its events sent by the Slack emulator to the server a test
    chooses."""
    ports = new_ports()
    with slack_emulator(events_url=f"http://127.0.0.1:{ports.rasa}/webhooks/slack/webhook") as emulator:
        emulator.create_user("jane", "Jane Doe", "jane.doe@uni.edu", id=JANE)
        env = {
            "SLACK_BOT_TOKEN": emulator.token,
            "SLACK_SIGNING_SECRET": emulator.signing_secret,
            "SLACK_API_URL": emulator.api_url,
        }
        workdir = tmp_path_factory.mktemp("slack-production")
        with fresh_postgres_database() as url:
            for deployment in _deploy(trained_model, workdir, url, ports, env, rasa_servers=2):
                emulator.deployment = deployment
                yield emulator


def test_a_slack_event_retried_to_the_other_server_is_answered_once(slack_production):
    slack = slack_production
    first, other = (
        f"http://127.0.0.1:{port}/webhooks/slack/webhook" for port in slack.deployment.production.rasa_ports
    )
    slack.configure(events_url=first)
    said = slack.say(JANE, "do I have to pay for the badge?")
    channel, event_id = said["channel"], said["deliveries"][0]["event_id"]
    [answer] = wait_for_new(slack, channel, 0)
    assert "no cost" in answer["text"]

    slack.configure(events_url=other)  # Slack thought the first delivery was lost: it retries, elsewhere
    retried = slack.retry(event_id)
    assert retried["status"] == 200
    time.sleep(2)  # time enough for a second answer, were there one
    assert len(bot_messages(slack, channel)) == 1


def test_a_handoff_on_both_servers_relays_each_message_once_and_hands_back(production):
    """A learner handed over whose turns alternate between the servers, then a burst of messages on both
    at once: each reaches the staff exactly once, and the staff's close returns the conversation to the
    assistant on either server."""
    from tests.e2e.test_e2e_handoff import support_command

    rasa_ports = list(production.production.rasa_ports)
    sender = f"handoff-{secrets.token_hex(4)}"
    chat = AlternatingChat(rasa_ports, sender, production.mail_dir)
    email = f"ines.{secrets.token_hex(3)}@uni.edu"
    assert "Shall I pass it on?" in chat.text("can I talk to a person please?")
    assert "email address" in chat.text("/affirm")
    seen = len(codes_to(production.mail_dir, email))
    assert "code" in chat.text(email)
    reference = re.search(r"HELP-[A-Z0-9]{4}", chat.text(code_for(production.mail_dir, email, seen))).group(0)

    details = [f"detail number {n} of my question" for n in range(8)]
    servers = cycle(rasa_ports)
    chats = [Chat(next(servers), sender) for _ in details]
    with ThreadPoolExecutor(len(details)) as pool:
        replies = list(pool.map(lambda pair: pair[0].text(pair[1]), zip(chats, details, strict=True)))
    assert replies == [f"Passed on to the team ({reference})."] * len(details)
    shown = support_command(production, "show", reference)
    assert shown.returncode == 0 and all(shown.stdout.count(detail) == 1 for detail in details), shown.stdout

    assert support_command(production, "close", reference).returncode == 0
    back = chat.text("is there a fee?")
    assert f"Your request {reference} was closed by the team" in back and "no cost" in back
    assert "no cost" in chat.text("is there a fee?")  # and on the other server too
