"""plist: the permits list and the stalled list served in index order (issue 13)

Revision ID: 0018_plist_list_orders
Revises: 0018_dash_dashboard_counts
Create Date: 2026-11-30

- ``permit.late_on``: the first day the permit is (or will be) late, the agency's overdue day while its clock
  runs, else the investor's; a generated column computed by the database from the permit's own columns (stored
  on PostgreSQL, virtual on SQLite), so that every writer (a move, the calendar's recomputation, an import, the
  synthetic loader's COPY) keeps it without knowing it. Existing rows get it from the same expression.
- ``ix_permit_overdue_order`` (overdue_on, id, status, running_since, at_risk_on), instead of
  ``ix_permit_overdue_on``: the permits list's default order (``overdue_on NULLS LAST, id``: PostgreSQL's
  ascending index order; SQLite reads the index twice, the days then the empty ones) and its running bands,
  read in index order, the first page a ``Limit`` over it; the bands' conditions are in the index, so their
  counts read it alone (an index-only scan on PostgreSQL, a covering index on SQLite).
- ``permit.flagged``: whether the permit has an open stall flag, kept by the stall scan and by a move (which
  resolves the permit's flags) in the transaction that raises or resolves them; filled here from the flags.
  Partial indexes of the flagged permits ``ix_permit_flagged_late`` (late_on, id), ``ix_permit_flagged_region``
  (region_id, late_on, id) and ``ix_permit_flagged_agency`` (agency_id, late_on, id): the stalled list's first
  page (``late_on NULLS LAST, id``) and its count for the province, a kab/kota and an agency read only these.
- ``permit.region_id``: the estate's kab/kota, copied (``permits.regions``: on insert, and when an estate moves
  to another kab/kota), filled here from the estates; ``ix_permit_region_order`` (region_id, overdue_on, id) for
  a kab/kota officer's permits list and its count, ``ix_permit_agency_region`` for the agencies its permits
  name (the agency filter's choices).
"""

import sqlalchemy as sa
from alembic import op

revision = "0018_plist_list_orders"
down_revision = "0018_dash_dashboard_counts"
branch_labels = None
depends_on = None

LATE_ON = (
    "CASE WHEN status IN ('submitted', 'declared_complete', 'under_review', 'feasibility_test', 'recommendation') "
    "AND running_since IS NOT NULL THEN overdue_on ELSE COALESCE(investor_overdue_on, investor_silent_on) END"
)


FLAGGED_INDEXES = {
    "ix_permit_flagged_late": ["late_on", "id"],
    "ix_permit_flagged_region": ["region_id", "late_on", "id"],
    "ix_permit_flagged_agency": ["agency_id", "late_on", "id"],
}
INDEXES = {
    "ix_permit_overdue_order": ["overdue_on", "id", "status", "running_since", "at_risk_on"],
    "ix_permit_region_order": ["region_id", "overdue_on", "id"],
    "ix_permit_agency_region": ["agency_id", "region_id"],
}


def upgrade():
    # First, while the table has no generated column: SQLite adds the foreign key by copying the table.
    with op.batch_alter_table("permit") as batch:
        batch.add_column(sa.Column("region_id", sa.Integer(), nullable=True))
        batch.create_foreign_key(batch.f("fk_permit_region_id_region"), "region", ["region_id"], ["id"], ondelete="RESTRICT")
    op.execute("UPDATE permit SET region_id = (SELECT e.region_id FROM estate e WHERE e.id = permit.estate_id)")
    # A plain ADD COLUMN (not a batch): SQLite adds a virtual generated column in place, PostgreSQL computes and
    # stores it for every existing row.
    op.add_column("permit", sa.Column("late_on", sa.Date(), sa.Computed(LATE_ON), nullable=True))
    op.add_column("permit", sa.Column("flagged", sa.Boolean(), server_default=sa.false(), nullable=False))
    op.execute(
        "UPDATE permit SET flagged = EXISTS "
        "(SELECT 1 FROM stall_flag f WHERE f.permit_id = permit.id AND f.resolved_on IS NULL)"
    )
    op.drop_index("ix_permit_overdue_on", table_name="permit")
    for name, columns in INDEXES.items():
        op.create_index(name, "permit", columns)
    for name, columns in FLAGGED_INDEXES.items():
        op.create_index(
            name, "permit", columns, sqlite_where=sa.text("flagged = 1"), postgresql_where=sa.text("flagged")
        )


def downgrade():
    for name in FLAGGED_INDEXES:
        op.drop_index(name, table_name="permit")
    for name in INDEXES:
        op.drop_index(name, table_name="permit")
    op.create_index("ix_permit_overdue_on", "permit", ["overdue_on"])
    with op.batch_alter_table("permit") as batch:
        batch.drop_column("flagged")
        batch.drop_column("late_on")
    with op.batch_alter_table("permit") as batch:
        batch.drop_constraint(batch.f("fk_permit_region_id_region"), type_="foreignkey")
        batch.drop_column("region_id")
