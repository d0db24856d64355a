"""forecast: the inputs (priors, assumptions, skill shares), stored runs and snapshots, a zone's target operating date

Revision ID: 0014
Revises: 0013b
Create Date: 2026-11-30

The inputs come from migrations/data/forecast_inputs.csv (sources in each row and in migrations/data/README.md).
Only missing keys are inserted, so an administrator's edits survive a re-run. The forecast horizon is a setting.
"""

import csv
from pathlib import Path

import sqlalchemy as sa
from alembic import op

import app.database

revision = "0014"
down_revision = "0013b"
branch_labels = None
depends_on = None

DATA = Path(__file__).resolve().parent.parent / "data"
HORIZON = {
    "key": "forecast.horizon_years",
    "value": "5",
    "description": "Years ahead the job forecast covers (quarter by quarter).",
    "source": "Issue 10: the next 5 years; office practice, not a legal figure",
    "confirmed": True,
}


def _numeric() -> sa.Numeric:
    return sa.Numeric(precision=14, scale=4)


def upgrade():
    with op.batch_alter_table("zone") as batch:
        batch.add_column(sa.Column("target_operating_on", sa.Date(), nullable=True))
    inputs = op.create_table(
        "forecast_input",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=80), nullable=False),
        sa.Column("group", sa.String(length=40), nullable=False),
        sa.Column("zone_kind", sa.String(length=24), nullable=True),
        sa.Column("phase", sa.String(length=16), nullable=True),
        sa.Column("skill", sa.String(length=24), nullable=True),
        sa.Column("kbli_section", sa.String(length=1), nullable=True),
        sa.Column("year", sa.Integer(), nullable=True),
        sa.Column("low", _numeric(), nullable=True),
        sa.Column("value", _numeric(), nullable=True),
        sa.Column("high", _numeric(), nullable=True),
        sa.Column("unit", sa.String(length=200), nullable=False),
        sa.Column("source", sa.Text(), nullable=False),
        sa.Column("source_kind", sa.String(length=16), nullable=False),
        sa.Column("source_year", sa.Integer(), nullable=True),
        sa.Column("updated_at", app.database.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_by", sa.String(length=120), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_forecast_input")),
        sa.UniqueConstraint("key", name=op.f("uq_forecast_input_key")),
    )
    op.create_index(op.f("ix_forecast_input_group"), "forecast_input", ["group"], unique=False)
    op.create_table(
        "forecast_run",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("computed_at", app.database.UTCDateTime(timezone=True), nullable=False),
        sa.Column("as_of", sa.Date(), nullable=False),
        sa.Column("horizon_quarters", sa.Integer(), nullable=False),
        sa.Column("inputs", sa.JSON(), nullable=False),
        sa.Column("is_snapshot", sa.Boolean(), nullable=False),
        sa.Column("label", sa.String(length=200), nullable=True),
        sa.Column("created_by", sa.String(length=120), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_forecast_run")),
    )
    op.create_index("ix_forecast_run_snapshot_as_of", "forecast_run", ["is_snapshot", "as_of"], unique=False)
    op.create_table(
        "forecast_held",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("run_id", sa.Integer(), nullable=False),
        sa.Column("permit_id", sa.Integer(), nullable=False),
        sa.Column("permit_type", sa.String(length=16), nullable=False),
        sa.Column("agency_id", sa.Integer(), nullable=True),
        sa.Column("agency_name", sa.String(length=255), nullable=False),
        sa.Column("estate_id", sa.Integer(), nullable=False),
        sa.Column("estate_name", sa.String(length=200), nullable=False),
        sa.Column("region_id", sa.Integer(), nullable=False),
        sa.Column("investor_id", sa.Integer(), nullable=False),
        sa.Column("job_quarters", sa.Integer(), nullable=False),
        sa.Column("investment_rp", sa.Numeric(precision=20, scale=0), nullable=True),
        sa.ForeignKeyConstraint(
            ["run_id"], ["forecast_run.id"], name=op.f("fk_forecast_held_run_id_forecast_run"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_forecast_held")),
    )
    op.create_index(op.f("ix_forecast_held_run_id"), "forecast_held", ["run_id"], unique=False)
    op.create_table(
        "forecast_zone",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("run_id", sa.Integer(), nullable=False),
        sa.Column("zone_id", sa.Integer(), nullable=True),
        sa.Column("zone_kind", sa.String(length=24), nullable=False),
        sa.Column("zone_name", sa.String(length=120), nullable=True),
        sa.Column("area_ha", sa.Numeric(precision=12, scale=4), nullable=True),
        sa.Column("estate_id", sa.Integer(), nullable=False),
        sa.Column("estate_name", sa.String(length=200), nullable=False),
        sa.Column("investor_id", sa.Integer(), nullable=False),
        sa.Column("investor_name", sa.String(length=200), nullable=False),
        sa.Column("capital_status", sa.String(length=8), nullable=False),
        sa.Column("region_id", sa.Integer(), nullable=False),
        sa.Column("kab_kota", sa.String(length=120), nullable=False),
        sa.Column("investment_rp", sa.Numeric(precision=20, scale=0), nullable=True),
        sa.Column("commitment_jobs", sa.Integer(), nullable=True),
        sa.Column("prior_jobs", sa.Integer(), nullable=True),
        sa.Column("claim_jobs", sa.String(length=80), nullable=True),
        sa.Column("basis", sa.String(length=16), nullable=False),
        sa.Column("clear_central", sa.Date(), nullable=True),
        sa.Column("operating_low", sa.Date(), nullable=True),
        sa.Column("operating_central", sa.Date(), nullable=True),
        sa.Column("operating_high", sa.Date(), nullable=True),
        sa.Column("waits_for", sa.String(length=16), nullable=True),
        sa.Column("notes", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(
            ["run_id"], ["forecast_run.id"], name=op.f("fk_forecast_zone_run_id_forecast_run"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_forecast_zone")),
    )
    for column in ("estate_id", "investor_id", "region_id", "run_id"):
        op.create_index(op.f(f"ix_forecast_zone_{column}"), "forecast_zone", [column], unique=False)
    op.create_table(
        "forecast_cell",
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
        sa.PrimaryKeyConstraint("id", name=op.f("pk_forecast_cell")),
    )
    op.create_index(op.f("ix_forecast_cell_zone_row_id"), "forecast_cell", ["zone_row_id"], unique=False)
    _load_inputs(inputs)


def _load_inputs(inputs: sa.Table) -> None:
    conn = op.get_bind()
    have = {row[0] for row in conn.execute(sa.select(inputs.c.key))}
    rows = []
    with (DATA / "forecast_inputs.csv").open(newline="", encoding="utf-8") as f:
        for r in csv.DictReader(f):
            if r["key"] in have:
                continue
            rows.append(
                {
                    "key": r["key"],
                    "group": r["group"],
                    "zone_kind": r["zone_kind"] or None,
                    "phase": r["phase"] or None,
                    "skill": r["skill"] or None,
                    "kbli_section": r["kbli_section"] or None,
                    "year": int(r["year"]) if r["year"] else None,
                    "low": r["low"] or None,
                    "value": r["value"] or None,
                    "high": r["high"] or None,
                    "unit": r["unit"],
                    "source": r["source"],
                    "source_kind": r["source_kind"],
                    "source_year": int(r["source_year"]) if r["source_year"] else None,
                    "updated_at": app.database.utcnow(),
                    "updated_by": "migration 0014 (forecast_inputs.csv)",
                }
            )
    if rows:
        op.bulk_insert(inputs, rows)
    setting = sa.table(
        "setting",
        sa.column("key", sa.String),
        sa.column("value", sa.String),
        sa.column("description", sa.Text),
        sa.column("source", sa.Text),
        sa.column("confirmed", sa.Boolean),
    )
    if conn.execute(sa.select(setting.c.key).where(setting.c.key == HORIZON["key"])).first() is None:
        op.bulk_insert(setting, [HORIZON])


def downgrade():
    op.execute(sa.text("DELETE FROM setting WHERE key = 'forecast.horizon_years'"))
    op.drop_table("forecast_cell")
    op.drop_table("forecast_zone")
    op.drop_table("forecast_held")
    op.drop_table("forecast_run")
    op.drop_table("forecast_input")
    with op.batch_alter_table("zone") as batch:
        batch.drop_column("target_operating_on")
