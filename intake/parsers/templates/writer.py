"""A site template taught from one example: the officer's picks (a label
for each canonical field, the form's title) become a TOML file in the
site's template folder, checked as strictly as a hand-written one.

The file is an ordinary template (config/templates/README.md) an operator
can read, edit and version: its comment header says who taught it, when
and from which document, and it holds printed labels only, never a value
read from the document.
"""

from __future__ import annotations

import difflib
import os
import re
import tempfile
import tomllib
import unicodedata
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from intake import canonical
from intake.exception_codes import TEMPLATE_INVALID
from intake.parsers.templates.loader import template_from_dict
from intake.parsers.templates.model import Template
from intake.parsers.templates.registry import Registry, template_dirs
from intake.parsers.templates.text import norm_label
from intake.types import IntakeError

MAX_LABEL = 120
MAX_NAME = 120
MAX_SYNONYMS = 12
THRESHOLD = 0.6
ID_RE = re.compile(r"^[a-z][a-z0-9_]{2,59}$")

# canonical type -> (template type, extra keys)
_TYPES: dict[str, tuple[str, dict[str, Any]]] = {
    "datetime": ("datetime", {}),
    "date": ("date", {}),
    "int": ("integer", {}),
    "bool": ("bool", {}),
    "grade5": ("grade", {"min": 1, "max": 5}),
    "grade4": ("grade", {"min": 1, "max": 4}),
    "witnessed": ("choice", {"options": {"professional": ["Professional"],
                                         "member_of_public": ["Member of the Public", "Member of Public",
                                                              "Public"]}}),
}
REQUIRED = {"incident.narrative"}  # as every packaged template: no narrative, a person looks


class TeachError(ValueError):
    """A pick that cannot become a template; the message says what to fix."""

    code = TEMPLATE_INVALID


@dataclass
class Draft:
    template_id: str
    name: str
    titles: list[str]
    picks: dict[str, list[str]]  # canonical key -> labels as printed, first the one picked
    synonyms: dict[str, list[str]] = field(default_factory=dict)  # added from the packaged templates
    recognition: list[str] = field(default_factory=list)


def slug(name: str) -> str:
    """A template id (and file name) from a form's name: lower case
    letters, digits and underscores only, so it can never name a path."""
    s = re.sub(r"[^a-z0-9]+", "_", name.lower()).strip("_")
    s = re.sub(r"^[0-9_]+", "", s)[:60].rstrip("_")
    return s


def check_id(template_id: str) -> str:
    if not ID_RE.fullmatch(template_id or ""):
        raise TeachError("The template id must be 3 to 60 lower-case letters, digits or underscores, "
                         "starting with a letter (it is also the file name).")
    return template_id


def _printable(text: str) -> str:
    # Control characters (a form's stray U+007F, a NUL) have no place in a
    # label and some are not allowed in a TOML string at all.
    return "".join(" " if unicodedata.category(c).startswith("C") else c for c in text or "")


def _clean_label(text: str) -> str:
    t = " ".join(_printable(text).split()).strip(" :;-–")
    if not t:
        raise TeachError("A picked label is empty.")
    if len(t) > MAX_LABEL:
        raise TeachError(f"The label “{t[:40]}…” is longer than {MAX_LABEL} characters: pick the label, "
                         "not the value.")
    return t


def _suggest(key: str) -> str:
    near = difflib.get_close_matches(key, canonical.KEYS, n=1, cutoff=0.6)
    return f" (did you mean {near[0]}?)" if near else ""


