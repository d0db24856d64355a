"""dashboard: "answers arrived" kept on the permit, partial indexes for the dashboard's counts (issue 13)

Revision ID: 0018_dash_dashboard_counts
Revises: 0017_scale_figures_and_search
Create Date: 2026-11-30

- ``permit.answered``: the permit's last move brought the file back from the investor (from returned, revision or
  process stopped) to a status where the agency holds it; written by ``permits.workflow`` with every event, filled
  here from the events already recorded (``permits.kept.refresh_answered`` does the same after a bulk load).
- ``ix_permit_event_answers`` (0017) is dropped: "answers arrived" no longer reads the events.
- ``ix_permit_answered``: a partial index of the answered permits by estate, so that the dashboard counts them
  (province-wide or per kab/kota) from the index alone instead of joining every answer event to its permit.
- ``ix_stall_flag_open_permit``: a partial index of the permits with an open flag (the dashboard's "flagged").
- ``ix_permit_running_bands``: a partial index of the permits whose agency clock runs, by overdue and at-risk day
  (and estate), so that the overdue and at-risk counts of the day read the index alone.
- ``permit_tally``: the permits per kab/kota and status (the dashboard's "permits by status"), kept by every flush
  that creates, moves or deletes a permit or moves an estate (``permits.tally``), counted here from the permits.
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
RUNNING = f"status IN {AGENCY} AND running_since IS NOT NULL"
PARTIAL = (
    ("ix_permit_answered", "permit", ["estate_id"], {"sqlite": "answered = 1", "postgresql": "answered IS true"}),
    ("ix_stall_flag_open_permit", "stall_flag", ["permit_id"], {"sqlite": OPEN, "postgresql": OPEN}),
    (
        "ix_permit_running_bands",
        "permit",
        ["overdue_on", "at_risk_on", "estate_id"],
        {"sqlite": RUNNING, "postgresql": RUNNING},
    ),
)


TALLY = """
INSERT INTO permit_tally (region_id, status, permits)
SELECT estate.region_id, permit.status, count(permit.id)
FROM permit JOIN estate ON estate.id = permit.estate_id
GROUP BY estate.region_id, permit.status
"""


def upgrade():
    with op.batch_alter_table("permit") as batch:
        batch.add_column(sa.Column("answered", sa.Boolean(), server_default=sa.false(), nullable=False))
    op.execute(BACKFILL)
    op.drop_index("ix_permit_event_answers", table_name="permit_event")
    for name, table, columns, where in PARTIAL:
        op.create_index(
            name, table, columns, sqlite_where=sa.text(where["sqlite"]), postgresql_where=sa.text(where["postgresql"])
        )
    op.create_table(
        "permit_tally",
        sa.Column("region_id", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=24), nullable=False),
        sa.Column("permits", sa.Integer(), server_default="0", nullable=False),
        sa.ForeignKeyConstraint(
            ["region_id"], ["region.id"], name=op.f("fk_permit_tally_region_id_region"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("region_id", "status", name=op.f("pk_permit_tally")),
    )
    op.execute(TALLY)


def downgrade():
    op.drop_table("permit_tally")
    for name, table, _column, _where in PARTIAL:
        op.drop_index(name, table_name=table)
    op.create_index(
        "ix_permit_event_answers",
        "permit_event",
        ["permit_id", "seq"],
        sqlite_where=sa.text(f"from_status IN {REVISING}"),
        postgresql_where=sa.text(f"from_status IN {REVISING}"),
    )
    with op.batch_alter_table("permit") as batch:
        batch.drop_column("answered")
