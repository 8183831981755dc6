"""HTML (e-mail bodies) → paragraphs and tables.

lxml's HTML parser never fetches anything (no_network), and scripts,
styles and other invisible parts are dropped before any text is taken.
Tables stay tables: forms pasted into Outlook arrive as HTML tables, and a
label beside its value is what the template layer needs."""

from __future__ import annotations

import re

from lxml import etree, html

from intake.parsers.readers.registry import reader
from intake.parsers.support.options import ParsingOptions
from intake.parsers.support.placeholders import is_placeholder, strip_leaders, text_with_fields
from intake.parsers.support.text_decode import decode_text
from intake.types import Cell, Document, FormField, Layout, Paragraph, Provenance, Table

_INVISIBLE = {"script", "style", "noscript", "template", "head", "title", "meta", "link",
              "iframe", "object", "embed", "svg", "math", "button", "select", "textarea"}
_BLOCK = {"p", "div", "li", "ul", "ol", "h1", "h2", "h3", "h4", "h5", "h6", "section",
          "article", "blockquote", "pre", "hr", "dl", "dt", "dd", "form", "fieldset",
          "header", "footer", "address", "body", "html", "main", "nav", "aside", "center",
          "caption", "figure", "figcaption", "legend", "o:p"}
_WS = re.compile(r"[ \t\r\n\f\v\u00a0]+")


class _Buf:
    def __init__(self) -> None:
        self.parts: list = []  # str, or (FormField, rendered)

    def add(self, s: str) -> None:
        if s:
            self.parts.append(s)

    def empty(self) -> bool:
        return not self.parts


class _HtmlWalker:
    def __init__(self, source: str) -> None:
        self.source = source
        self.tables = 0
        self.loc = Provenance(source=source)

    def items(self, el: etree._Element) -> list:
        out: list = []
        buf = _Buf()
        self._visit_children(el, out, buf, pre=False)
        self._flush(out, buf)
        return out

    def _flush(self, out: list, buf: _Buf) -> None:
        if buf.empty():
            return
        text, fields = text_with_fields(buf.parts, lambda p: re.sub(r" *\n *", "\n", strip_leaders(p)))
        buf.parts.clear()
        if text or fields:
            out.append((text, fields))

    def _visit_children(self, el, out, buf, pre: bool) -> None:
        buf.add(self._text(el.text, pre))
        for child in el:
            self._visit(child, out, buf, pre)
            buf.add(self._text(child.tail, pre))

    def _text(self, s: str | None, pre: bool) -> str:
        if not s:
            return ""
        return s if pre else _WS.sub(" ", s)

    def _visit(self, el, out, buf, pre: bool) -> None:
        if not isinstance(el.tag, str):
            return  # comments, processing instructions
        tag = el.tag.lower().split("}")[-1]
        if tag in _INVISIBLE:
            return
        if tag == "br":
            buf.add("\n")
        elif tag == "input":
            kind = (el.get("type") or "text").lower()
            if kind in ("checkbox", "radio"):
                checked = el.get("checked") is not None
                ff = FormField(el.get("name"), "checkbox", None, checked=checked,
                               provenance=Provenance(**{**self.loc.as_dict(), "field": el.get("name")}))
                buf.parts.append((ff, "\u2612" if checked else "\u2610"))
            elif kind in ("text", "date", "email", "tel"):
                value = (el.get("value") or "").strip() or None
                ff = FormField(el.get("name"), "date" if kind == "date" else "text", value,
                               provenance=Provenance(**{**self.loc.as_dict(), "field": el.get("name")}))
                buf.parts.append((ff, value or ""))
        elif tag == "table":
            self._flush(out, buf)
            out.append(self._table(el))
        elif tag in _BLOCK or tag == "tr":
            self._flush(out, buf)
            self._visit_children(el, out, buf, pre or tag == "pre")
            self._flush(out, buf)
        else:
            self._visit_children(el, out, buf, pre)

    def _table(self, tbl) -> Table:
        index = self.tables
        self.tables += 1
        saved = self.loc
        rows: list[list[Cell]] = []
        for r, tr in enumerate(_rows(tbl)):
            row: list[Cell] = []
            for c, td in enumerate(x for x in tr if isinstance(x.tag, str) and x.tag.lower() in ("td", "th")):
                self.loc = Provenance(table=index, row=r, cell=c, source=saved.source)
                items = self.items(td)
                texts, fields, tables = [], [], []
                pos = 0
                for it in items:
                    if isinstance(it, Table):
                        tables.append(it)
                        continue
                    text, ffs = it
                    if texts:
                        pos += 1
                    for ff in ffs:
                        if ff.start is not None:
                            ff.start += pos
                            ff.end += pos
                    fields.extend(ffs)
                    texts.append(text)
                    pos += len(text)
                text = "\n".join(texts)
                if is_placeholder(text) and not fields:
                    text = ""
                try:
                    span = max(1, int(td.get("colspan") or 1))
                except ValueError:
                    span = 1
                row.append(Cell(text=text, fields=fields, tables=tables, col_span=span,
                                provenance=Provenance(table=index, row=r, cell=c, source=saved.source)))
            if row:
                rows.append(row)
        self.loc = saved
        return Table(rows=rows, provenance=Provenance(table=index, source=saved.source))


def _rows(tbl):
    for child in tbl:
        if not isinstance(child.tag, str):
            continue
        tag = child.tag.lower()
        if tag == "tr":
            yield child
        elif tag in ("thead", "tbody", "tfoot"):
            yield from (x for x in child if isinstance(x.tag, str) and x.tag.lower() == "tr")


def html_to_layout(text: str, source: str) -> Layout:
    layout = Layout(source=source)
    if not text.strip():
        return layout
    parser = html.HTMLParser(no_network=True, remove_comments=True, remove_pis=True,
                             default_doctype=False)
    try:
        root = html.document_fromstring(text, parser=parser)
    except (etree.ParserError, ValueError):
        return layout
    walker = _HtmlWalker(source)
    for it in walker.items(root):
        if isinstance(it, Table):
            layout.blocks.append(it)
        else:
            t, fields = it
            layout.blocks.append(Paragraph(text=t, fields=fields, provenance=Provenance(source=source)))
    return layout


# <meta charset="..."> or <meta http-equiv="Content-Type" content="...; charset=...">
_META_CHARSET = re.compile(rb"<meta[^>]{0,200}?charset\s*=\s*[\"']?\s*([A-Za-z0-9_.:-]{1,40})", re.I)


def declared_charset(data: bytes) -> str | None:
    """The charset a page names in its head (read from the first 4 KB, as
    browsers pre-scan it)."""
    m = _META_CHARSET.search(data[:4096])
    return m.group(1).decode("ascii") if m else None


@reader("text/html", "application/xhtml+xml")
def read_html(doc: Document, opts: ParsingOptions) -> Layout:
    text = decode_text(doc.data, declared_charset(doc.data))
    return html_to_layout(text, "body" if doc.kind == "body" else "html")
