"""immediate notices: a notification may tell of one permit event, once per person

Revision ID: 0015b
Revises: 0015
Create Date: 2026-11-30

A notice (kind ``notice``) names the permit event it tells of; each person hears of an event once. The digests
stay one per person, kind and period: that unique constraint becomes a partial unique index that leaves the
notices out (many a day).
"""

import sqlalchemy as sa
from alembic import op

revision = "0015b"
down_revision = "0015"
branch_labels = None
depends_on = None

CONSTRAINT = 'ck_notification_notificationkind'
OLD_KINDS = ('daily_digest', 'weekly_digest', 'account_locked')  # as 0013a left them
NEW_KINDS = OLD_KINDS + ('notice',)
NOT_NOTICE = sa.text("kind <> 'notice'")

notification = sa.table("notification", sa.column("kind", sa.String))


def _kinds(kinds: tuple[str, ...]) -> str:
    return 'kind IN (' + ', '.join(f"'{kind}'" for kind in kinds) + ')'


def upgrade():
    with op.batch_alter_table('notification', schema=None) as batch_op:
        batch_op.drop_constraint('uq_notification_recipient_kind_period', type_='unique')
        batch_op.drop_constraint(op.f(CONSTRAINT), type_='check')
        batch_op.create_check_constraint(op.f(CONSTRAINT), _kinds(NEW_KINDS))
        batch_op.add_column(sa.Column('permit_event_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f('fk_notification_permit_event_id_permit_event'), 'permit_event', ['permit_event_id'], ['id'],
            ondelete='CASCADE',
        )
        batch_op.create_unique_constraint('uq_notification_recipient_permit_event', ['recipient_id', 'permit_event_id'])
    with op.batch_alter_table('notification', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_notification_permit_event_id'), ['permit_event_id'], unique=False)
        batch_op.create_index(
            'uq_notification_recipient_kind_period', ['recipient_id', 'kind', 'period'], unique=True,
            sqlite_where=NOT_NOTICE, postgresql_where=NOT_NOTICE,
        )


def downgrade():
    op.get_bind().execute(notification.delete().where(notification.c.kind == 'notice'))
    with op.batch_alter_table('notification', schema=None) as batch_op:
        batch_op.drop_index('uq_notification_recipient_kind_period')
        batch_op.drop_index(batch_op.f('ix_notification_permit_event_id'))
    with op.batch_alter_table('notification', schema=None) as batch_op:
        batch_op.drop_constraint('uq_notification_recipient_permit_event', type_='unique')
        batch_op.drop_constraint(batch_op.f('fk_notification_permit_event_id_permit_event'), type_='foreignkey')
        batch_op.drop_column('permit_event_id')
        batch_op.drop_constraint(op.f(CONSTRAINT), type_='check')
        batch_op.create_check_constraint(op.f(CONSTRAINT), _kinds(OLD_KINDS))
        batch_op.create_unique_constraint('uq_notification_recipient_kind_period', ['recipient_id', 'kind', 'period'])
