"""Learners' 👍 / 👎 on answers, one row per answer (bot/insights).

Revision ID: 0011
Revises: 0010
"""

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "insight_feedback",
        sa.Column("key", sa.String(32), primary_key=True),
        sa.Column("conversation", sa.String(32), nullable=False, index=True),
        sa.Column("topic", sa.String(80), nullable=False),
        sa.Column("helpful", sa.Boolean(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False, index=True),
        sa.Column("question", sa.Text()),
        sa.Column("note", sa.Text()),
        sa.Column("note_until", sa.DateTime(timezone=True)),
        sa.Column("question_until", sa.DateTime(timezone=True)),
    )


def downgrade() -> None:
    op.drop_table("insight_feedback")
