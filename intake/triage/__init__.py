"""Safeguarding indicators and a suggested triage level per record.

Everything here is decision support: each suggestion carries its reasons in
plain words, and an officer decides (store.py keeps their override).
"""
