"""dashboard: the estates' figures per kab/kota, capital status and estate status (issue 13)

Revision ID: 0022_dash2_estate_tally
Revises: 0022_scan2_scan_days
Create Date: 2026-11-30

- ``estate_tally``: the estates per (kab/kota, PMA/PMDN, estate status) with their area in square metres and their
  planned investment in rupiah (integers: additions stay exact on both engines), kept by every flush that adds,
  changes or deletes an estate or changes an investor's capital status (``estates.tally``), counted here from the
  estates. The dashboard reads a few dozen rows of it instead of joining every estate to its investor.
"""

import sqlalchemy as sa
from alembic import op

revision = "0022_dash2_estate_tally"
down_revision = "0022_scan2_scan_days"
branch_labels = None
depends_on = None

TALLY = """
INSERT INTO estate_tally (region_id, capital_status, status, estates, area_m2, investment_rp)
SELECT estate.region_id, investor.capital_status, estate.status, count(estate.id),
       CAST(coalesce(sum(round(estate.area_ha * 10000)), 0) AS BIGINT),
       CAST(coalesce(sum(estate.planned_investment_rp), 0) AS BIGINT)
FROM estate JOIN investor ON investor.id = estate.investor_id
GROUP BY estate.region_id, investor.capital_status, estate.status
"""


def upgrade():
    op.create_table(
        "estate_tally",
        sa.Column("region_id", sa.Integer(), nullable=False),
        sa.Column("capital_status", sa.String(length=8), nullable=False),
        sa.Column("status", sa.String(length=24), nullable=False),
        sa.Column("estates", sa.Integer(), server_default="0", nullable=False),
        sa.Column("area_m2", sa.BigInteger(), server_default="0", nullable=False),
        sa.Column("investment_rp", sa.BigInteger(), server_default="0", nullable=False),
        sa.ForeignKeyConstraint(
            ["region_id"], ["region.id"], name=op.f("fk_estate_tally_region_id_region"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("region_id", "capital_status", "status", name=op.f("pk_estate_tally")),
    )
    op.execute(TALLY)


def downgrade():
    op.drop_table("estate_tally")
