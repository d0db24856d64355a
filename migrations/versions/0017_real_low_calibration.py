"""the low case's calibration: the setting forecast.low_calibration (off until an administrator adopts a ratio)

Revision ID: 0017_real_low_calibration
Revises: 0016
Create Date: 2026-11-30

The forecast page offers the observed ratio of the workers investors reported (LKPM) to the forecast of the snapshot
taken before each quarter as the calibration of the low case. Whether it is used is an administrator's decision:
this setting, "off" until then. Only a missing row is inserted.
"""

import sqlalchemy as sa
from alembic import op

revision = "0017_real_low_calibration"
down_revision = "0016"
branch_labels = None
depends_on = None

setting = sa.table(
    "setting", sa.column("key", sa.String), sa.column("value", sa.String), sa.column("description", sa.Text),
    sa.column("source", sa.Text), sa.column("confirmed", sa.Boolean),
)

SETTING = {
    "key": "forecast.low_calibration",
    "value": "off",
    "description": "The ratio of realised (LKPM) to forecast workers applied to the forecast's low case, or off.",
    "source": "Pantau: the forecast against the LKPM reports (Forecast > Forecast against realisation)",
    "confirmed": False,
}


def upgrade():
    conn = op.get_bind()
    if conn.execute(sa.select(setting.c.key).where(setting.c.key == SETTING["key"])).first() is None:
        op.bulk_insert(setting, [SETTING])


def downgrade():
    op.execute(setting.delete().where(setting.c.key == SETTING["key"]))
