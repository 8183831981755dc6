"""Filled copies of the blank force forms, made the way a submitter's Word
would leave them (values in legacy fields, content controls or cells), for
the reader tests. Synthetic values only."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

from lxml import etree

from intake.types import Cell, Document, FormField, Layout, Paragraph, Table, sha256_hex

# The repo's copy of the blank forms (fixtures/README.md), so every checkout tests the same files.
FORMS = Path(__file__).resolve().parents[2] / "fixtures" / "blank_forms"

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
W14 = "http://schemas.microsoft.com/office/word/2010/wordml"
NS = {"w": W, "w14": W14}


def w(tag: str) -> str:
    return f"{{{W}}}{tag}"


def blank(name: str) -> bytes:
    return (FORMS / name).read_bytes()


def document(data: bytes, media_type: str, filename: str = "form") -> Document:
    return Document("attachment", filename, media_type, sha256_hex(data), data)


def rewrite_document_xml(docx: bytes, edit) -> bytes:
    """Apply ``edit(root)`` to word/document.xml and rebuild the zip."""
    src = zipfile.ZipFile(io.BytesIO(docx))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            data = src.read(info.filename)
            if info.filename == "word/document.xml":
                root = etree.fromstring(data)
                edit(root)
                data = etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)
            dst.writestr(info, data)
    return out.getvalue()


def fill_legacy_fields(docx: bytes, texts: dict[str, str], checks: dict[str, bool]) -> bytes:
    """Type into FORMTEXT fields and tick FORMCHECKBOX fields by name."""

    def edit(root):
        for begin in root.iter(w("fldChar")):
            ff = begin.find(w("ffData"))
            if ff is None:
                continue
            name = ff.find(w("name")).get(w("val"))
            if name in checks:
                box = ff.find(w("checkBox"))
                for old in box.findall(w("checked")):
                    box.remove(old)
                el = etree.SubElement(box, w("checked"))
                if not checks[name]:
                    el.set(w("val"), "0")
            if name in texts:
                run = begin.getparent()
                # the result runs sit between the separate and end marks
                sib = run.getnext()
                state = "instr"
                first_t = None
                while sib is not None:
                    fc = sib.find(w("fldChar"))
                    if fc is not None and fc.get(w("fldCharType")) == "separate":
                        state = "result"
                    elif fc is not None and fc.get(w("fldCharType")) == "end":
                        break
                    elif state == "result":
                        for t in sib.findall(w("t")):
                            if first_t is None:
                                first_t = t
                            else:
                                t.text = ""
                    sib = sib.getnext()
                first_t.text = texts[name]

    return rewrite_document_xml(docx, edit)


def fill_content_controls(docx: bytes, texts: dict[str, str], checks: dict[str, bool]) -> bytes:
    """Type into content controls and tick w14 check boxes, by tag."""

    def edit(root):
        for sdt in root.iter(w("sdt")):
            pr = sdt.find(w("sdtPr"))
            tag = pr.find(w("tag"))
            tag = tag.get(w("val")) if tag is not None else None
            content = sdt.find(w("sdtContent"))
            if tag in checks:
                checked = pr.find(f"{{{W14}}}checkbox/{{{W14}}}checked")
                checked.set(f"{{{W14}}}val", "1" if checks[tag] else "0")
                content.find(f".//{{{W}}}t").text = "\u2612" if checks[tag] else "\u2610"
            if tag in texts:
                plc = pr.find(w("showingPlcHdr"))
                if plc is not None:
                    pr.remove(plc)
                for style in content.iter(w("rStyle")):
                    style.getparent().remove(style)
                lines = texts[tag].split("\n")
                ts = list(content.iter(w("t")))
                ts[0].text = lines[0]
                for t in ts[1:]:
                    t.text = ""
                paras = content.findall(w("p"))
                if paras and len(lines) > 1:  # block control: one paragraph per line
                    for extra in lines[1:]:
                        p = etree.SubElement(content, w("p"))
                        r = etree.SubElement(p, w("r"))
                        etree.SubElement(r, w("t")).text = extra

    return rewrite_document_xml(docx, edit)


# ---------------------------------------------------------------------------
# Looking things up in a Layout
# ---------------------------------------------------------------------------


def tables(layout: Layout) -> list[Table]:
    out: list[Table] = []

    def walk(t: Table):
        out.append(t)
        for row in t.rows:
            for c in row:
                for n in c.tables:
                    walk(n)

    for b in layout.blocks:
        if isinstance(b, Table):
            walk(b)
    return out


def all_fields(layout: Layout) -> dict[str, FormField]:
    out: dict[str, FormField] = {}
    for b in layout.blocks:
        if isinstance(b, FormField):
            out[b.name] = b
        elif isinstance(b, Paragraph):
            out.update({f.name: f for f in b.fields})
    for t in tables(layout):
        for row in t.rows:
            for c in row:
                out.update({f.name: f for f in c.fields})
    return out


def cell_after(layout: Layout, label: str) -> Cell:
    """The cell to the right of the first cell whose text starts with label."""
    label = label.rstrip(":?").lower()
    for exact in (True, False):
        for t in tables(layout):
            for row in t.rows:
                for i, c in enumerate(row[:-1]):
                    text = c.text.strip().rstrip(":?").strip().lower()
                    if text == label or (not exact and text.startswith(label)):
                        return row[i + 1]
    raise AssertionError(f"no cell labelled {label!r}")


def paragraph_with(layout: Layout, start: str) -> Paragraph:
    for b in layout.blocks:
        if isinstance(b, Paragraph) and b.text.startswith(start):
            return b
    raise AssertionError(f"no paragraph starting {start!r}")


def rendered(block, ff: FormField) -> str:
    return block.text[ff.start:ff.end]
