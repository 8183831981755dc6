"""When things happened (DATETIME).

Our own rules find the phrases (dateparser's search_dates takes "may", "sun"
and "a week" for dates and reads "2300" as a year); each phrase is then
resolved against the report's date (dates.py). A date and a time next to each
other ("on 12/03/2026 at 1430 hrs") become one mention. Recurring or vague
times ("after school on Thursdays", "half term", "this weekend") keep their
text as the value rather than an invented date, and so does any relative
phrase when the report's date is unknown.
"""

from __future__ import annotations

import bisect
import re
from datetime import date

from intake.extractors.dates import numeric_date, parse_phrase
from intake.extractors.recognizer import Candidate, Recognizer

_DAY = r"(?:mon|tues?|wed(?:nes)?|thu(?:rs?)?|fri|sat(?:ur)?|sun)day"
_DAYS = r"(?:mon|tues|wednes|thurs|fri|satur|sun)days"
_MONTH = (r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|"
          r"sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)")
_FULL_MONTH = (r"(?:January|February|March|April|May|June|July|August|September|October|"
               r"November|December)")
_PART = r"(?:night|evening|morning|afternoon|lunchtime|lunch\s*time|teatime|daytime|late|early hours)"
_ORD = r"\d{1,2}(?:st|nd|rd|th)?"
_NUMWORD = r"(?:a|an|one|two|three|four|five|six|seven|eight|nine|ten|\d{1,2}|a\s+couple\s+of|a\s+few|few|several)"

_DATE_RULES: list[tuple[str, str]] = [
    ("numeric", r"(?<![\d/.\-])\d{1,2}[/.\-]\d{1,2}[/.\-](?:\d{4}|\d{2})(?![\d/]|[.\-]\d)"),
    ("day_month", rf"(?:{_DAY},?\s+)?(?:the\s+)?{_ORD}(?:\s+of)?\s+{_MONTH}\b\.?(?:,?\s+\d{{4}})?"),
    ("month_day", rf"(?:{_DAY},?\s+)?{_MONTH}\.?\s+(?:the\s+)?{_ORD}\b(?:,?\s+\d{{4}})?"),
    ("month_year", rf"\b{_FULL_MONTH}\s+\d{{4}}\b"),
    ("in_month", r"(?:(?<=\bin\s)|(?<=\bsince\s)|(?<=\bfrom\s)|(?<=\buntil\s)|(?<=\bduring\s)|"
                 r"(?<=\bthroughout\s)|(?<=\bbefore\s)|(?<=\bafter\s))"
                 rf"(?:early\s+|mid[\s\-]|late\s+)?{_FULL_MONTH}\b(?!\s+\d)"),
    ("relative", rf"\b(?:the\s+day\s+before\s+yesterday|yesterday(?:\s+{_PART})?|today|tonight|"
                 rf"(?:this|last)\s+(?:morning|afternoon|evening|night)|earlier\s+today|"
                 rf"{_NUMWORD}\s+(?:days?|weeks?|months?|years?|fortnights?)\s+ago|"
                 rf"(?:a|one|last)\s+fortnight(?:\s+ago)?)\b"),
    ("weekday", rf"\b(?:(?:last|this\s+past|this|next|on\s+the)\s+)?{_DAY}(?:\s+{_PART})?(?:\s+just\s+gone|\s+gone)?\b"),
]
# Recurring times are a grammar, not a list: a list of days ("Tuesday and
# Thursday", "Mon, Wed and Fri"), parts of the day in the plural ("evenings"),
# "every / most / every other", school times. A plural part of the day or a
# plural day makes it recurring ("Sunday afternoons"); "Sunday afternoon"
# alone is a date (_DATE_RULES).
_PARTW = r"(?:morning|afternoon|evening|night|lunchtime|lunch\s+time|teatime|tea\s+time|daytime)"
_DAYX = rf"{_DAY}s?"
_DAYLIST = rf"{_DAYX}(?:\s*(?:,\s*(?:and\s+|or\s+)?|\s+(?:and|or|&)\s+){_DAYX}){{0,4}}"
_SCHOOL_TIME = r"(?:lunch\s*times?|home\s*time|break\s*times?|dinner\s*times?|tea\s*times?|bed\s*time)"
_VAGUE = (
    rf"\b(?:after|before)\s+school(?:\s+(?:on|most|every)\s+{_DAYLIST})?(?:\s+{_PARTW}s)?\b"
    rf"|\b(?:every(?:\s+other|\s+single)?|most|some|each|alternate)\s+(?:{_DAYLIST}|weekend|weekday|weeknight|night|"
    rf"evening|morning|afternoon|day|week|lunchtime|school\s+day|school\s+night)s?(?:\s+{_PARTW}s?)?"
    rf"(?:\s+(?:after|before)\s+school)?\b"
    rf"|\b{_DAYLIST}\s+(?:{_PARTW}s|after\s+school)\b"
    rf"|\b{_DAYS}(?:\s*(?:,\s*(?:and\s+|or\s+)?|\s+(?:and|or|&)\s+){_DAYS}){{0,4}}\b"
    rf"|\b(?:weekday|weeknight|weekend|week\s*day|week\s*night|school)\s+{_PARTW}s\b"
    rf"|\b(?:most\s+)?(?:weekends|weekdays|weeknights)\b"
    rf"|(?:(?<=\bat\s)|(?<=\bover\s)|(?<=\bduring\s))the\s+weekends?\b"
    rf"|(?:(?<=\bat\s)|(?<=\bevery\s)|(?<=\bmost\s)|(?<=\bduring\s)){_SCHOOL_TIME}\b"
    rf"|(?<=\bin\s)the\s+(?:evenings|mornings|afternoons|nights)\b"
    rf"|\b(?:this|last|next)\s+weekend|\b(?:last|this|next)\s+(?:week|month)"
    rf"|\bearlier\s+this\s+(?:week|month)"
    rf"|\b(?:the\s+)?(?:half[\s\-]term|school\s+holidays|summer\s+holidays|easter\s+holidays|christmas\s+holidays)"
    rf"|\b(?:bonfire\s+night|new\s+year'?s\s+(?:eve|day)|christmas(?:\s+(?:eve|day))?|boxing\s+day|"
    rf"easter|eid|diwali|ramadan|valentine'?s\s+day|halloween)\b"
    rf"|\b(?:late\s+at\s+night|in\s+the\s+early\s+hours|school\s+nights)"
)
_TIME = (r"(?<![\w:./])(?:"
         r"(?P<hm>[01]?\d|2[0-3])[:.](?P<mm>[0-5]\d)\s*(?P<ap1>am|pm|a\.m\.|p\.m\.)?(?:\s*(?:hrs|hours|h)\b)?"
         r"|(?P<h12>1[0-2]|0?[1-9])\s*(?P<ap2>am|pm|a\.m\.|p\.m\.)"
         r"|(?P<h24>[01]\d|2[0-3])(?P<m24>[0-5]\d)\s*(?:hrs|hours|h)\b"
         r"|(?<=\bat\s)(?P<h24b>[01]\d|2[0-3])(?P<m24b>[0-5]\d)(?!\s*(?:hrs|hours|h)\b)"
         r"|(?P<word>midnight|midday|noon))(?![\w:])")
