"""The website chat widget in a real browser: Debian's Chromium, driven by Playwright, against the
real servers (started by launcher.servers on free ports, as `make run` starts them).

Screenshots of the main states go to results/screenshots/ (git-ignored), the widget's measured
bytes and time to greeting to results/widget-metrics.json.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import statistics
import time
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path

import pytest
import requests
from playwright.sync_api import Page, expect, sync_playwright

from bot.answers.faq import load_faq
from bot.reading.references import parse_reference
from bot.store.applications import ApplicationStore
from launcher.servers import Cluster, Ports, free_port, running
from tests.conversations import code_for
from tests.files import pdf_bytes
from tests.slack_emulator_thread import slack_emulator

ROOT = Path(__file__).resolve().parents[2]
RESULTS = ROOT / "results"
SCREENSHOTS = RESULTS / "screenshots"
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
# Headless Debian Chromium, kept off Google's hosts (updates, sync, field trials).
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
LAUNCHER = "Questions? Chat with us"
INPUT = "Type a message…"
QUICK_REPLIES = ["What is a digital badge?", "Is there a fee?", "Apply for a badge", "Check my application"]
ANSWER_TIMEOUT_MS = 20_000


@dataclass
class Site:
    """A deployment of the assistant of its own: the page must know the bot server's port, and one
    test stops and restarts the bot server."""

    ports: Ports
    database_url: str
    upload_dir: Path
    log_dir: Path
    cluster: Cluster
    mail_dir: Path  # the local mail server's Maildir: the learner's inbox in these tests
    restarted: list[Cluster] = field(default_factory=list)
    slack: object | None = None  # the Slack emulator the staff answer from (tests/slack_emulator_thread.py)

    @property
    def url(self) -> str:
        return f"http://localhost:{self.ports.web}/"


STAFF_CHANNEL, STAFF = "C0SUPPORT1", "U0RITA0001"


@pytest.fixture(scope="module")
def site(trained_model, tmp_path_factory):
    """The assistant as `make run` starts it, with Slack on (the emulator): the staff answer learners
    from the support channel's threads."""
    workdir = tmp_path_factory.mktemp("widget-deployment")
    ports = Ports(rasa=free_port(), actions=free_port(), web=free_port(), credly=free_port(), mail=free_port())
    database_url = f"sqlite:///{workdir / 'acts.db'}"
    with slack_emulator(events_url=f"http://127.0.0.1:{ports.rasa}/webhooks/slack/webhook") as slack:
        slack.create_user("rita", "Rita Staff", "rita@actscience.org", id=STAFF)
        slack.create_channel("acts-support", is_private=True, id=STAFF_CHANNEL)
        env = {
            "DATABASE_URL": database_url,
            "ACTS_UPLOAD_DIR": str(workdir / "uploads"),
            "ACTS_BOT_URL": f"http://localhost:{ports.rasa}",
            "ACTS_MAIL_DIR": str(workdir / "mail"),
            "ACTS_EVENTS_DB": str(workdir / "events.db"),
            "ACTS_HANDOFF_PAGE_SECONDS": "4",  # a closed page is known as closed soon: the test waits for it
            "SLACK_BOT_TOKEN": slack.token,
            "SLACK_SIGNING_SECRET": slack.signing_secret,
            "SLACK_API_URL": slack.api_url,
            "SLACK_SUPPORT_CHANNEL": STAFF_CHANNEL,
            "SLACK_STAFF": STAFF,
        }
        with running(ports, trained_model, log_dir=workdir / "logs", env=env) as cluster:
            deployment = Site(ports, database_url, workdir / "uploads", workdir / "logs", cluster, workdir / "mail")
            deployment.slack = slack
            try:
                yield deployment
            finally:
                for restarted in deployment.restarted:
                    restarted.stop()


