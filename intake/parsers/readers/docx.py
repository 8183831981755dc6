"""Word .docx → Layout.

python-docx opens the package, but its object model hides what forms are
made of (legacy form fields, content controls, text boxes), so the body is
walked as XML: paragraphs and tables in body order, form fields rendered
inline per the FormField convention, headers and footers after the body."""

from __future__ import annotations

import io
from dataclasses import dataclass, field

from lxml import etree

from intake.parsers.readers.registry import reader
from intake.parsers.sniff import DOCX
from intake.parsers.support.options import ParsingOptions
from intake.parsers.support.placeholders import clean_value, is_placeholder, strip_leaders
from intake.parsers.support.safe_xml import parse_xml
from intake.parsers.support.safe_zip import check_zip
from intake.parsers.support.symbols import map_symbol, map_text
from intake.types import Cell, Document, FormField, IntakeError, Layout, Paragraph, Provenance, Table

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
W14 = "http://schemas.microsoft.com/office/word/2010/wordml"
MC = "http://schemas.openxmlformats.org/markup-compatibility/2006"
R = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
RT_HEADER = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/header"
RT_ALTCHUNK = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/aFChunk"
RT_FOOTER = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/footer"

CHECKED, UNCHECKED = "\u2612", "\u2610"


def w(tag: str) -> str:
    return f"{{{W}}}{tag}"


def _local(el: etree._Element) -> str:
    tag = el.tag
    return tag.rsplit("}", 1)[-1] if isinstance(tag, str) else ""


def _ns(el: etree._Element) -> str:
    tag = el.tag
    return tag[1:].split("}", 1)[0] if isinstance(tag, str) and tag.startswith("{") else ""


def _on(el: etree._Element | None, attr: str = w("val")) -> bool | None:
    """OOXML on/off property: present without a value means on."""
    if el is None:
        return None
    val = el.get(attr)
    if val is None:
        return True
    return val.strip().lower() not in ("0", "false", "off")


def _run_font(run: etree._Element) -> str | None:
    fonts = run.find(f"{w('rPr')}/{w('rFonts')}")
    if fonts is None:
        return None
    return fonts.get(w("ascii")) or fonts.get(w("hAnsi")) or fonts.get(w("cs"))


# --------------------------------------------------------------------------
# paragraph text with inline fields
# --------------------------------------------------------------------------


@dataclass
class _Frame:
    """One complex field (w:fldChar begin … separate … end) being read."""

    ff: etree._Element | None
    phase: str = "instr"
    result: list = field(default_factory=list)


@dataclass
class _Item:
    """A block while walking: a paragraph's text and fields, or a table."""

    text: str = ""
    fields: list[FormField] = field(default_factory=list)
    table: Table | None = None


class _Ctx:
    def __init__(self, source: str, chunks: dict[str, tuple[str, bytes]] | None = None,
                 depth: int = 0, opts: ParsingOptions | None = None) -> None:
        self.source = source
        self.tables = 0
        self.loc = Provenance(source=source)
        self.chunks = chunks or {}  # altChunk relationship id -> (content type, bytes)
        self.depth = depth
        self.opts = opts or ParsingOptions()
        self.warnings: list[str] = []

    def prov(self, name: str | None) -> Provenance:
        p = self.loc
        return Provenance(page=None, table=p.table, row=p.row, cell=p.cell, field=name, source=p.source)


