"""An application keeps the details it was submitted with; one open application per applicant and badge.

Name, organisation and ORCID iD move from the shared applicant row to each application, so a later
application cannot rewrite an earlier one (and approval issues the badge with what was submitted).
A partial unique index makes "one open application per email and badge" a rule of the database,
which two conversations submitting at the same moment cannot both pass.

Revision ID: 0003
Revises: 0002
"""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

OPEN = "status IN ('submitted', 'under_review', 'approved')"
DETAILS = ("full_name", "organisation", "orcid")


def upgrade() -> None:
    with op.batch_alter_table("applications") as batch:
        batch.add_column(sa.Column("full_name", sa.String(200)))
        batch.add_column(sa.Column("organisation", sa.String(200)))
        batch.add_column(sa.Column("orcid", sa.String(19)))
    for column in DETAILS:
        op.execute(
            f"UPDATE applications SET {column} = "
            f"(SELECT applicants.{column} FROM applicants WHERE applicants.id = applications.applicant_id) "
            "WHERE applicant_id IS NOT NULL"
        )
    with op.batch_alter_table("applicants") as batch:
        for column in DETAILS:
            batch.drop_column(column)
    op.create_index(
        "uq_open_application_per_applicant_badge",
        "applications",
        ["applicant_id", "badge_id"],
        unique=True,
        sqlite_where=sa.text(OPEN),
        postgresql_where=sa.text(OPEN),
    )


def downgrade() -> None:
    op.drop_index("uq_open_application_per_applicant_badge", table_name="applications")
    with op.batch_alter_table("applicants") as batch:
        batch.add_column(sa.Column("full_name", sa.String(200), nullable=False, server_default=""))
        batch.add_column(sa.Column("organisation", sa.String(200), nullable=False, server_default=""))
        batch.add_column(sa.Column("orcid", sa.String(19)))
    for column in DETAILS:
        op.execute(
            f"UPDATE applicants SET {column} = COALESCE((SELECT a.{column} FROM applications a "
            f"WHERE a.applicant_id = applicants.id AND a.{column} IS NOT NULL ORDER BY a.id DESC LIMIT 1), "
            f"applicants.{column})"
        )
    with op.batch_alter_table("applications") as batch:
        for column in DETAILS:
            batch.drop_column(column)