# Not pytest-playwright's browser and page fixtures: they live for the whole session, and their event
# loop then breaks asyncio.run() in every later test. These live for this module only.
@pytest.fixture(scope="module")
def chromium():
    executable = shutil.which("chromium")
    if not executable:
        pytest.fail("The browser tests need Debian's Chromium: `make browser` (or apt-get install chromium).")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def tab(chromium):
    """A fresh browser profile (empty storage and cache) and one page in it. Whatever the page's
    Content-Security-Policy blocks (the browser says so on the console) fails the test."""
    context = chromium.new_context(viewport={"width": 1280, "height": 800})
    page = context.new_page()
    page.blocked_by_policy = []
    page.on("console", lambda message: note_if_blocked(page, message.text))
    yield page
    context.close()
    assert not page.blocked_by_policy, "the page's Content-Security-Policy blocked part of the widget"


def note_if_blocked(page: Page, text: str) -> None:
    if "Content Security Policy" in text and page.blocked_by_policy is not None:
        page.blocked_by_policy.append(text)


@pytest.fixture(scope="module", autouse=True)
def screenshots_folder():
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)


class Widget:
    """The learner's side of the chat, found by role and label as a screen reader would."""

    def __init__(self, page: Page) -> None:
        self.page = page
        self.input = page.get_by_role("textbox", name=INPUT)
        self.launcher = page.get_by_role("button", name=LAUNCHER)
        self.bot_messages = page.locator(".acts-message")
        self.learner_messages = page.locator(".user-message")
        self.attach = page.get_by_role("button", name="Choose a file")

    def open(self) -> Widget:
        self.launcher.click()
        expect(self.input).to_be_visible()
        return self

    def button(self, title: str):
        return self.page.get_by_role("button", name=title, exact=True).last

    def answer_to(self, action) -> str:
        """Does the action (a message, a click), waits for the assistant's reply, returns its text."""
        before = self.bot_messages.count()
        action()
        expect(self.bot_messages.nth(before)).to_be_visible(timeout=ANSWER_TIMEOUT_MS)
        return "\n".join(self.bot_messages.all_inner_texts()[before:])

    def say(self, text: str) -> str:
        def send():
            self.input.fill(text)
            self.input.press("Enter")

        return self.answer_to(send)

    def choose(self, title: str) -> str:
        return self.answer_to(self.button(title).click)

    def transcript(self) -> list[str]:
        return self.page.locator(".message-bubble").all_inner_texts()

    def storage(self) -> dict:
        return self.page.evaluate(
            "JSON.parse(localStorage.getItem(Object.keys(localStorage).find(k => k.startsWith('acts-chat:'))))"
        )


def answer_until_upload(widget: Widget, email: str, mail_dir: Path) -> None:
    assert "Which badge" in widget.choose("Apply for a badge")
    assert "qualifying training" in widget.choose("Team Science Fundamentals")
    assert "Which qualifying training" in widget.choose("Yes")
    assert "When did you complete" in widget.choose("ACTS Team Science Fundamentals training")
    assert "full name" in widget.say("March 2024")
    assert "email" in widget.say("Jane Doe").lower()
    assert f"sent a 6-digit code to {email}" in widget.say(email)
    expect(widget.button("Send it again")).to_be_visible()
    # The learner reads the code in their mailbox (the local mail server's Maildir), never in a log.
    assert "organisation" in widget.say(code_for(mail_dir, email))
    assert "ORCID" in widget.say("Example University")
    assert "upload" in widget.say("skip")


def upload_in_place(widget: Widget, name: str, data: bytes, mime: str = "application/pdf") -> None:
    widget.page.locator("input.file").set_input_files(files=[{"name": name, "mimeType": mime, "buffer": data}])


def deep_focus(page: Page) -> dict:
    """What has the keyboard focus, looking inside shadow roots."""
    return page.evaluate(
        """() => {
        let el = document.activeElement;
        while (el && el.shadowRoot && el.shadowRoot.activeElement) el = el.shadowRoot.activeElement;
        return {id: el.id, role: el.getAttribute('role'), cls: el.className, text: el.textContent.trim(),
                label: el.getAttribute('aria-label')};
    }"""
    )


def tab_to(page: Page, wanted, key: str = "Tab", limit: int = 60) -> dict:
    if wanted(focused := deep_focus(page)):
        return focused
    path = []
    for _ in range(limit):
        page.keyboard.press(key)
        focused = deep_focus(page)
        if wanted(focused):
            return focused
        path.append(focused)
    raise AssertionError(f"{key} never reached the element; the focus went through: {path[:25]}")


