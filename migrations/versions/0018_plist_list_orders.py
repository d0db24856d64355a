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
- ``ix_permit_late_order`` (late_on, id): the stalled list's default order, the same way.
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


def upgrade():
    # A plain ADD COLUMN (not a batch): SQLite adds a virtual generated column in place, PostgreSQL computes and
    # stores it for every existing row.
    op.add_column("permit", sa.Column("late_on", sa.Date(), sa.Computed(LATE_ON), nullable=True))
    op.drop_index("ix_permit_overdue_on", table_name="permit")
    op.create_index("ix_permit_overdue_order", "permit", ["overdue_on", "id"])
    op.create_index("ix_permit_late_order", "permit", ["late_on", "id"])


def downgrade():
    op.drop_index("ix_permit_late_order", table_name="permit")
    op.drop_index("ix_permit_overdue_order", table_name="permit")
    op.create_index("ix_permit_overdue_on", "permit", ["overdue_on"])
    with op.batch_alter_table("permit") as batch:
        batch.drop_column("late_on")
