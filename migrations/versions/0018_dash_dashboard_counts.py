"""dashboard: "answers arrived" kept on the permit, partial indexes for the dashboard's counts (issue 13)

Revision ID: 0018_dash_dashboard_counts
Revises: 0017_scale_figures_and_search
Create Date: 2026-11-30

- ``permit.answered``: the permit's last move brought the file back from the investor (from returned, revision or
  process stopped) to a status where the agency holds it; written by ``permits.workflow`` with every event, filled
  here from the events already recorded (``permits.kept.refresh_answered`` does the same after a bulk load).
- ``ix_permit_answered``: a partial index of the answered permits by estate, so that the dashboard counts them
  (province-wide or per kab/kota) from the index alone instead of joining every answer event to its permit.
- ``ix_stall_flag_open_permit``: a partial index of the permits with an open flag (the dashboard's "flagged").
"""

import sqlalchemy as sa
from alembic import op

revision = "0018_dash_dashboard_counts"
down_revision = "0017_scale_figures_and_search"
branch_labels = None
depends_on = None

AGENCY = "('submitted', 'declared_complete', 'under_review', 'feasibility_test', 'recommendation')"
REVISING = "('returned', 'revision', 'process_stopped')"
BACKFILL = f"""
UPDATE permit SET answered = true
WHERE status IN {AGENCY} AND EXISTS (
    SELECT 1 FROM permit_event e
    WHERE e.permit_id = permit.id AND e.seq = permit.last_event_seq AND e.from_status IN {REVISING}
)
"""
OPEN = "resolved_on IS NULL"
PARTIAL = (
    ("ix_permit_answered", "permit", "estate_id", {"sqlite": "answered = 1", "postgresql": "answered IS true"}),
    ("ix_stall_flag_open_permit", "stall_flag", "permit_id", {"sqlite": OPEN, "postgresql": OPEN}),
)


def upgrade():
    with op.batch_alter_table("permit") as batch:
        batch.add_column(sa.Column("answered", sa.Boolean(), server_default=sa.false(), nullable=False))
    op.execute(BACKFILL)
    for name, table, column, where in PARTIAL:
        op.create_index(
            name, table, [column], sqlite_where=sa.text(where["sqlite"]), postgresql_where=sa.text(where["postgresql"])
        )


def downgrade():
    for name, table, _column, _where in PARTIAL:
        op.drop_index(name, table_name=table)
    with op.batch_alter_table("permit") as batch:
        batch.drop_column("answered")
