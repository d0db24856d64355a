"""forecast totals by kab/kota without the investor (issues 10 and 13)

Revision ID: 0019_fctot_region_total
Revises: 0018_plist_list_orders
Create Date: 2026-11-30

``forecast_total``'s grain has the investor: a province of 10,000 investors makes millions of rows a run, and every
read not about one investor (the governor's page, the dashboards' card, the layoffs beside the jobs) summed them
all. ``forecast_region_total`` is the same sums without the investor (a few thousand rows a run); the reads about
one investor take ``forecast_total`` through a new index on (run, investor). Stored runs and snapshots get their
region totals here, grouped from their ``forecast_total`` rows.
"""

import sqlalchemy as sa
from alembic import op

revision = "0019_fctot_region_total"
down_revision = "0018_plist_list_orders"
branch_labels = None
depends_on = None

GROUP = "run_id, region_id, kab_kota, zone_kind, capital_status, quarter, phase"


def upgrade():
    op.create_table(
        "forecast_region_total",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("run_id", sa.Integer(), nullable=False),
        sa.Column("region_id", sa.Integer(), nullable=False),
        sa.Column("kab_kota", sa.String(length=120), nullable=False),
        sa.Column("zone_kind", sa.String(length=24), nullable=False),
        sa.Column("capital_status", sa.String(length=8), nullable=False),
        sa.Column("zones", sa.Integer(), nullable=False),
        sa.Column("quarter", sa.String(length=7), nullable=False),
        sa.Column("phase", sa.String(length=16), nullable=False),
        sa.Column("low", sa.BigInteger(), nullable=False),
        sa.Column("central", sa.BigInteger(), nullable=False),
        sa.Column("high", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(
            ["run_id"], ["forecast_run.id"], name=op.f("fk_forecast_region_total_run_id_forecast_run"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_forecast_region_total")),
    )
    op.create_index(op.f("ix_forecast_region_total_run_id"), "forecast_region_total", ["run_id"], unique=False)
    op.execute(
        f"INSERT INTO forecast_region_total ({GROUP}, zones, low, central, high) "  # noqa: S608 - fixed names
        f"SELECT {GROUP}, SUM(zones), SUM(low), SUM(central), SUM(high) FROM forecast_total GROUP BY {GROUP}"
    )
    op.create_index("ix_forecast_total_run_investor", "forecast_total", ["run_id", "investor_id"], unique=False)


def downgrade():
    op.drop_index("ix_forecast_total_run_investor", table_name="forecast_total")
    op.drop_index(op.f("ix_forecast_region_total_run_id"), table_name="forecast_region_total")
    op.drop_table("forecast_region_total")
