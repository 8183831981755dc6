"""Legacy Word .doc, OpenDocument .odt and RTF: LibreOffice converts them to
.docx, which the docx reader then reads. Layout.source says so ("doc→docx"),
because field names do not survive the conversion (LibreOffice writes a form field's result, not its name)."""

from __future__ import annotations

from intake.parsers.readers.docx.reader import read_docx_bytes
from intake.parsers.readers.registry import reader
from intake.parsers.sniff import DOC, ODT, RTF
from intake.parsers.support.active_content import ole_macros
from intake.parsers.support.options import ParsingOptions
from intake.parsers.tools.soffice import convert
from intake.types import Document, Layout

_FORMATS = {
    DOC: (".doc", "doc", "Word 97-2003 document", "MS Word 97"),
    "application/vnd.ms-word": (".doc", "doc", "Word 97-2003 document", "MS Word 97"),
    ODT: (".odt", "odt", "OpenDocument text", "writer8"),
    RTF: (".rtf", "rtf", "RTF document", "Rich Text Format"),
    "text/rtf": (".rtf", "rtf", "RTF document", "Rich Text Format"),
}


@reader(*_FORMATS)
def read_via_libreoffice(doc: Document, opts: ParsingOptions) -> Layout:
    suffix, short, what, infilter = _FORMATS[doc.media_type]
    docx_bytes = convert(doc.data, suffix, "docx", opts, what, infilter)
    layout = read_docx_bytes(docx_bytes, opts, source=f"{short}\u2192docx")
    if short == "doc":
        macros = ole_macros(doc.data)
        if macros is not None:
            layout.warnings.append(macros)
    return layout
