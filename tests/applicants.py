"""The applicant the store-level tests apply as, and a quick way to file an application."""

from __future__ import annotations

from datetime import date

from bot.store.applications import Details

JANE = Details(
    badge_id="team-science-fundamentals",
    training_id="tsf-training",
    completion_date=date(2024, 3, 1),
    full_name="Jane Doe",
    email="jane@uni.edu",
    organisation="Example University",
)
