"""SQL storage: models, migrations, repository functions, dedup, entity
resolution and export. Never calls parsers or extractors."""
