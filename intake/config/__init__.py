"""Settings schema, defaults, template definitions and gazetteers (data only).

Import from the modules: ``intake.config.settings`` (load_settings,
Settings, ConfigError) and ``intake.config.schema`` (the model). Nothing is
imported here, so reading a packaged data file does not load the settings
machinery."""
