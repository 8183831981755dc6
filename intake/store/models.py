"""The SQL schema. Alembic migrations in store/migrations own every change;
this module must always equal the head migration (a test checks it).

Content of forms is OFFICIAL-SENSITIVE: it lives in these tables only, never
in logs. The audit log records who did what to which object, not the content.

Columns that hold content are ``Sealed*`` types (store/crypto.py): with a
key configured they are encrypted on write and decrypted on read, so the
rest of the code sees plain values; without one they are stored as they
are. ``deterministic=True`` marks the few that are looked up by equality.

Long on purpose: the whole schema in one place reads as one picture and is
compared with the head migration in one step; each class is short.
"""

from __future__ import annotations

from datetime import datetime, timezone

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
    false,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship
from sqlalchemy.types import TypeDecorator

from intake.store.crypto import SealedBytes, SealedJSON, SealedText


def utcnow() -> datetime:
    return datetime.now(timezone.utc)


class UTCDateTime(TypeDecorator):
    """Aware datetimes in, aware UTC datetimes out, on every backend. SQLite
    has no time zones and would hand back naive values."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            value = value.replace(tzinfo=timezone.utc)
        return value.astimezone(timezone.utc)

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=timezone.utc)
        return value.astimezone(timezone.utc)


class Base(DeclarativeBase):
    type_annotation_map = {datetime: UTCDateTime(), dict: JSON, list: JSON}


class Blob(Base):
    """Content-addressed bytes: raw messages and extracted documents, so
    nothing ever needs re-fetching from a mailbox."""

    __tablename__ = "blobs"
    sha256: Mapped[str] = mapped_column(String(64), primary_key=True)
    size: Mapped[int] = mapped_column(Integer)
    data: Mapped[bytes] = mapped_column(SealedBytes("blobs.data"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class Message(Base):
    """One e-mail, identified by Message-ID plus a hash of its content
    (transport headers excluded, so the same mail read from two archives or
    two mailboxes is one message)."""

    __tablename__ = "messages"
    __table_args__ = (UniqueConstraint("message_id", "content_sha256"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    message_id: Mapped[str | None] = mapped_column(SealedText("messages.message_id", deterministic=True), index=True)
    content_sha256: Mapped[str] = mapped_column(String(64), index=True)
    raw_sha256: Mapped[str] = mapped_column(ForeignKey("blobs.sha256"))
    from_addr: Mapped[str | None] = mapped_column(SealedText("messages.from_addr"))
    to_addrs: Mapped[str | None] = mapped_column(SealedText("messages.to_addrs"))
    subject: Mapped[str | None] = mapped_column(SealedText("messages.subject"))
    date: Mapped[datetime | None]
    # Where it was first read. Origins are sealed: an archive's path or a
    # file's name can carry a name from the report.
    origin: Mapped[str] = mapped_column(SealedText("messages.origin"))
    # The origin without its per-message part (imap://user@host/INBOX,
    # mbox:/path/file.mbox): what the review queue filters by (equality, so
    # deterministic).
    source: Mapped[str | None] = mapped_column(SealedText("messages.source", deterministic=True), index=True)
    # S/MIME or PGP signature found on the message: {"signed", "kind",
    # "signer", "valid", "detail"}; evidence about the sender, never a document.
    signature: Mapped[dict | None] = mapped_column(SealedJSON("messages.signature"))
    # Who sent it, as far as the force's own mail server could tell
    # (ingest/sender.py): the verdict and its evidence, never content.
    sender_verification: Mapped[dict | None] = mapped_column(SealedJSON("messages.sender_verification"))
    first_seen_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    # A message with the same Message-ID but different content: kept, and
    # pointed at the earlier one so the clash is visible.
    clash_with_id: Mapped[int | None] = mapped_column(ForeignKey("messages.id"))
    status: Mapped[str] = mapped_column(String(32), default="processed")
    exception_code: Mapped[str | None] = mapped_column(String(64))
    exception_detail: Mapped[str | None] = mapped_column(SealedText("messages.exception_detail"))

    documents: Mapped[list["DocumentRow"]] = relationship(
        back_populates="message", order_by="DocumentRow.id"
    )
    sightings: Mapped[list["Sighting"]] = relationship(back_populates="message")


class Inbound(Base):
    """Custody: a raw message as a source handed it over, before anything
    else is done with it. A source (IMAP, archive replay) commits this row
    and only then acknowledges the message; processing claims rows and
    marks each done in the transaction that writes its results, so a crash
    anywhere leaves every message received (it will be processed) or done
    (never twice)."""

    __tablename__ = "inbound"
    __table_args__ = (UniqueConstraint("origin", "raw_sha256"),
                      Index("ix_inbound_state", "state", "id"),
                      Index("ix_inbound_lane", "state", "lane", "id"))
    id: Mapped[int] = mapped_column(primary_key=True)
    # Deterministic: unique with raw_sha256 and looked up by equality.
    origin: Mapped[str] = mapped_column(SealedText("inbound.origin", deterministic=True))
    raw_sha256: Mapped[str] = mapped_column(ForeignKey("blobs.sha256"))
    # inbox name or archive path, for status and metrics
    source: Mapped[str | None] = mapped_column(SealedText("inbound.source", deterministic=True))
    received_at: Mapped[datetime] = mapped_column(default=utcnow)
    # received | processing | done | failed
    state: Mapped[str] = mapped_column(String(16), default="received")
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    claimed_by: Mapped[str | None] = mapped_column(String(200))  # host:pid of the worker
    claimed_at: Mapped[datetime | None]
    finished_at: Mapped[datetime | None]
    message_pk: Mapped[int | None] = mapped_column(ForeignKey("messages.id"))
    error: Mapped[str | None] = mapped_column(String(200))  # a code, never content
    # Processing lane: 1 = the pre-screen read it as urgent (taken ahead of
    # the backlog), 0 = in turn (intake/triage/prescreen.py).
    lane: Mapped[int] = mapped_column(Integer, default=0, server_default="0")


class Sighting(Base):
    """Every place and time a message was read. The first sighting made the
    message; later ones record that it was seen again."""

    __tablename__ = "sightings"
    __table_args__ = (UniqueConstraint("origin", "raw_sha256"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    message_pk: Mapped[int] = mapped_column(ForeignKey("messages.id"), index=True)
    origin: Mapped[str] = mapped_column(SealedText("sightings.origin", deterministic=True))
    raw_sha256: Mapped[str] = mapped_column(ForeignKey("blobs.sha256"))
    seen_at: Mapped[datetime] = mapped_column(default=utcnow)
    message: Mapped[Message] = relationship(back_populates="sightings")


class DocumentRow(Base):
    """One attachment or body of a message and what became of it."""

    __tablename__ = "documents"
    __table_args__ = (UniqueConstraint("message_pk", "part_path"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    public_id: Mapped[str] = mapped_column(String(40), unique=True)
    message_pk: Mapped[int] = mapped_column(ForeignKey("messages.id"), index=True)
    part_path: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(16))  # attachment | body
    filename: Mapped[str | None] = mapped_column(SealedText("documents.filename"))
    media_type: Mapped[str] = mapped_column(String(200))
    declared_type: Mapped[str | None] = mapped_column(String(200))
    sha256: Mapped[str] = mapped_column(ForeignKey("blobs.sha256"), index=True)
    size: Mapped[int] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(16))  # parsed|exception|duplicate|not_a_report
    duplicate_of_id: Mapped[int | None] = mapped_column(ForeignKey("documents.id"))
    duplicate_reason: Mapped[str | None] = mapped_column(String(32))  # sha256 | content
    template: Mapped[str | None] = mapped_column(String(100))
    template_version: Mapped[str | None] = mapped_column(String(20))
    reader: Mapped[str | None] = mapped_column(String(40))
    ocr_confidence: Mapped[float | None] = mapped_column(Float)
    text: Mapped[str | None] = mapped_column(SealedText("documents.text"))  # plain text, for dedup and search
    exception_code: Mapped[str | None] = mapped_column(String(64))
    exception_detail: Mapped[str | None] = mapped_column(SealedText("documents.exception_detail"))
    processed_at: Mapped[datetime] = mapped_column(default=utcnow)
    # Records-management review/disposal (docs/uk-formats.md "Handling the data";
    # store/retention.py). review_due overrides the [retention] rule for
    # this document; a legal hold stops disposal whatever the rule says.
    review_due: Mapped[datetime | None]
    disposed_at: Mapped[datetime | None]
    legal_hold: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    legal_hold_reason: Mapped[str | None] = mapped_column(SealedText("documents.legal_hold_reason"))
    legal_hold_by: Mapped[str | None] = mapped_column(String(100))
    legal_hold_at: Mapped[datetime | None]
    # Who sent it, denormalised for the review queue's filter: the record's
    # submitter.agency, else the sender's domain (store/document_facts.py).
    agency: Mapped[str | None] = mapped_column(SealedText("documents.agency", deterministic=True), index=True)
    # An officer's decision on the document: approved | rejected | not_a_report
    # | duplicate (confirmed) | distinct (not a duplicate after all).
    review_state: Mapped[str | None] = mapped_column(String(16))
    reviewed_by: Mapped[str | None] = mapped_column(String(100))
    reviewed_at: Mapped[datetime | None]
    review_reason: Mapped[str | None] = mapped_column(SealedText("documents.review_reason"))
    # The template an officer chose (unknown_template): reprocessing keeps it.
    template_override: Mapped[str | None] = mapped_column(String(100))
    # "Being worked by": set when an officer opens a queued document.
    claimed_by: Mapped[str | None] = mapped_column(String(100))
    claimed_at: Mapped[datetime | None]
    # Asked to be analysed again from its stored bytes (review app, CLI).
    reprocess_requested_at: Mapped[datetime | None] = mapped_column(index=True)
    reprocess_requested_by: Mapped[str | None] = mapped_column(String(100))
    # A background reprocess that failed waits before its next try, so one
    # bad document never holds up the rest (store/review_faults.py).
    reprocess_failures: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    reprocess_not_before: Mapped[datetime | None]

    message: Mapped[Message] = relationship(back_populates="documents")
    duplicate_of: Mapped["DocumentRow | None"] = relationship(remote_side=[id])
    record: Mapped["RecordRow | None"] = relationship(back_populates="document", uselist=False)
    mentions: Mapped[list["MentionRow"]] = relationship(
        back_populates="document", order_by="MentionRow.id"
    )


class RecordRow(Base):
    __tablename__ = "records"
    id: Mapped[int] = mapped_column(primary_key=True)
    document_pk: Mapped[int] = mapped_column(ForeignKey("documents.id"), unique=True)
    template: Mapped[str] = mapped_column(String(100))
    version: Mapped[str] = mapped_column(String(20))
    notes: Mapped[list] = mapped_column(SealedJSON("records.notes"), default=list)
    approved_by: Mapped[str | None] = mapped_column(String(100))
    approved_at: Mapped[datetime | None]
    document: Mapped[DocumentRow] = relationship(back_populates="record")
    fields: Mapped[list["RecordField"]] = relationship(
        back_populates="record", order_by="RecordField.id", cascade="all, delete-orphan"
    )


class RecordField(Base):
    """One canonical field. ``value`` is JSON so types survive (bool, int,
    ISO strings). An officer's correction is a new row with origin
    'officer' that supersedes the parser's."""

    __tablename__ = "record_fields"
    id: Mapped[int] = mapped_column(primary_key=True)
    record_pk: Mapped[int] = mapped_column(ForeignKey("records.id"), index=True)
    key: Mapped[str] = mapped_column(String(100))
    value: Mapped[dict] = mapped_column(SealedJSON("record_fields.value"))  # {"v": <scalar>}
    raw: Mapped[str | None] = mapped_column(SealedText("record_fields.raw"))
    provenance: Mapped[dict] = mapped_column(SealedJSON("record_fields.provenance"), default=dict)
    confidence: Mapped[float | None] = mapped_column(Float)
    note: Mapped[str | None] = mapped_column(SealedText("record_fields.note"))
    origin: Mapped[str] = mapped_column(String(16), default="parser")  # parser | officer
    superseded: Mapped[bool] = mapped_column(Boolean, default=False)
    changed_by: Mapped[str | None] = mapped_column(String(100))
    changed_at: Mapped[datetime] = mapped_column(default=utcnow)
    record: Mapped[RecordRow] = relationship(back_populates="fields")


