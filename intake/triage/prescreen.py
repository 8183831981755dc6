"""A cheap look at a raw e-mail, when it is taken into custody, to choose its
lane: a message whose readable text already reads as urgent (the same
catalogue and level rules as full triage, without the entity extraction) is
processed ahead of the backlog (store/inbound.py claim order, the job
queue's priority).

Only what can be read in milliseconds: the subject, text/plain and
text/html parts, and the text of Word (.docx) attachments. A PDF or a scan
is not opened here; its report is triaged in full when analysed, in its
turn. A wrong lane costs only order, never a result: full triage decides
the level."""

from __future__ import annotations

import io
import logging
import re
import zipfile
from email import policy
from email.contentmanager import raw_data_manager
from email.parser import BytesParser
from email.policy import EmailPolicy
from functools import lru_cache

from intake.triage.catalogue import load
from intake.triage.indicators import match_text
from intake.triage.level import decide

log = logging.getLogger(__name__)

URGENT_LANE = 1
ROUTINE_LANE = 0
MAX_PART = 200_000  # characters of one part; reports are short, a long part is cut, not skipped
MAX_DOCX = 5_000_000  # bytes of a .docx worth unzipping here
_TAG = re.compile(r"<[^>]+>")
_PARA = re.compile(r"</w:p>|<br\s*/?>|</p>", re.I)
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


class _ReadPolicy(EmailPolicy):
    """policy.default, with each header object made once per (name, value):
    a part's Content-Type is read three times here (its type, its charset,
    the content manager's own look), and parsing a structured header is
    most of what reading a short text part costs. A header object is a
    function of its name and value and is never changed, so one shared
    copy reads exactly as fresh ones would."""

    def header_fetch_parse(self, name, value):
        if hasattr(value, "name"):
            return value
        return _header(name, value)


_READ = _ReadPolicy()


@lru_cache(maxsize=512)
def _header(name: str, value: str):
    return EmailPolicy.header_fetch_parse(_READ, name, value)


def _docx_text(data: bytes) -> str:
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        info = z.getinfo("word/document.xml")
        if info.file_size > 4 * MAX_DOCX:
            return ""
        xml = z.read(info).decode("utf-8", "replace")
    return _TAG.sub("", _PARA.sub("\n", xml))


def readable_text(raw: bytes) -> list[str]:
    # Parsed under compat32, a third of the cost of policy.default (which
    # builds a header object for every header the parser looks at); each
    # part is then read under policy.default, as before: the raw headers
    # are stored alike under both policies, and the header objects are
    # made only for the few headers read here.
    msg = BytesParser(policy=policy.compat32).parsebytes(raw)
    msg.policy = _READ
    texts = [str(msg.get("Subject", "") or "")]
    for part in msg.walk():
        part.policy = _READ
        ctype = part.get_content_type()
        try:
            if ctype in ("text/plain", "text/html"):
                text = raw_data_manager.get_content(part)
                texts.append(_TAG.sub(" ", text) if ctype == "text/html" else text)
            elif ctype == DOCX or (part.get_filename() or "").lower().endswith(".docx"):
                data = part.get_payload(decode=True) or b""
                if len(data) <= MAX_DOCX:
                    texts.append(_docx_text(data))
        except (LookupError, ValueError, KeyError, zipfile.BadZipFile, UnicodeError):
            continue
    return [t[:MAX_PART] for t in texts if t and t.strip()]


def lane_of(raw: bytes) -> int:
    """URGENT_LANE when the readable text reads as urgent, else ROUTINE_LANE.
    Never raises: a message this cannot read goes in the routine lane."""
    try:
        cat = load()
        matches = []
        texts = {}
        for i, text in enumerate(readable_text(raw)):
            key = f"part{i}"
            texts[key] = text
            matches.extend(match_text(key, text, cat))
        if not matches:
            return ROUTINE_LANE
        result = decide(matches, {}, [], None, None, texts, cat)
        return URGENT_LANE if result.level == "urgent" else ROUTINE_LANE
    except Exception as exc:  # noqa: BLE001 - the lane is an optimisation; custody must not fail on it
        log.warning("pre-screen failed (%s); routine lane", type(exc).__name__)
        return ROUTINE_LANE
