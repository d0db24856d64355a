"""the forecast page's held-back permits read in their order from an index (issue 13)

Revision ID: 0025_fcp_held_lines_index
Revises: 0024_dash2_largest_estates
Create Date: 2026-11-30

``ix_forecast_held_run_lines`` on ``forecast_held (run_id, agency_id, permit_type, job_quarters DESC, id,
permit_id, estate_name)``: the forecast page lists, for each agency and permit type, the permits holding back
most (``reading.held_lines``, a row_number over that order). Without the index PostgreSQL sorted the run's 5,609
rows at the reference size (text keys, 5-10 ms); with it, an index-only scan in that order (1.2 ms; the plans are
in bench/README.md). The columns the query reads are in the key so that both engines can answer from the index.
"""

import sqlalchemy as sa
from alembic import op

revision = "0025_fcp_held_lines_index"
down_revision = "0024_dash2_largest_estates"
branch_labels = None
depends_on = None

COLUMNS = ["run_id", "agency_id", "permit_type", sa.text("job_quarters DESC"), "id", "permit_id", "estate_name"]


def upgrade():
    op.create_index("ix_forecast_held_run_lines", "forecast_held", COLUMNS)


def downgrade():
    op.drop_index("ix_forecast_held_run_lines", table_name="forecast_held")
