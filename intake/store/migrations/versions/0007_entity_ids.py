"""entity ids keyed per store, and background reprocessing that backs off:
documents.reprocess_failures / reprocess_not_before; a random secret in store_secrets, every
entity's public id re-made as an HMAC of its old (unkeyed, reversible) id,
and the split decisions that name a new entity's id re-made the same way.
An old id still finds its entity: store/entities/ids.py legacy_redirect
computes the new id from it, so no table of old ids is kept.

Revision ID: 0007_entity_ids
Revises: 0006_security
"""
import hashlib
import hmac
import json
import os
import secrets
from pathlib import Path

import sqlalchemy as sa
from alembic import op

revision = '0007_entity_ids'
down_revision = '0006_security'
branch_labels = None
depends_on = None

# Kept here rather than imported: a migration must do what it did when it
# was written, whatever store/entities/ids.py becomes.
_NAME = 'entity_id_key'


def _keyed(key: bytes, old: str) -> str:
    return 'ent_' + hmac.new(key, old.encode(), hashlib.sha256).hexdigest()[:24]


def _secret() -> str:
    path = os.environ.get('INTAKE_ENTITY_ID_KEY_FILE')
    if path:
        text = Path(path).read_text(encoding='ascii').strip()
        if len(text) >= 32:
            return text
    return secrets.token_hex(32)


def upgrade() -> None:
    op.create_table('store_secrets',
    sa.Column('name', sa.String(length=40), nullable=False),
    sa.Column('value', sa.Text(), nullable=False),
    sa.PrimaryKeyConstraint('name')
    )
    op.add_column('documents', sa.Column('reprocess_failures', sa.Integer(), server_default='0', nullable=False))
    op.add_column('documents', sa.Column('reprocess_not_before', sa.DateTime(timezone=True), nullable=True))
    bind = op.get_bind()
    has_entities = bind.execute(sa.text('SELECT 1 FROM entities LIMIT 1')).first() is not None
    has_splits = bind.execute(sa.text("SELECT 1 FROM entity_decisions WHERE action = 'split' LIMIT 1")).first()
    if not has_entities and has_splits is None:
        return  # a new store: its secret is made when its first entity is
    # An existing store is migrated before its data key is opened, so the
    # secret goes in clear here; Store seals it at the next open with the
    # key (store_keys.seal_clear_secrets), as `keys encrypt-existing` would.
    value = _secret()
    bind.execute(sa.text('INSERT INTO store_secrets (name, value) VALUES (:n, :v)'), {'n': _NAME, 'v': value})
    key = value.encode()
    rows = bind.execute(sa.text('SELECT id, public_id FROM entities')).all()
    for pk, old in rows:
        bind.execute(sa.text('UPDATE entities SET public_id = :p WHERE id = :i'), {'p': _keyed(key, old), 'i': pk})
    for pk, payload in bind.execute(sa.text("SELECT id, payload FROM entity_decisions WHERE action = 'split'")).all():
        p = json.loads(payload) if isinstance(payload, str) else dict(payload or {})
        for k in ('new_public_id', 'source'):
            if isinstance(p.get(k), str):
                p[k] = _keyed(key, p[k])
        bind.execute(sa.text('UPDATE entity_decisions SET payload = :p WHERE id = :i')
                     .bindparams(sa.bindparam('p', type_=sa.JSON)), {'p': p, 'i': pk})


def downgrade() -> None:
    # The old ids cannot be computed back from the keyed ones (that is the
    # point); a downgrade keeps the keyed ids and drops only the secret.
    op.drop_table('store_secrets')
    with op.batch_alter_table('documents', schema=None) as batch_op:
        batch_op.drop_column('reprocess_not_before')
        batch_op.drop_column('reprocess_failures')
