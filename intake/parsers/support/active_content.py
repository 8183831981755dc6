"""Content in a document that could act when someone opens it: Word macros
(a vbaProject part, a macro-enabled package, a Word 97 macro storage) and
PDF actions (JavaScript, actions run on opening or on page and field
events, launch actions, embedded files). intake never runs any of it; it
reads the text and says what it saw, so a reviewer knows the original must
not be opened outside the secure viewer.

Only the document's structure is looked at (zip names, OLE storages, the
PDF's object tree through pypdf), never a byte pattern: a PDF hides its
objects in compressed object streams."""

from __future__ import annotations

import contextlib
import io
import zipfile

from intake.exception_codes import ACTIVE_CONTENT, MACRO_ENABLED
from intake.types import ExceptionInfo

_MACRO_TYPES = (b"macroenabled", b"vbaproject")


def ooxml_macros(data: bytes, zf: zipfile.ZipFile | None = None) -> ExceptionInfo | None:
    """A .docm/.dotm, or any package carrying a VBA project (``zf``: the
    package already open)."""
    try:
        with contextlib.nullcontext(zf) if zf is not None else zipfile.ZipFile(io.BytesIO(data)) as zf:
            names = zf.namelist()
            has_vba = any(n.lower().rsplit("/", 1)[-1] == "vbaproject.bin" for n in names)
            types = b""
            if "[Content_Types].xml" in names and zf.getinfo("[Content_Types].xml").file_size < 1 << 20:
                types = zf.read("[Content_Types].xml").lower()
    except (zipfile.BadZipFile, OSError, ValueError, RuntimeError, NotImplementedError, KeyError):
        return None  # the reader itself reports a damaged package
    if has_vba or any(t in types for t in _MACRO_TYPES):
        return ExceptionInfo(MACRO_ENABLED, "The Word file is macro-enabled (it carries a VBA project). "
                             "Its text was read; the macros were not run.")
    return None


def ole_macros(data: bytes) -> ExceptionInfo | None:
    """A Word 97-2003 file with a macro storage."""
    import olefile  # shipped with extract-msg

    try:
        ole = olefile.OleFileIO(io.BytesIO(data))
    except Exception:  # olefile raises a zoo of types on damaged files
        return None
    try:
        if ole.exists("Macros") or ole.exists("_VBA_PROJECT_CUR"):
            return ExceptionInfo(MACRO_ENABLED, "The Word 97-2003 file carries macros. Its text was "
                                 "read; the macros were not run.")
    finally:
        ole.close()
    return None


# Action types that do something beyond moving within the document.
_ACTING = {"/JavaScript": "JavaScript", "/Launch": "a launch action (starts a program or opens a file)",
           "/URI": "a web address", "/SubmitForm": "a form submission",
           "/ImportData": "a data import", "/GoToR": "a link to another file",
           "/GoToE": "a link into an embedded file", "/Rendition": "media playback",
           "/RichMediaExecute": "rich media"}
MAX_ANNOTATIONS = 2000  # per document: a hostile file must not make this walk long


def _get(obj, key):
    try:
        val = obj.get(key)
        return val.get_object() if val is not None and hasattr(val, "get_object") else val
    except Exception:  # a broken reference is no action
        return None


# A link the reader clicks may open a web page or another file: ordinary.
# These act even on a click, and are never ordinary in a report form.
_ACTING_ON_CLICK = {"/JavaScript", "/Launch", "/SubmitForm", "/ImportData"}


def _action_kinds(action, seen: set[int], automatic: bool, depth: int = 0) -> set[str]:
    """What an action (and the actions chained after it with /Next) does.
    ``automatic``: run without a click (on opening, on a page or field
    event), when even a web address is worth saying."""
    out: set[str] = set()
    if depth > 16 or action is None or not hasattr(action, "get") or id(action) in seen:
        return out
    seen.add(id(action))
    kind = _get(action, "/S")
    if kind in _ACTING and (automatic or kind in _ACTING_ON_CLICK):
        out.add(_ACTING[kind])
    if _get(action, "/JS") is not None:
        out.add("JavaScript")
    nxt = _get(action, "/Next")
    for a in (nxt if isinstance(nxt, list) else [nxt]):
        a = a.get_object() if hasattr(a, "get_object") else a
        out |= _action_kinds(a, seen, automatic, depth + 1)
    return out


def _additional_actions(obj, seen: set[int]) -> set[str]:
    aa = _get(obj, "/AA")
    out: set[str] = set()
    if aa is not None and hasattr(aa, "values"):
        for key in list(aa.keys())[:32]:
            out |= _action_kinds(_get(aa, key), seen, automatic=True)
    return out


def pdf_active(reader, max_pages: int) -> ExceptionInfo | None:
    """JavaScript, automatic actions, launch actions and embedded files
    anywhere a viewer would act on them: the catalogue's open action and
    event actions, the document-level JavaScript and embedded-file name
    trees, and the actions of pages, links and form fields."""
    found: set[str] = set()
    seen: set[int] = set()
    try:
        root = reader.trailer["/Root"].get_object()
    except Exception:
        return None
    try:
        opening = _get(root, "/OpenAction")
        if opening is not None and hasattr(opening, "get"):  # an array is only a view to show
            found |= {f"{k} on opening" for k in _action_kinds(opening, seen, automatic=True)}
        found |= _additional_actions(root, seen)
        names = _get(root, "/Names")
        if names is not None:
            if _get(names, "/JavaScript") is not None:
                found.add("document-level JavaScript")
            if _get(names, "/EmbeddedFiles") is not None:
                found.add("embedded files")
        acro = _get(root, "/AcroForm")
        if acro is not None and _get(acro, "/XFA") is not None:
            found.add("an XFA form (which may carry scripts)")
        budget = MAX_ANNOTATIONS
        for page in reader.pages[:max_pages]:
            found |= _additional_actions(page, seen)
            annots = _get(page, "/Annots") or []
            for ref in list(annots)[:budget]:
                budget -= 1
                annot = ref.get_object() if hasattr(ref, "get_object") else ref
                if not hasattr(annot, "get"):
                    continue
                found |= _action_kinds(_get(annot, "/A"), seen, automatic=False)
                found |= _additional_actions(annot, seen)
                if _get(annot, "/Subtype") == "/FileAttachment":
                    found.add("embedded files")
            if budget <= 0:
                break
    except Exception:  # a damaged tree: report what was found so far
        pass
    if not found:
        return None
    return ExceptionInfo(ACTIVE_CONTENT, "The PDF carries " + ", ".join(sorted(found))
                         + ". Its text was read; none of it was run or opened.")
