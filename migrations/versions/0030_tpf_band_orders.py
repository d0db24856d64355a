"""tpf: the permits list's bands read in their order from partial indexes (issue 13)

Revision ID: 0030_tpf_band_orders
Revises: 0029_tpg_forecast_held_estate
Create Date: 2026-11-30

- ``ix_permit_running_order`` (overdue_on, id, at_risk_on) of the permits whose agency clock runs: a page of the
  bands overdue, at risk and on track is a range of it in the list's order (``overdue_on, id``), the at-risk day
  read from the index. PostgreSQL estimated the band ``on_track`` at 1 row (1,660 of 200,000 at the reference
  size: the at-risk and overdue days are correlated) and so read every on-track permit of
  ``ix_permit_running_bands`` and sorted them; now a ``Limit`` over this index whatever the estimate.
- ``ix_permit_stopped_type`` (permit_type_id, id) of the permits whose clock is stopped (returned, revision,
  process stopped): the band "stopped" of one type in id order. PostgreSQL walked the primary key keeping the
  stopped permits of the type (15,000 rows read for a page of SLF at the reference size, 30-55 ms).
- ``ix_permit_region_type`` (region_id, permit_type_id): a kab/kota officer's list of one permit type counted
  from the index alone (PostgreSQL read the kab/kota's 39,000 permits, or the table in parallel: 25-58 ms).

The conditions are the models' (``permits.models.RUNNING_WHERE``, ``STOPPED_WHERE``), as literals.
"""

import sqlalchemy as sa
from alembic import op

from app.database import analyze_tables

revision = "0030_tpf_band_orders"
down_revision = "0029_tpg_forecast_held_estate"
branch_labels = None
depends_on = None

RUNNING_WHERE = (
    "status IN ('submitted', 'declared_complete', 'under_review', 'feasibility_test', 'recommendation') "
    "AND running_since IS NOT NULL"
)
STOPPED_WHERE = "status IN ('returned', 'revision', 'process_stopped')"
INDEXES = {
    "ix_permit_running_order": (["overdue_on", "id", "at_risk_on"], RUNNING_WHERE),
    "ix_permit_stopped_type": (["permit_type_id", "id"], STOPPED_WHERE),
}


def upgrade():
    for name, (columns, where) in INDEXES.items():
        op.create_index(name, "permit", columns, sqlite_where=sa.text(where), postgresql_where=sa.text(where))
    op.create_index("ix_permit_region_type", "permit", ["region_id", "permit_type_id"])
    analyze_tables(op.get_bind(), "permit")  # without statistics SQLite lists a kab/kota's permits from this index


def downgrade():
    op.drop_index("ix_permit_region_type", table_name="permit")
    for name in INDEXES:
        op.drop_index(name, table_name="permit")
    analyze_tables(op.get_bind(), "permit")
