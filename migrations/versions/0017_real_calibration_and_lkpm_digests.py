"""the low case's calibration (the setting forecast.low_calibration) and the missing-report flags in the digests

Revision ID: 0017_real_lkpm_digests
Revises: 0016
Create Date: 2026-11-30

The forecast page offers the observed ratio of the workers investors reported (LKPM) to the forecast of the snapshot
taken before each quarter as the calibration of the low case. Whether it is used is an administrator's decision:
this setting, "off" until then. Only a missing row is inserted.

The missing-report flags are told in the daily digests like the stall flags, once per flag and recipient:
lkpm_flag_item records which digest told which flag to whom.
"""

import sqlalchemy as sa
from alembic import op

revision = "0017_real_lkpm_digests"
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
    op.create_table(
        "lkpm_flag_item",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("notification_id", sa.Integer(), nullable=False),
        sa.Column("flag_id", sa.Integer(), nullable=False),
        sa.Column("recipient_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["flag_id"], ["lkpm_flag.id"], name=op.f("fk_lkpm_flag_item_flag_id_lkpm_flag"),
                                ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["notification_id"], ["notification.id"],
                                name=op.f("fk_lkpm_flag_item_notification_id_notification"), ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["recipient_id"], ["user_account.id"],
                                name=op.f("fk_lkpm_flag_item_recipient_id_user_account"), ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_lkpm_flag_item")),
        sa.UniqueConstraint("flag_id", "recipient_id", name="uq_lkpm_flag_item_flag_recipient"),
    )
    with op.batch_alter_table("lkpm_flag_item", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_lkpm_flag_item_notification_id"), ["notification_id"], unique=False)
    conn = op.get_bind()
    if conn.execute(sa.select(setting.c.key).where(setting.c.key == SETTING["key"])).first() is None:
        op.bulk_insert(setting, [SETTING])


def downgrade():
    op.execute(setting.delete().where(setting.c.key == SETTING["key"]))
    with op.batch_alter_table("lkpm_flag_item", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_lkpm_flag_item_notification_id"))
    op.drop_table("lkpm_flag_item")
