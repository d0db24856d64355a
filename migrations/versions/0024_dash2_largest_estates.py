"""dashboard: the largest estates read from an index in the dashboard's order, on PostgreSQL (issue 13)

Revision ID: 0024_dash2_largest_estates
Revises: 0023_dash2_answered_by_region
Create Date: 2026-11-30

``ix_estate_largest (planned_investment_rp DESC NULLS LAST, area_ha DESC, name, id) INCLUDE (status, region_id)``:
the dashboard's two lists of the ten largest estates (in process; under a stop order) in the order they are shown,
so that each is a ``Limit`` over the index, the status and the kab/kota checked in it, instead of a top-N sort of
every estate (two sequential scans of 20,000 estates: 9 ms at the reference size under load). PostgreSQL only:
SQLite has no ``NULLS LAST`` in an index (its descending order puts NULLs last anyway, but its planner sorts 20,000
estates in about a millisecond); the models do not declare it (``migrations/env.py`` leaves it out of the
comparison, like the trigram indexes).
"""

from alembic import op

revision = "0024_dash2_largest_estates"
down_revision = "0023_dash2_answered_by_region"
branch_labels = None
depends_on = None


def upgrade():
    if op.get_bind().dialect.name == "postgresql":
        op.execute(
            "CREATE INDEX ix_estate_largest ON estate "
            "(planned_investment_rp DESC NULLS LAST, area_ha DESC, name, id) INCLUDE (status, region_id)"
        )


def downgrade():
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP INDEX ix_estate_largest")
