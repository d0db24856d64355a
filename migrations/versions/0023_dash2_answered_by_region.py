"""dashboard: a kab/kota officer's counts from partial indexes by kab/kota (issue 13)

Revision ID: 0023_dash2_answered_by_region
Revises: 0022_dash2_estate_tally
Create Date: 2026-11-30

``ix_permit_answered`` (0018, 0021) indexed the answered permits by estate, from when a kab/kota officer's counts
joined the estates; they now say ``permit.region_id = ?`` (the permit's copy of its kab/kota), and SQLite counted a
kab/kota's "answers arrived" by reading every permit of the kab/kota through ``ix_permit_region_order`` (6.8 ms at
a quarter of the reference size). By kab/kota, the count is a range of the partial index on both engines (the
province's: the whole index, as before). The conditions are unchanged (``answered IS 1`` on SQLite, 0021).

``ix_permit_running_region (region_id, overdue_on, at_risk_on) WHERE <the agency's clock runs>``: a kab/kota
officer's overdue and at-risk counts (SQLite read the kab/kota's permits through ``ix_permit_region_order`` and
each row for its status; PostgreSQL combined ``ix_permit_running_bands`` and ``ix_permit_status_type`` in a bitmap
and read the heap for the kab/kota, 9.8 ms at a quarter size under load).
"""

from alembic import op
from sqlalchemy import text

revision = "0023_dash2_answered_by_region"
down_revision = "0022_dash2_estate_tally"
branch_labels = None
depends_on = None

WHERE = {"sqlite": "answered IS 1", "postgresql": "answered IS true"}
RUNNING = (
    "status IN ('submitted', 'declared_complete', 'under_review', 'feasibility_test', 'recommendation') "
    "AND running_since IS NOT NULL"
)


def _recreate(column: str) -> None:
    op.drop_index("ix_permit_answered", table_name="permit")
    op.create_index(
        "ix_permit_answered",
        "permit",
        [column],
        sqlite_where=text(WHERE["sqlite"]),
        postgresql_where=text(WHERE["postgresql"]),
    )


def upgrade():
    _recreate("region_id")
    op.create_index(
        "ix_permit_running_region",
        "permit",
        ["region_id", "overdue_on", "at_risk_on"],
        sqlite_where=text(RUNNING),
        postgresql_where=text(RUNNING),
    )


def downgrade():
    op.drop_index("ix_permit_running_region", table_name="permit")
    _recreate("estate_id")