class InlineCode(HTMLParser):
    """Inline event handlers and inline scripts in a page's markup."""

    def __init__(self) -> None:
        super().__init__()
        self.handlers: list[str] = []
        self.inline_scripts = 0

    def handle_starttag(self, tag, attrs):
        self.handlers += [name for name, _ in attrs if name.startswith("on")]
        self.inline_scripts += tag == "script" and not dict(attrs).get("src")


def serious_accessibility_violations(page: Page, site: Site) -> list[dict]:
    """axe-core from node_modules, served to this page only at a same-origin address (the page's
    Content-Security-Policy allows scripts from its own origin only)."""
    axe_url = f"{site.url}__test__/axe.js"
    page.blocked_by_policy = None  # axe's own probes use inline styles, which the policy rightly blocks
    page.route(axe_url, lambda route: route.fulfill(path=AXE, content_type="text/javascript"))
    page.add_script_tag(url=axe_url)
    results = page.evaluate("axe.run(document, {resultTypes: ['violations']})")
    return [
        {"id": v["id"], "impact": v["impact"], "nodes": [n["target"] for n in v["nodes"]][:3]}
        for v in results["violations"]
        if v["impact"] in ("serious", "critical")
    ]


def test_the_page_shows_the_faq_and_the_widget_greets_with_quick_replies(tab, site):
    tab.goto(site.url)
    expect(tab.get_by_role("heading", level=1)).to_have_text("Digital Badges")
    for topic in load_faq().topics.values():
        expect(tab.get_by_role("heading", name=topic.title, exact=True)).to_be_visible()
    expect(tab.locator("main")).to_contain_text("no cost")  # the FAQ text is on the page
    widget = Widget(tab)
    expect(widget.launcher).to_have_attribute("aria-expanded", "false")
    widget.open()
    expect(widget.launcher).to_have_attribute("aria-expanded", "true")
    expect(widget.bot_messages.first).to_contain_text("I'm the ACTS badge assistant")
    for title in QUICK_REPLIES:
        expect(widget.button(title)).to_be_visible()
    expect(tab.get_by_role("button", name="Start over")).to_be_visible()
    tab.screenshot(path=SCREENSHOTS / "greeting.png")


def test_a_quick_reply_shows_its_title_and_gets_its_answer(tab, site):
    sent = []
    tab.on("request", lambda r: sent.append(r.post_data_json) if r.url.endswith("/webhook") and r.post_data else 0)
    tab.goto(site.url)
    widget = Widget(tab).open()
    answer = widget.choose("Is there a fee?")
    assert "no cost" in answer
    assert [body["message"] for body in sent] == ["/faq_fee"]  # the button's payload
    expect(widget.learner_messages.last).to_have_text("Is there a fee?")  # the title, not "/faq_fee"
    expect(tab.locator(".message-bubble", has_text="/faq_fee")).to_have_count(0)
    tab.mouse.move(0, 0)  # no hover highlight in the picture
    tab.screenshot(path=SCREENSHOTS / "answer.png")


def test_thumbs_under_an_answer_are_labelled_keyboard_reachable_and_kept_after_a_reload(tab, site):
    sent = []
    tab.on("request", lambda r: sent.append(r.post_data_json) if r.url.endswith("/webhook") and r.post_data else 0)
    tab.goto(site.url)
    widget = Widget(tab).open()
    assert "no cost" in widget.say("do I have to pay for a badge?")
    answer = widget.bot_messages.nth(widget.bot_messages.count() - 1)  # this one, not whichever is last
    expect(answer.get_by_role("group", name="Was this answer helpful?")).to_be_visible()
    up = answer.get_by_role("button", name="This answer helped", exact=True)
    down = answer.get_by_role("button", name="This answer did not help", exact=True)
    expect(up).to_have_attribute("aria-pressed", "false")
    expect(down).to_have_attribute("aria-pressed", "false")
    # The keyboard alone: back from the message box to 👎, and Enter votes.
    widget.input.focus()
    tab_to(tab, lambda focused: focused["label"] == "This answer did not help", key="Shift+Tab")
    reply = widget.answer_to(lambda: tab.keyboard.press("Enter"))
    assert "what was missing" in reply
    expect(down).to_have_attribute("aria-pressed", "true")
    assert sent[-1]["message"] == '/feedback{"answer_topic":"faq_fee","helpful":"no"}'
    expect(widget.learner_messages.last).to_have_text("Not helpful")

    tab.reload()
    widget = Widget(tab)
    answer = widget.bot_messages.filter(has_text="no cost").last
    up = answer.get_by_role("button", name="This answer helped", exact=True)
    down = answer.get_by_role("button", name="This answer did not help", exact=True)
    expect(down).to_have_attribute("aria-pressed", "true")  # the vote is kept with the conversation
    before = len(sent)
    down.click()  # the same vote again sends nothing
    assert "Thanks" in widget.answer_to(up.click)  # the other one replaces it
    assert [body["message"] for body in sent[before:]] == ['/feedback{"answer_topic":"faq_fee","helpful":"yes"}']
    expect(up).to_have_attribute("aria-pressed", "true")
    expect(down).to_have_attribute("aria-pressed", "false")
    tab.mouse.move(0, 0)
    tab.screenshot(path=SCREENSHOTS / "feedback.png")


