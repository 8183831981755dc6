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
from intake.extractors.recogniser import Candidate, Recogniser

_DAY = r"(?:mon|tues?|wed(?:nes)?|thu(?:rs?)?|fri|sat(?:ur)?|sun)day"
# Days as partner agencies clip them ("Sun 1/3", "fri/sat nights", "tues &
# thurs eves"). "Sat", "Sun", "Wed" and "Mon" are also words, so alone they
# count only as _ABBR_ALONE allows; in a list or before a date they are days.
_ABBR = r"(?:mon|tues?|wed|weds|thu|thur|thurs|fri|sat|sun)"
_ABBR_FULL = {"mon": "monday", "tue": "tuesday", "tues": "tuesday", "wed": "wednesday",
              "weds": "wednesday", "thu": "thursday", "thur": "thursday", "thurs": "thursday",
              "fri": "friday", "sat": "saturday", "sun": "sunday"}
_DAYS = r"(?:mon|tues|wednes|thurs|fri|satur|sun)days"
_MONTH = (r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|"
          r"sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)")
_FULL_MONTH = (r"(?:January|February|March|April|May|June|July|August|September|October|"
               r"November|December)")
_PART = r"(?:night|evening|morning|afternoon|lunchtime|lunch\s*time|teatime|daytime|late|early hours)"
_ORD = r"\d{1,2}(?:st|nd|rd|th)?"
_YDAY = r"(?:yesterday|ystday|ystdy|yday|yest|yesterdy|ysterday|yestday)"
_NUMWORD = r"(?:a|an|one|two|three|four|five|six|seven|eight|nine|ten|\d{1,2}|a\s+couple\s+of|a\s+few|few|several)"

_DATE_RULES: list[tuple[str, str]] = [
    ("numeric", r"(?<![\d/.\-])\d{1,2}[/.\-]\d{1,2}[/.\-](?:\d{4}|\d{2})(?![\d/]|[.\-]\d)"),
    ("day_month", rf"(?:{_DAY},?\s+)?(?:the\s+)?{_ORD}(?:\s+of)?\s+{_MONTH}\b\.?(?:,?\s+\d{{4}})?"),
    ("month_day", rf"(?:{_DAY},?\s+)?{_MONTH}\.?\s+(?:the\s+)?{_ORD}\b(?:,?\s+\d{{4}})?"),
    ("month_year", rf"\b{_FULL_MONTH}\s+\d{{4}}\b"),
    ("in_month", r"(?:(?<=\bin\s)|(?<=\bsince\s)|(?<=\bfrom\s)|(?<=\buntil\s)|(?<=\bduring\s)|"
                 r"(?<=\bthroughout\s)|(?<=\bbefore\s)|(?<=\bafter\s))"
                 rf"(?:early\s+|mid[\s\-]|late\s+)?{_FULL_MONTH}\b(?!\s+\d)"),
    # "w/e 14/3" (week ending), "w/c 9/3" (week commencing): the date written.
    ("week_of", r"\b(?:w/e|w/c|w\.e\.|wk\.?\s*ending|week\s+ending|week\s+commencing)\s*"
                r"\d{1,2}[/.]\d{1,2}(?:[/.](?:\d{4}|\d{2}))?(?![\d/])"),
    # "Sun 1/3", "Fri 27/2": a day and a day/month without a year.
    ("day_dm", rf"\b(?:{_DAY}|{_ABBR})\.?,?\s+\d{{1,2}}/\d{{1,2}}(?![\d/]|\.\d)"),
    # "14/4 - Yr 8 girl", "missing from 11/4 1900", "19/1 2305": day/month
    # without a year, kept only beside a cue (_dm_ok), so "24/7" or "3/4 of
    # them" are not dates. A 24-hour time right after it is part of it.
    ("dm", r"(?<![\w/.\-:£$#])\d{1,2}/\d{1,2}(?![\w/]|\.\d)"
           r"(?:\s+(?:[01]\d|2[0-3])[0-5]\d(?:\s*(?:hrs|hours|h)\b)?(?!\w|[:.]\d))?"),
    # "the 23rd", "on the 2nd": a day of the month alone, in the past.
    ("day_of_month", r"\bthe\s+(?:[12]?1st|2?2nd|2?3rd|(?:[12]?[4-9]|1[0-3]|20|30)th|31st)\b"),
    ("relative", rf"\b(?:the\s+day\s+before\s+yesterday|{_YDAY}(?:\s+{_PART})?|today|tonight|tonite|last\s+nite|"
                 rf"(?:this|last)\s+(?:morning|afternoon|evening|night)|earlier\s+today|"
                 rf"{_NUMWORD}\s+(?:days?|weeks?|months?|years?|fortnights?)\s+ago|"
                 rf"(?:a|one|last)\s+fortnight(?:\s+ago)?)\b"),
    ("weekday", rf"\b(?:(?:last|this\s+past|this|next|on\s+the)\s+)?{_DAY}(?:\s+{_PART})?(?:\s+just\s+gone|\s+gone)?\b"),
    ("weekday_abbr", rf"\b(?:(?:last|this|next)\s+)?{_ABBR}\b(?:\s+{_PART})?"),
]
# What may follow a day of the month alone and still leave it a date ("the
# 3rd time", "the 2nd floor" are not dates).
_DOM_NOT = re.compile(r"\s*(?:time|times|floor|one|ones|person|people|man|men|girl|boy|lad|male|female|"
                      r"occasion|attempt|incident|visit|house|door|flat|row|year|century|birthday|child|"
                      r"place|generation|grade|class|set|team|page|item|point|round|stop|exit|option|"
                      r"week|month|day|of)\b", re.I)
