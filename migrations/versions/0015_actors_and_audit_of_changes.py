"""the signed-in user is the actor of a permit event; the audit log records changes, downloads and exports

Revision ID: 0015
Revises: 0014
Create Date: 2026-11-30

``permit_event.actor_id`` names the user who made the move; ``actor`` stays as the label written at the time
(the names typed by hand before accounts are kept as they were). The audit log's CHECK gains the new kinds.
"""

import sqlalchemy as sa
from alembic import op

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None

OLD_EVENTS = (
    'login', 'logout', 'login_failed', 'lockout', 'access_denied', 'password_changed', 'user_created',
    'agency_changed', 'permit_agency_changed',
)
NEW_EVENTS = (
    'permit_created', 'permit_edited', 'permit_moved', 'closure_changed', 'setting_changed', 'catalogue_changed',
    'document_uploaded', 'document_downloaded', 'exported',
)

audit_log = sa.table("audit_log", sa.column("event", sa.String))


def _event_type(values):
    return sa.Enum(*values, name='auditevent', native_enum=False, create_constraint=True, length=24)


def upgrade():
    with op.batch_alter_table('permit_event', schema=None) as batch_op:
        batch_op.add_column(sa.Column('actor_id', sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f('ix_permit_event_actor_id'), ['actor_id'], unique=False)
        batch_op.create_foreign_key(
            batch_op.f('fk_permit_event_actor_id_user_account'), 'user_account', ['actor_id'], ['id'],
            ondelete='SET NULL',
        )
    with op.batch_alter_table('audit_log', schema=None) as batch_op:
        batch_op.alter_column('event', existing_type=_event_type(OLD_EVENTS), type_=_event_type(OLD_EVENTS + NEW_EVENTS),
                              existing_nullable=False)


def downgrade():
    op.get_bind().execute(audit_log.delete().where(audit_log.c.event.in_(NEW_EVENTS)))
    with op.batch_alter_table('audit_log', schema=None) as batch_op:
        batch_op.alter_column('event', existing_type=_event_type(OLD_EVENTS + NEW_EVENTS), type_=_event_type(OLD_EVENTS),
                              existing_nullable=False)
    with op.batch_alter_table('permit_event', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_permit_event_actor_id_user_account'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_permit_event_actor_id'))
        batch_op.drop_column('actor_id')