def wait_for(found, timeout: float = 15.0):
    deadline = time.monotonic() + timeout
    while not (value := found()):
        assert time.monotonic() < deadline, "never happened"
        time.sleep(0.1)
    return value


def test_a_staff_answer_shows_in_the_open_chat_and_comes_by_mail_once_the_page_is_closed(tab, site):
    from tests.conversations import mails_to
    from tests.e2e.test_e2e_handoff import REFERENCE, support_command

    tab.goto(site.url)
    widget = Widget(tab).open()
    assert "no cost" in widget.say("can my employer pay the fee for my badge?")
    assert "Shall I pass it on?" in widget.say("I would like to talk to a person")
    assert "email address" in widget.choose("Yes, pass it on")
    email = "noor.widget@uni.example.edu"
    widget.say(email)
    reference = REFERENCE.search(widget.say(code_for(site.mail_dir, email))).group(0)

    # The staff answer in the request's thread in the support channel: it shows in the open chat, as the
    # team's, within 3 s, and is not mailed.
    post = wait_for(
        lambda: next((m for m in site.slack.messages(STAFF_CHANNEL) if reference in m.get("text", "")), None)
    )
    site.slack.say(STAFF, "Yes: ask your department to write to us.", channel=STAFF_CHANNEL, thread_ts=post["ts"])
    answer = tab.locator(".acts-staff", has_text="ask your department to write to us")
    expect(answer).to_be_visible(timeout=3000)
    expect(answer).to_contain_text("ACTS badge team")
    assert not [m for m in mails_to(site.mail_dir, email) if "department" in m]
    assert "Passed on to the team" in widget.say("thank you, will do")
    assert wait_for(
        lambda: [m for m in site.slack.messages(STAFF_CHANNEL) if "thank you, will do" in m.get("text", "")]
    )

    # The page closed: the next answer comes by mail.
    tab.goto("about:blank")
    tab.wait_for_timeout(5000)  # longer than this deployment's ACTS_HANDOFF_PAGE_SECONDS: the page is closed
    assert support_command(site, "reply", reference, "One more thing: keep the receipt.").returncode == 0
    # (The command line's own round may still count the page as open: the web service's worker mails it.)
    deadline = time.monotonic() + 40
    while not (mailed := [m for m in mails_to(site.mail_dir, email) if "keep the receipt" in m]):
        assert time.monotonic() < deadline, "the answer was never mailed"
        time.sleep(0.5)
    assert len(mailed) == 1 and reference in mailed[0]
    # Back on the page, the chat catches up with what it missed, and a close is shown when it comes.
    tab.goto(site.url)
    widget = Widget(tab)
    expect(tab.locator(".acts-staff", has_text="keep the receipt")).to_be_visible(timeout=5000)
    assert support_command(site, "close", reference).returncode == 0
    expect(tab.locator(".acts-notice", has_text=f"Your request {reference} is closed")).to_be_visible(timeout=5000)
    tab.screenshot(path=SCREENSHOTS / "handoff.png")


