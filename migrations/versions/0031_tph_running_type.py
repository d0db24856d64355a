"""tph: the bands of one permit type counted from a partial index (issue 13)

Revision ID: 0031_tph_running_type
Revises: 0030_tpf_band_orders
Create Date: 2026-11-30

``ix_permit_running_type`` (permit_type_id, overdue_on, at_risk_on) of the permits whose agency clock runs: the
count of the permits list's band overdue, at risk or on track filtered by one permit type is a range of it, read
from the index alone, and a page of the at-risk or on-track band of one type a range of it as well. SQLite read
the 42,000 overdue permits of ``ix_permit_running_bands`` and the table for their type (82-300 ms for the count of
``band=overdue&type=NIB`` at the reference size: the first request of each such filter after a write; 0.3-1.6
ms with the index), PostgreSQL ANDed two bitmaps of 5,700 and 42,000 entries (10 ms).

The condition is the models' (``permits.models.RUNNING_WHERE``), as literals.
"""

import sqlalchemy as sa
from alembic import op

from app.database import analyze_tables

revision = "0031_tph_running_type"
down_revision = "0030_tpf_band_orders"
branch_labels = None
depends_on = None

RUNNING_WHERE = (
    "status IN ('submitted', 'declared_complete', 'under_review', 'feasibility_test', 'recommendation') "
    "AND running_since IS NOT NULL"
)
COLUMNS = ["permit_type_id", "overdue_on", "at_risk_on"]


def upgrade():
    where = sa.text(RUNNING_WHERE)
    op.create_index("ix_permit_running_type", "permit", COLUMNS, sqlite_where=where, postgresql_where=where)
    analyze_tables(op.get_bind(), "permit")


def downgrade():
    op.drop_index("ix_permit_running_type", table_name="permit")
    analyze_tables(op.get_bind(), "permit")
