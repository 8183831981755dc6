"""Templates as data (config/templates/*.toml): the registry, detection and
the mapping of a Layout onto the canonical record.

The mapping, registry and unit names are imported when first asked for,
not with the package: every command's start-up check loads the template
files (intake/parsers/templates/loader.py), and the mapping modules
(dateparser with them) would cost a process that never maps a form a
seventh of a second. ``detect`` is imported here: it is also the name of
a submodule, which importing that submodule anywhere would put in its
place."""

from __future__ import annotations

import importlib

from intake.parsers.templates.detect import Detection, detect

_WHERE = {
    "MapResult": "mapping", "map_layout": "mapping",
    "Registry": "registry", "load_registry": "registry",
    "Doc": "units", "build_doc": "units",
}

__all__ = ["Detection", "Doc", "MapResult", "Registry", "build_doc", "detect",
           "load_registry", "map_layout"]


def __getattr__(name: str):
    module = _WHERE.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(f"{__name__}.{module}"), name)