def test_a_typed_question_gets_the_right_answer_and_its_links_open_safely(tab, site):
    tab.goto(site.url)
    widget = Widget(tab).open()
    assert "email signature" in widget.say("how can I show my badge on linkedin?")
    assert "support.credly.com" in widget.say("where can I get help with credly")
    link = widget.bot_messages.last.get_by_role("link", name="support.credly.com")
    expect(link).to_have_attribute("href", "https://support.credly.com")
    expect(link).to_have_attribute("target", "_blank")
    expect(link).to_have_attribute("rel", re.compile(r"\bnoopener\b"))


def test_html_typed_by_the_learner_is_shown_as_text_and_never_runs(tab, site):
    dialogs = []
    tab.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    tab.goto(site.url)
    widget = Widget(tab).open()
    typed = "<img src=x onerror=alert(1)>"
    widget.say(typed)
    expect(widget.learner_messages.last).to_have_text(typed)
    assert widget.learner_messages.last.locator("img").count() == 0
    tab.wait_for_timeout(300)  # an onerror handler would have fired by now
    assert dialogs == []


def test_html_in_a_bot_answer_is_shown_as_text_and_never_runs(tab, site):
    """As if faq.yml had been edited to contain HTML: the bot server's answer is replaced here."""
    hostile = '<img src=x onerror=alert(1)> <script>alert(2)</script> <a href="javascript:alert(3)">go</a>'
    reply = [{"text": hostile, "buttons": [{"title": "<b onmouseover=alert(4)>Yes</b>", "payload": "/affirm"}]}]
    cors = {"Access-Control-Allow-Origin": site.url.rstrip("/"), "Access-Control-Allow-Headers": "Content-Type"}
    tab.route(
        "**/webhooks/rest/webhook",
        lambda route: route.fulfill(status=200, json=reply, headers=cors),
    )
    dialogs = []
    tab.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    tab.goto(site.url)
    widget = Widget(tab).open()
    widget.say("hello")
    answer = widget.bot_messages.last
    expect(answer).to_contain_text(hostile)
    assert answer.locator("img, script, b, a").count() == 0
    expect(answer.get_by_role("button")).to_have_text("<b onmouseover=alert(4)>Yes</b>")
    answer.get_by_role("button").hover()
    tab.wait_for_timeout(300)
    assert dialogs == []


def test_a_message_the_bot_server_refuses_is_explained_and_kept(tab, site):
    cors = {"Access-Control-Allow-Origin": site.url.rstrip("/")}
    tab.route("**/webhooks/rest/webhook", lambda route: route.fulfill(status=400, body="too long", headers=cors))
    tab.goto(site.url)
    widget = Widget(tab).open()
    widget.input.fill("is there a fee?")
    widget.input.press("Enter")
    expect(tab.locator(".error-message")).to_contain_text("couldn't take that message")
    expect(widget.input).to_have_text("is there a fee?")


def test_a_whole_application_in_the_widget_with_a_refused_then_a_real_pdf(tab, site):
    tab.goto(site.url)
    widget = Widget(tab).open()
    email = f"jane.widget.{os.getpid()}@uni.edu"
    expect(widget.attach).to_be_hidden()  # only at the document step
    answer_until_upload(widget, email, site.mail_dir)
    expect(widget.attach).to_be_visible()
    tab.screenshot(path=SCREENSHOTS / "upload-step.png")

    # A fake PDF: the service's own message, in the chat; the link still works.
    notices = tab.locator(".acts-notice")
    upload_in_place(widget, "certificate.pdf", b"MZ\x90\x00 not a pdf at all")
    expect(notices.last).to_contain_text("PDF, PNG or JPEG", timeout=ANSWER_TIMEOUT_MS)
    expect(widget.attach).to_be_visible()

    # The real one: uploaded in place, and the conversation goes on without "done".
    summary = widget.answer_to(lambda: upload_in_place(widget, "certificate.pdf", pdf_bytes()))
    assert "Got your certificate.pdf" in summary and "Here is your application" in summary
    expect(widget.learner_messages.last).to_have_text("I've uploaded certificate.pdf")
    expect(tab.locator("progress.progress")).to_have_attribute("value", "100")
    expect(tab.get_by_role("status")).to_contain_text("Received certificate.pdf")
    tab.screenshot(path=SCREENSHOTS / "summary.png")

    confirmation = widget.choose("Submit")
    reference = parse_reference(confirmation)
    assert reference and "submitted" in confirmation
    expect(widget.attach).to_be_hidden()
    tab.screenshot(path=SCREENSHOTS / "submitted.png")

    store = ApplicationStore(url=site.database_url, documents_dir=site.upload_dir)
    [application] = store.submitted(email)
    assert application.reference == reference and application.status == "submitted"
    [document] = application.documents
    assert document.original_name == "certificate.pdf" and document.mime == "application/pdf"
    assert (site.upload_dir / document.stored_name).read_bytes() == pdf_bytes()


