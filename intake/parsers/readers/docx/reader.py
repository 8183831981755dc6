"""Word .docx → Layout.

python-docx opens the package, but its object model hides what forms are
made of (legacy form fields, content controls, text boxes), so the body is
walked as XML: paragraphs and tables in body order, form fields rendered
inline per the FormField convention, headers and footers after the body."""

from __future__ import annotations

import zipfile

from lxml import etree

from intake.exception_codes import CORRUPT_DOCUMENT, PART_UNREADABLE
from intake.parsers.readers.docx.fields import (
    Item,
    ParaBuilder,
    WordContext,
    at_span,
    sdt_field,
    sdt_kind,
    showing_placeholder,
    trim,
)
from intake.parsers.readers.docx.package import PICTURE_ONLY_CHARS, is_strict_ooxml, ocr_pictures, open_parts
from intake.parsers.readers.docx.safe_xml import parse_xml
from intake.parsers.readers.docx.safe_zip import check_zip, opened_zip
from intake.parsers.readers.docx.word_xml import (
    MC,
    R,
    W,
    alternate_branch,
    find_textboxes,
    ns_and_name,
    run_font,
    run_struck,
    unwrap,
    w,
)
from intake.parsers.readers.registry import reader
from intake.parsers.sniff import DOCX
from intake.parsers.support.active_content import ooxml_macros
from intake.parsers.support.options import ParsingOptions
from intake.parsers.support.placeholders import is_placeholder
from intake.parsers.support.symbols import map_symbol, map_text
from intake.parsers.tools.soffice import convert
from intake.types import (
    Cell,
    Document,
    ExceptionInfo,
    FormField,
    IntakeError,
    Layout,
    Paragraph,
    Provenance,
    Table,
)

_TRANSPARENT_INLINE = {"hyperlink", "smartTag", "customXml", "ins", "moveTo", "fldSimple",
                       "dir", "bdo"}
_SKIP_INLINE = {"del", "moveFrom", "pPr", "rPr", "bookmarkStart", "bookmarkEnd", "proofErr",
                "permStart", "permEnd", "commentRangeStart", "commentRangeEnd"}


