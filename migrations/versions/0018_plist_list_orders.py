"""plist: the permits list and the stalled list served in index order (issue 13)

Revision ID: 0018_plist_list_orders
Revises: 0017_scale_figures_and_search
Create Date: 2026-11-30

- ``permit.late_on``: the first day the permit is (or will be) late, the agency's overdue day while its clock
  runs, else the investor's; a generated column computed by the database from the permit's own columns (stored
  on PostgreSQL, virtual on SQLite), so that every writer (a move, the calendar's recomputation, an import, the
  synthetic loader's COPY) keeps it without knowing it. Existing rows get it from the same expression.
- ``ix_permit_overdue_order`` (overdue_on, id), instead of ``ix_permit_overdue_on``: the permits list's default
  order (``overdue_on NULLS LAST, id``: PostgreSQL's ascending index order; SQLite reads the index twice, the
  days then the empty ones) and its running bands, read in index order, the first page a ``Limit`` over it.
- ``ix_permit_late_order`` (late_on, id): the stalled list's order of any other filter, the same way.
- ``permit.flagged``: whether the permit has an open stall flag, kept by the stall scan and by a move (which
  resolves the permit's flags) in the transaction that raises or resolves them; filled here from the flags.
  Partial indexes of the flagged permits ``ix_permit_flagged_late`` (late_on, id, estate_id) and
  ``ix_permit_flagged_agency`` (agency_id, late_on, id): the stalled list's first page and its count for the
  province, a kab/kota and an agency read only these.
"""

import sqlalchemy as sa
from alembic import op

revision = "0018_plist_list_orders"
down_revision = "0017_scale_figures_and_search"
branch_labels = None
depends_on = None

LATE_ON = (
    "CASE WHEN status IN ('submitted', 'declared_complete', 'under_review', 'feasibility_test', 'recommendation') "
    "AND running_since IS NOT NULL THEN overdue_on ELSE COALESCE(investor_overdue_on, investor_silent_on) END"
)


FLAGGED_INDEXES = {
    "ix_permit_flagged_late": ["late_on", "id", "estate_id"],
    "ix_permit_flagged_agency": ["agency_id", "late_on", "id"],
}


def upgrade():
    # A plain ADD COLUMN (not a batch): SQLite adds a virtual generated column in place, PostgreSQL computes and
    # stores it for every existing row.
    op.add_column("permit", sa.Column("late_on", sa.Date(), sa.Computed(LATE_ON), nullable=True))
    op.add_column("permit", sa.Column("flagged", sa.Boolean(), server_default=sa.false(), nullable=False))
    op.execute(
        "UPDATE permit SET flagged = EXISTS "
        "(SELECT 1 FROM stall_flag f WHERE f.permit_id = permit.id AND f.resolved_on IS NULL)"
    )
    op.drop_index("ix_permit_overdue_on", table_name="permit")
    op.create_index("ix_permit_overdue_order", "permit", ["overdue_on", "id"])
    op.create_index("ix_permit_late_order", "permit", ["late_on", "id"])
    for name, columns in FLAGGED_INDEXES.items():
        op.create_index(
            name, "permit", columns, sqlite_where=sa.text("flagged = 1"), postgresql_where=sa.text("flagged")
        )


def downgrade():
    for name in FLAGGED_INDEXES:
        op.drop_index(name, table_name="permit")
    op.drop_index("ix_permit_late_order", table_name="permit")
    op.drop_index("ix_permit_overdue_order", table_name="permit")
    op.create_index("ix_permit_overdue_on", "permit", ["overdue_on"])
    with op.batch_alter_table("permit") as batch:
        batch.drop_column("flagged")
        batch.drop_column("late_on")
