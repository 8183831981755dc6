"""The urgent lane: the pre-screen at custody reads an urgent report's text,
and the local processor claims, analyses and commits it ahead of a backlog
received before it; a Word attachment is read too; a routine one keeps its
turn."""

from __future__ import annotations

import io
import zipfile
from email.message import EmailMessage

from sqlalchemy import select

from intake.ingest.processing.local_processor import LocalProcessor
from intake.store import inbound
from intake.store.models import Inbound
from intake.triage.prescreen import ROUTINE_LANE, URGENT_LANE, lane_of
from intake.types import RawMessage
from tests.triage.helpers import ROUTINE_TEXT, URGENT_TEXT, body_message


def _docx(text: str) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr("word/document.xml", "<w:document><w:body>" + "".join(
            f"<w:p><w:r><w:t>{line}</w:t></w:r></w:p>" for line in text.splitlines()) + "</w:body></w:document>")
    return buf.getvalue()


def test_prescreen_picks_the_lane_from_body_and_word_attachment():
    assert lane_of(body_message(1, URGENT_TEXT).data) == URGENT_LANE
    assert lane_of(body_message(2, ROUTINE_TEXT).data) == ROUTINE_LANE
    negated = "Hello,\n\nShe is not missing now and there is no sign that she is at his flat right now.\n"
    assert lane_of(body_message(3, negated).data) == ROUTINE_LANE
    m = EmailMessage()
    m["From"], m["To"], m["Subject"] = "a@b.example.org", "intel@example.police.uk", "Form"
    m.set_content("Please see the attached form.")
    m.add_attachment(_docx(URGENT_TEXT), maintype="application",
                     subtype="vnd.openxmlformats-officedocument.wordprocessingml.document", filename="form.docx")
    assert lane_of(bytes(m)) == URGENT_LANE
    assert lane_of(b"\x00\xff not an e-mail at all") == ROUTINE_LANE


def test_an_urgent_report_behind_a_backlog_is_stored_first(store):
    backlog = [body_message(100 + i, ROUTINE_TEXT.replace("park", f"park number {i}")) for i in range(8)]
    urgent = body_message(999, URGENT_TEXT)
    with store.transaction() as s:
        ids = [inbound.receive(s, raw, "replay")[0] for raw in backlog]
        urgent_id = inbound.receive(s, urgent, "replay")[0]
    with store.session() as s:
        lanes = dict(s.execute(select(Inbound.id, Inbound.lane)).all())
    assert lanes[urgent_id] == 1 and {lanes[i] for i in ids} == {0}
    committed: list[int] = []
    LocalProcessor(store, None, workers=1, batch=1,
                   on_done=lambda inbound_id, outcome: committed.append(inbound_id)).run()
    assert committed[0] == urgent_id
    assert committed[1:] == ids  # the backlog in its own order


def test_raw_message_lane_survives_a_crash_release(store):
    """A released (stale) urgent row is claimed first again."""
    with store.transaction() as s:
        first = inbound.receive(s, body_message(5, ROUTINE_TEXT), "replay")[0]
        urgent_id = inbound.receive(s, RawMessage("eml:/u.eml", body_message(6, URGENT_TEXT).data), "replay")[0]
        claimed = inbound.claim_next(s, "w", 1)
        assert [r.id for r in claimed] == [urgent_id]
        inbound.release(s, [urgent_id])
        assert [r.id for r in inbound.claim_next(s, "w", 2)] == [urgent_id, first]