class _WordWalker:
    def __init__(self, ctx: WordContext) -> None:
        self.ctx = ctx

    # -- blocks ------------------------------------------------------------
    def blocks(self, container: etree._Element) -> list[Item]:
        items: list[Item] = []
        # A legacy text field typed over several lines holds paragraph marks
        # in its result: its paragraphs are read as one, so the field keeps
        # its whole value and its label.
        carry: ParaBuilder | None = None

        def flush() -> None:
            nonlocal carry
            if carry is not None:
                items.append(carry.finish())
                items.extend(carry.extra)
                carry = None

        for child in container:
            ns, name = ns_and_name(child)
            if ns == MC and name == "AlternateContent":
                branch = alternate_branch(child)
                if branch is not None:
                    flush()
                    items.extend(self.blocks(branch))
                continue
            if ns != W:
                continue
            if name == "p":
                if carry is not None:
                    b = carry
                    b.text("\n")
                else:
                    b = ParaBuilder(self.ctx)
                self.inline(child, b)
                if any(f.ff is not None and f.phase == "result" for f in b.frames):
                    carry = b
                    continue
                carry = b
                flush()
                continue
            flush()
            if name == "tbl":
                items.append(Item(table=self.table(child)))
            elif name == "sdt":
                items.extend(self.block_sdt(child))
            elif name in ("customXml", "ins", "moveTo"):
                items.extend(self.blocks(child))
            elif name == "altChunk":
                items.extend(self.alt_chunk(child))
        flush()
        return items

    def alt_chunk(self, el: etree._Element) -> list[Item]:
        """Content a generator imported whole (HTML, text or another .docx)
        that Word would convert on opening: read it with its own reader."""
        from intake.parsers.readers.html import html_to_layout
        from intake.parsers.readers.text import text_to_layout
        from intake.parsers.support.text_decode import decode_text

        rid = el.get(f"{{{R}}}id")
        kind, blob = self.ctx.chunks.get(rid or "", ("", b""))
        source = f"{self.ctx.source}:altChunk"
        if "html" in kind:
            layout = html_to_layout(decode_text(blob), source)
        elif kind.startswith("text/plain"):
            layout = text_to_layout(decode_text(blob), source)
        elif "wordprocessingml" in kind and self.ctx.depth < 3:
            layout = read_docx_bytes(blob, self.ctx.opts, depth=self.ctx.depth + 1)
        else:
            self.ctx.warnings.append(ExceptionInfo(
                PART_UNREADABLE, "An embedded part of the document (an imported chunk of a kind "
                "intake does not read) was not read."))
            return []
        return [Item(table=b) if isinstance(b, Table) else
                Item(text=b.text, fields=list(b.fields)) for b in layout.blocks
                if isinstance(b, (Table, Paragraph))]

    def block_sdt(self, sdt: etree._Element) -> list[Item]:
        content = sdt.find(w("sdtContent"))
        inner = self.blocks(content) if content is not None else []
        props = sdt.find(w("sdtPr"))
        kind = sdt_kind(props)
        has_structure = any(i.table is not None or i.fields for i in inner)
        if kind is None or (has_structure and kind != "checkbox"):
            return inner
        text = "\n".join(i.text for i in inner)
        ff, rendered = sdt_field(props, kind, text, self.ctx)
        return [trim(Item(text=rendered, fields=[at_span(ff, 0, len(rendered))]))]

    def table(self, tbl: etree._Element) -> Table:
        index = self.ctx.tables
        self.ctx.tables += 1
        saved = self.ctx.loc
        rows: list[list[Cell]] = []
        for r, tr in enumerate(unwrap(tbl, "tr")):
            row: list[Cell] = []
            for c, tc in enumerate(unwrap(tr, "tc")):
                self.ctx.loc = Provenance(table=index, row=r, cell=c, source=saved.source)
                row.append(self.cell(tc, index, r, c))
            rows.append(row)
        self.ctx.loc = saved
        return Table(rows=rows, provenance=Provenance(table=index, source=saved.source))

    def cell(self, tc: etree._Element, t: int, r: int, c: int) -> Cell:
        prov = Provenance(table=t, row=r, cell=c, source=self.ctx.source)
        tcpr = tc.find(w("tcPr"))
        span = 1
        continued = False
        if tcpr is not None:
            gs = tcpr.find(w("gridSpan"))
            if gs is not None:
                try:
                    span = max(1, int(gs.get(w("val")) or 1))
                except ValueError:
                    span = 1
            vm = tcpr.find(w("vMerge"))
            if vm is not None and (vm.get(w("val")) or "continue") == "continue":
                continued = True
        items = self.blocks(tc)
        if continued:
            # The text belongs to the merged cell above; a continuation that
            # nonetheless holds text (a damaged merge) keeps it.
            if not any(i.text or i.fields for i in items if i.table is None):
                return Cell(text="", provenance=prov, col_span=span, row_continued=True)
        texts: list[str] = []
        fields: list[FormField] = []
        tables: list[Table] = []
        pos = 0
        for i in items:
            if i.table is not None:
                tables.append(i.table)
                continue
            if texts:
                pos += 1  # the joining newline
            for ff in i.fields:
                if ff.start is not None:
                    ff.start += pos
                    ff.end = (ff.end if ff.end is not None else 0) + pos
                fields.append(ff)
            texts.append(i.text)
            pos += len(i.text)
        text = "\n".join(texts)
        stripped = text.rstrip("\n")
        if is_placeholder(stripped) and not fields:
            stripped = ""
        return Cell(text=stripped, fields=fields, provenance=prov, tables=tables,
                    col_span=span, row_continued=continued)

    # -- inline ------------------------------------------------------------
    def inline(self, el: etree._Element, b: ParaBuilder) -> None:
        for child in el:
            ns, name = ns_and_name(child)
            if ns == MC and name == "AlternateContent":
                branch = alternate_branch(child)
                if branch is not None:
                    self.inline(branch, b)
                continue
            if ns != W or name in _SKIP_INLINE:
                continue
            if name == "r":
                self.run(child, b)
            elif name == "sdt":
                self.inline_sdt(child, b)
            elif name in _TRANSPARENT_INLINE:
                self.inline(child, b)

    def run(self, r: etree._Element, b: ParaBuilder) -> None:
        font = None
        # Struck-through text is deleted text, as a tracked deletion is.
        struck = run_struck(r)
        for child in r:
            ns, name = ns_and_name(child)
            if ns == MC and name == "AlternateContent":
                branch = alternate_branch(child)
                if branch is not None:
                    self.textboxes(branch, b)
                continue
            if ns != W:
                continue
            if name == "t":
                if struck:
                    continue
                text = child.text or ""
                font = font or run_font(r)
                b.text(map_text(font, text))
            elif name in ("tab", "ptab"):
                b.text("\t")
            elif name in ("br", "cr"):
                b.text("\n")
            elif name == "noBreakHyphen":
                b.text("-")
            elif name == "sym":
                try:
                    ch = chr(int(child.get(w("char")) or "", 16))
                except ValueError:
                    continue
                b.text(map_symbol(child.get(w("font")), ch))
            elif name == "fldChar":
                b.fld_char(child)
            elif name in ("drawing", "pict", "object"):
                self.textboxes(child, b)

    def textboxes(self, el: etree._Element, b: ParaBuilder) -> None:
        for box in find_textboxes(el):
            b.extra.extend(i for i in self.blocks(box) if i.text or i.fields or i.table)

    def inline_sdt(self, sdt: etree._Element, b: ParaBuilder) -> None:
        props = sdt.find(w("sdtPr"))
        content = sdt.find(w("sdtContent"))
        kind = sdt_kind(props)
        if kind is None:
            if content is not None:
                self.inline(content, b)
            return
        sub = ParaBuilder(self.ctx)
        if content is not None:
            self.inline(content, sub)
        item = sub.finish()
        b.extra.extend(sub.extra)
        if item.fields and kind == "text" and not showing_placeholder(props):
            # A rich control wrapping other fields: keep the inner fields.
            for ff in item.fields:
                b.add_field(ff, item.text[ff.start:ff.end] if ff.start is not None else "")
            return
        ff, rendered = sdt_field(props, kind, item.text, self.ctx)
        b.add_field(ff, rendered)


