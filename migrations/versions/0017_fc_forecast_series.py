"""forecast cells by series, and totals for the page (issue 10, speed)

Revision ID: 0017_fc_series
Revises: 0017_api
Create Date: 2026-11-30

A refresh writes its rows by ``COPY``; the foreign keys from ``forecast_zone`` and ``forecast_cell`` to their
run are dropped (a foreign key checks every row written; the service deletes a run's rows with it), and so are
the zone rows' indexes on kab/kota and investor (the page reads ``forecast_total`` for those); the one on the run
becomes one on (run, kab/kota, estate name, id), the order the page lists zones and estates in.

A forecast cell belonged to one zone row (100,000 zones x 20 quarters x 2 phases = 4 million rows per refresh);
it now belongs to a run's series, which every zone row with the same sizes and dates shares
(``forecast_zone.series``). Stored runs and snapshots are kept: each zone row becomes its own series. The
downgrade gives each zone row its own copy of its series' cells.

``forecast_total``: a run's jobs summed by kab/kota, investor, zone kind and PMA/PMDN, per quarter and phase, which
the governor's page reads instead of summing the zones. Runs stored before have none: the next refresh writes them.
"""

import sqlalchemy as sa
from alembic import op

revision = "0017_fc_series"
down_revision = "0017_api"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("forecast_zone") as batch:
        batch.add_column(sa.Column("series", sa.Integer(), nullable=False, server_default="0"))
        batch.drop_constraint(batch.f("fk_forecast_zone_run_id_forecast_run"), type_="foreignkey")
        batch.drop_index(batch.f("ix_forecast_zone_investor_id"))
        batch.drop_index(batch.f("ix_forecast_zone_region_id"))
        batch.drop_index(batch.f("ix_forecast_zone_run_id"))
        batch.create_index("ix_forecast_zone_run_order", ["run_id", "kab_kota", "estate_name", "id"], unique=False)
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
        batch.create_index("ix_forecast_cell_run_id_series", ["run_id", "series"], unique=False)
    op.create_table(
        "forecast_total",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("run_id", sa.Integer(), nullable=False),
        sa.Column("region_id", sa.Integer(), nullable=False),
        sa.Column("kab_kota", sa.String(length=120), nullable=False),
        sa.Column("investor_id", sa.Integer(), nullable=False),
        sa.Column("investor_name", sa.String(length=200), nullable=False),
        sa.Column("zone_kind", sa.String(length=24), nullable=False),
        sa.Column("capital_status", sa.String(length=8), nullable=False),
        sa.Column("zones", sa.Integer(), nullable=False),
        sa.Column("quarter", sa.String(length=7), nullable=False),
        sa.Column("phase", sa.String(length=16), nullable=False),
        sa.Column("low", sa.BigInteger(), nullable=False),
        sa.Column("central", sa.BigInteger(), nullable=False),
        sa.Column("high", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(
            ["run_id"], ["forecast_run.id"], name=op.f("fk_forecast_total_run_id_forecast_run"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_forecast_total")),
    )
    op.create_index(op.f("ix_forecast_total_run_id"), "forecast_total", ["run_id"], unique=False)


def downgrade():
    op.drop_index(op.f("ix_forecast_total_run_id"), table_name="forecast_total")
    op.drop_table("forecast_total")
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
        "SELECT z.id, c.quarter, c.phase, c.low, c.central, c.high FROM forecast_cell c "
        "JOIN forecast_zone z ON z.run_id = c.run_id AND z.series = c.series"
    )
    op.drop_table(cell)
    op.rename_table("forecast_cell_old", cell)
    if op.get_bind().dialect.name == "postgresql":
        op.execute("ALTER TABLE forecast_cell RENAME CONSTRAINT pk_forecast_cell_old TO pk_forecast_cell")
    op.create_index(op.f("ix_forecast_cell_zone_row_id"), cell, ["zone_row_id"], unique=False)
    with op.batch_alter_table("forecast_zone") as batch:
        batch.drop_column("series")
        batch.create_index(batch.f("ix_forecast_zone_investor_id"), ["investor_id"], unique=False)
        batch.create_index(batch.f("ix_forecast_zone_region_id"), ["region_id"], unique=False)
        batch.drop_index("ix_forecast_zone_run_order")
        batch.create_index(batch.f("ix_forecast_zone_run_id"), ["run_id"], unique=False)
        batch.create_foreign_key(
            batch.f("fk_forecast_zone_run_id_forecast_run"), "forecast_run", ["run_id"], ["id"], ondelete="CASCADE"
        )