class _ParaBuilder:
    def __init__(self, ctx: _Ctx) -> None:
        self.ctx = ctx
        self.pieces: list = []  # str or (FormField, rendered)
        self.frames: list[_Frame] = []
        self.extra: list[_Item] = []  # text boxes anchored here

    # -- destinations ------------------------------------------------------
    def _sink(self) -> list | None:
        if any(f.phase == "instr" for f in self.frames):
            return None
        for frame in reversed(self.frames):
            if frame.ff is not None:
                return frame.result
        return self.pieces

    def text(self, s: str) -> None:
        sink = self._sink()
        if sink is not None and s:
            sink.append(s)

    def add_field(self, ff: FormField, rendered: str) -> None:
        sink = self._sink()
        if sink is None:
            return
        if sink is self.pieces:
            sink.append((ff, rendered))
        else:  # a field nested in a form field's result: keep its text only
            sink.append(rendered)

    # -- complex fields ----------------------------------------------------
    def fld_char(self, el: etree._Element) -> None:
        kind = el.get(w("fldCharType"))
        if kind == "begin":
            self.frames.append(_Frame(ff=el.find(w("ffData"))))
        elif kind == "separate" and self.frames:
            self.frames[-1].phase = "result"
        elif kind == "end" and self.frames:
            frame = self.frames.pop()
            if frame.ff is not None:
                self._finish_form_field(frame)

    def _finish_form_field(self, frame: _Frame) -> None:
        ff = frame.ff
        name_el = ff.find(w("name"))
        name = name_el.get(w("val")) if name_el is not None else None
        result_text = "".join(p if isinstance(p, str) else p[1] for p in frame.result)
        label = None
        for tag in ("statusText", "helpText"):
            el = ff.find(w(tag))
            if el is not None and el.get(w("val")):
                label = el.get(w("val"))
                break
        checkbox = ff.find(w("checkBox"))
        dropdown = ff.find(w("ddList"))
        prov = self.ctx.prov(name)
        if checkbox is not None:
            checked = _on(checkbox.find(w("checked")))
            if checked is None:
                checked = bool(_on(checkbox.find(w("default"))))
            self.add_field(FormField(name, "checkbox", None, checked=checked, provenance=prov,
                                     label=label), CHECKED if checked else UNCHECKED)
            return
        if dropdown is not None:
            entries = [e.get(w("val")) or "" for e in dropdown.findall(w("listEntry"))]
            idx_el = dropdown.find(w("result"))
            if idx_el is None:
                idx_el = dropdown.find(w("default"))
            try:
                idx = int(idx_el.get(w("val"))) if idx_el is not None else 0
            except (TypeError, ValueError):
                idx = 0
            raw = entries[idx] if 0 <= idx < len(entries) else None
            value = None if raw is None or _is_choice_prompt(raw) else clean_value(raw)
            self.add_field(FormField(name, "dropdown", value, provenance=prov, label=label),
                           value or "")
            return
        kind = "text"
        text_input = ff.find(w("textInput"))
        if text_input is not None:
            type_el = text_input.find(w("type"))
            if type_el is not None and (type_el.get(w("val")) or "").lower() == "date":
                kind = "date"
        value = clean_value(result_text)
        self.add_field(FormField(name, kind, value, provenance=prov, label=label), value or "")

    # -- result ------------------------------------------------------------
    def finish(self) -> _Item:
        # A field left open at the paragraph's end (its end mark sits in a
        # later paragraph): keep what it showed rather than lose it.
        while self.frames:
            frame = self.frames.pop()
            if frame.ff is not None and (frame.phase == "result" or frame.ff.find(w("checkBox")) is not None):
                self._finish_form_field(frame)
        merged: list = []
        for p in self.pieces:
            if isinstance(p, str) and merged and isinstance(merged[-1], str):
                merged[-1] += p
            else:
                merged.append(p)
        text = ""
        fields: list[FormField] = []
        for p in merged:
            if isinstance(p, str):
                text += strip_leaders(p)
            else:
                ff, rendered = p
                ff.start = len(text)
                text += rendered
                ff.end = len(text)
                fields.append(ff)
        return _trim(_Item(text=text, fields=fields))


def _trim(item: _Item) -> _Item:
    """Strip outer white space and keep field offsets pointing at the same
    characters."""
    lead = len(item.text) - len(item.text.lstrip())
    text = item.text.strip()
    for ff in item.fields:
        if ff.start is not None:
            ff.start = min(max(0, ff.start - lead), len(text))
            ff.end = min(max(ff.start, (ff.end or 0) - lead), len(text))
    item.text = text
    return item


def _is_choice_prompt(text: str) -> bool:
    t = text.strip().lower()
    return not t or t.startswith(("select", "please select", "choose", "please choose", "--"))


# --------------------------------------------------------------------------
# walking
# --------------------------------------------------------------------------

