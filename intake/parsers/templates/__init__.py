"""Templates as data (config/templates/*.toml): the registry, detection and
the mapping of a Layout onto the canonical record."""

from intake.parsers.templates.detect import Detection, detect
from intake.parsers.templates.mapping import MapResult, map_layout
from intake.parsers.templates.registry import Registry, load_registry
from intake.parsers.templates.units import Doc, build_doc

__all__ = ["Detection", "Doc", "MapResult", "Registry", "build_doc", "detect",
           "load_registry", "map_layout"]
