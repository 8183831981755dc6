"""write path: entity_facts for counts by delta, content keys indexed with their document

Revision ID: 0011_write_path
Revises: 0009_triage
"""
import sqlalchemy as sa
from alembic import op

revision = '0011_write_path'
down_revision = '0009_triage'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('entity_facts',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('entity_pk', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('value', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['entity_pk'], ['entities.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('entity_pk', 'kind', 'value')
    )
    # Entities stored before: not listed in entity_facts yet, so the first
    # report that names one counts it from its mentions (and lists it).
    # Plain ALTER TABLE ADD COLUMN, not a batch: a batch would copy the
    # table on SQLite (a non-text default) and the mentions' foreign keys
    # forbid dropping it.
    op.add_column('entities', sa.Column('facts_indexed', sa.Boolean(), server_default=sa.false(), nullable=False))
    op.create_index('ix_content_keys_key_document', 'content_keys', ['key', 'document_pk'], unique=False)
    op.drop_index('ix_content_keys_key', table_name='content_keys')


def downgrade() -> None:
    op.create_index('ix_content_keys_key', 'content_keys', ['key'], unique=False)
    op.drop_index('ix_content_keys_key_document', table_name='content_keys')
    with op.batch_alter_table('entities', schema=None) as batch_op:
        batch_op.drop_column('facts_indexed')
    op.drop_table('entity_facts')
