"""a run's series keyed by (run, series): one index less for a refresh to write (issues 10 and 13)

Revision ID: 0028_fcy_series_key
Revises: 0027_tput2_data_version
Create Date: 2026-11-30

``forecast_series`` had a surrogate ``id`` (its primary key, an index nothing reads) beside the unique (run, series)
every reader looks a series up by. A refresh of a province writes 80,000-90,000 series rows after its zones, while
nothing else runs: the ``id`` index was a third of that ``COPY`` on the server (0.12 of 0.36 s). (run, series)
becomes the primary key and ``id`` goes; the rows are kept as they are.
"""

import sqlalchemy as sa
from alembic import op

revision = "0028_fcy_series_key"
down_revision = "0027_tput2_data_version"
branch_labels = None
depends_on = None


COLUMNS = "run_id, series, job_quarters, cells"


def _columns() -> list[sa.Column]:
    return [
        sa.Column("run_id", sa.Integer(), nullable=False),
        sa.Column("series", sa.Integer(), nullable=False),
        sa.Column("job_quarters", sa.BigInteger(), nullable=False),
        sa.Column("cells", sa.LargeBinary(), nullable=False),
    ]


def _set_aside(*constraints: tuple[str, str]) -> None:
    """The table renamed out of the way, without its named constraints on PostgreSQL (whose index names the new
    table takes; SQLite's constraint names belong to their table)."""
    op.rename_table("forecast_series", "forecast_series_before")
    if op.get_bind().dialect.name == "postgresql":
        for name, kind in constraints:
            op.drop_constraint(name, "forecast_series_before", type_=kind)


def _carry_over() -> None:
    op.execute(
        f"INSERT INTO forecast_series ({COLUMNS}) SELECT {COLUMNS} FROM forecast_series_before ORDER BY run_id, series"  # noqa: S608
    )
    op.drop_table("forecast_series_before")


def upgrade():
    _set_aside(("uq_forecast_series_run_series", "unique"), ("pk_forecast_series", "primary"))
    op.create_table(
        "forecast_series", *_columns(), sa.PrimaryKeyConstraint("run_id", "series", name=op.f("pk_forecast_series"))
    )
    _carry_over()


def downgrade():
    _set_aside(("pk_forecast_series", "primary"))
    op.create_table(
        "forecast_series",
        sa.Column("id", sa.Integer(), nullable=False),
        *_columns(),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_forecast_series")),
        sa.UniqueConstraint("run_id", "series", name=op.f("uq_forecast_series_run_series")),
    )
    _carry_over()
