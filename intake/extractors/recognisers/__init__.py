"""One module per recogniser; registry.py lists them by name."""
