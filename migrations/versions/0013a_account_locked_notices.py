"""account locked notices: a third kind of notification

Revision ID: 0013a
Revises: 0013
Create Date: 2026-12-02 10:00:00

The notification kinds are a CHECK constraint (a portable enum): the new kind ``account_locked`` (the notice
that tells an account's owner it was locked after failed sign-ins) needs it rewritten. Downgrading deletes those
notices first, since the old constraint refuses them.
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0013a'
down_revision = '0013'
branch_labels = None
depends_on = None

CONSTRAINT = 'ck_notification_notificationkind'
OLD_KINDS = ('daily_digest', 'weekly_digest')
NEW_KINDS = OLD_KINDS + ('account_locked',)


def _kinds(kinds: tuple[str, ...]) -> str:
    return 'kind IN (' + ', '.join(f"'{kind}'" for kind in kinds) + ')'


def upgrade():
    with op.batch_alter_table('notification', schema=None) as batch_op:
        batch_op.drop_constraint(op.f(CONSTRAINT), type_='check')
        batch_op.create_check_constraint(op.f(CONSTRAINT), _kinds(NEW_KINDS))


def downgrade():
    notification = sa.table('notification', sa.column('kind', sa.String(16)))
    op.execute(notification.delete().where(notification.c.kind.not_in(OLD_KINDS)))
    with op.batch_alter_table('notification', schema=None) as batch_op:
        batch_op.drop_constraint(op.f(CONSTRAINT), type_='check')
        batch_op.create_check_constraint(op.f(CONSTRAINT), _kinds(OLD_KINDS))