def make_draft(template_id: str, name: str, titles: list[str], picks: dict[str, list[str]],
               registry: Registry | None = None) -> Draft:
    """Checks the picks and adds synonyms; raises TeachError saying what
    to change. Two fields may not share a label: the mapper could not tell
    them apart."""
    check_id(template_id)
    name = " ".join(_printable(name).split())
    if not name or len(name) > MAX_NAME:
        raise TeachError(f"Give the form a name (up to {MAX_NAME} characters).")
    bad = [k for k in picks if k not in canonical.BY_KEY]
    if bad:
        raise TeachError("Not a canonical field: " + ", ".join(f"{k}{_suggest(k)}" for k in bad))
    if not picks:
        raise TeachError("Pick the label of at least one field.")
    clean: dict[str, list[str]] = {}
    owner: dict[str, str] = {}
    for key, labels in picks.items():
        out = []
        for lab in labels:
            lab = _clean_label(lab)
            n = norm_label(lab)
            if not n:
                raise TeachError(f"The label “{lab}” has no words to match on.")
            if owner.get(n, key) != key:
                raise TeachError(f"The label “{lab}” is picked for both {owner[n]} and {key}: "
                                 "a label can stand for one field only.")
            if n not in {norm_label(x) for x in out}:
                out.append(lab)
            owner[n] = key
        if out:
            clean[key] = out
    if "incident.narrative" not in clean:
        raise TeachError("Pick the label of the box with the account of what happened "
                         "(incident.narrative): every report needs it.")
    titles = [" ".join(_printable(t).split()) for t in titles if t and t.strip()]
    titles = [t for t in titles if 3 <= len(norm_label(t)) and len(t) <= 200][:3]
    draft = Draft(template_id, name, titles, clean)
    draft.synonyms = _synonyms(clean, owner, registry)
    draft.recognition = _recognition(clean)
    if not draft.titles and len(draft.recognition) < 3:
        raise TeachError("Pick the form's title, or at least three labels: detection needs cues "
                         "to know this form again.")
    return draft


def _synonyms(picks: dict[str, list[str]], owner: dict[str, str], registry: Registry | None) -> dict[str, list[str]]:
    """Other wordings of each picked field, from the packaged templates: a
    re-issue that says "Date of birth" for "DOB" still maps. Only wordings
    of two words or more and that no other picked field claims, so a bare
    "Name" never lands on the wrong field."""
    out: dict[str, list[str]] = {}
    if registry is None:
        return out
    taken = dict(owner)
    for key in picks:
        extra: list[str] = []
        for tpl in registry.templates:
            f = tpl.field(key)
            if f is None or f.section:
                continue  # a wording that needs its section heading to mean this field
            for lab in f.labels:
                n = norm_label(lab)
                if len(n.split()) < 2 or len(lab) > MAX_LABEL or taken.get(n, key) != key:
                    continue
                if n not in taken:
                    taken[n] = key
                    extra.append(lab)
        if extra:
            out[key] = extra[:MAX_SYNONYMS]
    return out


def _recognition(picks: dict[str, list[str]]) -> list[str]:
    """The picked labels that say most about the form: longest first (a
    two-word label is on many forms; a sentence is on this one)."""
    labels = [labs[0] for labs in picks.values()]
    labels.sort(key=lambda lab: -len(norm_label(lab).split()))
    return labels[:8]


def _field_table(key: str, labels: list[str]) -> dict[str, Any]:
    cf = canonical.BY_KEY[key]
    ftype, extra = _TYPES.get(cf.type, ("multiline" if cf.prose else "text", {}))
    table: dict[str, Any] = {"labels": labels, "type": ftype}
    table.update(extra)
    if key in REQUIRED:
        table["required"] = True
    return table


def _q(s: str) -> str:
    # TOML basic string: json's escaping is a subset TOML accepts.
    import json

    return json.dumps(s, ensure_ascii=False)


def _list(items: list[str]) -> str:
    return "[" + ", ".join(_q(x) for x in items) + "]"


