"""UK phone numbers, as E.164 (docs/uk-formats.md).

A UK-shaped candidate pattern, then libphonenumber to validate and format.
PhoneNumberMatcher is not used: loose leniency takes crime references and
dates, strict leniency misses real numbers grouped oddly. Ofcom's drama
ranges are accepted explicitly because libphonenumber rejects some of them
and all synthetic data uses them."""

from __future__ import annotations

import re

import phonenumbers

from intake.extractors.recogniser import Pattern, Recogniser

# National forms of the Ofcom drama ranges: prefix, then the remaining digits.
_DRAMA = tuple(
    (p, 11 - len(p))
    for p in (
        "07700900", "01632960", "02079460", "01134960", "01144960", "01154960", "01164960",
        "01174960", "01184960", "01214960", "01314960", "01414960", "01514960", "01614960",
        "01914980", "02920180", "02890180", "08081570", "09098790", "03069990",
    )
)

_SEP = r"[ \t\-]?"


def is_drama(national: str) -> bool:
    return len(national) == 11 and any(national.startswith(p) for p, _ in _DRAMA)


class PhoneRecogniser(Recogniser):
    name = "phone"
    run_order = 20
    entity = "PHONE"
    priority = 85
    context = ("tel", "telephone", "phone", "mobile", "mob", "number", "no", "contact", "call",
               "calls", "text", "texts", "whatsapp", "rang", "ring")
    patterns = (
        Pattern(
            "uk",
            # Not inside a longer number, reference or date: no digit, "/", "."
            # or word character either side.
            r"(?<![\w/.+\-])(?P<m>(?:(?:\+|00)\s?44" + _SEP + r"(?:\(0\)" + _SEP + r")?|\(0|0)"
            r"\d(?:[ \t\-]?\)?[ \t\-]?\d){8,9})(?![\w/]|[.\-]\d)",
            0.8,
            0,
        ),
    )

    def validate_result(self, m, text, ctx, pattern):
        raw = m.group("m")
        if re.search(r"\s{2,}|--|\t", raw):
            return None
        digits = re.sub(r"\D", "", raw.replace("(0)", ""))
        if raw.startswith("+44") or raw.startswith("0044"):
            national = "0" + digits[4:] if raw.startswith("0044") else "0" + digits[2:]
        else:
            national = digits
        if len(national) not in (10, 11) or national.startswith("00"):
            return None
        try:
            num = phonenumbers.parse(national, "GB")
        except phonenumbers.NumberParseException:
            return None
        if not (is_drama(national) or phonenumbers.is_valid_number(num)):
            return None
        return phonenumbers.format_number(num, phonenumbers.PhoneNumberFormat.E164)
