"""forecast totals by kab/kota, without the investor (issues 10 and 13)

Revision ID: 0019_fctot_region_total
Revises: 0018_plist_list_orders
Create Date: 2026-11-30

``forecast_total``'s grain had the investor: a province of 10,000 investors made millions of rows a run (each
written by the refresh), and every read not about one investor (the governor's page, the dashboards' card, the
layoffs beside the jobs) summed them all. ``forecast_region_total`` holds the same sums without the investor (a few
thousand rows a run, whatever the size); a read about one investor sums its zones' series, found through a new
index on ``forecast_zone`` (run, investor). Stored runs and snapshots get their region totals here, grouped from
their ``forecast_total`` rows, which are then dropped. The downgrade brings back an empty ``forecast_total``: the
next refresh fills it for the current run (snapshots taken before show no totals until upgraded again).
"""

import sqlalchemy as sa
from alembic import op

revision = "0019_fctot_region_total"
down_revision = "0018_plist_list_orders"
branch_labels = None
depends_on = None

GROUP = "run_id, region_id, kab_kota, zone_kind, capital_status, quarter, phase"


def _totals(name: str, *investor: sa.Column) -> None:
    op.create_table(
        name,
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("run_id", sa.Integer(), nullable=False),
        sa.Column("region_id", sa.Integer(), nullable=False),
        sa.Column("kab_kota", sa.String(length=120), nullable=False),
        *investor,
        sa.Column("zone_kind", sa.String(length=24), nullable=False),
        sa.Column("capital_status", sa.String(length=8), nullable=False),
        sa.Column("zones", sa.Integer(), nullable=False),
        sa.Column("quarter", sa.String(length=7), nullable=False),
        sa.Column("phase", sa.String(length=16), nullable=False),
        sa.Column("low", sa.BigInteger(), nullable=False),
        sa.Column("central", sa.BigInteger(), nullable=False),
        sa.Column("high", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(["run_id"], ["forecast_run.id"], name=op.f(f"fk_{name}_run_id_forecast_run"), ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f(f"pk_{name}")),
    )
    op.create_index(op.f(f"ix_{name}_run_id"), name, ["run_id"], unique=False)


def upgrade():
    _totals("forecast_region_total")
    op.execute(
        f"INSERT INTO forecast_region_total ({GROUP}, zones, low, central, high) "  # noqa: S608 - fixed names
        f"SELECT {GROUP}, SUM(zones), SUM(low), SUM(central), SUM(high) FROM forecast_total GROUP BY {GROUP}"
    )
    op.drop_index(op.f("ix_forecast_total_run_id"), table_name="forecast_total")
    op.drop_table("forecast_total")
    op.create_index("ix_forecast_zone_run_investor", "forecast_zone", ["run_id", "investor_id"], unique=False)


def downgrade():
    op.drop_index("ix_forecast_zone_run_investor", table_name="forecast_zone")
    _totals(
        "forecast_total",
        sa.Column("investor_id", sa.Integer(), nullable=False),
        sa.Column("investor_name", sa.String(length=200), nullable=False),
    )
    op.drop_index(op.f("ix_forecast_region_total_run_id"), table_name="forecast_region_total")
    op.drop_table("forecast_region_total")