def render(draft: Draft, *, taught_by: str, document_id: str, when: datetime) -> str:
    """The TOML text of a draft. Hand-written rather than a TOML library's
    dump so the header comment and the key order read like the packaged
    files an operator already knows."""
    lines = [
        f"# {draft.name}",
        f"# Taught in the review app by {taught_by} on {when.strftime('%Y-%m-%d %H:%M %Z').strip()}",
        f"# from document {document_id}. Printed labels only; no value from the document.",
        "# Review, edit and version it like any template (see the packaged templates' README).",
        f"id = {_q(draft.template_id)}",
        'version = "1"',
        f"name = {_q(draft.name)}",
        "",
        "[recognition]",
        f"threshold = {THRESHOLD}",
    ]
    if draft.titles:
        lines.append(f"titles = {_list(draft.titles)}")
    if draft.recognition:
        lines.append(f"labels = {_list(draft.recognition)}")
    for key, labels in draft.picks.items():
        table = _field_table(key, labels + draft.synonyms.get(key, []))
        lines += ["", f"[fields.{_q(key)}]", f"labels = {_list(table['labels'])}", f"type = {_q(table['type'])}"]
        for k in ("min", "max"):
            if k in table:
                lines.append(f"{k} = {table[k]}")
        if table.get("required"):
            lines.append("required = true")
        if "options" in table:
            lines.append(f"[fields.{_q(key)}.options]")
            lines += [f"{v} = {_list(w)}" for v, w in table["options"].items()]
    return "\n".join(lines) + "\n"


def validate_text(text: str, src: str) -> Template:
    """The TOML text as the loader will read it (the same checks and
    messages as a hand-written file), plus canonical keys only."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise IntakeError(TEMPLATE_INVALID, f"template file {src}: is not valid TOML ({exc})") from None
    tpl = template_from_dict(data, src)
    bad = [f.key for f in tpl.fields if f.key not in canonical.BY_KEY]
    if bad:
        raise IntakeError(TEMPLATE_INVALID, f"template file {src}: not canonical field key(s): "
                          + ", ".join(f"{k}{_suggest(k)}" for k in bad))
    return tpl


# --------------------------------------------------------------------------
# the site's folder
# --------------------------------------------------------------------------

NO_FOLDER = ("This site has no writable template folder, so a taught template cannot be saved. "
             "Add one to intake's configuration file, for example\n\n[parsing]\ntemplate_dirs = "
             "[\"site-templates\"]\n\n(a folder, relative to the configuration file, that the intake "
             "service can write), create the folder, restart the review app and try again.")


def site_folder(settings: Any) -> Path | None:
    """The first folder named in ``[parsing] template_dirs`` that intake
    can write, or None. The packaged folder is never written."""
    try:
        dirs = template_dirs(settings)[1:]
    except IntakeError:
        return None
    for d in dirs:
        if d.is_dir() and os.access(d, os.W_OK | os.X_OK):
            return d
    return None


def target_path(folder: Path, template_id: str) -> Path:
    check_id(template_id)
    path = (folder / f"{template_id}.toml").resolve()
    if path.parent != folder.resolve():
        raise TeachError("The template's file would land outside the template folder.")
    return path


def write_file(folder: Path, template_id: str, text: str, *, overwrite: bool = False) -> Path:
    """Atomically: a private temporary file in the same folder, then put in
    place. Without ``overwrite`` an existing file is never replaced (a link
    fails if the name exists, so two people teaching at once cannot both
    win). Owner-only permissions: the file steers how reports are read."""
    path = target_path(folder, template_id)
    validate_text(text, path.name)
    fd, tmp = tempfile.mkstemp(prefix=f".{template_id}.", suffix=".tmp", dir=str(folder))
    try:
        os.fchmod(fd, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(text)
            fh.flush()
            os.fsync(fh.fileno())
        if overwrite:
            os.replace(tmp, path)
        else:
            try:
                os.link(tmp, path)
            except FileExistsError:
                raise TeachError(f"A template file {path.name} already exists; confirm that it may be "
                                 "replaced, or choose another id.") from None
            os.unlink(tmp)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise
    dir_fd = os.open(str(folder), os.O_RDONLY)
    try:
        os.fsync(dir_fd)
    finally:
        os.close(dir_fd)
    return path
