"""fencing tokens: the scheduler lease counts its hand-overs, and each job run records the one it ran under

Revision ID: 0013b
Revises: 0013a
Create Date: 2026-11-30

"""
import sqlalchemy as sa
from alembic import op

revision = "0013b"
down_revision = "0013a"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("scheduler_lease") as batch_op:
        batch_op.add_column(sa.Column("token", sa.Integer(), server_default="1", nullable=False))
    with op.batch_alter_table("job_run") as batch_op:
        batch_op.add_column(sa.Column("fencing_token", sa.Integer(), nullable=True))


def downgrade():
    with op.batch_alter_table("job_run") as batch_op:
        batch_op.drop_column("fencing_token")
    with op.batch_alter_table("scheduler_lease") as batch_op:
        batch_op.drop_column("token")
