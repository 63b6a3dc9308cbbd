"""Handoff to a person, the domain on SQLite and PostgreSQL: one open request per conversation (also
when two messages ask at once), what is handed over, the staff's answers delivered to that learner
only (by mail on the web; in Slack in the DM or the channel's thread they asked in) once, closing,
reminding once, forgetting after 90 days, working hours, and the staff's command line.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta, timezone

import pytest

from bot.commands import support
from bot.handoff.desk import CLOSED, LEARNER, OPEN, TAKEN, HandoffDesk, new_reference
from bot.handoff.hours import support_hours
from bot.handoff.transcript import Turn, recent_turns, the_question
from bot.notices.handoff import handoff_desk, notice_round
from bot.notices.worker import NoticeWorker
from bot.slack.events import conversation_of
from bot.store import db
from bot.store.applications import ApplicationStore
from tests.clock import Clock
from tests.slack_emulator_thread import slack_emulator

SUPPORT = "badges-support@acts.example.org"
TURNS = [Turn("learner", "can my employer pay the fee?"), Turn("assistant", "About fees: ...")]


@pytest.fixture
def clock() -> Clock:
    # A Monday, 10:00 in New York: the working-hours tests start there.
    return Clock(datetime(2026, 12, 7, 15, 0, tzinfo=timezone.utc))


@pytest.fixture
def store(database_url, tmp_path, clock, monkeypatch):
    monkeypatch.setenv("DATABASE_URL", database_url)
    monkeypatch.setenv("ACTS_SUPPORT_EMAIL", SUPPORT)
    monkeypatch.delenv("SLACK_BOT_TOKEN", raising=False)
    db.migrate(database_url)
    return ApplicationStore(url=database_url, documents_dir=tmp_path / "uploads", clock=clock)


def desk_of(store: ApplicationStore, clock: Clock) -> HandoffDesk:
    desk = handoff_desk(store)
    desk.clock = clock
    return desk


def mails(server, to: str) -> list:
    return [m for m in server.received if m["To"] == to]


def test_a_reference_is_easy_to_read_out():
    for _ in range(200):
        reference = new_reference()
        assert reference.startswith("HELP-") and len(reference) == 9
        assert not set(reference[5:]) & set("01ILOU")


def test_the_question_in_the_learners_words_and_what_the_assistant_answered():
    def user(text, intent):
        return {"event": "user", "text": text, "parse_data": {"intent": {"name": intent}}}

    events = [
        user("hi", "greet"),
        {"event": "bot", "text": "Hello!"},
        user("can my employer pay the fee?", "faq_fee"),
        {"event": "bot", "text": "About fees: no cost."},
        user("/feedback{}", "feedback"),
        user("can I talk to a person", "human_handoff"),
        {"event": "bot", "text": "Shall I pass your question to the team?"},
        user("yes", "affirm"),
    ]
    assert the_question(events) == ("can my employer pay the fee?", "About fees: no cost.")
    turns = recent_turns(events, limit=3)
    # Up to the request for a person: not what follows (the address and its code).
    assert turns == [
        Turn("assistant", "About fees: no cost."),
        Turn("learner", "(chose a button)"),
        Turn("learner", "can I talk to a person"),
    ]


def test_working_hours_count_only_working_time():
    hours = support_hours()
    friday_4pm = datetime(2026, 12, 4, 21, 0, tzinfo=timezone.utc)  # 16:00 in New York
    assert hours.due(friday_4pm) == datetime(2026, 12, 7, 21, 0, tzinfo=timezone.utc)  # Monday 16:00
    assert not hours.is_open(datetime(2026, 12, 5, 15, 0, tzinfo=timezone.utc))  # a Saturday
    said = hours.expectation(friday_4pm)
    assert "Monday to Friday, 09:00 to 17:00 US Eastern time" in said and "by Monday at 16:00" in said


def test_one_request_per_conversation_also_when_two_messages_ask_at_once(store, clock):
    desk = desk_of(store, clock)
    with ThreadPoolExecutor(4) as pool:
        opened = list(pool.map(lambda _: desk.open("web-conv-1", "rest", TURNS, email="li@uni.edu"), range(4)))
    assert len({o.request.reference for o in opened}) == 1 and sum(o.new for o in opened) == 1
    request = opened[0].request
    assert request.status == OPEN and request.due_at == support_hours().due(clock.now)
    assert [m.text for m in desk.messages(request.reference)] == [t.text for t in TURNS]
    # Closed, the conversation may ask again: a new request.
    desk.close(request.reference, "Sam")
    assert desk.open("web-conv-1", "rest", TURNS).request.reference != request.reference


def test_the_staff_get_the_request_and_the_learner_gets_each_answer_once(store, clock, smtp):
    desk = desk_of(store, clock)
    request = desk.open("web-conv-1", "rest", TURNS, email="li@uni.edu", application_reference="ACTS-7KQ2-M9XD").request
    assert desk.learner_says("web-conv-1", "it's for my team of five") is not None
    assert desk.learner_says("another-conversation", "hello?") is None  # nothing open there
    desk.reply(request.reference, "Sam Staff", "Yes: ask your department to write to us.")
    NoticeWorker(store).run_due()
    NoticeWorker(store).run_due()  # a second round sends nothing again

    to_staff = mails(smtp, SUPPORT)
    assert [m["Subject"] for m in to_staff] == [
        f"{request.reference}: a learner asks to talk to a person",
        f"{request.reference}: the learner writes",
    ]
    body = to_staff[0].get_body(("plain",)).get_content()
    assert "can my employer pay the fee?" in body and "ACTS-7KQ2-M9XD" in body and "li@uni.edu" not in body
    (answer,) = mails(smtp, "li@uni.edu")
    text = answer.get_body(("plain",)).get_content()
    assert "ask your department to write to us" in text and request.reference in text and "Sam" not in text
    assert desk.get(request.reference).status == TAKEN  # answering takes it


def test_closing_tells_the_learner_unless_the_learner_left(store, clock, smtp):
    desk = desk_of(store, clock)
    staff_closed = desk.open("web-a", "rest", TURNS, email="a@uni.edu").request
    learner_left = desk.open("web-b", "rest", TURNS, email="b@uni.edu").request
    assert desk.close(staff_closed.reference, "Sam") is not None
    assert desk.close(staff_closed.reference, "Kim") is None  # twice: closed once
    desk.close(learner_left.reference, LEARNER)
    NoticeWorker(store).run_due()
    assert ["back with the assistant" in m.get_body(("plain",)).get_content() for m in mails(smtp, "a@uni.edu")] == [
        True
    ]
    assert mails(smtp, "b@uni.edu") == []
    assert f"{learner_left.reference}: closed by the learner" in [m["Subject"] for m in mails(smtp, SUPPORT)]
    assert desk.get(staff_closed.reference).status == CLOSED and desk.reply(staff_closed.reference, "Sam", "x") is None


def test_a_request_nobody_takes_in_time_is_reminded_once(store, clock, smtp):
    desk = desk_of(store, clock)
    waiting = desk.open("web-a", "rest", TURNS).request
    taken = desk.open("web-b", "rest", TURNS).request
    assert desk.take(taken.reference, "Sam") and not desk.take(taken.reference, "Kim")
    assert desk.remind_due() == []
    clock.now = waiting.due_at + timedelta(minutes=1)
    assert [r.reference for r in desk.remind_due()] == [waiting.reference]
    assert desk.remind_due() == []
    NoticeWorker(store).run_due()
    assert [m["Subject"] for m in mails(smtp, SUPPORT)].count(
        f"{waiting.reference}: still waiting for someone to answer"
    ) == 1


def test_after_90_days_a_closed_request_keeps_only_its_counts(store, clock, smtp):
    desk = desk_of(store, clock)
    request = desk.open("web-a", "rest", TURNS, email="a@uni.edu").request
    desk.reply(request.reference, "Sam", "An answer.")
    desk.close(request.reference, "Sam")
    clock.now += timedelta(days=89)
    assert desk.forget_old() == 0
    clock.now += timedelta(days=2)
    assert desk.forget_old() == 1
    kept = desk.get(request.reference)
    assert (kept.email, kept.conversation_id) == (None, "forgotten")
    assert [m.text for m in desk.messages(request.reference)] == [None, None, None]


def test_in_slack_the_answer_reaches_the_learners_dm(store, clock, monkeypatch):
    with slack_emulator() as slack:
        slack.create_user("li", "Li Wei", "li@uni.edu", id="U0LIWEI001")
        monkeypatch.setenv("SLACK_BOT_TOKEN", slack.token)
        monkeypatch.setenv("SLACK_SIGNING_SECRET", slack.signing_secret)
        monkeypatch.setenv("SLACK_API_URL", slack.api_url)
        desk = desk_of(store, clock)
        request = desk.open("slack:U0LIWEI001", "slack", TURNS, slack_user="U0LIWEI001").request
        desk.reply(request.reference, "Sam", "Here is <!channel> the answer.")
        NoticeWorker(store).run_due()
        (dm,) = slack.messages("U0LIWEI001")  # the learner's DM with the assistant
        assert "Here is &lt;!channel&gt; the answer." in dm["text"] and request.reference in dm["text"]


def test_in_slack_a_learner_who_asked_in_a_channels_thread_is_answered_in_that_thread(store, clock, monkeypatch):
    with slack_emulator() as slack:
        slack.create_user("li", "Li Wei", "li@uni.edu", id="U0LIWEI001")
        slack.create_channel("sig-team-science", id="C0SIGTEAM1")
        monkeypatch.setenv("SLACK_BOT_TOKEN", slack.token)
        monkeypatch.setenv("SLACK_SIGNING_SECRET", slack.signing_secret)
        monkeypatch.setenv("SLACK_API_URL", slack.api_url)
        desk = desk_of(store, clock)
        conversation = conversation_of("U0LIWEI001", "C0SIGTEAM1", "1765000000.000100")
        request = desk.open(conversation, "slack", TURNS, slack_user="U0LIWEI001").request
        desk.reply(request.reference, "Sam", "Here is the answer.")
        NoticeWorker(store).run_due()
        (answer,) = slack.messages("C0SIGTEAM1")
        assert answer["thread_ts"] == "1765000000.000100" and "Here is the answer." in answer["text"]
        assert slack.messages("U0LIWEI001") == []  # not in the DM as well


def test_the_command_line_lists_answers_and_closes(store, clock, smtp, capsys):
    desk = desk_of(store, clock)
    request = desk.open("web-a", "rest", TURNS, email="a@uni.edu").request
    assert support.main(["list"]) == 0 and request.reference in capsys.readouterr().out
    assert support.main(["reply", request.reference, "Try this.", "--as", "Sam"]) == 0
    assert support.main(["show", request.reference]) == 0
    shown = capsys.readouterr().out
    assert "Sam: Try this." in shown and "learner: can my employer pay the fee?" in shown
    assert support.main(["close", request.reference.lower()]) == 0  # as staff may type it, like reply and show
    assert support.main(["reply", request.reference, "Too late."]) == 2
    assert support.main(["reply", "HELP-ZZZZ", "Nobody."]) == 2
    assert [m["Subject"] for m in mails(smtp, "a@uni.edu")] == [
        f"ACTS badges: an answer to your request {request.reference}"
    ] * 2


def test_erasing_a_learners_data_erases_their_requests_and_nobody_elses(store, clock):
    from bot.store.personal_data import erase

    desk = desk_of(store, clock)
    mine = desk.open("web-mine", "rest", TURNS, email="li@uni.edu").request
    desk.learner_says("web-mine", "my phone is 555-0100")
    other = desk.open("web-other", "rest", TURNS, email="kim@uni.edu").request
    erase(store, "li@uni.edu", None, "learner")
    assert desk.get(mine.reference) is None and desk.messages(mine.reference) == []
    assert desk.get(other.reference) is not None and len(desk.messages(other.reference)) == 2


@pytest.mark.parametrize(
    "said",
    ["back to the assistant", "Back to the bot please", "ok, cancel my request", "I no longer need help, thanks"],
)
def test_the_learner_can_leave_for_the_assistant_in_their_words(said):
    from bot.handoff.replies import wants_the_assistant

    assert wants_the_assistant(said)


@pytest.mark.parametrize(
    "said", ["my assistant will send the certificate", "can you help me", "the request form was broken"]
)
def test_other_messages_stay_with_the_staff(said):
    from bot.handoff.replies import wants_the_assistant

    assert not wants_the_assistant(said)


def test_the_web_services_notice_round_reminds_once_and_forgets_in_time(store, clock, smtp):
    desk = desk_of(store, clock)
    waiting = desk.open("web-a", "rest", TURNS, email="a@uni.edu").request
    clock.now = waiting.due_at + timedelta(hours=1)
    notice_round(store, clock)
    notice_round(store, clock)
    subjects = [m["Subject"] for m in mails(smtp, SUPPORT)]
    assert subjects.count(f"{waiting.reference}: still waiting for someone to answer") == 1
    desk.close(waiting.reference, "Sam")
    clock.now += timedelta(days=91)
    notice_round(store, clock)
    assert desk.get(waiting.reference).email is None


def test_the_staffs_report_counts_the_requests_and_the_wait_for_an_answer(store, clock):
    from bot.insights.report import build

    desk = desk_of(store, clock)
    answered = desk.open("web-a", "rest", TURNS).request
    desk.open("web-b", "rest", TURNS)
    clock.now += timedelta(hours=2, minutes=30)
    desk.reply(answered.reference, "Sam", "An answer.")
    desk.reply(answered.reference, "Sam", "And a second one (not the first answer).")
    desk.close(answered.reference, "Sam")
    report = build(clock.now.date(), clock.now.date() + timedelta(days=1), b"secret", store.url)
    assert report.handoffs == {"requests": 2, "answered": 1, "closed": 1, "median hours to an answer": 2.5}


def _turn(intent: str, action: str | None, entities: list | None = None) -> list[dict]:
    user = {"event": "user", "text": "...", "parse_data": {"intent": {"name": intent}, "entities": entities or []}}
    return [user] + ([{"event": "action", "name": action}] if action else [])


def test_a_person_is_offered_at_the_second_answer_in_a_row_that_did_not_help_once():
    from bot.handoff.offering import offer_now, unhelpful_in_a_row

    declined = _turn("out_of_scope", "action_cant_help")
    answered = _turn("faq_fee", "utter_faq_fee")
    thumbs_down = _turn("feedback", "action_feedback", [{"entity": "helpful", "value": "no"}])
    thumbs_up = _turn("feedback", "action_feedback", [{"entity": "helpful", "value": "yes"}])
    now = _turn("out_of_scope", None)  # this turn, not answered yet
    assert not offer_now(now, True)  # the first one
    assert offer_now(declined + now, True)
    assert not offer_now(answered + thumbs_down[:1], True)  # a 👎 on the one answer: one that did not help
    assert offer_now(declined + answered + thumbs_down[:1], True)  # declined, then an answer given a 👎
    assert not offer_now(declined + answered + now, True)  # not in a row
    assert not offer_now(declined + thumbs_up + now, True)
    assert unhelpful_in_a_row(declined + declined + now, True) == 3 and not offer_now(declined + declined + now, True)
    assert not offer_now(declined + now, False)