def test_the_keyboard_alone_opens_types_sends_chooses_attaches_and_closes(tab, site):
    # Listening from the start: Playwright then catches the file chooser however soon it opens.
    fake_png = {"name": "scan.png", "mimeType": "image/png", "buffer": b"not an image"}
    tab.on("filechooser", lambda chooser: chooser.set_files(files=[fake_png]))
    tab.goto(site.url)
    widget = Widget(tab)
    tab_to(tab, lambda f: f["text"] == LAUNCHER)
    tab.keyboard.press("Enter")
    expect(widget.input).to_be_focused()  # opening puts the caret in the message box

    # A quick reply, reached by the keyboard from the message box.
    tab_to(tab, lambda f: f["text"] == "Apply for a badge", key="Shift+Tab")
    assert "Which badge" in widget.answer_to(lambda: tab.keyboard.press("Enter"))
    tab_to(tab, lambda f: f["text"] == "Team Science Fundamentals")
    assert "qualifying training" in widget.answer_to(lambda: tab.keyboard.press("Space"))

    def typed(text: str) -> str:
        tab_to(tab, lambda f: f["role"] == "textbox")

        def send():
            tab.keyboard.type(text)
            tab.keyboard.press("Enter")

        return widget.answer_to(send)

    assert "Which qualifying training" in typed("yes")
    assert "When did you complete" in typed("the digital badging pilot")
    assert "full name" in typed("March 2024")
    assert "email" in typed("Jane Keyboard").lower()
    email = f"jane.keys.{os.getpid()}@uni.edu"
    assert "code" in typed(email)
    assert "organisation" in typed(code_for(site.mail_dir, email))
    tab_to(tab, lambda f: f["role"] == "textbox")
    tab.keyboard.type("Example University")
    tab_to(tab, lambda f: f["label"] == "Send")  # the send button, with the space bar this time
    assert "ORCID" in widget.answer_to(lambda: tab.keyboard.press("Space"))
    assert "upload" in typed("skip")

    tab_to(tab, lambda f: f["text"] == "Choose a file")
    tab.keyboard.press("Enter")  # the file chooser opens; the handler above picks the file
    expect(tab.locator(".acts-notice").last).to_contain_text("PDF, PNG or JPEG", timeout=ANSWER_TIMEOUT_MS)
    assert serious_accessibility_violations(tab, site) == []  # the upload step too

    tab.keyboard.press("Escape")
    expect(tab.locator("#acts-panel")).to_be_hidden()
    assert deep_focus(tab)["text"] == LAUNCHER


def test_the_send_button_keeps_its_name_when_deep_chat_renders_itself_again(tab, site):
    # deep-chat makes its parts anew on every render but reports only the first one.
    tab.goto(site.url)
    widget = Widget(tab).open()
    send = tab.get_by_role("button", name="Send", exact=True)
    expect(send).to_have_count(1)
    tab.evaluate(
        """() => {
        const host = [...document.querySelectorAll('*')].find((e) => e.shadowRoot?.querySelector('deep-chat'));
        const chat = host.shadowRoot.querySelector('deep-chat');
        window.oldSend = chat.shadowRoot.querySelector('.input-button');
        chat.textInput = { ...chat.textInput };  // any property set makes deep-chat render again
    }"""
    )
    expect(send).to_have_count(1)
    assert send.evaluate("(button) => button !== window.oldSend")  # a new button, named all the same
    widget.input.fill("is there a fee?")
    send.focus()
    assert "fee" in widget.answer_to(lambda: tab.keyboard.press("Space")).lower()


