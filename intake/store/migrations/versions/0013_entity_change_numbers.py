"""entity change numbers: on SQLite, triggers number every insert and update
of an entity and count deletions (entity_changes), so the writer keeps the
people of surname blocks in memory and reads only what changed since
(store/entities/block_cache.py). The column and the table exist on
PostgreSQL too, unused: its writers commit concurrently, so a number given
earlier can be committed later.

Revision ID: 0013_entity_change_numbers
Revises: 0012_sealed_free_text
"""
import sqlalchemy as sa
from alembic import op

revision = '0013_entity_change_numbers'
down_revision = '0012_sealed_free_text'
branch_labels = None
depends_on = None

# The writer checks these names are in the store before it trusts a cached
# block (block_cache.TRIGGERS): keep them in step.
_NUMBER = """
    UPDATE entity_changes SET last_no = last_no + 1 WHERE id = 1;
    UPDATE entities SET change_no = (SELECT last_no FROM entity_changes WHERE id = 1) WHERE id = NEW.id;
"""
_TRIGGERS = {
    'entities_numbered_on_insert': f"AFTER INSERT ON entities BEGIN {_NUMBER} END",
    # The trigger's own update changes change_no, which the WHEN leaves
    # alone (SQLite does not recurse into triggers by default either).
    'entities_numbered_on_update': f"AFTER UPDATE ON entities WHEN NEW.change_no IS OLD.change_no BEGIN {_NUMBER} END",
    'entities_counted_on_delete': "AFTER DELETE ON entities BEGIN "
                                  "UPDATE entity_changes SET deletions = deletions + 1 WHERE id = 1; END",
}


def upgrade() -> None:
    # Plain ADD COLUMN, not a batch: a batch would copy the table on SQLite,
    # and the mentions' foreign keys forbid dropping it (as in 0011).
    op.add_column('entities', sa.Column('change_no', sa.BigInteger(), nullable=True))
    op.create_index(op.f('ix_entities_change_no'), 'entities', ['change_no'], unique=False)
    changes = op.create_table('entity_changes',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('last_no', sa.BigInteger(), nullable=False),
    sa.Column('deletions', sa.BigInteger(), nullable=False),
    sa.PrimaryKeyConstraint('id')
    )
    op.bulk_insert(changes, [{'id': 1, 'last_no': 0, 'deletions': 0}])
    if op.get_bind().dialect.name == 'sqlite':
        for name, body in _TRIGGERS.items():
            op.execute(f"CREATE TRIGGER {name} {body}")


def downgrade() -> None:
    sqlite = op.get_bind().dialect.name == 'sqlite'
    if sqlite:
        for name in _TRIGGERS:
            op.execute(f"DROP TRIGGER IF EXISTS {name}")
    op.drop_table('entity_changes')
    op.drop_index(op.f('ix_entities_change_no'), table_name='entities')
    if sqlite:
        # In place (SQLite 3.35+), not a batch: a batch copies the table,
        # and the mentions' foreign keys forbid dropping it.
        op.execute("ALTER TABLE entities DROP COLUMN change_no")
    else:
        op.drop_column('entities', 'change_no')
