"""Layout + Template -> Record, in parts that say what they find:

- ``walk``: the walk over the lines, labels given to fields;
- ``locate``: where a value is, in the order submitters use (after the
  label, ``cells``: next cell / own cell / under a header row, ``below``:
  the lines or the box below), and tick-box answers;
- ``hints``: printed guidance cut from values;
- ``groups``: a box of several fields split among them;
- ``loose_fields``: stand-alone AcroForm fields;
- ``typed``: found text typed into the canonical record.

``map_layout`` is the one entry point."""

from __future__ import annotations

import datetime as dt

from intake.parsers.templates.labels import LabelMatcher
from intake.parsers.templates.mapping.loose_fields import map_loose_fields
from intake.parsers.templates.mapping.state import MapState
from intake.parsers.templates.mapping.typed import MapResult, build_record
from intake.parsers.templates.mapping.walk import walk_labels
from intake.parsers.templates.model import Template
from intake.parsers.templates.units import Doc

__all__ = ["MapResult", "map_layout"]


def map_layout(doc: Doc, template: Template, matcher: LabelMatcher | None = None,
               message_date: dt.date | None = None) -> MapResult:
    state = MapState(doc, template, matcher)
    walk_labels(state)
    map_loose_fields(state)
    return build_record(state, message_date)
