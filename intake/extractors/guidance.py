"""Contact details printed as guidance are not intelligence.

A blank form or leaflet tells the reader where to send it: "Once completed
please e-mail this form to childexploitation@...", "If you do not have secure
e-mail, telephone the hub on 0300 ...". Those are the receiving force's own
mailboxes and numbers; extracted as entities they would link every report
to the force itself. An EMAIL or PHONE is guidance when

- it is one of the force's own (gazetteer ``own_mailboxes``, ``own_phones``),
- an e-mail is a functional mailbox (local part made only of
  ``functional_mailbox_words``) at an ``own_email_domains`` domain, or
- its sentence instructs the reader to send the form or report: a modal or
  imperative instruction, not a submitter's own narrative ("I have e-mailed
  the report to ..." stays).
"""

from __future__ import annotations

import re

from intake.extractors.recogniser import Candidate

TYPES = ("EMAIL", "PHONE")

# What guidance sends: the form or report itself. "Please send any updates to
# cse.team@..." is a submitter giving their own mailbox and stays.
_OBJECT = (r"(?:(?:this|the|your|all|any|each|a|completed|the\s+completed|your\s+completed)\s+)?"
           r"(?:forms?|reports?|referrals?|information(?:\s+report)?|documents?|intelligence)\b")
_SEND = r"(?:e-?mail|send|submit|return|forward|post)"
_INSTRUCTION = re.compile(
    rf"\bplease\s+{_SEND}\s+{_OBJECT}"
    r"|\bonce\s+(?:completed|complete|filled\s+in|finished)\b"
    r"|\bcompleted\s+(?:forms?|reports?|referrals?|documents?)\b"
    r"|\b(?:forms?|reports?|referrals?|information|documents?)\s+(?:should|must|can|may|will|needs?\s+to|"
    r"is\s+to|are\s+to)\s+(?:then\s+)?(?:be\s+)?(?:e-?mailed|sent|submitted|returned|forwarded)\b"
    rf"|(?:^|[:;]\s*){_SEND}\s+{_OBJECT}"
    r"|\b(?:referrals?|reports?|forms?)\s+(?:send|go|goes)\s+to\b"
    rf"|(?<!\bI\s)(?<!\bwe\s)\b(?:should|must|need\s+to|are\s+asked\s+to)\s+{_SEND}\s+{_OBJECT}"
    r"|\bif\s+you\s+(?:do\s+not|don['’]?t)\s+have\s+(?:a\s+|access\s+to\s+)?secure\s+e-?mail",
    re.I | re.M)
_LOCAL_WORDS = re.compile(r"[a-z]+")


def flag(cands: list[Candidate], text: str, ctx) -> None:
    """Mark guidance contacts (``attrs["guidance"]``) so they keep their span
    through overlap resolution and are dropped after it."""
    g = ctx.gazetteers
    mailboxes, phones = g.word_list("own_mailboxes"), g.word_list("own_phones")
    domains, words = g.word_list("own_email_domains"), g.word_list("functional_mailbox_words")
    for c in cands:
        if c.type not in TYPES:
            continue
        reason = None
        if c.type == "EMAIL" and c.value in mailboxes or c.type == "PHONE" and c.value in phones:
            reason = "own_contact"
        elif c.type == "EMAIL" and _functional(c.value, domains, words):
            reason = "own_functional_mailbox"
        elif _instruction_near(text, c.start, ctx):
            reason = "instruction"
        if reason:
            c.attrs["guidance"] = reason


def _functional(address: str, domains: set[str], words: set[str]) -> bool:
    local, _, domain = address.partition("@")
    if not any(domain == d or domain.endswith("." + d) for d in domains):
        return False
    parts = _LOCAL_WORDS.findall(local)
    return bool(parts) and all(p in words for p in parts)


def _instruction_near(text: str, offset: int, ctx) -> bool:
    lo, hi = ctx.sentence_span(offset)
    lo = max(lo, offset - 300)  # a text without full stops stays linear
    # A slice, so "^" is the sentence's own start.
    return _INSTRUCTION.search(text[lo:min(hi, offset + 1)]) is not None


def drop(cands: list[Candidate]) -> list[Candidate]:
    return [c for c in cands if not c.attrs.get("guidance")]
