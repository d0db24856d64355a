"""the register's version: one row changed with every committed write, for the pages' cached parts (issue 13)

Revision ID: 0027_tput2_data_version
Revises: 0026_scan3_flags_off_the_permit
Create Date: 2026-11-30

``data_version`` (``app.fragments``): one row (id 1) whose ``stamp`` and ``version`` change in the same transaction
as every write, so that a worker's cached figures are known stale by one read of its primary key.
"""

import sqlalchemy as sa
from alembic import op

revision = "0027_tput2_data_version"
down_revision = "0026_scan3_flags_off_the_permit"
branch_labels = None
depends_on = None


def upgrade():
    table = op.create_table(
        "data_version",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), server_default="0", nullable=False),
        sa.Column("stamp", sa.String(length=32), server_default="", nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_data_version")),
    )
    op.bulk_insert(table, [{"id": 1, "version": 0, "stamp": "initial"}])


def downgrade():
    op.drop_table("data_version")
