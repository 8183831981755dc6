"""review: what the officers' review app needs: sessions, login
lock-out, claims and decisions on documents, the other document of a
possible duplicate, a mention's pattern and context, the message's source
and signature, the caller's address in the audit log

Revision ID: 0004_review
Revises: 0003_imap_bigint
"""
import re

import sqlalchemy as sa
from alembic import op

revision = '0004_review'
down_revision = '0003_imap_bigint'
branch_labels = None
depends_on = None

TS = sa.DateTime(timezone=True)


def _source_of(origin):
    # Frozen copy of intake/store/origins.py at this revision: a migration
    # must not change when the application code does.
    if not origin:
        return None
    if origin.startswith("imap://"):
        return re.sub(r";UIDVALIDITY=\d+;UID=\d+$", "", origin)
    if origin.startswith("mbox:"):
        return origin.rsplit("#", 1)[0]
    if origin.startswith("maildir:"):
        return re.sub(r"/(?:cur|new|tmp)/[^/]*$", "", origin)
    if ":" in origin and "/" in origin:
        kind, path = origin.split(":", 1)
        return f"{kind}:{path.rsplit('/', 1)[0] or '/'}"
    return origin


def upgrade() -> None:
    op.create_table('review_sessions',
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('user_pk', sa.Integer(), nullable=False),
    sa.Column('csrf_token', sa.String(length=64), nullable=False),
    sa.Column('created_at', TS, nullable=False),
    sa.Column('last_seen_at', TS, nullable=False),
    sa.Column('client_addr', sa.String(length=100), nullable=True),
    sa.ForeignKeyConstraint(['user_pk'], ['users.id'], ),
    sa.PrimaryKeyConstraint('token_hash')
    )
    with op.batch_alter_table('review_sessions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_review_sessions_user_pk'), ['user_pk'], unique=False)

    op.create_table('entity_decision_documents',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('decision_pk', sa.Integer(), nullable=False),
    sa.Column('document_public_id', sa.String(length=40), nullable=False),
    sa.ForeignKeyConstraint(['decision_pk'], ['entity_decisions.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('decision_pk', 'document_public_id')
    )
    with op.batch_alter_table('entity_decision_documents', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_entity_decision_documents_decision_pk'), ['decision_pk'], unique=False)
        batch_op.create_index(batch_op.f('ix_entity_decision_documents_document_public_id'),
                              ['document_public_id'], unique=False)

    with op.batch_alter_table('audit_log', schema=None) as batch_op:
        batch_op.add_column(sa.Column('client_addr', sa.String(length=100), nullable=True))
        batch_op.create_index('ix_audit_object', ['object_type', 'object_id'], unique=False)

    with op.batch_alter_table('documents', schema=None) as batch_op:
        batch_op.add_column(sa.Column('agency', sa.String(length=300), nullable=True))
        batch_op.add_column(sa.Column('review_state', sa.String(length=16), nullable=True))
        batch_op.add_column(sa.Column('reviewed_by', sa.String(length=100), nullable=True))
        batch_op.add_column(sa.Column('reviewed_at', TS, nullable=True))
        batch_op.add_column(sa.Column('review_reason', sa.Text(), nullable=True))
        batch_op.add_column(sa.Column('template_override', sa.String(length=100), nullable=True))
        batch_op.add_column(sa.Column('claimed_by', sa.String(length=100), nullable=True))
        batch_op.add_column(sa.Column('claimed_at', TS, nullable=True))
        batch_op.add_column(sa.Column('reprocess_requested_at', TS, nullable=True))
        batch_op.add_column(sa.Column('reprocess_requested_by', sa.String(length=100), nullable=True))
        batch_op.create_index(batch_op.f('ix_documents_agency'), ['agency'], unique=False)
        batch_op.create_index(batch_op.f('ix_documents_reprocess_requested_at'), ['reprocess_requested_at'],
                              unique=False)

    with op.batch_alter_table('exceptions', schema=None) as batch_op:
        batch_op.add_column(sa.Column('related_document_pk', sa.Integer(), nullable=True))
        batch_op.create_index('ix_exceptions_status_code', ['status', 'code'], unique=False)
        batch_op.create_index('ix_exceptions_status_document', ['status', 'document_pk'], unique=False)
        batch_op.create_foreign_key('fk_exceptions_related_document', 'documents',
                                    ['related_document_pk'], ['id'])

    with op.batch_alter_table('mentions', schema=None) as batch_op:
        batch_op.add_column(sa.Column('pattern', sa.String(length=100), nullable=True))
        batch_op.add_column(sa.Column('context', sa.String(length=100), nullable=True))

    with op.batch_alter_table('messages', schema=None) as batch_op:
        batch_op.add_column(sa.Column('source', sa.String(length=1000), nullable=True))
        batch_op.add_column(sa.Column('signature', sa.JSON(), nullable=True))
        batch_op.create_index(batch_op.f('ix_messages_source'), ['source'], unique=False)
        batch_op.create_index(batch_op.f('ix_messages_first_seen_at'), ['first_seen_at'], unique=False)

    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('failed_logins', sa.Integer(), nullable=False, server_default='0'))
        batch_op.add_column(sa.Column('locked_until', TS, nullable=True))
        batch_op.add_column(sa.Column('password_changed_at', TS, nullable=True))
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.alter_column('failed_logins', server_default=None)

    _backfill()


def _backfill() -> None:
    """Sources of existing messages; agencies of existing documents (the
    record's submitter.agency, else the sender's domain); message-level
    queue items onto the message's first document; the other document of a
    possible_duplicate from its detail text; the documents each entity
    decision names."""
    conn = op.get_bind()
    for pk, origin in conn.execute(sa.text("SELECT id, origin FROM messages")).all():
        conn.execute(sa.text("UPDATE messages SET source = :s WHERE id = :i"),
                     {"s": _source_of(origin), "i": pk})
    agencies = {}
    for doc_pk, value in conn.execute(sa.text(
            "SELECT r.document_pk, f.value FROM record_fields f JOIN records r ON f.record_pk = r.id "
            "WHERE f.key = 'submitter.agency' AND f.superseded = :f ORDER BY f.id"), {"f": False}).all():
        if isinstance(value, str):
            import json
            value = json.loads(value)
        v = (value or {}).get("v")
        if isinstance(v, str) and v.strip():
            agencies[doc_pk] = " ".join(v.split())[:300]
    for doc_pk, from_addr in conn.execute(sa.text(
            "SELECT d.id, m.from_addr FROM documents d JOIN messages m ON d.message_pk = m.id")).all():
        agency = agencies.get(doc_pk)
        if agency is None and from_addr:
            m = re.search(r"[\w.+'-]+@([\w-]+(?:\.[\w-]+)+)", from_addr)
            agency = m.group(1).casefold() if m else None
        if agency:
            conn.execute(sa.text("UPDATE documents SET agency = :a WHERE id = :i"), {"a": agency, "i": doc_pk})
    # Message-level items now sit on the message's first document.
    conn.execute(sa.text(
        "UPDATE exceptions SET document_pk = (SELECT min(d.id) FROM documents d "
        "WHERE d.message_pk = exceptions.message_pk) WHERE document_pk IS NULL AND message_pk IS NOT NULL"))
    import json
    for pk, payload in conn.execute(sa.text("SELECT id, payload FROM entity_decisions")).all():
        payload = json.loads(payload) if isinstance(payload, str) else (payload or {})
        docs = {a.get("d") for k in ("anchors", "anchors_keep", "anchors_absorb") for a in payload.get(k, [])}
        for d in sorted(x for x in docs if x):
            conn.execute(sa.text("INSERT INTO entity_decision_documents (decision_pk, document_public_id) "
                                 "VALUES (:p, :d)"), {"p": pk, "d": d})
    for pk, detail in conn.execute(sa.text(
            "SELECT id, detail FROM exceptions WHERE code = 'possible_duplicate'")).all():
        m = re.search(r"document (\d+)", detail or "")
        if m:
            conn.execute(sa.text("UPDATE exceptions SET related_document_pk = :d WHERE id = :i"),
                         {"d": int(m.group(1)), "i": pk})


def downgrade() -> None:
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_column('password_changed_at')
        batch_op.drop_column('locked_until')
        batch_op.drop_column('failed_logins')

    with op.batch_alter_table('messages', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_messages_first_seen_at'))
        batch_op.drop_index(batch_op.f('ix_messages_source'))
        batch_op.drop_column('signature')
        batch_op.drop_column('source')

    with op.batch_alter_table('mentions', schema=None) as batch_op:
        batch_op.drop_column('context')
        batch_op.drop_column('pattern')

    with op.batch_alter_table('exceptions', schema=None) as batch_op:
        batch_op.drop_constraint('fk_exceptions_related_document', type_='foreignkey')
        batch_op.drop_index('ix_exceptions_status_document')
        batch_op.drop_index('ix_exceptions_status_code')
        batch_op.drop_column('related_document_pk')

    with op.batch_alter_table('documents', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_documents_reprocess_requested_at'))
        batch_op.drop_index(batch_op.f('ix_documents_agency'))
        for col in ('reprocess_requested_by', 'reprocess_requested_at', 'claimed_at', 'claimed_by',
                    'template_override', 'review_reason', 'reviewed_at', 'reviewed_by', 'review_state', 'agency'):
            batch_op.drop_column(col)

    with op.batch_alter_table('audit_log', schema=None) as batch_op:
        batch_op.drop_index('ix_audit_object')
        batch_op.drop_column('client_addr')

    with op.batch_alter_table('review_sessions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_review_sessions_user_pk'))

    op.drop_table('review_sessions')
    with op.batch_alter_table('entity_decision_documents', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_entity_decision_documents_document_public_id'))
        batch_op.drop_index(batch_op.f('ix_entity_decision_documents_decision_pk'))
    op.drop_table('entity_decision_documents')
