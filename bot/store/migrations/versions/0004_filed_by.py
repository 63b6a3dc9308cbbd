"""Where an application was filed from ("slack:<user id>"), so the learner can be told of decisions
there and can ask about it there without a reference.

Revision ID: 0004
Revises: 0003
"""

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("applications") as batch:
        batch.add_column(sa.Column("filed_by", sa.String(120)))
        batch.create_index("ix_applications_filed_by", ["filed_by"])


def downgrade() -> None:
    with op.batch_alter_table("applications") as batch:
        batch.drop_index("ix_applications_filed_by")
        batch.drop_column("filed_by")
