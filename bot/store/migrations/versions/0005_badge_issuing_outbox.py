"""The badge-issuing outbox: an approval and the badge it owes are written in one transaction, and
a worker issues the badge in Credly, retrying with backoff, however long Credly is away.

Approvals recorded before this revision whose badge was never issued (Credly was down, and nobody
ran the approval again) are put in the outbox, so they are issued too.

Revision ID: 0005
Revises: 0004
"""

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "badge_issuing",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("application_id", sa.Integer, sa.ForeignKey("applications.id"), nullable=False, unique=True),
        sa.Column("requested_by", sa.String(120), nullable=False),
        sa.Column("requested_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("attempts", sa.Integer, nullable=False, server_default="0"),
        sa.Column("next_attempt_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_attempt_at", sa.DateTime(timezone=True)),
        sa.Column("last_error", sa.String(80)),
        sa.Column("claimed_by", sa.String(32)),
        sa.Column("claimed_until", sa.DateTime(timezone=True)),
        sa.Column("issued_at", sa.DateTime(timezone=True)),
    )
    op.create_index("ix_badge_issuing_next_attempt_at", "badge_issuing", ["next_attempt_at"])
    op.execute(
        "INSERT INTO badge_issuing (application_id, requested_by, requested_at, attempts, next_attempt_at) "
        "SELECT id, 'system', updated_at, 0, updated_at FROM applications "
        "WHERE status = 'approved' AND credly_badge_id IS NULL"
    )


def downgrade() -> None:
    op.drop_index("ix_badge_issuing_next_attempt_at", table_name="badge_issuing")
    op.drop_table("badge_issuing")
