"""The review app's pages, one module per area; each module's ROUTES list
is assembled by intake/review/app.py."""
