"""scan3: the permits with an open flag in a narrow table, not a column of the permit (issue 13)

Revision ID: 0026_scan3_flags_off_the_permit
Revises: 0025_fcp_held_lines_index
Create Date: 2026-11-30

- ``permit.flagged`` goes, with its partial indexes ``ix_permit_flagged_late``, ``_region`` and ``_agency``: the
  stall scan rewrote every permit whose flags it raised or resolved (85,000 permits on a first scan at 200,000, a
  new version of a wide row and an entry in each of its 17 indexes, never a HOT update as ``flagged`` was in the
  indexes' predicate: 4-5 s of a 5 s scan).
- ``stalled_permit`` (permit_id, region_id, agency_id): one row per permit with an open flag, with its kab/kota
  and agency, filled here from the open flags; the stalled list's counts read it (the province's, a kab/kota's by
  ``region_id``, an agency's by ``agency_id``), its rows probe its primary key.
- ``ix_permit_late_order`` (late_on, id), ``ix_permit_region_late`` (region_id, late_on, id) and
  ``ix_permit_agency_late`` (agency_id, late_on, id): the stalled list's order in the province, a kab/kota and
  for an agency; its first page walks one of them keeping the permits with an open flag.

Downgrade puts the column back, filled from the open flags, with its indexes, and drops the table.
"""

import sqlalchemy as sa
from alembic import op

from app.database import analyze_tables

revision = "0026_scan3_flags_off_the_permit"
down_revision = "0025_fcp_held_lines_index"
branch_labels = None
depends_on = None

FLAGGED_INDEXES = {
    "ix_permit_flagged_late": ["late_on", "id"],
    "ix_permit_flagged_region": ["region_id", "late_on", "id"],
    "ix_permit_flagged_agency": ["agency_id", "late_on", "id"],
}
LATE_INDEXES = {
    "ix_permit_late_order": ["late_on", "id"],
    "ix_permit_region_late": ["region_id", "late_on", "id"],
    "ix_permit_agency_late": ["agency_id", "late_on", "id"],
}


def upgrade():
    op.create_table(
        "stalled_permit",
        sa.Column("permit_id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("region_id", sa.Integer(), nullable=True),
        sa.Column("agency_id", sa.Integer(), nullable=True),
        sa.PrimaryKeyConstraint("permit_id", name=op.f("pk_stalled_permit")),
    )
    op.create_index(op.f("ix_stalled_permit_region_id"), "stalled_permit", ["region_id"])
    op.create_index(op.f("ix_stalled_permit_agency_id"), "stalled_permit", ["agency_id"])
    op.execute(
        "INSERT INTO stalled_permit (permit_id, region_id, agency_id) SELECT p.id, p.region_id, p.agency_id "
        "FROM permit p WHERE EXISTS "
        "(SELECT 1 FROM stall_flag f WHERE f.permit_id = p.id AND f.resolved_on IS NULL)"
    )
    for name in FLAGGED_INDEXES:
        op.drop_index(name, table_name="permit")
    # A plain DROP COLUMN (not a batch, which would copy the table with its generated column): SQLite 3.35 and
    # later drop an unindexed column in place.
    op.drop_column("permit", "flagged")
    for name, columns in LATE_INDEXES.items():
        op.create_index(name, "permit", columns)
    analyze_tables(op.get_bind(), "permit", "stalled_permit")


def downgrade():
    for name in LATE_INDEXES:
        op.drop_index(name, table_name="permit")
    op.add_column("permit", sa.Column("flagged", sa.Boolean(), server_default=sa.false(), nullable=False))
    op.execute(
        "UPDATE permit SET flagged = EXISTS "
        "(SELECT 1 FROM stall_flag f WHERE f.permit_id = permit.id AND f.resolved_on IS NULL)"
    )
    for name, columns in FLAGGED_INDEXES.items():
        op.create_index(
            name, "permit", columns, sqlite_where=sa.text("flagged = 1"), postgresql_where=sa.text("flagged")
        )
    op.drop_index(op.f("ix_stalled_permit_agency_id"), table_name="stalled_permit")
    op.drop_index(op.f("ix_stalled_permit_region_id"), table_name="stalled_permit")
    op.drop_table("stalled_permit")
    analyze_tables(op.get_bind(), "permit")
