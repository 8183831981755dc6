"""triage: a suggested level per record with its reasons and an officer's
override, the indicator matches behind it, the urgent notifications'
outbox, and a processing lane on custody rows

Revision ID: 0009_triage
Revises: 0007_entity_ids
"""
import sqlalchemy as sa
from alembic import op

revision = '0009_triage'
down_revision = '0007_entity_ids'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column('inbound', sa.Column('lane', sa.Integer(), server_default='0', nullable=False))
    with op.batch_alter_table('inbound', schema=None) as batch_op:
        batch_op.create_index('ix_inbound_lane', ['state', 'lane', 'id'], unique=False)
    op.create_table('triage',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('document_pk', sa.Integer(), nullable=False),
    sa.Column('level', sa.String(length=16), nullable=False),
    sa.Column('suggested_level', sa.String(length=16), nullable=False),
    sa.Column('reasons', sa.JSON(), nullable=False),
    sa.Column('score', sa.Integer(), nullable=False),
    sa.Column('youngest_age', sa.Integer(), nullable=True),
    sa.Column('latest_event', sa.DateTime(timezone=True), nullable=True),
    sa.Column('catalogue_version', sa.Integer(), nullable=False),
    sa.Column('computed_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('override_level', sa.String(length=16), nullable=True),
    sa.Column('override_reason', sa.Text(), nullable=True),
    sa.Column('overridden_by', sa.String(length=100), nullable=True),
    sa.Column('overridden_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['document_pk'], ['documents.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('document_pk')
    )
    with op.batch_alter_table('triage', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_triage_level'), ['level'], unique=False)
    op.create_table('triage_indicators',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('document_pk', sa.Integer(), nullable=False),
    sa.Column('indicator', sa.String(length=64), nullable=False),
    sa.Column('rule', sa.String(length=100), nullable=False),
    sa.Column('field', sa.String(length=100), nullable=False),
    sa.Column('start', sa.Integer(), nullable=False),
    sa.Column('end', sa.Integer(), nullable=False),
    sa.Column('phrase', sa.Text(), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.ForeignKeyConstraint(['document_pk'], ['documents.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('triage_indicators', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_triage_indicators_document_pk'), ['document_pk'], unique=False)
    op.create_table('notifications',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('document_pk', sa.Integer(), nullable=False),
    sa.Column('channel', sa.String(length=16), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('last_error', sa.String(length=200), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('next_attempt_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('sent_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['document_pk'], ['documents.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('document_pk', 'channel')
    )
    with op.batch_alter_table('notifications', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_notifications_document_pk'), ['document_pk'], unique=False)
        batch_op.create_index('ix_notifications_state', ['status', 'next_attempt_at'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('notifications', schema=None) as batch_op:
        batch_op.drop_index('ix_notifications_state')
        batch_op.drop_index(batch_op.f('ix_notifications_document_pk'))
    op.drop_table('notifications')
    with op.batch_alter_table('triage_indicators', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_triage_indicators_document_pk'))
    op.drop_table('triage_indicators')
    with op.batch_alter_table('triage', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_triage_level'))
    op.drop_table('triage')
    with op.batch_alter_table('inbound', schema=None) as batch_op:
        batch_op.drop_index('ix_inbound_lane')
        batch_op.drop_column('lane')
