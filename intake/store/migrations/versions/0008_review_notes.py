"""review notes: an officer's notes on a queued document

Revision ID: 0008_review_notes
Revises: 0011_write_path
"""
import sqlalchemy as sa
from alembic import op

revision = '0008_review_notes'
down_revision = '0011_write_path'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('review_notes',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('document_pk', sa.Integer(), nullable=False),
    sa.Column('author', sa.String(length=100), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['document_pk'], ['documents.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_index(op.f('ix_review_notes_document_pk'), 'review_notes', ['document_pk'], unique=False)


def downgrade() -> None:
    op.drop_index(op.f('ix_review_notes_document_pk'), table_name='review_notes')
    op.drop_table('review_notes')
