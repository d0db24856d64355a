"""permit documents: files attached to a permit by officers and by the investor that owns it

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-29 11:26:26.584782

The files themselves live under instance/documents/ with generated names; the table holds who uploaded
what, when, the cleaned original name, the type detected from the content, the size and the SHA-256.
"""
from alembic import op
import sqlalchemy as sa

import app.database


# revision identifiers, used by Alembic.
revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('permit_document',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('permit_id', sa.Integer(), nullable=False),
    sa.Column('uploaded_by_id', sa.Integer(), nullable=False),
    sa.Column('uploaded_at', app.database.UTCDateTime(timezone=True), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
    sa.Column('original_name', sa.String(length=255), nullable=False),
    sa.Column('stored_name', sa.String(length=64), nullable=False),
    sa.Column('content_type', sa.String(length=64), nullable=False),
    sa.Column('size_bytes', sa.Integer(), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('note', sa.Text(), nullable=True),
    sa.CheckConstraint("content_type IN ('application/pdf', 'image/png', 'image/jpeg')", name=op.f('ck_permit_document_content_type_allowed')),
    sa.CheckConstraint('length(sha256) = 64', name=op.f('ck_permit_document_sha256_hex')),
    sa.CheckConstraint('size_bytes > 0', name=op.f('ck_permit_document_size_positive')),
    sa.ForeignKeyConstraint(['permit_id'], ['permit.id'], name=op.f('fk_permit_document_permit_id_permit'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['uploaded_by_id'], ['user_account.id'], name=op.f('fk_permit_document_uploaded_by_id_user_account'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_permit_document')),
    sa.UniqueConstraint('stored_name', name=op.f('uq_permit_document_stored_name'))
    )
    with op.batch_alter_table('permit_document', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_permit_document_permit_id'), ['permit_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_permit_document_uploaded_by_id'), ['uploaded_by_id'], unique=False)


def downgrade():
    with op.batch_alter_table('permit_document', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_permit_document_uploaded_by_id'))
        batch_op.drop_index(batch_op.f('ix_permit_document_permit_id'))

    op.drop_table('permit_document')
