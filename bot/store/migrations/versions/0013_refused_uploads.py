"""How many uploads the checks refused for a draft: after two, the assistant offers a person (bot/handoff).

Revision ID: 0013
Revises: 0012
"""

import sqlalchemy as sa
from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("applications") as table:
        table.add_column(sa.Column("refused_uploads", sa.Integer(), nullable=False, server_default="0"))


def downgrade() -> None:
    with op.batch_alter_table("applications") as table:
        table.drop_column("refused_uploads")
