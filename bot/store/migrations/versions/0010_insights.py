"""Analytics for ACTS staff: conversations, learners' messages and application steps, keyed by a salted
hash of the conversation id (bot/insights).

Revision ID: 0010
Revises: 0009
"""

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "insight_conversations",
        sa.Column("conversation", sa.String(32), primary_key=True),
        sa.Column("channel", sa.String(20), nullable=False),
        sa.Column("first_at", sa.DateTime(timezone=True), nullable=False, index=True),
    )
    op.create_table(
        "insight_messages",
        sa.Column("key", sa.String(32), primary_key=True),
        sa.Column("conversation", sa.String(32), nullable=False, index=True),
        sa.Column("channel", sa.String(20), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False, index=True),
        sa.Column("intent", sa.String(80)),
        sa.Column("confidence", sa.Float()),
        sa.Column("outcome", sa.String(20), index=True),
        sa.Column("topic", sa.String(80)),
        sa.Column("question", sa.Text()),
        sa.Column("question_until", sa.DateTime(timezone=True)),
    )
    op.create_table(
        "insight_steps",
        sa.Column("key", sa.String(32), primary_key=True),
        sa.Column("conversation", sa.String(32), nullable=False, index=True),
        sa.Column("step", sa.String(20), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("insight_steps")
    op.drop_table("insight_messages")
    op.drop_table("insight_conversations")
