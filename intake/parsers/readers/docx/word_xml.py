"""WordprocessingML vocabulary shared by the .docx reader and its field
handling: namespaces, tag names, on/off properties, and the navigation
Word's wrappers (content controls, alternate content, text boxes) need."""

from __future__ import annotations

from lxml import etree

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


def local_name(el: etree._Element) -> str:
    tag = el.tag
    return tag.rsplit("}", 1)[-1] if isinstance(tag, str) else ""


def ns_of(el: etree._Element) -> str:
    tag = el.tag
    return tag[1:].split("}", 1)[0] if isinstance(tag, str) and tag.startswith("{") else ""


_TAG_PARTS: dict[str, tuple[str, str]] = {}


def ns_and_name(el: etree._Element) -> tuple[str, str]:
    """(ns_of, local_name) of an element, remembered by tag: a document
    has a few dozen distinct tags and the walker asks for every run."""
    tag = el.tag
    if not isinstance(tag, str):
        return "", ""
    parts = _TAG_PARTS.get(tag)
    if parts is None:
        parts = (tag[1:].split("}", 1)[0] if tag.startswith("{") else "", tag.rsplit("}", 1)[-1])
        if len(_TAG_PARTS) < 4096:  # a hostile document's made-up tags do not grow it further
            _TAG_PARTS[tag] = parts
    return parts


def on_off(el: etree._Element | None, attr: str = w("val")) -> bool | None:
    """OOXML on/off property: present without a value means on."""
    if el is None:
        return None
    val = el.get(attr)
    if val is None:
        return True
    return val.strip().lower() not in ("0", "false", "off")


def run_font(run: etree._Element) -> str | None:
    fonts = run.find(f"{w('rPr')}/{w('rFonts')}")
    if fonts is None:
        return None
    return fonts.get(w("ascii")) or fonts.get(w("hAnsi")) or fonts.get(w("cs"))


_OFF = {"0", "false", "off"}


_RPR, _VAL, _STRIKES = w("rPr"), w("val"), (w("strike"), w("dstrike"))


def run_struck(run: etree._Element) -> bool:
    """Struck through (single or double) by direct formatting: on a form,
    the submitter's way of deleting an option ("Yes/No" with "No" struck)."""
    rpr = run.find(_RPR)
    if rpr is None:
        return False
    for tag in _STRIKES:
        el = rpr.find(tag)
        if el is not None and (el.get(_VAL) or "1").lower() not in _OFF:
            return True
    return False


def unwrap(parent: etree._Element, tag: str):
    """Children named ``tag``, looking through content controls and custom
    XML that wrap whole rows or cells."""
    for child in parent:
        if ns_of(child) != W:
            continue
        name = local_name(child)
        if name == tag:
            yield child
        elif name == "sdt":
            content = child.find(w("sdtContent"))
            if content is not None:
                yield from unwrap(content, tag)
        elif name in ("customXml", "ins", "moveTo"):
            yield from unwrap(child, tag)


def alternate_branch(ac: etree._Element) -> etree._Element | None:
    # The first Choice is what Word shows; Fallback repeats the same content
    # for older readers and would double it.
    for child in ac:
        if ns_of(child) == MC and local_name(child) == "Choice":
            return child
    for child in ac:
        if ns_of(child) == MC and local_name(child) == "Fallback":
            return child
    return None


def find_textboxes(el: etree._Element):
    for child in el:
        if not isinstance(child.tag, str):
            continue
        if ns_of(child) == MC and local_name(child) == "AlternateContent":
            branch = alternate_branch(child)
            if branch is not None:
                yield from find_textboxes(branch)
        elif ns_of(child) == W and local_name(child) == "txbxContent":
            yield child
        else:
            yield from find_textboxes(child)