# --------------------------------------------------------------------------
# the reader
# --------------------------------------------------------------------------


def _to_blocks(items: list[Item], source: str) -> list:
    out: list = []
    for i in items:
        if i.table is not None:
            out.append(i.table)
        elif i.text or i.fields:
            out.append(Paragraph(text=i.text, fields=i.fields, provenance=Provenance(source=source)))
    return out


def read_docx_bytes(data: bytes, opts: ParsingOptions, source: str = "docx", depth: int = 0,
                    zf: zipfile.ZipFile | None = None) -> Layout:
    """``zf``: the package already open (safe_zip.opened_zip), for the
    checks that list it."""
    check_zip(data, opts.max_unzipped_bytes, zf=zf)
    try:
        parts = open_parts(data)
    except IntakeError:
        raise
    except Exception as exc:  # python-docx raises KeyError, ValueError, ... on damage
        raise IntakeError(
            CORRUPT_DOCUMENT,
            f"The Word document's package is damaged ({type(exc).__name__}); "
            "ask the sender to save it again and resend.",
        ) from None
    try:
        root = parse_xml(parts.main)
    except etree.XMLSyntaxError:
        raise IntakeError(
            CORRUPT_DOCUMENT,
            "The Word document's main text is not well-formed XML; ask the sender to save it again.",
        ) from None
    body = root.find(w("body"))
    if body is None:
        raise IntakeError(CORRUPT_DOCUMENT, "The Word document has no body; it may be damaged.")
    ctx = WordContext("docx", parts.chunks, depth, opts)
    layout = Layout(source=source)
    macros = ooxml_macros(data, zf)
    if macros is not None:
        layout.warnings.append(macros)
    layout.blocks.extend(_to_blocks(_WordWalker(ctx).blocks(body), "docx"))
    body_chars = len("".join(layout.plain_text().split()))
    seen_text: set[str] = set()
    for kind, blob in parts.extras:
        try:
            part_root = parse_xml(blob)
        except etree.XMLSyntaxError:
            layout.warnings.append(ExceptionInfo(
                PART_UNREADABLE, f"A {kind} of the document is not well-formed and was not read."))
            continue
        ctx.source = f"docx:{kind}"
        ctx.loc = Provenance(source=ctx.source)
        items = _WordWalker(ctx).blocks(part_root)
        key = "\n".join(i.text for i in items if i.table is None)
        if key in seen_text:
            continue  # the same header repeated for another section
        seen_text.add(key)
        layout.blocks.extend(_to_blocks(items, f"docx:{kind}"))
    layout.warnings.extend(ctx.warnings)
    if parts.pictures and body_chars < PICTURE_ONLY_CHARS:
        ocr_pictures(layout, parts.pictures, opts)
    return layout


@reader(DOCX, "application/vnd.ms-word.document.macroEnabled.12",
        "application/vnd.openxmlformats-officedocument.wordprocessingml.template",
        "application/vnd.ms-word.template.macroEnabled.12")
def read_docx(doc: Document, opts: ParsingOptions) -> Layout:
    with opened_zip(doc.data) as zf:
        if is_strict_ooxml(doc.data, zf):
            # python-docx knows only Transitional names; LibreOffice converts
            # Strict to Transitional (as Word itself does on opening).
            check_zip(doc.data, opts.max_unzipped_bytes, zf=zf)
            converted = convert(doc.data, ".docx", "docx", opts, "Strict Open XML Word document",
                                "Office Open XML Text")
            layout = read_docx_bytes(converted, opts, source="strict docx\u2192docx")
            macros = ooxml_macros(doc.data, zf)
            if macros is not None:
                layout.warnings.append(macros)
        else:
            layout = read_docx_bytes(doc.data, opts, zf=zf)
    return layout
