"""One-time codes that prove an email address before anything is filed, shown or erased under it.

Revision ID: 0007
Revises: 0006
"""

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "email_codes",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("address_key", sa.String(64), nullable=False, index=True),
        sa.Column("conversation_key", sa.String(64), nullable=False, index=True),
        sa.Column("purpose", sa.String(20), nullable=False),
        sa.Column("code_hash", sa.String(96), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("failures", sa.Integer, nullable=False, server_default="0"),
        sa.Column("used_at", sa.DateTime(timezone=True)),
    )


def downgrade() -> None:
    op.drop_table("email_codes")
