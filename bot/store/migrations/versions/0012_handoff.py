"""Handoff to a person: learners' requests and their messages (bot/handoff).

Revision ID: 0012
Revises: 0011
"""

import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "handoff_requests",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("reference", sa.String(16), nullable=False, unique=True),
        sa.Column("conversation_id", sa.String(255), nullable=False, index=True),
        sa.Column("channel", sa.String(20), nullable=False),
        sa.Column("status", sa.String(10), nullable=False, index=True),
        sa.Column("email", sa.String(320)),
        sa.Column("slack_user", sa.String(32)),
        sa.Column("application_reference", sa.String(20)),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("due_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("taken_by", sa.String(120)),
        sa.Column("taken_at", sa.DateTime(timezone=True)),
        sa.Column("reminded_at", sa.DateTime(timezone=True)),
        sa.Column("closed_by", sa.String(120)),
        sa.Column("closed_at", sa.DateTime(timezone=True)),
        sa.Column("keep_until", sa.DateTime(timezone=True)),
        sa.Column("staff_channel", sa.String(32)),
        sa.Column("staff_ts", sa.String(32)),
        sa.Column("page_token", sa.String(64), unique=True),
        sa.Column("page_seen_at", sa.DateTime(timezone=True)),
    )
    # At most one open (or taken) request per conversation, even when two messages ask at once.
    op.create_index(
        "one_open_handoff_per_conversation",
        "handoff_requests",
        ["conversation_id"],
        unique=True,
        sqlite_where=sa.text("status != 'closed'"),
        postgresql_where=sa.text("status != 'closed'"),
    )
    op.create_table(
        "handoff_messages",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column(
            "request_id",
            sa.Integer(),
            sa.ForeignKey("handoff_requests.id", ondelete="CASCADE"),
            nullable=False,
            index=True,
        ),
        sa.Column("sender", sa.String(10), nullable=False),
        sa.Column("author", sa.String(120)),
        sa.Column("text", sa.Text()),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("read_at", sa.DateTime(timezone=True)),
    )


def downgrade() -> None:
    op.drop_table("handoff_messages")
    op.drop_index("one_open_handoff_per_conversation", table_name="handoff_requests")
    op.drop_table("handoff_requests")
