"""The report's HTML stands alone (no script, nothing fetched from elsewhere), shows the numbers it was
given, and shows learners' words only escaped; the text summary ends with nothing but numbers."""

from __future__ import annotations

import re
from datetime import date

from bot.insights.page import html, text
from bot.insights.report import Report


def a_report() -> Report:
    return Report(
        since=date(2026, 11, 1),
        until=date(2026, 11, 3),
        conversations={"rest": {date(2026, 11, 1): 3}, "slack": {date(2026, 11, 2): 2}},
        messages={"rest": {date(2026, 11, 1): 11}, "slack": {date(2026, 11, 2): 7}},
        topics=[("faq_fee", 4), ("faq_sharing", 1)],
        unanswered=[('<script>alert("x")</script> can I get CME credit?', 3)],
        rates={date(2026, 11, 1): (0.25, 0.1)},
        funnel=[("started", 2), ("eligible", 1)],
        funnel_hours=[("started -> eligible", 0.5)],
        stopped_at=[("started", 1), ("eligible", 1)],
        status_checks=2,
        feedback=[("faq_fee", 1, 3), ("faq_sharing", 2, 0)],
        unhelpful=[("<b>free</b> for students?", 2)],
        missing=[("<img src=x> the price in euros", 1)],
        handoffs={"requests": 2, "answered": 1, "closed": 1, "median hours to an answer": 3.5},
    )


def test_the_page_stands_alone_and_escapes_learners_words():
    page = html(a_report())
    assert "<script" not in page.lower()
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; can I get CME credit?" in page
    assert not re.search(r"""(src|href)\s*=\s*["']?(https?:)?//""", page)  # nothing loaded from elsewhere
    assert "&lt;b&gt;free&lt;/b&gt; for students?" in page and "&lt;img src=x&gt; the price in euros" in page
    assert "Handed over to a person" in page and ">3.5<" in page
    assert "@import" not in page and "url(" not in page
    assert page.count("<svg") == 6
    for shown in ("5 conversations, 18 messages", "2 status checks", "faq_fee", ">4<", "started -&gt; eligible"):
        assert shown in page


def test_an_empty_period_says_so_instead_of_drawing_nothing():
    page = html(Report(since=date(2026, 11, 1), until=date(2026, 11, 2)))
    assert "nothing in this period" in page and "0 conversations, 0 messages" in page


def test_the_text_summary():
    assert text(a_report()).splitlines() == [
        "2026-11-01 to 2026-11-03: 5 conversations, 18 messages, 2 status checks",
        "conversations by channel: rest 3, slack 2",
        "top FAQ topics: faq_fee 4, faq_sharing 1",
        "questions not answered: 3",
        "answers rated: 3 helpful, 3 not; least helpful: faq_fee 3",
        "handed over to a person: 2, 1 answered",
        "applications: started 2, eligible 1",
    ]
