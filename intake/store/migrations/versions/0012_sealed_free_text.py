"""sealed free text: origins (messages, inbound, sightings), sources and
audit details are encrypted like content in a store with a key. Their
ciphertext is longer than the value, so the length-limited columns become
TEXT on PostgreSQL (SQLite enforces no length). An encrypted store that
holds rows in those columns is marked "encrypting": values written in
clear by an older intake must be sealed by `intake keys encrypt-existing`
(it resumes, sealing only what is in clear) before other commands use it,
since equality lookups on a sealed origin would not find the clear one.

Revision ID: 0012_sealed_free_text
Revises: 0008_review_notes
"""
import sqlalchemy as sa
from alembic import op

revision = '0012_sealed_free_text'
down_revision = '0008_review_notes'
branch_labels = None
depends_on = None

_WIDENED = (
    ('inbound', 'origin', sa.String(length=2000), False),
    ('inbound', 'source', sa.String(length=1000), True),
    ('sightings', 'origin', sa.String(length=2000), False),
    ('messages', 'source', sa.String(length=1000), True),
)
_NEWLY_SEALED = ('messages', 'inbound', 'sightings', 'audit_log')


def upgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name == 'postgresql':
        for table, column, old, nullable in _WIDENED:
            op.alter_column(table, column, existing_type=old, type_=sa.Text(), existing_nullable=nullable)
    encrypted = bind.execute(sa.text("SELECT count(*) FROM store_keys")).scalar()
    if encrypted and any(bind.execute(sa.text(f"SELECT 1 FROM {t} LIMIT 1")).first() for t in _NEWLY_SEALED):
        bind.execute(sa.text("UPDATE store_keys SET state = 'encrypting'"))


def downgrade() -> None:
    # Sealed values do not fit the old lengths: decrypt first (a store in
    # clear downgrades as it is).
    if op.get_bind().dialect.name == 'postgresql':
        for table, column, old, nullable in _WIDENED:
            op.alter_column(table, column, existing_type=sa.Text(), type_=old, existing_nullable=nullable)
