"""calendar override: an administrator's closure or working-day correction of the working-day calendar

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-29 10:55:17.041479

One row per date; it wins over the holidays package, the weekend and the cuti bersama setting.
"""
from alembic import op
import sqlalchemy as sa

import app.database


# revision identifiers, used by Alembic.
revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('calendar_override',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('kind', sa.Enum('closed', 'working', name='calendaroverridekind', native_enum=False, create_constraint=True, length=16), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('created_at', app.database.UTCDateTime(timezone=True), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
    sa.Column('created_by', sa.String(length=120), nullable=False),
    sa.CheckConstraint("reason <> ''", name=op.f('ck_calendar_override_reason_not_empty')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_calendar_override')),
    sa.UniqueConstraint('day', name=op.f('uq_calendar_override_day'))
    )


def downgrade():
    op.drop_table('calendar_override')