_TRANSPARENT_INLINE = {"hyperlink", "smartTag", "customXml", "ins", "moveTo", "fldSimple",
                       "dir", "bdo"}
_SKIP_INLINE = {"del", "moveFrom", "pPr", "rPr", "bookmarkStart", "bookmarkEnd", "proofErr",
                "permStart", "permEnd", "commentRangeStart", "commentRangeEnd"}


class _Walker:
    def __init__(self, ctx: _Ctx) -> None:
        self.ctx = ctx

    # -- blocks ------------------------------------------------------------
    def blocks(self, container: etree._Element) -> list[_Item]:
        items: list[_Item] = []
        # A legacy text field typed over several lines holds paragraph marks
        # in its result: its paragraphs are read as one, so the field keeps
        # its whole value and its label.
        carry: _ParaBuilder | None = None

        def flush() -> None:
            nonlocal carry
            if carry is not None:
                items.append(carry.finish())
                items.extend(carry.extra)
                carry = None

        for child in container:
            if _ns(child) == MC and _local(child) == "AlternateContent":
                branch = _alternate_branch(child)
                if branch is not None:
                    flush()
                    items.extend(self.blocks(branch))
                continue
            if _ns(child) != W:
                continue
            name = _local(child)
            if name == "p":
                if carry is not None:
                    b = carry
                    b.text("\n")
                else:
                    b = _ParaBuilder(self.ctx)
                self.inline(child, b)
                if any(f.ff is not None and f.phase == "result" for f in b.frames):
                    carry = b
                    continue
                carry = b
                flush()
                continue
            flush()
            if name == "tbl":
                items.append(_Item(table=self.table(child)))
            elif name == "sdt":
                items.extend(self.block_sdt(child))
            elif name in ("customXml", "ins", "moveTo"):
                items.extend(self.blocks(child))
            elif name == "altChunk":
                items.extend(self.alt_chunk(child))
        flush()
        return items

    def alt_chunk(self, el: etree._Element) -> list[_Item]:
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
            self.ctx.warnings.append("an embedded part of the document could not be read "
                                     "(an imported chunk of an unsupported kind)")
            return []
        return [_Item(table=b) if isinstance(b, Table) else
                _Item(text=b.text, fields=list(b.fields)) for b in layout.blocks
                if isinstance(b, (Table, Paragraph))]

    def block_sdt(self, sdt: etree._Element) -> list[_Item]:
        content = sdt.find(w("sdtContent"))
        inner = self.blocks(content) if content is not None else []
        props = sdt.find(w("sdtPr"))
        kind = _sdt_kind(props)
        has_structure = any(i.table is not None or i.fields for i in inner)
        if kind is None or (has_structure and kind != "checkbox"):
            return inner
        text = "\n".join(i.text for i in inner)
        ff, rendered = _sdt_field(props, kind, text, self.ctx)
        return [_trim(_Item(text=rendered, fields=[_at(ff, 0, len(rendered))]))]

    def table(self, tbl: etree._Element) -> Table:
        index = self.ctx.tables
        self.ctx.tables += 1
        saved = self.ctx.loc
        rows: list[list[Cell]] = []
        for r, tr in enumerate(_unwrap(tbl, "tr")):
            row: list[Cell] = []
            for c, tc in enumerate(_unwrap(tr, "tc")):
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
    def inline(self, el: etree._Element, b: _ParaBuilder) -> None:
        for child in el:
            ns, name = _ns(child), _local(child)
            if ns == MC and name == "AlternateContent":
                branch = _alternate_branch(child)
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

    def run(self, r: etree._Element, b: _ParaBuilder) -> None:
        font = None
        for child in r:
            ns, name = _ns(child), _local(child)
            if ns == MC and name == "AlternateContent":
                branch = _alternate_branch(child)
                if branch is not None:
                    self.textboxes(branch, b)
                continue
            if ns != W:
                continue
            if name == "t":
                text = child.text or ""
                font = font or _run_font(r)
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

    def textboxes(self, el: etree._Element, b: _ParaBuilder) -> None:
        for box in _find_textboxes(el):
            b.extra.extend(i for i in self.blocks(box) if i.text or i.fields or i.table)

    def inline_sdt(self, sdt: etree._Element, b: _ParaBuilder) -> None:
        props = sdt.find(w("sdtPr"))
        content = sdt.find(w("sdtContent"))
        kind = _sdt_kind(props)
        if kind is None:
            if content is not None:
                self.inline(content, b)
            return
        sub = _ParaBuilder(self.ctx)
        if content is not None:
            self.inline(content, sub)
        item = sub.finish()
        b.extra.extend(sub.extra)
        if item.fields and kind == "text" and not _showing_placeholder(props):
            # A rich control wrapping other fields: keep the inner fields.
            for ff in item.fields:
                b.add_field(ff, item.text[ff.start:ff.end] if ff.start is not None else "")
            return
        ff, rendered = _sdt_field(props, kind, item.text, self.ctx)
        b.add_field(ff, rendered)


