"""forecast cells by series: zones with the same sizes and dates share one stored series (issue 10, speed)

Revision ID: 0017_fc_series
Revises: 0016
Create Date: 2026-11-30

A forecast cell belonged to one zone row (100,000 zones x 20 quarters x 2 phases = 4 million rows per refresh);
it now belongs to a run's series, which every zone row with the same sizes and dates shares
(``forecast_zone.series``). Stored runs and snapshots are kept: each zone row becomes its own series. The
downgrade gives each zone row its own copy of its series' cells.
"""

import sqlalchemy as sa
from alembic import op

revision = "0017_fc_series"
down_revision = "0016"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("forecast_zone") as batch:
        batch.add_column(sa.Column("series", sa.Integer(), nullable=False, server_default="0"))
    with op.batch_alter_table("forecast_cell") as batch:
        batch.add_column(sa.Column("run_id", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("series", sa.Integer(), nullable=True))
    op.execute("UPDATE forecast_zone SET series = id")
    op.execute(
        "UPDATE forecast_cell SET series = zone_row_id, "
        "run_id = (SELECT z.run_id FROM forecast_zone z WHERE z.id = forecast_cell.zone_row_id)"
    )
    with op.batch_alter_table("forecast_cell") as batch:
        batch.drop_index(batch.f("ix_forecast_cell_zone_row_id"))
        batch.drop_constraint(batch.f("fk_forecast_cell_zone_row_id_forecast_zone"), type_="foreignkey")
        batch.drop_column("zone_row_id")
        batch.alter_column("run_id", existing_type=sa.Integer(), nullable=False)
        batch.alter_column("series", existing_type=sa.Integer(), nullable=False)
        batch.create_foreign_key(
            batch.f("fk_forecast_cell_run_id_forecast_run"), "forecast_run", ["run_id"], ["id"], ondelete="CASCADE"
        )
        batch.create_index("ix_forecast_cell_run_id_series", ["run_id", "series"], unique=False)


def downgrade():
    cell = "forecast_cell"
    op.create_table(
        "forecast_cell_old",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("zone_row_id", sa.Integer(), nullable=False),
        sa.Column("quarter", sa.String(length=7), nullable=False),
        sa.Column("phase", sa.String(length=16), nullable=False),
        sa.Column("low", sa.Integer(), nullable=False),
        sa.Column("central", sa.Integer(), nullable=False),
        sa.Column("high", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["zone_row_id"],
            ["forecast_zone.id"],
            name=op.f("fk_forecast_cell_zone_row_id_forecast_zone"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name="pk_forecast_cell_old"),
    )
    op.execute(
        "INSERT INTO forecast_cell_old (zone_row_id, quarter, phase, low, central, high) "
        f"SELECT z.id, c.quarter, c.phase, c.low, c.central, c.high FROM {cell} c "
        "JOIN forecast_zone z ON z.run_id = c.run_id AND z.series = c.series"
    )
    op.drop_table(cell)
    op.rename_table("forecast_cell_old", cell)
    if op.get_bind().dialect.name == "postgresql":
        op.execute("ALTER TABLE forecast_cell RENAME CONSTRAINT pk_forecast_cell_old TO pk_forecast_cell")
    op.create_index(op.f("ix_forecast_cell_zone_row_id"), cell, ["zone_row_id"], unique=False)
    with op.batch_alter_table("forecast_zone") as batch:
        batch.drop_column("series")
