"""UK postcodes with the letter rules of each position (docs/uk-formats.md);
value in upper case with one space before the inward code."""

from __future__ import annotations

from intake.extractors.recogniser import Pattern, Recogniser

_A1 = "[A-PR-UWYZ]"        # first letter: never Q V X
_A2 = "[A-HK-Y]"           # second letter: never I J Z
_A3 = "[ABCDEFGHJKPSTUW]"  # third, in A9A
_A4 = "[ABEHMNPRVWXY]"     # fourth, in AA9A
_OUT = (f"(?:{_A1}{_A2}\\d{_A4}|{_A1}\\d{_A3}|{_A1}{_A2}\\d\\d?|{_A1}\\d\\d?)")
_IN = "\\d[ABD-HJLNP-UW-Z]{2}"  # inward letters: never C I K M O V


# str.upper() can change a string's length ("ß" -> "SS") and so the offsets.
_ASCII_UPPER = str.maketrans("abcdefghijklmnopqrstuvwxyz", "ABCDEFGHIJKLMNOPQRSTUVWXYZ")


class PostcodeRecogniser(Recogniser):
    name = "postcode"
    run_order = 40
    entity = "POSTCODE"
    priority = 80
    patterns = (
        Pattern("postcode", rf"(?<![\w@/\-])(?P<m>(?P<o>{_OUT}|GIR)\s?(?P<i>{_IN}|0AA))(?![\w/\-])", 0.85, 0),
    )

    def scan_text(self, text):
        # Matched case-sensitively (flags=0) on an upper-cased copy so the
        # letter classes stay exact; lower-case postcodes ("cr26xh") are common.
        return text.translate(_ASCII_UPPER)

    def validate_result(self, m, text, ctx, pattern):
        out, inward = m.group("o"), m.group("i")
        if out == "GIR" and inward != "0AA":
            return None
        raw = ctx.text[m.start("m"):m.end("m")]
        if raw != raw.upper() and raw != raw.lower():
            return None  # "Dn55 1pt": mixed case is prose, not a postcode
        return f"{out} {inward}"
