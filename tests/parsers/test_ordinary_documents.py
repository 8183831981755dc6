"""Ordinary documents (tests/parsers/ordinary_documents.py: minutes,
invoices, CVs, timetables, newsletters with tables, a data sheet, price
lists...) are never `unknown_template`: that code means "a report form we
do not know" and puts the document in the officers' queue. They are read
(free text) or not_a_report, like any document that is not a form."""

from __future__ import annotations

import pytest
from ordinary_documents import DOCUMENTS, documents

from intake.parsers import parse_document, sniff_media_type
from intake.types import Document, sha256_hex

_DOCS = documents()


def test_there_are_enough_kinds_of_ordinary_document():
    assert len(DOCUMENTS) >= 20
    assert {n.rsplit(".", 1)[1] for n in DOCUMENTS} >= {"docx", "pdf", "txt"}


@pytest.mark.parametrize("name", sorted(DOCUMENTS))
def test_an_ordinary_document_is_not_an_unknown_form(name):
    data = _DOCS[name]
    out = parse_document(Document("attachment", name, sniff_media_type(data, name), sha256_hex(data), data))
    assert out.status in ("parsed", "not_a_report"), (out.exception.code, out.exception.detail)
