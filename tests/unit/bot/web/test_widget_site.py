"""The demo page and the widget's settings, without a browser: page text from faq.yml, links,
Content-Security-Policy, the allowed origins and what launcher.servers passes to Rasa."""

from __future__ import annotations

import re
from html import unescape

import pytest

from bot.answers.faq import load_faq
from bot.settings import allowed_origins, origin_of
from bot.web.site import VENDORED, _asset_path, content_security_policy, demo_page, linked
from launcher.servers import Ports, services


def test_web_addresses_become_links_that_open_in_a_new_tab():
    html = linked("Tutorials are at support.credly.com. Or see https://www.actscts.org/badges?x=1.")
    link = '<a href="https://support.credly.com" target="_blank" rel="noopener noreferrer">support.credly.com</a>'
    assert f"at {link}. Or" in html
    assert '<a href="https://www.actscts.org/badges?x=1" ' in html and "</a>." in html


def test_email_addresses_and_html_stay_text():
    html = linked('Mail comes from admin@credly.com <img src=x onerror="alert(1)">')
    assert "<a" not in html and "<img" not in html
    assert unescape(html) == 'Mail comes from admin@credly.com <img src=x onerror="alert(1)">'


def test_the_demo_page_carries_every_faq_answer_and_the_widget_settings():
    faq = load_faq()
    page = demo_page(faq, "http://localhost:5005", "http://localhost:8080")
    text = " ".join(unescape(re.sub(r"<[^>]+>", "", page)).split())  # what the reader sees
    for topic in faq.topics.values():
        assert topic.title in text and topic.answer in text
    assert 'src="/static/acts-chat.js"' in page and 'type="module"' in page
    assert 'data-bot-url="http://localhost:5005"' in page and 'data-upload-url="http://localhost:8080"' in page


def test_the_policy_allows_own_scripts_and_the_configured_servers_only():
    policy = content_security_policy("https://bot.example.org/", "https://upload.example.org/x")
    directives = dict(d.split(" ", 1) for d in policy.split("; "))
    assert directives["default-src"] == "'none'"
    assert directives["script-src"] == "'self'" and directives["style-src"] == "'self'"
    assert directives["connect-src"] == "https://bot.example.org https://upload.example.org"
    assert directives["frame-ancestors"] == "'none'"


def test_allowed_origins_default_to_the_demo_page(monkeypatch):
    monkeypatch.delenv("ACTS_ALLOWED_ORIGINS", raising=False)
    monkeypatch.delenv("ACTS_PUBLIC_URL", raising=False)
    assert allowed_origins() == ["http://localhost:8080", "http://127.0.0.1:8080"]
    monkeypatch.setenv("ACTS_PUBLIC_URL", "https://badges.example.org/assistant/")
    assert allowed_origins() == ["https://badges.example.org"]


def test_allowed_origins_can_list_other_sites(monkeypatch):
    monkeypatch.setenv("ACTS_ALLOWED_ORIGINS", "https://www.actscts.org, https://www.ACTSCTS.org/education/ ,")
    assert allowed_origins("http://localhost:9999") == ["https://www.actscts.org"]
    assert origin_of("HTTPS://Example.org:8443/a/b?c") == "https://example.org:8443"


def test_rasa_is_started_with_the_allowed_origins_not_a_wildcard(monkeypatch, tmp_path):
    monkeypatch.delenv("ACTS_ALLOWED_ORIGINS", raising=False)
    [rasa] = [s for s in services(Ports(web=8123), tmp_path / "m.tar.gz", tmp_path / "e.yml") if s.name == "rasa"]
    cors = rasa.argv[rasa.argv.index("--cors") + 1 :]
    assert cors == ["http://localhost:8123", "http://127.0.0.1:8123"]


@pytest.mark.parametrize("name", ["../app.py", "..%2Fapp.py", "pages.py", "site.css/x", "missing.js"])
def test_only_the_widget_files_are_served(name):
    assert _asset_path(name) is None


def test_the_widget_files_and_the_chat_component_are_found():
    assert _asset_path("acts-chat.js").is_file() and _asset_path("acts-chat.css").is_file()
    assert _asset_path("deep-chat.js") == VENDORED["deep-chat.js"]
    assert VENDORED["deep-chat.js"].is_file(), "node_modules is missing: run `make install` (npm ci)"