def _at(ff: FormField, start: int, end: int) -> FormField:
    ff.start, ff.end = start, end
    return ff


def _unwrap(parent: etree._Element, tag: str):
    """Children named ``tag``, looking through content controls and custom
    XML that wrap whole rows or cells."""
    for child in parent:
        if _ns(child) != W:
            continue
        name = _local(child)
        if name == tag:
            yield child
        elif name == "sdt":
            content = child.find(w("sdtContent"))
            if content is not None:
                yield from _unwrap(content, tag)
        elif name in ("customXml", "ins", "moveTo"):
            yield from _unwrap(child, tag)


def _alternate_branch(ac: etree._Element) -> etree._Element | None:
    # The first Choice is what Word shows; Fallback repeats the same content
    # for older readers and would double it.
    for child in ac:
        if _ns(child) == MC and _local(child) == "Choice":
            return child
    for child in ac:
        if _ns(child) == MC and _local(child) == "Fallback":
            return child
    return None


def _find_textboxes(el: etree._Element):
    for child in el:
        if not isinstance(child.tag, str):
            continue
        if _ns(child) == MC and _local(child) == "AlternateContent":
            branch = _alternate_branch(child)
            if branch is not None:
                yield from _find_textboxes(branch)
        elif _ns(child) == W and _local(child) == "txbxContent":
            yield child
        else:
            yield from _find_textboxes(child)


# --------------------------------------------------------------------------
# content controls
# --------------------------------------------------------------------------


def _sdt_kind(props: etree._Element | None) -> str | None:
    """What a content control holds, or None for a container (group,
    repeating section, building block) whose inside is read as is."""
    if props is None:
        return "text"
    names = {(_ns(c), _local(c)) for c in props}
    if (W14, "checkbox") in names:
        return "checkbox"
    if (W, "date") in names:
        return "date"
    if (W, "dropDownList") in names or (W, "comboBox") in names:
        return "dropdown"
    if {(W, "group"), (W, "docPartObj"), (W, "docPartList"), (W, "bibliography"),
            (W, "citation"), (W, "equation")} & names:
        return None
    if any(ns == "http://schemas.microsoft.com/office/word/2012/wordml" and n in
           ("repeatingSection", "repeatingSectionItem") for ns, n in names):
        return None
    if (W, "picture") in names:
        return None
    return "text"


def _showing_placeholder(props: etree._Element | None) -> bool:
    if props is None:
        return False
    return bool(_on(props.find(w("showingPlcHdr"))))


def _sdt_field(props, kind: str, text: str, ctx: _Ctx) -> tuple[FormField, str]:
    tag = alias = None
    if props is not None:
        t = props.find(w("tag"))
        a = props.find(w("alias"))
        tag = t.get(w("val")) if t is not None else None
        alias = a.get(w("val")) if a is not None else None
    name = tag or alias
    prov = ctx.prov(name)
    if kind == "checkbox":
        box = props.find(f"{{{W14}}}checkbox")
        checked_el = box.find(f"{{{W14}}}checked") if box is not None else None
        if checked_el is not None:
            checked = bool(_on(checked_el, f"{{{W14}}}val"))
        else:
            checked = any(ch in text for ch in "\u2612\u2611\u2713\u2714")
        return (FormField(name, "checkbox", None, checked=checked, provenance=prov, label=alias),
                CHECKED if checked else UNCHECKED)
    value = None if _showing_placeholder(props) else clean_value(text)
    if kind == "dropdown" and value is not None and _is_choice_prompt(value):
        value = None
    return FormField(name, kind, value, provenance=prov, label=alias), value or ""


