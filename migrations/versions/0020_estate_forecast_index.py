"""an estate's forecast read through an index (issue 13)

Revision ID: 0020_estate_forecast_index
Revises: 0019_scan_flag_updates
Create Date: 2026-11-30

``ix_forecast_zone_estate_run`` on ``forecast_zone (estate_id, run_id)``: the estate page and the investor's portal
read one estate's zones of the current run; without it both engines read every zone of the run (100,000 at a
province's size), and SQLite then every cell of the run: the estate page took 200 ms on SQLite at the reference
size, 17 ms with the index (bench/README.md). The estate comes first so that a read of a whole run never takes
this index for ``run_id = ?`` alone (SQLite did, then sorted the run's zones instead of reading them in the order
of ``ix_forecast_zone_run_order``).
"""

from alembic import op

revision = "0020_estate_forecast_index"
down_revision = "0019_scan_flag_updates"
branch_labels = None
depends_on = None


def upgrade():
    op.create_index("ix_forecast_zone_estate_run", "forecast_zone", ["estate_id", "run_id"])


def downgrade():
    op.drop_index("ix_forecast_zone_estate_run", table_name="forecast_zone")
