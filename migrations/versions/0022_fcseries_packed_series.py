"""A run's series stored packed, one row per series instead of one per cell (issues 10 and 13)

Revision ID: 0022_fcseries_packed_series
Revises: 0021_sqlite_answered_index
Create Date: 2026-11-30

A province's 100,000 zones fall in about 90,000 distinct series (their areas differ), each with 40 cells of three
figures: ``forecast_cell`` took 1.4 million rows a run, and writing them was most of a refresh (10 s at the
reference size). ``forecast_series`` holds a series in one row: the figures of every quarter and phase (low,
central, high) as little-endian 32-bit integers, quarter by quarter, construction then operation
(``forecast.packed``), and its central operation job-quarters. Every stored run (snapshots included) is carried
over, cell for cell; a cell that was not stored (no jobs in any case) becomes zeros, which is what it meant.

``ix_forecast_zone_estate_id`` goes: ``ix_forecast_zone_estate_run`` (0020) starts with the same column, and every
index is written for each of a refresh's 100,000 zone rows. ``ix_forecast_zone_run_order`` becomes (run, id): a
refresh now writes the zones in the order the pages list them (kab/kota, estate name), and the index on the names
took a third of the zones' ``COPY``. A run stored before lists its zones in the order it was written (by estate).
"""

import struct
from collections import defaultdict
from datetime import date

import sqlalchemy as sa
from alembic import op

revision = "0022_fcseries_packed_series"
down_revision = "0021_sqlite_answered_index"
branch_labels = None
depends_on = None

PHASES = ("construction", "operation")


def _quarters(as_of: date, n: int) -> list[str]:
    """The ``n`` quarters from the one holding ``as_of`` (``forecast.model.quarter_ends``, as of this revision)."""
    year, q, out = as_of.year, (as_of.month - 1) // 3, []
    for _ in range(n):
        out.append(f"{year}-Q{q + 1}")
        q += 1
        if q == 4:
            year, q = year + 1, 0
    return out


def _as_date(value) -> date:
    return value if isinstance(value, date) else date.fromisoformat(str(value)[:10])


def _runs(bind) -> list[tuple[int, list[tuple[str, str]]]]:
    runs = bind.execute(sa.text("SELECT id, as_of, horizon_quarters FROM forecast_run ORDER BY id")).all()
    return [(i, [(q, p) for q in _quarters(_as_date(day), n) for p in PHASES]) for i, day, n in runs]


def upgrade():
    op.create_table(
        "forecast_series",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("run_id", sa.Integer(), nullable=False),
        sa.Column("series", sa.Integer(), nullable=False),
        sa.Column("job_quarters", sa.BigInteger(), nullable=False),
        sa.Column("cells", sa.LargeBinary(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_forecast_series")),
        sa.UniqueConstraint("run_id", "series", name=op.f("uq_forecast_series_run_series")),
    )
    bind = op.get_bind()
    table = sa.table(
        "forecast_series",
        sa.column("run_id", sa.Integer),
        sa.column("series", sa.Integer),
        sa.column("job_quarters", sa.BigInteger),
        sa.column("cells", sa.LargeBinary),
    )
    for run_id, keys in _runs(bind):
        width = 3 * len(keys)
        figures: dict[int, list[int]] = defaultdict(lambda width=width: [0] * width)
        at = {key: 3 * i for i, key in enumerate(keys)}
        cells = bind.execute(
            sa.text("SELECT series, quarter, phase, low, central, high FROM forecast_cell WHERE run_id = :r"),
            {"r": run_id},
        )
        for series, quarter, phase, low, central, high in cells:
            i = at.get((quarter, phase))
            if i is not None:
                figures[series][i : i + 3] = [low, central, high]
        rows = [
            {
                "run_id": run_id,
                "series": series,
                "job_quarters": sum(values[3 * i + 1] for i, (_, phase) in enumerate(keys) if phase == "operation"),
                "cells": struct.pack(f"<{len(values)}i", *values),
            }
            for series, values in figures.items()
        ]
        for start in range(0, len(rows), 5000):
            bind.execute(sa.insert(table), rows[start : start + 5000])
    op.drop_index("ix_forecast_cell_run_id_series", table_name="forecast_cell")
    op.drop_table("forecast_cell")
    op.drop_index(op.f("ix_forecast_zone_estate_id"), table_name="forecast_zone")  # ix_forecast_zone_estate_run leads
    op.drop_index("ix_forecast_zone_run_order", table_name="forecast_zone")
    op.create_index("ix_forecast_zone_run_order", "forecast_zone", ["run_id", "id"], unique=False)


def downgrade():
    op.create_index(op.f("ix_forecast_zone_estate_id"), "forecast_zone", ["estate_id"], unique=False)
    op.drop_index("ix_forecast_zone_run_order", table_name="forecast_zone")
    op.create_index(
        "ix_forecast_zone_run_order", "forecast_zone", ["run_id", "kab_kota", "estate_name", "id"], unique=False
    )
    op.create_table(
        "forecast_cell",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("run_id", sa.Integer(), nullable=False),
        sa.Column("series", sa.Integer(), nullable=False),
        sa.Column("quarter", sa.String(length=7), nullable=False),
        sa.Column("phase", sa.String(length=16), nullable=False),
        sa.Column("low", sa.Integer(), nullable=False),
        sa.Column("central", sa.Integer(), nullable=False),
        sa.Column("high", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_forecast_cell")),
    )
    op.create_index("ix_forecast_cell_run_id_series", "forecast_cell", ["run_id", "series"])
    bind = op.get_bind()
    table = sa.table(
        "forecast_cell",
        *(sa.column(c, sa.Integer) for c in ("run_id", "series", "low", "central", "high")),
        sa.column("quarter", sa.String),
        sa.column("phase", sa.String),
    )
    for run_id, keys in _runs(bind):
        rows = []
        stored = bind.execute(sa.text("SELECT series, cells FROM forecast_series WHERE run_id = :r"), {"r": run_id})
        for series, cells in stored:
            values = struct.unpack(f"<{len(cells) // 4}i", bytes(cells))
            for i, (quarter, phase) in enumerate(keys):
                low, central, high = values[3 * i : 3 * i + 3]
                if low or central or high:  # a cell of no jobs was not stored
                    rows.append(dict(run_id=run_id, series=series, quarter=quarter, phase=phase, low=low,
                                     central=central, high=high))  # fmt: skip
        for start in range(0, len(rows), 5000):
            bind.execute(sa.insert(table), rows[start : start + 5000])
    op.drop_table("forecast_series")