# The ambiguous clipped days ("Sat", "Sun", "Wed", "Mon") alone: capitalised
# and not followed by an ordinary word ("Sat on the wall", "the Sun newspaper").
_ABBR_WORDS = frozenset({"sat", "sun", "wed", "mon"})
_ABBR_NEXT_OK = re.compile(rf"(?:\s*$|\s*[\n,;:)+&/\-–.]|\s+(?:and|or|to|at|approx|about|around|from|till|"
                           rf"until|{_PART}|\d))", re.I)
# Cues that make a bare day/month ("11/4") a date: a preposition or verb of
# when before it, a list bullet or line start, or a time after it.
_DM_BEFORE = re.compile(r"(?:^|\n)[ \t]*[-•*]?[ \t]*$|\b(?:on|from|since|until|till|to|dated|between|and|"
                        r"missing|seen|called|returned|found|visited|attended|date|incident|w/e|w/c|"
                        r"[A-Z]&[A-Z]|log|note|update|contact)[:\s]*$|[-–]\s*$", re.I)
_DM_AFTER = re.compile(r"\s*(?:[-–:]\s|\s(?:[01]\d|2[0-3])[0-5]\d|\s(?:at|approx|about|around)\b|$)")
# A four-digit 24-hour time without "hrs" ("approx 2130", "0120 she rang"):
# only after an approximating word, or starting a log line.
_BARE_HHMM = re.compile(r"(?<![\w:./£$#\-])(?P<h>[01]\d|2[0-3])(?P<mi>[0-5]\d)(?![\w:/]|\.\d|\s*(?:hrs|hours|h)\b)")
_HHMM_CUE = re.compile(r"(?:\b(?:approx\.?|approximately|about|around|circa|roughly|returned|arrived)|[@~]|\bc\.)\s*$", re.I)
_HHMM_LINE = re.compile(r"(?:^|\n|[.;]\s)[ \t]*[-•*]?[ \t]*$")
_HHMM_LINE_AFTER = re.compile(r"\s*[-–:]\s|\s+(?!(?:was|is|were|and|or|to|people|persons|pounds|times|miles)\b)[A-Za-z]")
# Recurring times are a grammar, not a list: a list of days ("Tuesday and
# Thursday", "Mon, Wed and Fri"), parts of the day in the plural ("evenings"),
# "every / most / every other", school times. A plural part of the day or a
# plural day makes it recurring ("Sunday afternoons"); "Sunday afternoon"
# alone is a date (_DATE_RULES).
_PARTW = r"(?:morning|afternoon|evening|night|lunchtime|lunch\s+time|teatime|tea\s+time|daytime)"
_DAYX = rf"(?:{_DAY}s?|{_ABBR}\b\.?)"
_DAYLIST = rf"{_DAYX}(?:\s*(?:,\s*(?:and\s+|or\s+)?|\s+(?:and|or|n)\s+|\s*[/&+]\s*){_DAYX}){{0,4}}"
# Parts of the day in the plural, clipped as written ("eves", "nites").
_PARTS = rf"(?:{_PARTW}s|eves|nites|arvos)"
_SCHOOL_TIME = r"(?:lunch\s*times?|home\s*time|break\s*times?|dinner\s*times?|tea\s*times?|bed\s*time)"
_VAGUE = (
    rf"\b(?:after|before)\s+school(?:\s+(?:on|most|every)\s+{_DAYLIST})?(?:\s+{_PARTW}s)?\b"
    rf"|\b(?:every(?:\s+other|\s+single)?|most|some|each|alternate)\s+(?:{_DAYLIST}|weekend|weekday|weeknight|night|"
    rf"evening|morning|afternoon|day|week|lunchtime|school\s+day|school\s+night|eve|wkend|wknd|nite)s?(?:\s+{_PARTW}s?)?"
    rf"(?:\s+(?:after|before)\s+school)?\b"
    rf"|\b{_DAYLIST}\s+(?:{_PARTS}|after\s+school)\b"
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
         r"|(?P<word>midnight|midday|noon))(?!\w|:\d)")
# How far after the report a day and month without a year may fall and still
# be read as this year's (a planned meeting, party or court date).
_AHEAD_DAYS = 45
_CONNECT = re.compile(r"^\s*,?\s*(?:(?:at|on|around|about|approx\.?|approximately|from|by|after|before|,)\s*){0,2}$", re.I)