def test_axe_finds_no_serious_or_critical_accessibility_violations(tab, site):
    tab.goto(site.url)
    assert serious_accessibility_violations(tab, site) == []  # the page with the chat closed
    widget = Widget(tab).open()
    widget.choose("Apply for a badge")  # an answer with buttons
    assert serious_accessibility_violations(tab, site) == []


def test_a_reload_or_closing_keeps_the_conversation_and_start_over_begins_a_new_one(tab, site):
    tab.goto(site.url)
    widget = Widget(tab).open()
    assert "Which badge" in widget.choose("Apply for a badge")
    before, sender = widget.transcript(), widget.storage()["sender"]
    assert re.fullmatch("[0-9a-f]{32}", sender)  # 128 random bits, and no ":" (REST refuses other channels' ids)

    tab.reload()
    expect(widget.input).to_be_visible()  # it was open, so it opens again
    expect(widget.bot_messages).to_have_count(2)
    assert widget.transcript() == before
    # The same conversation continues: the form still waits for the badge.
    assert "qualifying training" in widget.choose("Team Science Fundamentals")
    assert widget.storage()["sender"] == sender

    tab.get_by_role("button", name="Close the chat").click()
    expect(widget.input).to_be_hidden()
    widget.open()
    assert widget.transcript()[: len(before)] == before and len(widget.transcript()) == len(before) + 2

    with tab.expect_request(lambda r: r.url.endswith("/webhook") and r.method == "POST") as cancel:
        tab.get_by_role("button", name="Start over").click()
    assert cancel.value.post_data_json == {"sender": sender, "message": "/stop"}  # the old draft is dropped
    expect(widget.bot_messages).to_have_count(1)
    expect(widget.bot_messages.first).to_contain_text("I'm the ACTS badge assistant")
    assert widget.storage()["sender"] != sender
    tab.reload()
    expect(widget.bot_messages).to_have_count(1)


def test_at_phone_width_nothing_scrolls_sideways(chromium, site):
    context = chromium.new_context(viewport={"width": 360, "height": 740})
    try:
        page = context.new_page()
        page.goto(site.url)
        no_sideways_scroll = "document.documentElement.scrollWidth <= document.documentElement.clientWidth"
        assert page.evaluate(no_sideways_scroll)
        widget = Widget(page).open()
        assert "no cost" in widget.choose("Is there a fee?")
        assert page.evaluate(no_sideways_scroll)
        panel = page.locator("#acts-panel").bounding_box()
        assert panel["x"] >= 0 and panel["x"] + panel["width"] <= 360
        for title in QUICK_REPLIES:
            box = widget.button(title).bounding_box()
            assert box["x"] >= 0 and box["x"] + box["width"] <= 360
        expect(widget.input).to_be_in_viewport()
        page.screenshot(path=SCREENSHOTS / "phone.png")
    finally:
        context.close()


def test_the_page_allows_only_its_own_scripts_and_the_configured_servers(tab, site):
    response = requests.get(site.url, timeout=10)
    policy = response.headers["Content-Security-Policy"]
    assert "script-src 'self'" in policy and "'unsafe-inline'" not in policy and "'unsafe-eval'" not in policy
    connect = re.search(r"connect-src ([^;]+)", policy).group(1).split()
    assert connect == [f"http://localhost:{site.ports.rasa}", f"http://localhost:{site.ports.web}"]
    markup = InlineCode()
    markup.feed(response.text)
    assert markup.handlers == [] and markup.inline_scripts == 0

    hosts = set()
    tab.on("request", lambda request: hosts.add(re.match(r"\w+://([^/]+)", request.url).group(1)))
    tab.goto(site.url)
    widget = Widget(tab).open()
    assert "no cost" in widget.choose("Is there a fee?")
    assert tab.blocked_by_policy == []
    assert hosts <= {f"localhost:{site.ports.web}", f"localhost:{site.ports.rasa}"}  # nothing from the internet


def preflight(url: str, origin: str) -> str | None:
    """The origin a server lets a browser page call it from (its Access-Control-Allow-Origin)."""
    headers = {"Origin": origin, "Access-Control-Request-Method": "POST"}
    return requests.options(url, headers=headers, timeout=10).headers.get("Access-Control-Allow-Origin")


