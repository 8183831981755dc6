"""E-mail addresses, lower-cased."""

from __future__ import annotations

from intake.extractors.recognizer import Pattern, Recognizer


class EmailRecognizer(Recognizer):
    name = "email"
    entity = "EMAIL"
    priority = 95
    patterns = (
        Pattern("address",
                r"(?<![\w.+\-])(?P<m>[A-Za-z0-9](?:[A-Za-z0-9._%+\-]{0,62}[A-Za-z0-9_%+\-])?"
                r"@[A-Za-z0-9](?:[A-Za-z0-9\-]{0,61}[A-Za-z0-9])?"
                r"(?:\.[A-Za-z0-9](?:[A-Za-z0-9\-]{0,61}[A-Za-z0-9])?)*\.[A-Za-z]{2,24})(?![\w@\-])",
                0.95, 0),
    )

    def validate_result(self, m, text, ctx, pattern):
        value = m.group("m")
        if ".." in value:
            return None
        return value.lower()
