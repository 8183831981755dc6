"""Bytes of unknown encoding → str, without ever failing.

The encoding is judged by the same detector that sniffs attachments
(sniff.text_encoding: BOM, UTF-8, then charset-normalizer), so a Shift-JIS,
GB18030 or KOI8-R .txt attachment reads as what it says instead of cp1252
mojibake. What that detector sees is chosen here: the whole of a short
text, and for a long one the stretch from its first non-ASCII byte, since
an ASCII preamble (headers, markup, a line of dashes) says nothing about
the encoding of what follows."""

from __future__ import annotations

import codecs
import re

from intake.parsers.sniff import text_encoding

_SAMPLE = 16384
_NON_ASCII = re.compile(rb"[\x80-\xff]")
# ISO-2022-JP is 7-bit: it decodes as UTF-8 with its escape sequences left
# in. Its shifts into JIS X 0208 / 0212 give it away.
_ISO2022_JP = (b"\x1b$B", b"\x1b$@", b"\x1b$(D")


def _utf16_without_bom(sample: bytes) -> str | None:
    """UTF-16 text saved without a BOM: mostly Latin text has a NUL in
    every other byte, on the odd positions (little-endian) or the even ones."""
    if len(sample) < 8:
        return None
    even, odd = sample[0::2], sample[1::2]
    if odd.count(0) >= 0.4 * len(odd) and even.count(0) <= 0.05 * len(even):
        return "utf-16-le"
    if even.count(0) >= 0.4 * len(even) and odd.count(0) <= 0.05 * len(odd):
        return "utf-16-be"
    return None


def _detection_sample(data: bytes) -> bytes:
    if len(data) <= _SAMPLE:
        return data
    m = _NON_ASCII.search(data)
    if m is None or m.start() < _SAMPLE // 2:
        return data[:_SAMPLE]
    first = m.start()
    # A lead byte of every multi-byte encoding is >= 0x80, and everything
    # before it is ASCII: starting there never cuts a character in two.
    return data[first:first + _SAMPLE]


def encoding_of(data: bytes) -> str:
    """The encoding to decode `data` with (never None: cp1252 when nothing
    fits, as Outlook on Windows sends it unlabelled)."""
    for bom, enc in ((codecs.BOM_UTF8, "utf-8-sig"), (codecs.BOM_UTF32_LE, "utf-32"),
                     (codecs.BOM_UTF32_BE, "utf-32"), (codecs.BOM_UTF16_LE, "utf-16"),
                     (codecs.BOM_UTF16_BE, "utf-16")):
        if data.startswith(bom):
            return enc
    utf16 = _utf16_without_bom(data[:_SAMPLE])
    if utf16:
        return utf16
    if any(esc in data[:_SAMPLE * 4] for esc in _ISO2022_JP):
        try:
            data.decode("iso2022_jp")
            return "iso2022_jp"
        except UnicodeDecodeError:
            pass
    try:
        data.decode("utf-8")
        return "utf-8"
    except UnicodeDecodeError:
        pass
    enc = text_encoding(_detection_sample(data))
    if enc is None or enc.replace("_", "-").lower() in ("utf-8", "utf8", "ascii"):
        # The detector saw a clean stretch; the whole is not UTF-8.
        return "cp1252"
    return enc


def _declared(data: bytes, declared: str | None) -> str | None:
    """A charset the document names (an HTML <meta>), when Python knows it
    and the bytes decode with it cleanly; a wrong label is ignored."""
    if not declared:
        return None
    try:
        name = codecs.lookup(declared.strip().strip("\"'")).name
    except (LookupError, ValueError):
        return None
    if name.startswith(("utf-16", "utf-32")):
        return None  # an ASCII-readable <meta> cannot be in UTF-16: a wrong label
    try:
        data.decode(name)
    except UnicodeDecodeError:
        return None
    return name


def decode_text(data: bytes, declared: str | None = None) -> str:
    """`declared`: a charset the document itself names, used when the
    bytes bear it out."""
    enc = _declared(data, declared) if not data.startswith((codecs.BOM_UTF8, codecs.BOM_UTF16_LE,
                                                           codecs.BOM_UTF16_BE)) else None
    enc = enc or encoding_of(data)
    text = data.decode(enc, "replace")
    return text[1:] if text.startswith("\ufeff") else text
