"""UK vehicle registration marks, full and partial (docs/uk-formats.md).

Shapes other than the current format are also ordinary words and codes
("B4 THE", "WAS 2A", "MI5"), so they count only when written in capitals and
not an English word, or when a vehicle cue ("reg", "plate", "car", a make)
is in the same sentence."""

from __future__ import annotations

import re

from intake.extractors.recogniser import Pattern, Recogniser

_CUE = (r"(?:\b(?P<cue>reg(?:istration)?(?:\s*(?:no|number|mark|plate))?|vrm|index(?:\s*(?:no|number|mark))?"
        r"|(?:number\s*)?plate(?:\s*(?:no|number))?)\.?\s*(?:is|was|of|[:#-])?\s*)")
_L = r"(?<![\w@/.\-])"  # a plate never continues a word, handle, e-mail or reference
_R = r"(?![\w/?*]|-\d)"

_VEHICLE_CUES = re.compile(
    r"\b(?:reg|regs|registration|vrm|index|plates?|car|cars|vehicle|van|driving|drives|drove|"
    r"driven|driver|motor|taxi|cab|moped|motorbike|bike|scooter|hatchback|saloon|estate|4x4|"
    r"jeep|suv|pulled up|parked|picked)\b", re.I)

# Three-letter English words and text-speak that make prefix/suffix/NI shapes
# ("B4 THE", "WAS 2A") when not cued.
_WORDS = frozenset("""THE AND FOR ARE BUT NOT YOU ALL ANY CAN HAD HER WAS ONE OUR OUT DAY GET HAS
HIM HIS HOW MAN NEW NOW OLD SEE TWO WAY WHO BOY DID ITS LET PUT SAY SHE TOO USE DAD MUM AGE YES
WHY ASK MEN OFF RAN SAW SAT SET TOP BIG BAD END FEW GOT LOT MAY OWN RUN TRY YET AGO AIR ARM BAG BED
BOX BUS CAR CUT DOG EAT EYE FAR FUN GUN HAT HIT HOT JOB KEY LAY LEG LIE MAP MET MIX NET NOR ODD
PAY PEN PER POT RED ROW SEA SIX SON SUN TAX TEN TIE TOY WAR WET WIN YEN ZIP AKA DOB REF TEL MOB
FLAT ROOM AGED YRS HRS PM AM APP CRN NHS GBP USD MSG""".split())
# What follows the front of a current-format plate ("SJ15") when it is one.
_CUT_PLATE = re.compile(r"[ \t\-]{0,2}[A-Za-z]{3}\b")
_YEAR_LETTER = set("ABCDEFGHJKLMNPRSTVWXY")  # A-Y without I O Q U Z
_NI_CODES = {"IA", "IB", "IG", "IJ", "IL", "IW", "JI", "OI", "UI", "XI"}


# Words that make the tail of a mixed-case current-format shape prose
# ("On12 Dec", "Yr 11 boy") rather than a plate typed carelessly ("yw72 VAC").
_TAIL_WORDS = frozenset("""JAN FEB MAR APR MAY JUN JUL AUG SEP OCT NOV DEC MON TUE WED THU FRI SAT SUN
HRS YRS MIN MINS""".split()) | _WORDS


def normalise(raw: str) -> str:
    v = re.sub(r"[\s\-.]+", "", raw.upper()).replace("?", "*")
    return re.sub(r"\*+", "*", v)


def _age_ok(digits: str) -> bool:
    n = int(digits)
    return 2 <= n <= 29 or 51 <= n <= 79  # "01" never issued; 30-50 and 80+ not yet


def _current_ok(letters: str, digits: str, tail: str) -> bool:
    return (not set(letters) & set("IQZ") and _age_ok(digits) and not set(tail) & set("IQ"))


