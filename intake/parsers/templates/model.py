"""A template as data: what a loaded TOML file becomes. Plain dataclasses so
the mapper never touches TOML and a fifth force needs no Python."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

FieldType = Literal[
    "text", "multiline", "datetime", "date", "integer", "bool", "choice", "grade", "group"
]
FIELD_TYPES: tuple[str, ...] = (
    "text", "multiline", "datetime", "date", "integer", "bool", "choice", "grade"
)


@dataclass(frozen=True)
class FieldDef:
    key: str  # canonical key from docs/forms.md
    labels: tuple[str, ...]  # wordings and synonyms, matched by meaning
    type: str = "text"
    required: bool = False
    # Phrases that, found inside a short label, identify it even when the rest
    # of the wording differs ("how reliable"). Matched as whole words.
    keys: tuple[str, ...] = ()
    # Guidance printed with the label ("Include as much detail as possible
    # ..."): never part of the value.
    hints: tuple[str, ...] = ()
    section: str | None = None  # disambiguates a label used twice ("Name")
    # choice: canonical value -> wordings of the option
    options: dict[str, tuple[str, ...]] = field(default_factory=dict)
    min: int | None = None  # grade / integer range
    max: int | None = None
    # The printed number of the box on a form that numbers its boxes (Met:
    # "3. Problem"): a numbered label cell whose wording a re-issue changed
    # ("3. What is the concern?") is still this field.
    box: int | None = None


@dataclass(frozen=True)
class Template:
    id: str
    version: str
    name: str
    fields: tuple[FieldDef, ...]
    titles: tuple[str, ...] = ()
    recognition_labels: tuple[str, ...] = ()
    threshold: float = 0.5
    # Headings that open a section (for labels used twice) and text printed
    # on the form that is never a value (guidance, footers).
    sections: dict[str, tuple[str, ...]] = field(default_factory=dict)
    boilerplate: tuple[str, ...] = ()
    # A box that holds several fields ("1. Referrer": name, role, agency,
    # contact): pseudo-fields of type "group", keyed "group:<name>".
    groups: tuple[FieldDef, ...] = ()
    members: dict[str, tuple[str, ...]] = field(default_factory=dict)
    source: str = ""  # file it came from, for error messages

    def field(self, key: str) -> FieldDef | None:
        for f in self.fields:
            if f.key == key:
                return f
        return None


@dataclass(frozen=True)
class NotAReportKind:
    """One kind of document that is plainly not a report (a Section 116
    notice, a guidance leaflet)."""

    name: str
    phrases: tuple[str, ...]
    min_hits: int  # enough to call it not_a_report when no template fits
    veto_hits: int | None = None  # enough to overrule a template match


@dataclass(frozen=True)
class NotAReport:
    kinds: tuple[NotAReportKind, ...]
    min_text_chars: int = 25  # less text than this (a logo, a blank page)
    source: str = ""
    # What tells a report form nobody has a template for from an ordinary
    # document with a table ([form_cues]; templates/form_shape.py): words
    # in a title that call it a form, words a report about a child at risk
    # asks about, and words any report form asks about.
    form_titles: tuple[str, ...] = ()
    form_terms: tuple[str, ...] = ()
    form_general: tuple[str, ...] = ()
