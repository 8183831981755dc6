"""Legacy Word .doc, OpenDocument .odt and RTF: LibreOffice converts them to
.docx, which the docx reader then reads. Layout.source says so ("doc→docx"),
because field names do not survive the conversion (LibreOffice writes a form field's result, not its name)."""

from __future__ import annotations

from intake.parsers.readers.docx.reader import read_docx_bytes
from intake.parsers.readers.registry import reader
from intake.parsers.sniff import DOC, ODT, RTF
from intake.parsers.support.active_content import ole_macros
from intake.parsers.support.options import ParsingOptions
from intake.parsers.tools.soffice import SUFFIXES, convert
from intake.types import Document, Layout

# media type -> (the name Layout.source gives it, what it is called in a
# message, LibreOffice's import filter); the file suffix is soffice.SUFFIXES'.
_FORMATS = {
    DOC: ("doc", "Word 97-2003 document", "MS Word 97"),
    "application/vnd.ms-word": ("doc", "Word 97-2003 document", "MS Word 97"),
    ODT: ("odt", "OpenDocument text", "writer8"),
    RTF: ("rtf", "RTF document", "Rich Text Format"),
    "text/rtf": ("rtf", "RTF document", "Rich Text Format"),
}


@reader(*_FORMATS)
def read_via_libreoffice(doc: Document, opts: ParsingOptions) -> Layout:
    short, what, infilter = _FORMATS[doc.media_type]
    suffix = SUFFIXES[doc.media_type]
    docx_bytes = convert(doc.data, suffix, "docx", opts, what, infilter)
    layout = read_docx_bytes(docx_bytes, opts, source=f"{short}\u2192docx")
    if short == "doc":
        macros = ole_macros(doc.data)
        if macros is not None:
            layout.warnings.append(macros)
    return layout
