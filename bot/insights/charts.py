"""Charts as static SVG, drawn inside the report's HTML: no script, no font or file from elsewhere.

Two kinds are enough for the report: horizontal bars (topics, questions, the funnel) and lines over
days (conversations, messages, rates). Every label is escaped: the questions are learners' words.
"""

from __future__ import annotations

from datetime import date, timedelta
from html import escape

COLOURS = ("#1f6feb", "#d1242f", "#1a7f37", "#9a6700", "#8250df", "#57606a")
FONT = 'font-family="system-ui, sans-serif" font-size="12"'


def bars(rows: list[tuple[str, float]], title: str, unit: str = "", width: int = 640) -> str:
    """One bar per row, longest first as given, the value at its end."""
    if not rows:
        return f'<p class="empty">{escape(title)}: nothing in this period.</p>'
    label_width, bar_height, gap = 260, 18, 6
    height = len(rows) * (bar_height + gap) + 30
    biggest = max(value for _, value in rows) or 1
    scale = (width - label_width - 70) / biggest
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" role="img" {FONT}>']
    parts.append(f"<title>{escape(title)}</title>")
    for index, (label, value) in enumerate(rows):
        y = 20 + index * (bar_height + gap)
        shown = label if len(label) <= 42 else label[:41] + "…"
        parts.append(f'<text x="{label_width - 8}" y="{y + 13}" text-anchor="end">{escape(shown)}</text>')
        length = max(1.0, value * scale) if value else 0
        box = f'x="{label_width}" y="{y}" width="{length:.1f}" height="{bar_height}"'
        parts.append(f'<rect {box} fill="{COLOURS[0]}"/>')
        text = f"{value:g}{unit}"
        parts.append(f'<text x="{label_width + length + 6:.1f}" y="{y + 13}">{escape(text)}</text>')
    parts.append("</svg>")
    return "".join(parts)


def lines(series: dict[str, dict[date, float]], since: date, until: date, title: str, percent: bool = False) -> str:
    """One line per series over the days of the period (a day without a value counts 0)."""
    days = [since + timedelta(days=n) for n in range((until - since).days)]
    if not days or not series:
        return f'<p class="empty">{escape(title)}: nothing in this period.</p>'
    width, height, left, bottom, top = 640, 220, 40, 30, 20
    highest = max((value for values in series.values() for value in values.values()), default=0) or 1
    step = (width - left - 20) / max(1, len(days) - 1)

    def point(index: int, value: float) -> str:
        return f"{left + index * step:.1f},{height - bottom - value / highest * (height - bottom - top):.1f}"

    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" role="img" {FONT}>']
    parts.append(f"<title>{escape(title)}</title>")
    parts.append(f'<line x1="{left}" y1="{height - bottom}" x2="{width - 20}" y2="{height - bottom}" stroke="#888"/>')
    top_label = f"{highest:.0%}" if percent else f"{highest:g}"
    parts.append(f'<text x="{left - 6}" y="{top + 4}" text-anchor="end">{top_label}</text>')
    parts.append(f'<text x="{left - 6}" y="{height - bottom + 4}" text-anchor="end">0</text>')
    for index, anchor in ((0, "start"), (len(days) - 1, "end")):  # inside the picture at both ends
        x = left + index * step
        parts.append(f'<text x="{x:.1f}" y="{height - 10}" text-anchor="{anchor}">{days[index].isoformat()}</text>')
    for number, (name, values) in enumerate(series.items()):
        colour = COLOURS[number % len(COLOURS)]
        points = " ".join(point(index, values.get(day, 0)) for index, day in enumerate(days))
        parts.append(f'<polyline fill="none" stroke="{colour}" stroke-width="2" points="{points}"/>')
        parts.append(f'<text x="{width - 150}" y="{top + 14 * number}" fill="{colour}">{escape(name)}</text>')
    parts.append("</svg>")
    return "".join(parts)