class StoreSecret(Base):
    """Random secrets that belong to one store, made when first needed: the
    key that turns an entity's resolution seed into its public id
    (store/entities/ids.py). Sealed like content: whoever holds the secret can
    test guesses of a value against the ids that leave the store."""

    __tablename__ = "store_secrets"
    name: Mapped[str] = mapped_column(String(40), primary_key=True)
    value: Mapped[str] = mapped_column(SealedText("store_secrets.value"))


class Entity(Base):
    """A resolved real-world thing: one person, plate, phone, ..."""

    __tablename__ = "entities"
    __table_args__ = (Index("ix_entities_type_key", "type", "key"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    public_id: Mapped[str] = mapped_column(String(40), unique=True)
    type: Mapped[str] = mapped_column(String(32))
    # normalised value used to resolve (a person's: the surname's blocking key)
    key: Mapped[str] = mapped_column(SealedText("entities.key", deterministic=True))
    display: Mapped[str] = mapped_column(SealedText("entities.display"))
    attrs: Mapped[dict] = mapped_column(SealedJSON("entities.attrs"), default=dict)  # e.g. dob, ages, aliases
    merged_into_id: Mapped[int | None] = mapped_column(ForeignKey("entities.id"))
    document_count: Mapped[int] = mapped_column(Integer, default=0)
    agency_count: Mapped[int] = mapped_column(Integer, default=0)
    submitter_count: Mapped[int] = mapped_column(Integer, default=0)
    first_seen: Mapped[datetime | None]
    last_seen: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # Its agencies and submitters are listed in entity_facts, so a new report
    # updates its counts by delta. False for entities stored before that
    # table existed: counted once from their mentions, then by delta.
    facts_indexed: Mapped[bool] = mapped_column(Boolean, default=True, server_default=false())
    # On SQLite, a trigger numbers every insert and update of an entity from
    # entity_changes (migration 0013), so the writer can keep the people of
    # the surname blocks it resolves against in memory and read only the rows
    # changed since (store/entities/block_cache.py). Null on PostgreSQL, whose
    # writers commit concurrently: a change numbered earlier can be committed
    # later, and a reader would miss it; it reads blocks as they are.
    change_no: Mapped[int | None] = mapped_column(BigInteger, index=True)


class EntityChanges(Base):
    """One row (id 1): the last change number given to an entity, and the
    number of entities ever deleted (a deletion leaves no row to number, so
    a reader of changes compares this count instead). Kept by the SQLite
    triggers of migration 0013; unused on PostgreSQL."""

    __tablename__ = "entity_changes"
    id: Mapped[int] = mapped_column(primary_key=True)
    last_no: Mapped[int] = mapped_column(BigInteger, default=0)
    deletions: Mapped[int] = mapped_column(BigInteger, default=0)


class EntityFact(Base):
    """The distinct agencies and submitters of an entity's reports, so a
    new report updates agency_count and submitter_count by delta instead of
    reading every report that names the entity (store/entities/graph.py)."""

    __tablename__ = "entity_facts"
    __table_args__ = (UniqueConstraint("entity_pk", "kind", "value"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    entity_pk: Mapped[int] = mapped_column(ForeignKey("entities.id"))
    kind: Mapped[str] = mapped_column(String(16))  # agency | submitter
    value: Mapped[str] = mapped_column(SealedText("entity_facts.value", deterministic=True))


class MentionRow(Base):
    __tablename__ = "mentions"
    id: Mapped[int] = mapped_column(primary_key=True)
    document_pk: Mapped[int] = mapped_column(ForeignKey("documents.id"), index=True)
    field: Mapped[str] = mapped_column(String(100))
    type: Mapped[str] = mapped_column(String(32))
    text: Mapped[str] = mapped_column(SealedText("mentions.text"))
    value: Mapped[str] = mapped_column(SealedText("mentions.value"))
    start: Mapped[int] = mapped_column(Integer)
    end: Mapped[int] = mapped_column(Integer)
    recogniser: Mapped[str] = mapped_column(String(100), default="")
    pattern: Mapped[str | None] = mapped_column(String(100))
    context: Mapped[str | None] = mapped_column(SealedText("mentions.context"))  # the cue word, from the text
    score: Mapped[float] = mapped_column(Float, default=1.0)
    attrs: Mapped[dict] = mapped_column(SealedJSON("mentions.attrs"), default=dict)
    entity_pk: Mapped[int | None] = mapped_column(ForeignKey("entities.id"), index=True)
    document: Mapped[DocumentRow] = relationship(back_populates="mentions")
    entity: Mapped[Entity | None] = relationship()


class EntityLink(Base):
    """An edge between two entities: co-mentioned in a report, an alias of a
    person, a vehicle's plate, a partial plate's candidate full plate."""

    __tablename__ = "entity_links"
    __table_args__ = (UniqueConstraint("a_pk", "b_pk", "kind", "document_pk"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    a_pk: Mapped[int] = mapped_column(ForeignKey("entities.id"), index=True)
    b_pk: Mapped[int] = mapped_column(ForeignKey("entities.id"), index=True)
    kind: Mapped[str] = mapped_column(String(32))
    document_pk: Mapped[int | None] = mapped_column(ForeignKey("documents.id"))


class EntityDecision(Base):
    """An officer's merge or split. Replayed after every automatic resolution
    so decisions survive reprocessing and rebuilds."""

    __tablename__ = "entity_decisions"
    id: Mapped[int] = mapped_column(primary_key=True)
    action: Mapped[str] = mapped_column(String(16))  # merge | split
    payload: Mapped[dict] = mapped_column(default=dict)
    actor: Mapped[str] = mapped_column(String(100))
    reason: Mapped[str | None] = mapped_column(SealedText("entity_decisions.reason"))
    at: Mapped[datetime] = mapped_column(default=utcnow)
    revoked: Mapped[bool] = mapped_column(Boolean, default=False)


class EntityDecisionDocument(Base):
    """Which documents a decision's mention anchors are in, so re-resolving
    one document replays only the decisions that name it."""

    __tablename__ = "entity_decision_documents"
    __table_args__ = (UniqueConstraint("decision_pk", "document_public_id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    decision_pk: Mapped[int] = mapped_column(ForeignKey("entity_decisions.id"), index=True)
    document_public_id: Mapped[str] = mapped_column(String(40), index=True)


class ContentKey(Base):
    """MinHash LSH band keys of a document's content (matching/content_fingerprint.py):
    content dedup compares a new report only with documents sharing a key."""

    __tablename__ = "content_keys"
    # (key, document_pk): a new report's candidates are read from the index
    # alone, however many documents the store holds.
    __table_args__ = (Index("ix_content_keys_key_document", "key", "document_pk"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    document_pk: Mapped[int] = mapped_column(ForeignKey("documents.id"), index=True)
    key: Mapped[str] = mapped_column(String(40))


class ExceptionItem(Base):
    """The review queue: everything a person has to look at."""

    __tablename__ = "exceptions"
    __table_args__ = (Index("ix_exceptions_status", "status"),
                      Index("ix_exceptions_status_code", "status", "code"),
                      # the queue: "documents with an open item", from the index alone
                      Index("ix_exceptions_status_document", "status", "document_pk"))
    id: Mapped[int] = mapped_column(primary_key=True)
    document_pk: Mapped[int | None] = mapped_column(ForeignKey("documents.id"), index=True)
    message_pk: Mapped[int | None] = mapped_column(ForeignKey("messages.id"), index=True)
    code: Mapped[str] = mapped_column(String(64))
    detail: Mapped[str] = mapped_column(SealedText("exceptions.detail"))
    status: Mapped[str] = mapped_column(String(16), default="open")  # open|resolved|dismissed|superseded
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    resolved_by: Mapped[str | None] = mapped_column(String(100))
    resolved_at: Mapped[datetime | None]
    resolution: Mapped[str | None] = mapped_column(SealedText("exceptions.resolution"))
    # The other document of a possible_duplicate.
    related_document_pk: Mapped[int | None] = mapped_column(ForeignKey("documents.id"))


class ReviewNote(Base):
    """An officer's note on a document in the queue: shown in its
    history and exported in its review block. Free text, so sealed."""

    __tablename__ = "review_notes"
    id: Mapped[int] = mapped_column(primary_key=True)
    document_pk: Mapped[int] = mapped_column(ForeignKey("documents.id"), index=True)
    author: Mapped[str] = mapped_column(String(100))
    text: Mapped[str] = mapped_column(SealedText("review_notes.text"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class AuditEntry(Base):
    """Who did what to which object. Never the content itself; its detail
    (ids, counts, codes) is sealed all the same, so that a value passed
    there by mistake is not left in clear."""

    __tablename__ = "audit_log"
    __table_args__ = (Index("ix_audit_object", "object_type", "object_id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    actor: Mapped[str] = mapped_column(String(100))  # "system:replay", "user:jbloggs"
    action: Mapped[str] = mapped_column(String(64))
    object_type: Mapped[str] = mapped_column(String(32))
    object_id: Mapped[str | None] = mapped_column(String(100))
    detail: Mapped[dict] = mapped_column(SealedJSON("audit_log.detail"), default=dict)
    client_addr: Mapped[str | None] = mapped_column(String(100))  # the review app's caller


class User(Base):
    """Review-UI accounts. Passwords are argon2 hashes, never plain."""

    __tablename__ = "users"
    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(100), unique=True)
    password_hash: Mapped[str] = mapped_column(Text)
    role: Mapped[str] = mapped_column(String(32), default="officer")  # officer | analyst | admin
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_login_at: Mapped[datetime | None]
    failed_logins: Mapped[int] = mapped_column(Integer, default=0)
    locked_until: Mapped[datetime | None]
    password_changed_at: Mapped[datetime | None]


class ReviewSession(Base):
    """A logged-in browser. The cookie holds a random token; only its hash is
    stored, so a copy of the database does not log anyone in."""

    __tablename__ = "review_sessions"
    token_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_pk: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    csrf_token: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_seen_at: Mapped[datetime] = mapped_column(default=utcnow)
    client_addr: Mapped[str | None] = mapped_column(String(100))


class MailboxFolder(Base):
    """IMAP state per inbox folder: UIDVALIDITY and pass bookkeeping."""

    __tablename__ = "mailbox_folders"
    __table_args__ = (UniqueConstraint("inbox", "folder"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    inbox: Mapped[str] = mapped_column(String(100))
    folder: Mapped[str] = mapped_column(String(500))
    # IMAP UIDs and UIDVALIDITY are unsigned 32-bit: wider than INTEGER.
    uidvalidity: Mapped[int | None] = mapped_column(BigInteger)
    last_pass_at: Mapped[datetime | None]


class MailboxUid(Base):
    """A UID handled in a folder at a given UIDVALIDITY, and whether the
    `after` action (move/flag) has been applied to it yet."""

    __tablename__ = "mailbox_uids"
    __table_args__ = (UniqueConstraint("folder_pk", "uidvalidity", "uid"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    folder_pk: Mapped[int] = mapped_column(ForeignKey("mailbox_folders.id"), index=True)
    uidvalidity: Mapped[int] = mapped_column(BigInteger)
    uid: Mapped[int] = mapped_column(BigInteger)
    message_pk: Mapped[int | None] = mapped_column(ForeignKey("messages.id"))
    raw_sha256: Mapped[str | None] = mapped_column(String(64))
    acknowledged: Mapped[bool] = mapped_column(Boolean, default=False)
    handled_at: Mapped[datetime] = mapped_column(default=utcnow)


class StoreKey(Base):
    """The store's data key, wrapped (AES-GCM) by a key-encryption key that
    lives outside the store (store/crypto.py). ``state`` is "ready", or
    "encrypting" while `intake keys encrypt-existing` has not finished:
    other commands refuse a store in that state."""

    __tablename__ = "store_keys"
    id: Mapped[int] = mapped_column(primary_key=True)  # the key id written in every ciphertext
    wrapped: Mapped[bytes] = mapped_column(LargeBinary)
    kek_fingerprint: Mapped[str] = mapped_column(String(64))  # which key-encryption key wraps it
    state: Mapped[str] = mapped_column(String(16), default="ready")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    rewrapped_at: Mapped[datetime | None]


class DisposedMessage(Base):
    """A message whose every document was disposed of: its content hash
    only, so the same mail read again (an archive replayed, a re-delivery)
    is recognised and not stored a second time."""

    __tablename__ = "disposed_messages"
    id: Mapped[int] = mapped_column(primary_key=True)
    content_sha256: Mapped[str] = mapped_column(String(64), index=True)
    disposed_at: Mapped[datetime] = mapped_column(default=utcnow)


class InboxStatus(Base):
    """What `intake status` shows per inbox."""

    __tablename__ = "inbox_status"
    inbox: Mapped[str] = mapped_column(String(100), primary_key=True)
    last_success_at: Mapped[datetime | None]
    last_attempt_at: Mapped[datetime | None]
    last_error: Mapped[str | None] = mapped_column(Text)
    last_error_at: Mapped[datetime | None]
    failing_since: Mapped[datetime | None]
    messages_handled: Mapped[int] = mapped_column(Integer, default=0)


class Triage(Base):
    """The suggested triage level of a document's record and, when an
    officer changed it, their level and reason (intake/triage/). ``level``
    is the one that stands: the officer's if set, else the suggestion.
    Reasons are the catalogue's plain words, never report content."""

    __tablename__ = "triage"
    id: Mapped[int] = mapped_column(primary_key=True)
    document_pk: Mapped[int] = mapped_column(ForeignKey("documents.id"), unique=True)
    level: Mapped[str] = mapped_column(String(16), index=True)  # urgent | high | routine
    suggested_level: Mapped[str] = mapped_column(String(16))
    reasons: Mapped[list] = mapped_column(JSON, default=list)
    score: Mapped[int] = mapped_column(Integer, default=0)
    youngest_age: Mapped[int | None] = mapped_column(Integer)  # the youngest child's age, for ordering
    latest_event: Mapped[datetime | None]
    catalogue_version: Mapped[int] = mapped_column(Integer, default=1)
    computed_at: Mapped[datetime] = mapped_column(default=utcnow)
    override_level: Mapped[str | None] = mapped_column(String(16))
    override_reason: Mapped[str | None] = mapped_column(SealedText("triage.override_reason"))
    overridden_by: Mapped[str | None] = mapped_column(String(100))
    overridden_at: Mapped[datetime | None]


class TriageIndicator(Base):
    """One indicator match: which indicator, the rule that fired, the field
    and offsets in its text, the phrase, and whether it counted (a negated
    or hypothetical mention is kept to show why it was set aside)."""

    __tablename__ = "triage_indicators"
    id: Mapped[int] = mapped_column(primary_key=True)
    document_pk: Mapped[int] = mapped_column(ForeignKey("documents.id"), index=True)
    indicator: Mapped[str] = mapped_column(String(64))
    rule: Mapped[str] = mapped_column(String(100))
    field: Mapped[str] = mapped_column(String(100))
    start: Mapped[int] = mapped_column(Integer)
    end: Mapped[int] = mapped_column(Integer)
    phrase: Mapped[str] = mapped_column(SealedText("triage_indicators.phrase"))
    status: Mapped[str] = mapped_column(String(16), default="counted")  # counted|negated|hypothetical|historic


class Notification(Base):
    """An urgent report's notification on one channel (e-mail, webhook):
    pending until sent, retried on failure, never dropped. ``last_error``
    is an error class or code, never content."""

    __tablename__ = "notifications"
    __table_args__ = (UniqueConstraint("document_pk", "channel"),
                      Index("ix_notifications_state", "status", "next_attempt_at"))
    id: Mapped[int] = mapped_column(primary_key=True)
    document_pk: Mapped[int] = mapped_column(ForeignKey("documents.id"), index=True)
    channel: Mapped[str] = mapped_column(String(16))  # email | webhook
    status: Mapped[str] = mapped_column(String(16), default="pending")  # pending | sent | failed
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str | None] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    next_attempt_at: Mapped[datetime | None]
    sent_at: Mapped[datetime | None]
