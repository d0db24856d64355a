"""an estate's held-back permits read through an index (issue 13)

Revision ID: 0029_tpg_forecast_held_estate
Revises: 0028_fcy_series_key
Create Date: 2026-11-30

``ix_forecast_held_estate_run`` on ``forecast_held (estate_id, run_id)``: the estate page and the investor's portal
read one estate's held-back permits of the current run (``forecast.reading.estate_view``); without it both engines
read every held-back permit of the run (5,609 at the reference size: 0.46 ms of the page's one forecast statement,
bench/README.md). The estate comes first, as in ``ix_forecast_zone_estate_run``, so that a read of a whole run never
takes it.
"""

from alembic import op

revision = "0029_tpg_forecast_held_estate"
down_revision = "0028_fcy_series_key"
branch_labels = None
depends_on = None


def upgrade():
    op.create_index("ix_forecast_held_estate_run", "forecast_held", ["estate_id", "run_id"])


def downgrade():
    op.drop_index("ix_forecast_held_estate_run", table_name="forecast_held")
