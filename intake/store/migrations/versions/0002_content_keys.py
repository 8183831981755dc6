"""content_keys: MinHash LSH band keys for report-content dedup

Revision ID: 0002_content_keys
Revises: 0001_initial
"""
import sqlalchemy as sa
from alembic import op

revision = '0002_content_keys'
down_revision = '0001_initial'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('content_keys',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('document_pk', sa.Integer(), nullable=False),
    sa.Column('key', sa.String(length=40), nullable=False),
    sa.ForeignKeyConstraint(['document_pk'], ['documents.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('content_keys', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_content_keys_document_pk'), ['document_pk'], unique=False)
        batch_op.create_index(batch_op.f('ix_content_keys_key'), ['key'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('content_keys', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_content_keys_key'))
        batch_op.drop_index(batch_op.f('ix_content_keys_document_pk'))
    op.drop_table('content_keys')