def _day_month(d: int, mo: int, rd: date | None) -> date | None:
    """A day and month written without a year: the report's year, or the
    year before when that would put it more than _AHEAD_DAYS after the report."""
    if rd is None:
        return None
    for year in (rd.year, rd.year - 1):
        try:
            dt = date(year, mo, d)
        except ValueError:
            continue
        if (dt - rd).days <= _AHEAD_DAYS:
            return dt
    return None


def _day_of_month(d: int, rd: date | None) -> date | None:
    """"the 23rd": the latest such day on or before the report's date (reports
    tell what happened; "next"/"coming" dates are written with a month)."""
    if rd is None:
        return None
    y, mo = rd.year, rd.month
    for _ in range(3):
        try:
            dt = date(y, mo, d)
            if dt <= rd:
                return dt
        except ValueError:
            pass
        y, mo = (y, mo - 1) if mo > 1 else (y - 1, 12)
    return None


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


class DateTimeRecogniser(Recogniser):
    name = "datetime"
    run_order = 80
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
        if kind in ("week_of", "day_dm", "dm"):
            m = re.search(r"(\d{1,2})[/.](\d{1,2})(?:[/.](\d{4}|\d{2}))?(?:\s+(\d{2})(\d{2}))?", p)
            if m.group(3):
                d = numeric_date(f"{m.group(1)}/{m.group(2)}/{m.group(3)}", rd)
                if d is None:
                    return ""
            else:
                try:
                    date(2000, int(m.group(2)), int(m.group(1)))  # a real day and month at all?
                except ValueError:
                    return ""
                d = _day_month(int(m.group(1)), int(m.group(2)), rd)
                if d is None:
                    return None
            return d.isoformat() + (f"T{m.group(4)}:{m.group(5)}" if m.group(4) else "")
        if kind == "day_of_month":
            d = _day_of_month(int(re.search(r"\d+", p).group(0)), rd)
            return d.isoformat() if d else None
        if kind == "weekday_abbr":
            kind = "weekday"
            p = re.sub(r"(?i)\b" + _ABBR + r"\b\.?", lambda m: _ABBR_FULL[m.group(0).rstrip(".").lower()], p, count=1)
        if kind == "relative":
            p = re.sub(r"(?i)\b" + _YDAY + r"\b", "yesterday", p)
            p = re.sub(r"(?i)\btonite\b", "tonight", re.sub(r"(?i)\bnite\b", "night", p))
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
                return None  # "Friday just gone": docs/uk-formats.md keeps it as text
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
                if not self._in_context(kind, text, s, e, phrase):
                    continue
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
                taken[s:e] = b"\x01" * (e - s)
        times = sorted(times + self._bare_times(text, taken))
        return self._merge(text, spans, times)

    @staticmethod
    def _in_context(kind: str, text: str, s: int, e: int, phrase: str) -> bool:
        """The clipped shapes that are also ordinary text need a cue."""
        if kind == "weekday_abbr":
            word = re.match(r"(?i)(?:(last|this|next)\s+)?(\w+)", phrase)
            if word.group(1) or word.group(2).lower() not in _ABBR_WORDS:
                return True
            if not word.group(2)[0].isupper() and not re.search(_PART + r"$", phrase, re.I):
                return False
            if re.search(r"(?i)\b(?:the|a|in|he|she|they|i|we|who|had|have|was|were)\s+$", text[max(0, s - 8):s]):
                return False  # "the Sun", "she sat"
            if re.search(r"(?i)(?:\b(?:on|to|from|till|until|since|and)|[-–&+])\s+$", text[max(0, s - 8):s]):
                return True  # "Fri 27/2 to Sun", "on Sat"
            return bool(_ABBR_NEXT_OK.match(text, e)) or bool(re.search(_PART + r"$", phrase, re.I))
        if kind == "dm":
            if re.match(r"24/7\b", phrase) or re.match(r"\s+of\b", text[e:e + 4]):
                return False
            line_start = text.rfind("\n", 0, s) + 1
            before = text[max(line_start, s - 30):s]
            return bool(_DM_BEFORE.search(before) or _DM_AFTER.match(text, e) or " " in phrase.strip())
        if kind == "day_of_month":
            return not _DOM_NOT.match(text, e)
        return True

    def _bare_times(self, text: str, taken: bytearray) -> list[tuple[int, int, str]]:
        """Four-digit times without "hrs" that read as times (see _BARE_HHMM)."""
        out = []
        for m in _BARE_HHMM.finditer(text):
            s, e = m.span()
            if any(taken[s:e]):
                continue
            before = text[max(0, s - 16):s]
            if _HHMM_CUE.search(before) or (_HHMM_LINE.search(before) and _HHMM_LINE_AFTER.match(text, e)):
                out.append((s, e, f"{m.group('h')}:{m.group('mi')}"))
        return out

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
