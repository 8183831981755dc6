"""inbound: custody first: a source commits the raw message as
received before it acknowledges it; processing claims it from here

Revision ID: 0005_inbound
Revises: 0004_review
"""
import sqlalchemy as sa
from alembic import op

revision = '0005_inbound'
down_revision = '0004_review'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('inbound',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('origin', sa.String(length=2000), nullable=False),
    sa.Column('raw_sha256', sa.String(length=64), nullable=False),
    sa.Column('source', sa.String(length=1000), nullable=True),
    sa.Column('received_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('state', sa.String(length=16), nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('claimed_by', sa.String(length=200), nullable=True),
    sa.Column('claimed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('finished_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('message_pk', sa.Integer(), nullable=True),
    sa.Column('error', sa.String(length=200), nullable=True),
    sa.ForeignKeyConstraint(['message_pk'], ['messages.id'], ),
    sa.ForeignKeyConstraint(['raw_sha256'], ['blobs.sha256'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('origin', 'raw_sha256')
    )
    with op.batch_alter_table('inbound', schema=None) as batch_op:
        batch_op.create_index('ix_inbound_state', ['state', 'id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('inbound', schema=None) as batch_op:
        batch_op.drop_index('ix_inbound_state')
    op.drop_table('inbound')
