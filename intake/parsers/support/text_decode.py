"""Bytes of unknown encoding → str, without ever failing."""

from __future__ import annotations

import codecs


def decode_text(data: bytes) -> str:
    for bom, enc in ((codecs.BOM_UTF8, "utf-8"), (codecs.BOM_UTF16_LE, "utf-16-le"),
                     (codecs.BOM_UTF16_BE, "utf-16-be")):
        if data.startswith(bom):
            return data[len(bom):].decode(enc, "replace")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        # Outlook on Windows still sends cp1252 bodies without saying so.
        return data.decode("cp1252", "replace")