# --------------------------------------------------------------------------
# the reader
# --------------------------------------------------------------------------


def _open_parts(data: bytes) -> tuple[bytes, list[tuple[str, bytes]], dict[str, tuple[str, bytes]]]:
    import docx  # noqa: F401  (registers python-docx's part classes)
    from docx.opc.constants import RELATIONSHIP_TYPE as RT
    from docx.opc.package import OpcPackage

    pkg = OpcPackage.open(io.BytesIO(data))
    main = pkg.part_related_by(RT.OFFICE_DOCUMENT)
    extras: list[tuple[str, bytes]] = []
    chunks: dict[str, tuple[str, bytes]] = {}
    seen: set[str] = set()
    for rel in sorted(main.rels.values(), key=lambda r: r.rId):
        if rel.is_external:
            continue
        if rel.reltype == RT_ALTCHUNK:
            chunks[rel.rId] = (rel.target_part.content_type.lower(), rel.target_part.blob)
            continue
        if rel.reltype not in (RT_HEADER, RT_FOOTER):
            continue
        part = rel.target_part
        if str(part.partname) in seen:
            continue
        seen.add(str(part.partname))
        extras.append(("header" if rel.reltype == RT_HEADER else "footer", part.blob))
    return main.blob, extras, chunks


def _to_blocks(items: list[_Item], source: str) -> list:
    out: list = []
    for i in items:
        if i.table is not None:
            out.append(i.table)
        elif i.text or i.fields:
            out.append(Paragraph(text=i.text, fields=i.fields, provenance=Provenance(source=source)))
    return out


def read_docx_bytes(data: bytes, opts: ParsingOptions, source: str = "docx", depth: int = 0) -> Layout:
    check_zip(data, opts.max_unzipped_bytes)
    try:
        main_xml, extras, chunks = _open_parts(data)
    except IntakeError:
        raise
    except Exception as exc:  # python-docx raises KeyError, ValueError, ... on damage
        raise IntakeError(
            "corrupt_document",
            f"The Word document's package is damaged ({type(exc).__name__}); "
            "ask the sender to save it again and resend.",
        ) from None
    try:
        root = parse_xml(main_xml)
    except etree.XMLSyntaxError:
        raise IntakeError(
            "corrupt_document",
            "The Word document's main text is not well-formed XML; ask the sender to save it again.",
        ) from None
    body = root.find(w("body"))
    if body is None:
        raise IntakeError("corrupt_document", "The Word document has no body; it may be damaged.")
    ctx = _Ctx("docx", chunks, depth, opts)
    layout = Layout(source=source)
    layout.blocks.extend(_to_blocks(_Walker(ctx).blocks(body), "docx"))
    seen_text: set[str] = set()
    for kind, blob in extras:
        try:
            part_root = parse_xml(blob)
        except etree.XMLSyntaxError:
            layout.warnings.append(f"a {kind} of the document could not be read")
            continue
        ctx.source = f"docx:{kind}"
        ctx.loc = Provenance(source=ctx.source)
        items = _Walker(ctx).blocks(part_root)
        key = "\n".join(i.text for i in items if i.table is None)
        if key in seen_text:
            continue  # the same header repeated for another section
        seen_text.add(key)
        layout.blocks.extend(_to_blocks(items, f"docx:{kind}"))
    layout.warnings.extend(ctx.warnings)
    return layout


@reader(DOCX, "application/vnd.ms-word.document.macroEnabled.12",
        "application/vnd.openxmlformats-officedocument.wordprocessingml.template",
        "application/vnd.ms-word.template.macroEnabled.12")
def read_docx(doc: Document, opts: ParsingOptions) -> Layout:
    return read_docx_bytes(doc.data, opts)
