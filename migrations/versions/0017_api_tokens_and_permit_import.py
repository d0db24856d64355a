"""API tokens and the OSS permit import: personal API tokens (hashed), their audit events, and the import batch a
permit event came from

Revision ID: 0017_api
Revises: 0017_real_lkpm_digests
Create Date: 2026-11-30
"""

import sqlalchemy as sa

import app.database
from alembic import op

revision = "0017_api"
down_revision = "0017_real_lkpm_digests"
branch_labels = None
depends_on = None

OLD_EVENTS = (
    'login', 'logout', 'login_failed', 'lockout', 'access_denied', 'password_changed', 'user_created',
    'agency_changed', 'permit_agency_changed', 'permit_created', 'permit_edited', 'permit_moved', 'closure_changed',
    'setting_changed', 'catalogue_changed', 'document_uploaded', 'document_downloaded', 'exported',
)
NEW_EVENTS = ('api_token_created', 'api_token_revoked')

audit_log = sa.table("audit_log", sa.column("event", sa.String))


def _event_type(values):
    return sa.Enum(*values, name='auditevent', native_enum=False, create_constraint=True, length=24)


def upgrade():
    op.create_table(
        'api_token',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('name', sa.String(length=80), nullable=False),
        sa.Column('prefix', sa.String(length=16), nullable=False),
        sa.Column('token_hash', sa.String(length=64), nullable=False),
        sa.Column('created_at', app.database.UTCDateTime(timezone=True), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
        sa.Column('last_used_at', app.database.UTCDateTime(timezone=True), nullable=True),
        sa.Column('revoked_at', app.database.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(['user_id'], ['user_account.id'], name=op.f('fk_api_token_user_id_user_account'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_api_token')),
        sa.UniqueConstraint('token_hash', name=op.f('uq_api_token_token_hash')),
    )
    with op.batch_alter_table('api_token', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_api_token_user_id'), ['user_id'], unique=False)
    with op.batch_alter_table('audit_log', schema=None) as batch_op:
        batch_op.alter_column('event', existing_type=_event_type(OLD_EVENTS), type_=_event_type(OLD_EVENTS + NEW_EVENTS),
                              existing_nullable=False)
    with op.batch_alter_table('permit_event', schema=None) as batch_op:
        batch_op.add_column(sa.Column('import_batch_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f('fk_permit_event_import_batch_id_import_batch'), 'import_batch', ['import_batch_id'], ['id'],
            ondelete='SET NULL',
        )


def downgrade():
    with op.batch_alter_table('permit_event', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_permit_event_import_batch_id_import_batch'), type_='foreignkey')
        batch_op.drop_column('import_batch_id')
    op.get_bind().execute(audit_log.delete().where(audit_log.c.event.in_(NEW_EVENTS)))
    with op.batch_alter_table('audit_log', schema=None) as batch_op:
        batch_op.alter_column('event', existing_type=_event_type(OLD_EVENTS + NEW_EVENTS), type_=_event_type(OLD_EVENTS),
                              existing_nullable=False)
    with op.batch_alter_table('api_token', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_api_token_user_id'))
    op.drop_table('api_token')
