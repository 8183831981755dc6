"""Settings schema, defaults, template definitions and gazetteers (data only)."""

from intake.config.settings import Settings, load_settings

__all__ = ["Settings", "load_settings"]