class VrmRecogniser(Recogniser):
    name = "vrm"
    run_order = 10
    entity = "VRM"
    priority = 90
    patterns = (
        # "SJ15 CMM", "SJ15CMM", "SJ 15 CMM", "SJ15  CMM", "SJ15-CMM": a full
        # plate however it is spaced, so a cued short shape never cuts it
        # to "SJ15".
        # Also "KX19.LPT" and a plate split over a line ("MF21\nOWP").
        Pattern("current", _L + r"(?P<m>(?P<a>[A-Z]{2})(?P<s1>\s?)(?P<d>\d{2})(?:[ \t]{1,2}|\s|-|\.)?(?P<t>[A-Z]{3}))" + _R, 0.9),
        Pattern("partial", _L + r"(?P<m>[A-Z?*]{2}\s?[0-9?*]{2}\s?[A-Z?*]{1,3})" + r"(?![\w/?*])", 0.7),
        Pattern("prefix", _L + r"(?P<m>(?P<y>[A-Z])\s?(?P<d>[1-9]\d{0,2})\s?(?P<t>[A-Z]{3}))" + _R, 0.7),
        Pattern("suffix", _L + r"(?P<m>(?P<t>[A-Z]{3})\s?(?P<d>[1-9]\d{0,2})\s?(?P<y>[A-Z]))" + _R, 0.7),
        Pattern("ni", _L + r"(?P<m>(?P<t>[A-Z]{2,3})\s?(?P<d>[1-9]\d{0,3}))" + _R, 0.7),
        Pattern("cued", _CUE + r"(?P<m>[A-Z]{1,3}\s?[1-9]\d{0,3}|[1-9]\d{0,3}\s?[A-Z]{1,3})" + _R, 0.8),
        # "The reg was something like YD19 but she could not see the rest": a
        # current-format front (letters + age) after a cue and a few words.
        Pattern("cued_partial", _CUE + r"(?:(?:something|like|possibly|maybe|probably|perhaps|partial|part|only|just|"
                r"the|a|was|is|had|has|with|of|as|think|thought|believe|believed|looked|looks|similar|to|began|"
                r"begins|started|starts)\s+){0,4}(?P<m>[A-Z]{2}\d{2})(?![\w?*]|\s?[A-Z]{3}\b)", 0.7, 0),
        Pattern("starts", r"\b(?P<cue>starts?|starting|begins?|beginning)\s+(?:with\s+)?(?:an?\s+|the\s+)?"
                r"(?:letters?\s+|numbers?\s+)?(?P<m>[A-Z0-9]{2,4})\b(?![?*])", 0.7),
        Pattern("ends", r"\b(?P<cue>ends?|ending|ended)\s+(?:with|in)?\s*(?:an?\s+|the\s+)?"
                r"(?:letters?\s+|numbers?\s+)?(?P<m>[A-Z0-9]{2,4})\b(?![?*])", 0.7),
        Pattern("first", r"\b(?P<cue>first\s+(?:two|three|four|2|3|4|few)\s+(?:letters|characters|digits|numbers))"
                r"(?:\s+(?:are|were|was|is|of|being))?\s*[:\-]?\s*(?:the\s+plate\s+)?(?P<m>[A-Z0-9]{2,4})\b", 0.7),
        Pattern("last", r"\b(?P<cue>last\s+(?:two|three|four|2|3|4|few)\s+(?:letters|characters|digits|numbers))"
                r"(?:\s+(?:are|were|was|is|of|being))?\s*[:\-]?\s*(?P<m>[A-Z0-9]{2,4})\b", 0.7),
    )

    def _cued(self, text: str, start: int, ctx) -> bool:
        # The sentence, but no more than 200 characters either side: a text
        # with no full stops must not make every candidate scan all of it.
        lo, hi = ctx.sentence_span(start)
        lo, hi = max(lo, start - 200), min(hi, start + 200)
        return _VEHICLE_CUES.search(text, lo, hi) is not None or self._make_near(text, lo, hi, ctx)

    @staticmethod
    def _make_near(text: str, lo: int, hi: int, ctx) -> bool:
        words = set(re.findall(r"[a-z]+", text[lo:hi].lower()))
        return bool(words & ctx.gazetteers.makes.keys())

    def validate_result(self, m, text, ctx, pattern):
        raw = m.group("m")
        upper = raw == raw.upper()
        compact = normalise(raw)
        if pattern == "current":
            if not _current_ok(m.group("a").upper(), m.group("d"), m.group("t").upper()):
                return None
            # "on 12 dec": the spaced shape in lower case is ordinary words.
            if m.group("s1") and not upper and not self._cued(text, m.start("m"), ctx):
                return None
            if not upper and raw != raw.lower():
                # Mixed case ("yw72 VAC", "Lk16 Yhb") is a plate typed in a
                # hurry unless it reads as prose: "On12 Dec", "Yr 11 boy".
                if m.group("s1") or m.group("t").upper() in _TAIL_WORDS:
                    return None
                if m.group("a").upper() in ("ON", "IN", "AT", "YR", "NO", "TO", "BY", "OF", "UP"):
                    return None
            return compact
        if pattern == "partial":
            if "?" not in raw and "*" not in raw:
                return None
            known = re.sub(r"[\s?*]", "", raw)
            if len(known) < 2 or not upper:
                return None
            letters, digits, tail = compact[:2], re.sub(r"\s", "", raw)[2:4], re.sub(r"\s", "", raw)[4:]
            if any(c.isalpha() and c in "IQZ" for c in letters) or any(c in "IQ" for c in tail):
                return None
            if digits.isdigit() and not _age_ok(digits):
                return None
            if any(c.isdigit() for c in letters) or any(c.isalpha() for c in digits):
                return None
            return compact
        cued = self._cued(text, m.start("m"), ctx)
        if pattern in ("prefix", "suffix"):
            if m.group("y").upper() not in _YEAR_LETTER and not (pattern == "prefix" and m.group("y").upper() == "Q"):
                return None
            if not cued and (not upper or m.group("t").upper() in _WORDS):
                return None
            return compact
        if pattern == "ni":
            t = m.group("t").upper()
            if not (t[-2:] in _NI_CODES or t.endswith("Z")):
                return None
            if not cued and (not upper or t in _WORDS):
                return None
            return compact
        if pattern == "cued":
            if re.search(r"(?i)\b(?:partial|part)\s+$", text[max(0, m.start() - 9):m.start()]) and \
                    re.fullmatch(r"[A-Z]{1,2}\d{1,2}", compact):
                return compact + "*"  # "partial reg KY6": the front of a plate
            if _CUT_PLATE.match(text, m.end("m")) and re.fullmatch(r"[A-Za-z]{2}\d{2}", raw.replace(" ", "")):
                return None  # "reg Sj15 Cmm": the front of a full plate is not a plate of its own
            return compact
        if pattern == "cued_partial":
            if not _current_ok(compact[:2], compact[2:4], ""):
                return None
            return compact + "*"
        # starts / ends / first / last: a fragment in capitals, or cued.
        if not upper or (compact.isdigit() and not cued):
            return None
        if compact.isalpha() and compact in _WORDS:
            return None
        if pattern in ("starts", "first"):
            return compact + "*"
        return "*" + compact
