"""The report as one self-contained HTML file (charts inside, bot/insights/charts.py) and as a short
text summary for the terminal."""

from __future__ import annotations

from html import escape

from bot.insights.charts import bars, lines
from bot.insights.report import Report

STYLE = """body{font-family:system-ui,sans-serif;max-width:720px;margin:2em auto;padding:0 1em;color:#1f2328}
h1{font-size:1.5em}h2{font-size:1.15em;margin-top:2em}table{border-collapse:collapse}
td,th{padding:2px 10px;border-bottom:1px solid #d0d7de;text-align:left}td.n{text-align:right}
.empty{color:#57606a}"""


def html(report: Report) -> str:
    period = f"{report.since.isoformat()} to {report.until.isoformat()} (the last day not included)"
    totals = {name: float(sum(days.values())) for name, days in report.conversations.items()}
    parts = [
        "<!doctype html>",
        '<html lang="en"><head><meta charset="utf-8">',
        "<title>ACTS badge assistant: what learners ask</title>",
        f"<style>{STYLE}</style></head><body>",
        "<h1>ACTS badge assistant: what learners ask</h1>",
        f"<p>{escape(period)}. {report.total_conversations} conversations, {report.total_messages} messages"
        f" from learners, {report.status_checks} status checks.</p>",
        "<h2>Conversations per day, by channel</h2>",
        lines(_as_floats(report.conversations), report.since, report.until, "Conversations per day"),
        bars(sorted(totals.items(), key=lambda item: -item[1]), "Conversations by channel"),
        "<h2>Learners' messages per day, by channel</h2>",
        lines(_as_floats(report.messages), report.since, report.until, "Messages per day"),
        "<h2>Questions answered, by FAQ topic</h2>",
        bars([(topic, float(count)) for topic, count in report.topics], "Questions per FAQ topic"),
        "<h2>Questions the assistant could not answer</h2>",
        "<p>Most asked first; the same question in other words counted together; personal data masked.</p>",
        _table(["Question", "Times"], [(question, count) for question, count in report.unanswered]),
        "<h2>Did the answers help?</h2>",
        "<p>Learners' votes under the answers (thumbs up or down), per FAQ topic, most "
        "&ldquo;not helpful&rdquo; first.</p>",
        _table(["FAQ topic", "Helpful", "Not helpful"], report.feedback),
        "<p>The questions whose answer did not help, grouped as above:</p>",
        _table(["Question", "Times"], report.unhelpful),
        "<p>What learners said was missing, grouped the same way:</p>",
        _table(["Missing", "Times"], report.missing),
        "<h2>Handed over to a person</h2>",
        _table(["", "Requests"], [(name, "—" if v is None else v) for name, v in report.handoffs.items()])
        if report.handoffs.get("requests")
        else '<p class="empty">None in this period.</p>',
        "<h2>Out of scope and unsure, per day</h2>",
        lines(_rates(report), report.since, report.until, "Share of messages", percent=True),
        "<h2>Applications</h2>",
        bars([(step, float(count)) for step, count in report.funnel], "Conversations that reached each step"),
        _table(["Between", "Median hours"], [(step, "—" if h is None else h) for step, h in report.funnel_hours]),
        "<p>Where applicants stopped (their last step):</p>",
        _table(["Last step", "Conversations"], report.stopped_at),
        "</body></html>",
    ]
    return "\n".join(parts) + "\n"


def text(report: Report) -> str:
    lines_ = [
        f"{report.since.isoformat()} to {report.until.isoformat()}: {report.total_conversations} conversations, "
        f"{report.total_messages} messages, {report.status_checks} status checks",
        "conversations by channel: "
        + (", ".join(f"{name} {sum(days.values())}" for name, days in report.conversations.items()) or "none"),
        "top FAQ topics: " + (", ".join(f"{topic} {count}" for topic, count in report.topics[:5]) or "none"),
        f"questions not answered: {sum(count for _, count in report.unanswered)}",
        "answers rated: " + _ratings(report),
        "handed over to a person: "
        + (
            f"{report.handoffs['requests']}, {report.handoffs['answered']} answered"
            if report.handoffs.get("requests")
            else "none"
        ),
        "applications: " + ", ".join(f"{step} {count}" for step, count in report.funnel),
    ]
    return "\n".join(lines_)


def _ratings(report: Report) -> str:
    if not report.feedback:
        return "none"
    helpful, unhelpful = (sum(row[index] for row in report.feedback) for index in (1, 2))
    least = ", ".join(f"{topic} {down}" for topic, _, down in report.feedback[:3] if down)
    return f"{helpful} helpful, {unhelpful} not" + (f"; least helpful: {least}" if least else "")


def _as_floats(series):
    return {name: {day: float(count) for day, count in days.items()} for name, days in series.items()}


def _rates(report: Report):
    return {
        "out of scope": {day: rates[0] for day, rates in report.rates.items()},
        "unsure": {day: rates[1] for day, rates in report.rates.items()},
    }


def _table(header: list[str], rows) -> str:
    if not rows:
        return '<p class="empty">None in this period.</p>'
    head = "".join(f"<th>{escape(name)}</th>" for name in header)
    body = "".join("<tr>" + "".join(_cell(value) for value in row) + "</tr>" for row in rows)
    return f"<table><tr>{head}</tr>{body}</table>"


def _cell(value) -> str:
    if isinstance(value, (int, float)):
        return f'<td class="n">{value:g}</td>'
    return f"<td>{escape(str(value))}</td>"
