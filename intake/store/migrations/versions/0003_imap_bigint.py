"""imap_bigint: IMAP UIDs and UIDVALIDITY are unsigned 32-bit (RFC 3501), so
values above 2^31-1 overflow PostgreSQL's INTEGER; widen them

Revision ID: 0003_imap_bigint
Revises: 0002_content_keys
"""
import sqlalchemy as sa
from alembic import op

revision = '0003_imap_bigint'
down_revision = '0002_content_keys'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('mailbox_folders', schema=None) as batch_op:
        batch_op.alter_column('uidvalidity', existing_type=sa.Integer(), type_=sa.BigInteger(),
                              existing_nullable=True)
    with op.batch_alter_table('mailbox_uids', schema=None) as batch_op:
        batch_op.alter_column('uidvalidity', existing_type=sa.Integer(), type_=sa.BigInteger(),
                              existing_nullable=False)
        batch_op.alter_column('uid', existing_type=sa.Integer(), type_=sa.BigInteger(),
                              existing_nullable=False)


def downgrade() -> None:
    with op.batch_alter_table('mailbox_uids', schema=None) as batch_op:
        batch_op.alter_column('uid', existing_type=sa.BigInteger(), type_=sa.Integer(),
                              existing_nullable=False)
        batch_op.alter_column('uidvalidity', existing_type=sa.BigInteger(), type_=sa.Integer(),
                              existing_nullable=False)
    with op.batch_alter_table('mailbox_folders', schema=None) as batch_op:
        batch_op.alter_column('uidvalidity', existing_type=sa.BigInteger(), type_=sa.Integer(),
                              existing_nullable=True)
