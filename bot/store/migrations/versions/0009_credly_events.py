"""Credly webhook events, claimed by id before Credly is asked: a repeated delivery does nothing.

Revision ID: 0009
Revises: 0008
"""

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "credly_events",
        sa.Column("event_id", sa.String(64), primary_key=True),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False, index=True),
        sa.Column("handled_at", sa.DateTime(timezone=True)),
        sa.Column("result", sa.String(20)),
    )


def downgrade() -> None:
    op.drop_table("credly_events")
