"""The applicant the tests apply as: as the store sees her (JANE), and as the form's slots hold her (FILLED_SLOTS)."""

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

# Every question of the application form answered, before the confirmation.
FILLED_SLOTS = {
    "badge_id": "team-science-fundamentals",
    "training_completed": True,
    "training_id": "tsf-training",
    "completion_date": "2024-03-01",
    "full_name": "Jane Doe",
    "email": "jane@uni.edu",
    "organisation": "Example University",
    "orcid": "skipped",
    "document": "cert.pdf (2 KB)",
    "confirmed": None,
}