def test_cross_origin_access_is_for_the_configured_origins_only(site):
    page_origin = f"http://localhost:{site.ports.web}"
    for url in (f"http://127.0.0.1:{site.ports.rasa}/webhooks/rest/webhook", f"{page_origin}/upload/unknown-token"):
        assert preflight(url, page_origin) == page_origin
        assert preflight(url, "https://evil.example") in (None, "")


def test_first_load_bytes_and_time_to_greeting_are_measured(chromium, site):
    """The widget's cost to a page (a fresh browser cache each time): what loads with the page, what
    loads when the chat first opens, and the time from navigation to the greeting on screen."""
    runs = []
    for _ in range(3):
        context = chromium.new_context(viewport={"width": 1280, "height": 800})
        try:
            page = context.new_page()
            page.goto(site.url)
            timing = page.evaluate(
                """async () => {
                const host = document.querySelector('#acts-chat');
                while (!host || host.hidden) await new Promise(requestAnimationFrame);
                const launcherReady = performance.now();
                const beforeOpen = performance.getEntriesByType('resource').map(e => e.name);
                host.shadowRoot.querySelector('.launcher').click();
                const chat = () => host.shadowRoot.querySelector('deep-chat')?.shadowRoot;
                const greeted = () => chat()?.querySelector('.acts-message');
                while (!greeted()) await new Promise(requestAnimationFrame);
                return {launcherReady, greeting: performance.now(), beforeOpen};
            }"""
            )
            resources = page.evaluate(
                "performance.getEntriesByType('resource').map(e => ({name: e.name, transfer: e.transferSize, "
                "decoded: e.decodedBodySize}))"
            )
            document = page.evaluate("performance.getEntriesByType('navigation')[0].transferSize")
        finally:
            context.close()
        widget_files = [r for r in resources if "/static/" in r["name"] and "site.css" not in r["name"]]
        on_load = [r for r in widget_files if r["name"] in timing["beforeOpen"]]
        with_page, total = sum(r["transfer"] for r in on_load), sum(r["transfer"] for r in widget_files)
        deep_chat = next(r for r in widget_files if r["name"].endswith("/static/deep-chat.js"))
        assert deep_chat["name"] not in timing["beforeOpen"]  # the chat component loads when the chat opens
        assert 0 < deep_chat["transfer"] < deep_chat["decoded"] / 2  # and travels compressed
        runs.append(
            {
                "page_html_bytes": document,
                "widget_bytes_with_the_page": with_page,
                "widget_bytes_when_opened": total - with_page,
                "widget_bytes_total": total,
                "widget_bytes_uncompressed": sum(r["decoded"] for r in widget_files),
                "ms_to_launcher": round(timing["launcherReady"]),
                "ms_to_greeting": round(timing["greeting"]),
            }
        )
    metrics = {key: statistics.median(run[key] for run in runs) for key in runs[0]}
    (RESULTS / "widget-metrics.json").write_text(json.dumps({"median_of_3": metrics, "runs": runs}, indent=2))
    print("\nwidget metrics (median of 3):", json.dumps(metrics))


# Last: it stops the bot server of this module's deployment.
def test_when_the_bot_server_is_down_the_learner_is_told_and_nothing_is_lost(tab, site):
    tab.goto(site.url)
    widget = Widget(tab).open()
    rasa = site.cluster.procs["rasa"]
    os.killpg(rasa.pid, signal.SIGTERM)
    rasa.wait(timeout=60)

    widget.input.fill("is there a fee?")
    widget.input.press("Enter")
    expect(tab.locator(".error-message")).to_contain_text("can't reach the assistant", timeout=ANSWER_TIMEOUT_MS)
    expect(widget.input).to_have_text("is there a fee?")  # the learner's words are back in the box
    tab.screenshot(path=SCREENSHOTS / "offline.png")

    restarted = Cluster([s for s in site.cluster.specs if s.name == "rasa"], site.log_dir, site.cluster.env)
    site.restarted.append(restarted)
    restarted.start()
    answer = widget.answer_to(lambda: widget.input.press("Enter"))  # no reload
    assert "no cost" in answer
