"""E-mail addresses, lower-cased; also as people write them to dodge
harvesters: "jb[at]example.com", "jb (at) example (dot) co (dot) uk"."""

from __future__ import annotations

import re

from intake.extractors.recogniser import Pattern, Recogniser

_LABEL = r"[A-Za-z0-9](?:[A-Za-z0-9\-]{0,61}[A-Za-z0-9])?"
# The bracketed words only: a bare " at " / " dot " is ordinary prose
# ("met at example.com's office").
_AT = r"\s*(?:\[\s*at\s*\]|\(\s*at\s*\)|\{\s*at\s*\}|<\s*at\s*>)\s*"
_DOT = r"(?:\s*(?:\[\s*dot\s*\]|\(\s*dot\s*\)|\{\s*dot\s*\}|<\s*dot\s*>)\s*|\.)"


class EmailRecogniser(Recogniser):
    name = "email"
    run_order = 30
    entity = "EMAIL"
    priority = 95
    patterns = (
        Pattern("address",
                r"(?<![\w.+\-])(?P<m>[A-Za-z0-9](?:[A-Za-z0-9._%+\-]{0,62}[A-Za-z0-9_%+\-])?"
                r"@[A-Za-z0-9](?:[A-Za-z0-9\-]{0,61}[A-Za-z0-9])?"
                r"(?:\.[A-Za-z0-9](?:[A-Za-z0-9\-]{0,61}[A-Za-z0-9])?)*\.[A-Za-z]{2,24})(?![\w@\-])",
                0.95, 0),
        Pattern("obfuscated",
                r"(?<![\w.+\-])(?P<m>[A-Za-z0-9](?:[A-Za-z0-9._%+\-]{0,62}[A-Za-z0-9_%+\-])?"
                rf"{_AT}{_LABEL}(?:{_DOT}{_LABEL})*{_DOT}[A-Za-z]{{2,24}})(?![\w@\-])",
                0.9, re.I),
    )

    def validate_result(self, m, text, ctx, pattern):
        value = m.group("m")
        if pattern == "obfuscated":
            value = re.sub(_AT, "@", value, flags=re.I)
            value = re.sub(_DOT, ".", value, flags=re.I)
        if ".." in value:
            return None
        return value.lower()
