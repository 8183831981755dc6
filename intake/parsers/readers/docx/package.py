"""The parts of a Word package the docx reader needs (main text, headers and
footers, imported chunks, pictures), what kind of package it is (Strict
OOXML, which python-docx cannot open), and OCR of a scan pasted into Word."""

from __future__ import annotations

import contextlib
import io
import zipfile
from dataclasses import dataclass, field

from intake.exception_codes import OCR_PAGES_SKIPPED, PART_UNREADABLE
from intake.parsers.readers.docx.word_xml import RT_ALTCHUNK, RT_FOOTER, RT_HEADER
from intake.parsers.support.options import ParsingOptions
from intake.types import ExceptionInfo, IntakeError, Layout

# ISO/IEC 29500 Strict names its relationships and namespaces under this
# root; Transitional (what Word saves by default) under schemas.openxmlformats.org.
STRICT_ROOT = b"http://purl.oclc.org/ooxml/"


def is_strict_ooxml(data: bytes, zf: zipfile.ZipFile | None = None) -> bool:
    """The package's main-document relationship is a Strict one (``zf``:
    the package already open, see safe_zip.opened_zip)."""
    try:
        with contextlib.nullcontext(zf) if zf is not None else zipfile.ZipFile(io.BytesIO(data)) as zf:
            if "_rels/.rels" not in zf.namelist() or zf.getinfo("_rels/.rels").file_size > 1 << 20:
                return False
            rels = zf.read("_rels/.rels")
    except (zipfile.BadZipFile, OSError, ValueError, RuntimeError, NotImplementedError, KeyError):
        return False
    return STRICT_ROOT + b"officeDocument/relationships/officeDocument" in rels


@dataclass
class Parts:
    main: bytes
    extras: list[tuple[str, bytes]] = field(default_factory=list)  # headers, footers
    chunks: dict[str, tuple[str, bytes]] = field(default_factory=dict)  # altChunks by id
    pictures: list[bytes] = field(default_factory=list)


def open_parts(data: bytes) -> Parts:
    import docx  # noqa: F401  (registers python-docx's part classes)
    from docx.opc.constants import RELATIONSHIP_TYPE as RT
    from docx.opc.package import OpcPackage, Unmarshaller
    from docx.opc.pkgreader import PackageReader

    # OpcPackage.open, but each XML part is parsed only when its bytes are
    # read: python-docx parses every XML part on opening, and the styles
    # part alone (hundreds of KB in a Word file) cost most of reading a form.
    pkg = OpcPackage()
    Unmarshaller.unmarshal(PackageReader.from_file(io.BytesIO(data)), pkg, _part_read_lazily)
    main = pkg.part_related_by(RT.OFFICE_DOCUMENT)
    parts = Parts(main.blob)
    seen: set[str] = set()
    for rel in sorted(main.rels.values(), key=lambda r: (len(r.rId), r.rId)):
        if rel.is_external:
            continue
        if rel.reltype == RT_ALTCHUNK:
            parts.chunks[rel.rId] = (rel.target_part.content_type.lower(), rel.target_part.blob)
            continue
        if rel.reltype == RT.IMAGE:
            parts.pictures.append(rel.target_part.blob)
            continue
        if rel.reltype not in (RT_HEADER, RT_FOOTER):
            continue
        part = rel.target_part
        if str(part.partname) in seen:
            continue
        seen.add(str(part.partname))
        parts.extras.append(("header" if rel.reltype == RT_HEADER else "footer", part.blob))
    return parts


def _part_read_lazily(partname, content_type: str, reltype: str, blob: bytes, package):
    """python-docx's PartFactory, except that an XML part is kept as bytes
    (see _UnparsedXmlPart) rather than parsed into its element tree."""
    from docx.opc.part import PartFactory, XmlPart

    part_class = None
    if PartFactory.part_class_selector is not None:
        part_class = PartFactory.part_class_selector(content_type, reltype)
    if part_class is None:
        part_class = PartFactory._part_cls_for(content_type)
    if issubclass(part_class, XmlPart):
        return _unparsed_xml_part()(partname, content_type, blob, package)
    return part_class.load(partname, content_type, blob, package)


_UNPARSED = None


def _unparsed_xml_part():
    global _UNPARSED
    if _UNPARSED is None:
        from docx.opc.oxml import serialize_part_xml
        from docx.opc.part import Part
        from docx.oxml.parser import parse_xml

        class _UnparsedXmlPart(Part):
            """An XML part whose bytes are what python-docx's XmlPart gives
            (parsed with python-docx's parser, serialised again: blank text
            dropped, UTF-8), worked out when they are read. A part the
            reader never reads (styles, settings, numbering) is never
            parsed, so a damage in one of those no longer fails the package."""

            @property
            def blob(self) -> bytes:
                return serialize_part_xml(parse_xml(self._blob))

        _UNPARSED = _UnparsedXmlPart
    return _UNPARSED


# Fewer characters than this in the body, and pictures: a scan pasted into
# Word, which only OCR can read.
PICTURE_ONLY_CHARS = 100


def ocr_pictures(layout: Layout, pictures: list[bytes], opts: ParsingOptions) -> None:
    from intake.parsers.ocr.page import TableCounter
    from intake.parsers.readers.image import is_small, ocr_picture, open_image

    tables = TableCounter()
    page = 0
    for blob in pictures:
        try:
            img = open_image(blob, opts)
        except IntakeError:
            layout.warnings.append(ExceptionInfo(
                PART_UNREADABLE, "A picture in the document could not be opened, so it was not read by OCR."))
            continue
        if is_small(img, len(blob)):
            continue
        if page >= opts.max_ocr_pages:
            layout.warnings.append(ExceptionInfo(
                OCR_PAGES_SKIPPED, f"The document holds more than {opts.max_ocr_pages} pictures to read "
                "by OCR (parsing.max_ocr_pages); the rest were not read."))
            break
        page += 1
        # Provenance "page" numbers the pictures in the order Word holds them.
        blocks, _ = ocr_picture(img, page, opts, tables)
        layout.blocks.extend(blocks)
        layout.ocr = True
