"""the stall scan confirms the open flags once per run, not on every flag (issue 13)

Revision ID: 0022_scan2_scan_days
Revises: 0022_fcseries_packed_series
Create Date: 2026-11-30

- ``stall_scan``: one row per day scanned. An open flag's last confirmation is the latest day scanned
  (``StallFlag.last_confirmed_on`` reads it), so the scan no longer rewrites ``last_confirmed_on`` on every open flag
  each morning (0.5 s of a next-day scan at 200,000 permits on PostgreSQL); the column keeps the day a flag was
  raised, and at its resolution the latest day scanned before. Flags written before keep their confirmations: with no
  day scanned yet, each reads its own column.
- ``stall_flag`` back to the default fill (PostgreSQL): ``fillfactor = 50`` (0019_scan_flag_updates) left room for that
  daily rewrite; the flags now change only when resolved (``resolved_on`` is indexed: never an in-place update), and
  half-empty pages doubled every read of the table. Pages keep their fill until the table is rewritten.

Downgrade writes the latest day scanned on the open flags first (what the earlier scan would have written).
"""

import sqlalchemy as sa
from alembic import op

import app.database

revision = "0022_scan2_scan_days"
down_revision = "0022_fcseries_packed_series"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "stall_scan",
        sa.Column("as_of", sa.Date(), nullable=False),
        sa.Column("scanned_at", app.database.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("as_of", name=op.f("pk_stall_scan")),
    )
    if op.get_bind().dialect.name == "postgresql":
        op.execute("ALTER TABLE stall_flag RESET (fillfactor)")


def downgrade():
    op.execute(
        "UPDATE stall_flag SET last_confirmed_on = (SELECT max(as_of) FROM stall_scan) "
        "WHERE resolved_on IS NULL AND (SELECT max(as_of) FROM stall_scan) > last_confirmed_on"
    )
    if op.get_bind().dialect.name == "postgresql":
        op.execute("ALTER TABLE stall_flag SET (fillfactor = 50)")
    op.drop_table("stall_scan")
