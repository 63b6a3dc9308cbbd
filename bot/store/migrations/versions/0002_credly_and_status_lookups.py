"""Issued Credly badge and claim state on applications; failed status look-ups.

Revision ID: 0002
Revises: 0001
"""

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("applications") as batch:
        batch.add_column(sa.Column("credly_badge_id", sa.String(64)))
        batch.add_column(sa.Column("credly_state", sa.String(20)))
        batch.add_column(sa.Column("credly_checked_at", sa.DateTime(timezone=True)))
        batch.create_unique_constraint("uq_applications_credly_badge_id", ["credly_badge_id"])
    op.create_table(
        "status_lookups",
        sa.Column("key", sa.String(64), primary_key=True),
        sa.Column("failures", sa.Integer, nullable=False),
        sa.Column("window_started_at", sa.DateTime(timezone=True), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("status_lookups")
    with op.batch_alter_table("applications") as batch:
        batch.drop_constraint("uq_applications_credly_badge_id", type_="unique")
        batch.drop_column("credly_checked_at")
        batch.drop_column("credly_state")
        batch.drop_column("credly_badge_id")
