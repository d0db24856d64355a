"""the stall scan's daily confirmation of every open flag, cheaper on PostgreSQL (issue 13)

Revision ID: 0019_scan_flag_updates
Revises: 0019_fctot_region_total
Create Date: 2026-11-30

- ``stall_flag`` with ``fillfactor = 50`` (PostgreSQL): each morning the scan rewrites ``last_confirmed_on`` on every
  open flag (60,000 at a province's size); with room left on the page, PostgreSQL updates the row in place (a HOT
  update, no new entry in any index, as no indexed column changes) instead of writing a new row version with an
  entry in each index. A next-day scan at the reference size took 2.2 s, then 1.1-1.2 s (bench/README.md). Pages
  written before keep their fill until the table is rewritten (``VACUUM FULL stall_flag``, optional).
- ``ix_stall_flag_permit_id`` dropped: the unique constraint ``(permit_id, kind, episode)`` serves the same lookups
  by its leading column, and one index fewer is one write fewer per raised flag.
"""

from alembic import op

revision = "0019_scan_flag_updates"
down_revision = "0019_fctot_region_total"
branch_labels = None
depends_on = None


def upgrade():
    if op.get_bind().dialect.name == "postgresql":
        op.execute("ALTER TABLE stall_flag SET (fillfactor = 50)")
    op.drop_index("ix_stall_flag_permit_id", table_name="stall_flag")


def downgrade():
    op.create_index("ix_stall_flag_permit_id", "stall_flag", ["permit_id"])
    if op.get_bind().dialect.name == "postgresql":
        op.execute("ALTER TABLE stall_flag RESET (fillfactor)")
