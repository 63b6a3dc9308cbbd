"""The support team's working hours (bot/content/support.yml): what a learner is told to expect, and
when a request nobody has taken is reminded to the staff.

The typical delay counts working hours only: a request at 16:00 on a Friday, with 8 working hours,
is due at 15:00 on Monday."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, time, timedelta, timezone
from functools import lru_cache
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import yaml

CONTENT_FILE = Path(__file__).resolve().parents[1] / "content" / "support.yml"
DAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
log = logging.getLogger(__name__)


@dataclass(frozen=True)
class SupportHours:
    team: str
    zone: ZoneInfo | timezone
    zone_label: str
    days: frozenset[int]  # 0 = Monday
    opens: time
    closes: time
    typical_hours: float
    typical_label: str

    def is_open(self, at: datetime) -> bool:
        local = at.astimezone(self.zone)
        return local.weekday() in self.days and self.opens <= local.time() < self.closes

    def due(self, asked: datetime) -> datetime:
        """When an answer can be expected: `typical_hours` of working time after `asked`."""
        left = timedelta(hours=self.typical_hours)
        local = asked.astimezone(self.zone)
        for _ in range(400):  # days: more than a year of holidays-free weeks, never reached
            start = datetime.combine(local.date(), self.opens, self.zone)
            end = datetime.combine(local.date(), self.closes, self.zone)
            if local.weekday() in self.days and local < end:
                begin = max(local, start)
                if begin + left <= end:
                    return (begin + left).astimezone(timezone.utc)
                left -= end - begin
            local = datetime.combine(local.date() + timedelta(days=1), time(0), self.zone)
        raise ValueError("support.yml: no working day in a year")

    def expectation(self, asked: datetime) -> str:
        """What the learner is told: who answers, the hours, the typical delay and the expected time."""
        due = self.due(asked).astimezone(self.zone)
        ordered = sorted(self.days)
        if len(ordered) > 1 and ordered == list(range(ordered[0], ordered[-1] + 1)):
            span = f"{DAYS[ordered[0]]} to {DAYS[ordered[-1]]}"
        else:
            span = ", ".join(DAYS[day] for day in ordered)
        hours = f"{self.opens:%H:%M} to {self.closes:%H:%M} {self.zone_label}"
        return (
            f"{self.team[0].upper()}{self.team[1:]} answers {span}, {hours}, usually {self.typical_label}: "
            f"expect an answer by {due:%A} at {due:%H:%M} {self.zone_label}."
        )


@lru_cache(maxsize=4)
def support_hours(path: Path = CONTENT_FILE) -> SupportHours:
    raw = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
    try:
        zone: ZoneInfo | timezone = ZoneInfo(raw["timezone"])
        label = raw["timezone_label"]
    except ZoneInfoNotFoundError:  # a system without the time-zone database: UTC, said as such
        log.warning("support.yml: time zone %s not found on this system; using UTC", raw["timezone"])
        zone, label = timezone.utc, "UTC"
    return SupportHours(
        team=raw["team"],
        zone=zone,
        zone_label=label,
        days=frozenset(DAYS.index(day) for day in raw["days"]),
        opens=time.fromisoformat(raw["opens"]),
        closes=time.fromisoformat(raw["closes"]),
        typical_hours=float(raw["typical_hours"]),
        typical_label=raw["typical_label"],
    )
