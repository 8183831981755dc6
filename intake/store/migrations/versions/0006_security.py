"""security: the store's wrapped data key, the sender verdict on messages,
legal holds on documents, the hashes of disposed messages; columns sealed
with a deterministic cipher become TEXT (a ciphertext is longer than its
value)

Revision ID: 0006_security
Revises: 0005_inbound
"""
import sqlalchemy as sa
from alembic import op

revision = '0006_security'
down_revision = '0005_inbound'
branch_labels = None
depends_on = None

# Columns whose length PostgreSQL enforces and whose sealed form is longer.
# SQLite enforces no length, so its tables are not rebuilt for this.
_WIDENED = (
    ('messages', 'message_id', sa.String(length=998), True),
    ('documents', 'agency', sa.String(length=300), True),
    ('entities', 'key', sa.String(length=500), False),
    ('mentions', 'context', sa.String(length=100), True),
)


def upgrade() -> None:
    op.create_table('store_keys',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('wrapped', sa.LargeBinary(), nullable=False),
    sa.Column('kek_fingerprint', sa.String(length=64), nullable=False),
    sa.Column('state', sa.String(length=16), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('rewrapped_at', sa.DateTime(timezone=True), nullable=True),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_table('disposed_messages',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('content_sha256', sa.String(length=64), nullable=False),
    sa.Column('disposed_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('disposed_messages', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_disposed_messages_content_sha256'), ['content_sha256'], unique=False)
    op.add_column('messages', sa.Column('sender_verification', sa.JSON(), nullable=True))
    op.add_column('documents', sa.Column('legal_hold', sa.Boolean(), server_default=sa.false(), nullable=False))
    op.add_column('documents', sa.Column('legal_hold_reason', sa.Text(), nullable=True))
    op.add_column('documents', sa.Column('legal_hold_by', sa.String(length=100), nullable=True))
    op.add_column('documents', sa.Column('legal_hold_at', sa.DateTime(timezone=True), nullable=True))
    if op.get_bind().dialect.name == 'postgresql':
        for table, column, old, nullable in _WIDENED:
            op.alter_column(table, column, existing_type=old, type_=sa.Text(), existing_nullable=nullable)


def downgrade() -> None:
    if op.get_bind().dialect.name == 'postgresql':
        for table, column, old, nullable in _WIDENED:
            op.alter_column(table, column, existing_type=sa.Text(), type_=old, existing_nullable=nullable)
    with op.batch_alter_table('documents', schema=None) as batch_op:
        batch_op.drop_column('legal_hold_at')
        batch_op.drop_column('legal_hold_by')
        batch_op.drop_column('legal_hold_reason')
        batch_op.drop_column('legal_hold')
    with op.batch_alter_table('messages', schema=None) as batch_op:
        batch_op.drop_column('sender_verification')
    with op.batch_alter_table('disposed_messages', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_disposed_messages_content_sha256'))
    op.drop_table('disposed_messages')
    op.drop_table('store_keys')