# How far after the report a day and month without a year may fall and still
# be read as this year's (a planned meeting, party or court date).
_AHEAD_DAYS = 45
_CONNECT = re.compile(r"^\s*,?\s*(?:(?:at|on|around|about|approx\.?|approximately|from|by|after|before|,)\s*){0,2}$", re.I)


def _clock(m: re.Match[str]) -> str | None:
    if m.group("word"):
        return "00:00" if m.group("word").lower() == "midnight" else "12:00"
    if m.group("h24"):
        return f"{int(m.group('h24')):02d}:{m.group('m24')}"
    if m.group("h24b"):  # "at 1615": a 24-hour time after "at"
        return f"{int(m.group('h24b')):02d}:{m.group('m24b')}"
    if m.group("hm"):
        h, mi, ap = int(m.group("hm")), m.group("mm"), (m.group("ap1") or "").lower()
        if not ap and ":" not in m.group(0):
            return None  # "2.30" alone is more likely money or a score
    else:
        h, mi, ap = int(m.group("h12")), "00", m.group("ap2").lower()
    if ap.startswith("p") and h < 12:
        h += 12
    elif ap.startswith("a") and h == 12:
        h = 0
    return f"{h:02d}:{mi}"


class DateTimeRecognizer(Recognizer):
    name = "datetime"
    entity = "DATETIME"
    priority = 60

    def __init__(self) -> None:
        super().__init__()
        self._dates = [(n, re.compile(rx, re.I)) for n, rx in _DATE_RULES]
        self._vague = re.compile(_VAGUE, re.I)
        self._time = re.compile(_TIME, re.I)

    def _resolve(self, kind: str, phrase: str, rd: date | None) -> str | None:
        """ISO value, or None when only the text can be kept."""
        p = " ".join(phrase.split())
        if kind == "numeric":
            d = numeric_date(p, rd)
            return d.isoformat() if d else ""  # "" = not a date at all
        has_year = re.search(r"\d{4}", p) is not None
        if kind == "month_year":
            dt = parse_phrase("1 " + p, rd)
            return dt.strftime("%Y-%m") if dt else ""
        if rd is None and not has_year:
            return None
        if kind == "in_month":
            dt = parse_phrase("1 " + re.sub(r"(?i)^(early|mid|late)[\s\-]*", "", p), rd)
            return dt.strftime("%Y-%m") if dt else None
        if kind == "weekday":
            if re.search(r"(?i)\bgone\b", p):
                return None  # "Friday just gone": UK-DOMAIN.md keeps it as text
            core = re.sub(rf"(?i)\s+{_PART}$", "", p)
            core = re.sub(r"(?i)^(on the|this past)\s+", "", core)
            prefer = "future" if re.match(r"(?i)next\b", core) else "past"
            if re.match(r"(?i)this\b", core):
                core = core[5:]
            dt = parse_phrase(core, rd, prefer)
            return dt.date().isoformat() if dt else None
        if kind == "relative" and re.match(r"(?i)(last|one|a)\s+fortnight$", p):
            return None
        core = re.sub(r"(?i)^the\s+", "", p)
        dt = parse_phrase(core, rd)
        if dt is None:
            return "" if kind in ("day_month", "month_day") else None
        if kind in ("day_month", "month_day") and not has_year and rd is not None:
            # "the next one is on 22nd May" in a report of 14 May: a date a
            # few weeks ahead is this year's, not last year's.
            ahead = parse_phrase(core, rd, "future")
            if ahead is not None and 0 < (ahead.date() - rd).days <= _AHEAD_DAYS:
                dt = ahead
        return dt.date().isoformat()

    def analyze(self, text, ctx):
        rd = ctx.report_date
        spans: list[tuple[int, int, str, str | None]] = []  # start, end, kind, iso
        taken = bytearray(len(text) + 1)
        for kind, rx in self._dates:
            for m in rx.finditer(text):
                s, e = m.span()
                if any(taken[s:e]):
                    continue
                phrase = m.group(0)
                if kind == "weekday" and phrase[:1].islower() and not re.match(r"(?i)(last|this|next|on)\b", phrase):
                    pass
                iso = self._resolve(kind, phrase, rd)
                if iso == "":
                    continue
                spans.append((s, e, "date", iso))
                taken[s:e] = b"\x01" * (e - s)
        for m in self._vague.finditer(text):
            s, e = m.span()
            # A vague phrase that contains a resolved date ("last Friday
            # evening") is not vague; one around a weekday ("after school on
            # Thursdays") wins over it.
            if any(taken[s:e]):
                # Only then can a span lie inside or across it: the scans
                # below cost spans x phrases, seconds on a long text.
                inner = [sp for sp in spans if s <= sp[0] and sp[1] <= e]
                if not inner:
                    continue
                if any(sp[0] < s < sp[1] or sp[0] < e < sp[1] for sp in spans):
                    continue
                spans = [sp for sp in spans if sp not in inner]
            spans.append((s, e, "vague", None))
            taken[s:e] = b"\x01" * (e - s)
        times: list[tuple[int, int, str]] = []
        for m in self._time.finditer(text):
            s, e = m.span()
            if any(taken[s:e]):
                continue
            clock = _clock(m)
            if clock:
                times.append((s, e, clock))
        return self._merge(text, spans, times)

    def _merge(self, text, spans, times) -> list[Candidate]:
        out: list[Candidate] = []
        used: set[int] = set()
        # Times are in text order and never overlap. Only the time right
        # before a date or right after it can be joined to it (the gap
        # between holds nothing but connecting words), the earlier first:
        # two lookups instead of a pass over every time for every date,
        # which cost minutes on a 2 MB text.
        starts = [t[0] for t in times]
        ends = [t[1] for t in times]
        for s, e, kind, iso in sorted(spans):
            value = iso
            start, end = s, e
            near = (bisect.bisect_right(ends, s) - 1, bisect.bisect_left(starts, e))
            for i in near:
                if not 0 <= i < len(times):
                    continue
                ts, te, clock = times[i]
                if i in used or kind == "vague":
                    # Only a date takes in the time beside it (its ISO value
                    # carries it); "most nights around 1am" stays a recurring
                    # phrase and a time, so "01:00" keeps its normal form.
                    continue
                gap = text[e:ts] if ts >= e else text[te:s]
                if (ts >= e or te <= s) and _CONNECT.match(gap):
                    used.add(i)
                    start, end = min(s, ts), max(e, te)
                    if value and len(value) == 10:
                        value = f"{value}T{clock}"
                    break
            if value is None or (kind == "vague"):
                value = " ".join(text[start:end].split())
            elif len(value) == 10 + 6 or len(value) in (7, 10):
                pass
            out.append(Candidate(self.entity, start, end, value, self.name, 0.8 if kind == "date" else 0.6,
                                 self.priority, pattern=kind))
        for i, (ts, te, clock) in enumerate(times):
            if i not in used:
                out.append(Candidate(self.entity, ts, te, clock, self.name, 0.7, self.priority, pattern="time"))
        return out
