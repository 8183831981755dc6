"""What of an e-mail body is the report.

A report often reaches the inbox inside another message: forwarded by an
officer with a line of their own on top ("FYI, see below"), quoted in a reply
with "> " before every line, or pasted under a greeting and over a signature
and a confidentiality disclaimer. This module finds the report's own text:
the innermost forwarded or quoted message that says something, unquoted, its
header block read (the forwarded message's sender and date are the report's),
disclaimers and "Sent from my iPhone" lines dropped. The greeting and the
sign-off are found but kept: a free-text report's sign-off names its writer;
only a form (whose last box would swallow them) leaves them out
(``form_body``).

Hand-written, not a mail-parsing library's: the headers here are text a mail
client typed into a body (``-----Original Message-----``, "On ... wrote:"),
in the client's language and layout, not RFC 5322 headers."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime
from email.utils import getaddresses, parsedate_to_datetime

# Lines that open a forwarded or replied-to message inside a body.
_SEPARATOR = re.compile(
    r"^[ \t>]*(?:-{2,}\s*(?:original message|forwarded message|forwarded by\b.*?)\s*-*"
    r"|begin forwarded message:?"
    r"|_{10,})[ \t]*$", re.I | re.M)
_WROTE = re.compile(r"^[ \t>]*on\b.{5,160}?\bwrote:[ \t]*$", re.I | re.M)
_HEADER = re.compile(r"^[ \t>]*(from|sent|date|to|cc|bcc|subject|reply-to|importance)[ \t]*:[ \t]*(.*)$", re.I)
# A header block without a separator line (Outlook's "From: / Sent: / To: /
# Subject:" when the separator is switched off).
_BARE_HEADER_START = re.compile(r"^[ \t>]*from[ \t]*:[ \t]*\S.*$", re.I | re.M)

_DISCLAIMER_WORDS = re.compile(
    r"\b(?:confidential|privileged|intended (?:solely |only )?for|addressee|intended recipient|"
    r"received (?:this|it) in error|notify the sender|delete (?:it|this|the)|views expressed|"
    r"not necessarily (?:those|the views)|virus(?:es)?|monitored|recorded for|disclaimer|"
    r"unauthori[sz]ed (?:use|disclosure)|legally binding|gcsx|think before you print)\b", re.I)
_GADGET = re.compile(r"^\s*(?:sent from my \w+.*|get outlook for \w+.*|sent from (?:outlook|mail) for \w+.*)\s*$",
                     re.I)
_GREETING = re.compile(r"^\s*(?:hi|hello|hiya|dear|good (?:morning|afternoon|evening)|morning|afternoon)\b.{0,60}$",
                       re.I)
_COVER_LINE = re.compile(
    r"^\s*(?:please (?:see|find)|see (?:the )?(?:form|report|below|attached)|form below|i (?:couldn'?t|could not|"
    r"can'?t|cannot) attach|(?:i )?have (?:pasted|copied)|pasted below|as discussed|fyi\b).{0,160}$", re.I)
_VALEDICTION = re.compile(
    r"^\s*(?:(?:many |kind(?:est)? |best |warm(?:est)? )?regards|(?:many )?thanks(?: again)?|thank you|"
    r"best wishes|best|cheers|yours (?:sincerely|faithfully|truly)|all the best|speak soon|ta)\s*[,.!]?\s*(?:\S+)?\s*$",
    re.I)


@dataclass
class Forwarded:
    """The header block of the message the report came in."""

    sender_name: str | None = None
    sender_email: str | None = None
    date: datetime | None = None
    subject: str | None = None

    def as_dict(self) -> dict[str, str]:
        out = {"sender_name": self.sender_name, "sender_email": self.sender_email,
               "date": self.date.isoformat() if self.date else None, "subject": self.subject}
        return {k: v for k, v in out.items() if v}


@dataclass
class BodyParts:
    text: str  # the report's text: unquoted, no forward notes, headers or disclaimers
    forwarded: Forwarded | None = None
    dropped: list[str] = field(default_factory=list)  # kinds of text left out, for the record's notes
    greeting_end: int = 0  # text[:greeting_end] is a greeting and covering line
    signoff_start: int | None = None  # text[signoff_start:] is the sign-off and signature


def _words(text: str) -> int:
    return len(re.findall(r"[A-Za-z0-9][\w'’-]*", text))


def _unquote(text: str) -> str:
    """Strip one level of "> " when most lines carry it."""
    lines = text.split("\n")
    filled = [ln for ln in lines if ln.strip()]
    if not filled or sum(ln.lstrip().startswith(">") for ln in filled) < 0.8 * len(filled):
        return text
    return "\n".join(re.sub(r"^[ \t]?>[ \t]?", "", ln) for ln in lines)


def _parse_date(value: str) -> datetime | None:
    v = " ".join(value.split())
    try:
        return parsedate_to_datetime(v)
    except (TypeError, ValueError, IndexError):
        pass
    # "Tuesday, 24 March 2026 16:14", "Tue, 24 Mar 2026 at 16:14", "24 March 2026 at 16:14:00 GMT"
    v = re.sub(r"\b(?:at|GMT|BST|UTC)\b", " ", v)
    v = re.sub(r"^\w+day,?\s+|^(?:mon|tue|wed|thu|fri|sat|sun),?\s+", "", v.strip(), flags=re.I)
    v = " ".join(v.split())
    for fmt in ("%d %B %Y %H:%M:%S", "%d %B %Y %H:%M", "%d %b %Y %H:%M:%S", "%d %b %Y %H:%M",
                "%d/%m/%Y %H:%M", "%d/%m/%Y %H:%M:%S", "%B %d, %Y %I:%M %p", "%d %B %Y %I:%M %p",
                "%d %b %Y %I:%M %p"):
        try:
            return datetime.strptime(v, fmt)
        except ValueError:
            continue
    return None


def _read_headers(text: str, start: int) -> tuple[Forwarded | None, int]:
    """Header lines from ``start``: the headers read and where the message's
    own text begins (after the block and the blank line ending it)."""
    pos, fwd, seen = start, Forwarded(), 0
    lines = text[start:].split("\n")
    i = 0
    # A blank line may sit between the separator and the headers.
    while i < len(lines) and not lines[i].strip(" \t>"):
        pos += len(lines[i]) + 1
        i += 1
    last_key = None
    while i < len(lines):
        m = _HEADER.match(lines[i])
        if m:
            key, value = m.group(1).lower(), m.group(2).strip()
            seen += 1
            last_key = key
            if key == "from":
                name, addr = (getaddresses([value]) or [("", "")])[0]
                fwd.sender_name = name.strip(" '\"") or None
                fwd.sender_email = addr.lower() or None
                if not fwd.sender_email and "@" not in value and value:
                    fwd.sender_name = value
            elif key in ("sent", "date"):
                fwd.date = _parse_date(value)
            elif key == "subject":
                fwd.subject = value or None
        elif last_key in ("to", "cc") and lines[i].strip(" \t>") and not lines[i].strip(" \t>").endswith(":") \
                and "@" in lines[i] and seen:
            pass  # a long To: or Cc: list wrapped onto the next line
        else:
            break
        pos += len(lines[i]) + 1
        i += 1
    if seen < 2:
        return None, start
    return fwd, min(pos, len(text))


def _split_forward(text: str) -> tuple[str, Forwarded | None, str, bool] | None:
    """(note before, headers, message after, whether it is a reply's "On ...
    wrote:") of the first forwarded or replied-to message in ``text``; None
    when there is none."""
    cands = []
    for rx in (_SEPARATOR, _WROTE):
        m = rx.search(text)
        if m:
            cands.append((m.start(), m.end(), rx is _WROTE))
    m = _BARE_HEADER_START.search(text)
    if m:
        fwd, after = _read_headers(text, m.start())
        if fwd is not None and (fwd.date or fwd.subject):
            cands.append((m.start(), m.start(), False))
    if not cands:
        return None
    s, e, wrote = min(cands)
    fwd, after = _read_headers(text, e + (1 if e < len(text) and text[e] == "\n" else 0))
    if fwd is None and not wrote and re.fullmatch(r"[ \t>]*_+[ \t]*", text[s:e]):
        # A rule of underscores with no headers under it is part of the text
        # (a form's blank line), not a forward.
        rest = _split_forward(text[e:])
        return None if rest is None else (text[:e] + rest[0], rest[1], rest[2], rest[3])
    if wrote:
        header_line = text[s:e]
        fwd = fwd or Forwarded()
        who = re.search(r"wrote:", header_line)
        addr = re.search(r"<([^>@\s]+@[^>\s]+)>", header_line)
        if addr:
            fwd.sender_email = addr.group(1).lower()
        head = header_line[:who.start()] if who else header_line
        nm = re.search(r",\s*([^,<]+?)\s*(?:<[^>]*>)?\s*$", head)
        if nm and not fwd.sender_name:
            fwd.sender_name = nm.group(1).strip()
        dt = _parse_date(re.sub(r"^[ \t>]*on\s+", "", head[:nm.start()] if nm else head, flags=re.I))
        fwd.date = fwd.date or dt
        after = max(after, e)
    return text[:s], fwd, text[after:], wrote


def _drop_disclaimers(text: str, dropped: list[str]) -> str:
    """A disclaimer is the end of a paragraph (often the whole of it): from
    the first line naming the boilerplate's words to the paragraph's end,
    when that stretch holds two of them and a dozen words; the signature
    lines above it stay."""
    paras = re.split(r"(\n[ \t]*\n)", text)
    out = []
    for p in paras:
        lines = p.split("\n")
        cut = None
        for i, ln in enumerate(lines):
            if not _DISCLAIMER_WORDS.search(ln):
                continue
            rest = "\n".join(lines[i:])
            if len({m.group(0).lower() for m in _DISCLAIMER_WORDS.finditer(rest)}) >= 2 and _words(rest) >= 12:
                cut = i
            break
        if cut is not None:
            dropped.append("disclaimer")
            p = "\n".join(lines[:cut])
        out.append(p)
    lines = [ln for ln in "".join(out).split("\n")]
    kept = [ln for ln in lines if not _GADGET.match(ln)]
    if len(kept) != len(lines):
        dropped.append("client signature line")
    return "\n".join(kept)


def _greeting_end(text: str) -> int:
    """End of the greeting and covering lines at the top ("Hi,", "Please see
    the form below."), 0 when there are none."""
    pos = end = 0
    for ln in text.split("\n"):
        nxt = pos + len(ln) + 1
        if not ln.strip():
            pos = nxt
            continue
        if _GREETING.match(ln) or _COVER_LINE.match(ln):
            end = min(nxt, len(text))
            pos = nxt
            continue
        break
    return end


def _signoff_start(text: str) -> int | None:
    """Where the sign-off starts: a valediction line followed by no more than
    a signature's few short lines (name, post, agency, numbers)."""
    lines = text.split("\n")
    offsets, pos = [], 0
    for ln in lines:
        offsets.append(pos)
        pos += len(ln) + 1
    for i in range(len(lines) - 1, max(-1, len(lines) - 14), -1):
        if _VALEDICTION.match(lines[i]):
            rest = [ln for ln in lines[i + 1:] if ln.strip()]
            if len(rest) <= 8 and all(len(ln) <= 90 for ln in rest):
                return offsets[i]
            return None
    sep = [i for i, ln in enumerate(lines) if ln.rstrip() == "--"]
    return offsets[sep[-1]] if sep else None


def unwrap(text: str, min_words: int = 8) -> BodyParts:
    """The report in a body: see the module's docstring."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    dropped: list[str] = []
    forwarded = None
    for _ in range(4):  # a forward of a forward of a reply
        split = _split_forward(text)
        if split is None:
            break
        note, fwd, inner, reply = split
        inner = _unquote(inner)
        top = note[_greeting_end(note):]
        if reply and _words(_drop_disclaimers(top, [])) >= min_words:
            # A reply written on top of the message it answers: the new text
            # is the report, the quoted one is history.
            text = note
            dropped.append("quoted message")
            break
        if _words(_drop_disclaimers(inner, [])) < min_words:
            # Nothing below but headers: the report is above (a reply on top).
            text = note
            dropped.append("quoted message")
            break
        if fwd is not None and (fwd.date or fwd.sender_email or fwd.sender_name):
            forwarded = fwd
        dropped.append("forward header")
        if note.strip():
            dropped.append("forwarding note")
        text = inner
    text = _unquote(text)
    text = _drop_disclaimers(text, dropped)
    text = text.strip("\n")
    return BodyParts(text=text, forwarded=forwarded, dropped=sorted(set(dropped)),
                     greeting_end=_greeting_end(text), signoff_start=_signoff_start(text))


def apply_forwarded(record, forwarded: dict | None) -> None:
    """The forwarded message's date and sender are the report's when the
    report does not give its own (added fields only: a form's values win)."""
    if not forwarded or record is None:
        return
    from intake.types import FieldValue, Provenance

    def empty(key: str) -> bool:
        fv = record.fields.get(key)
        return fv is None or fv.value in (None, "")

    prov = Provenance(source="forwarded message header")
    if forwarded.get("date") and empty("report_datetime"):
        when = datetime.fromisoformat(forwarded["date"])
        record.fields["report_datetime"] = FieldValue(when.strftime("%Y-%m-%dT%H:%M"), raw=forwarded["date"],
                                                      provenance=prov, note="from the forwarded message's date")
    if forwarded.get("sender_name") and empty("submitter.name") and empty("submitter.contact"):
        record.fields["submitter.name"] = FieldValue(forwarded["sender_name"], raw=forwarded["sender_name"],
                                                     provenance=prov, note="from the forwarded message's sender")
    if forwarded.get("sender_email") and empty("submitter.contact"):
        record.fields["submitter.contact"] = FieldValue(forwarded["sender_email"], raw=forwarded["sender_email"],
                                                        provenance=prov, note="from the forwarded message's sender")


# Lines that make a body a form pasted in (labels with values after a colon or a tab).
_LABEL_LINE = re.compile(r"^[ \t]*[A-Z0-9][^:\t\n]{1,70}(?::[ \t]*\S|\t)", re.M)


def form_body(text: str) -> bool:
    """A pasted form rather than a letter or a note: many label lines."""
    return len(_LABEL_LINE.findall(text)) >= 6 or text.count("\t") >= 6
