"""Ages: "aged 14", "aged about 14", "a 20 year old male", "approx 15",
"15yo", "15 y/o", "Age: 14", "fourteen-year-old". Value: the integer as a
string; a range ("15-16 years old") gives the lower bound, the upper in
attrs."""

from __future__ import annotations

import re

from intake.extractors.recogniser import Found, Pattern, Recogniser

_WORDS = {w: i for i, w in enumerate(
    "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen "
    "fifteen sixteen seventeen eighteen nineteen twenty".split())}
_WORDS.update({"thirty": 30, "forty": 40, "fifty": 50, "sixty": 60, "seventy": 70})
_NUM = r"(?:\d{1,2}|" + "|".join(sorted(_WORDS, key=len, reverse=True)) + r")"
_RANGE = rf"(?P<n>{_NUM})(?:\s*(?:-|–|to|or|/)\s*(?P<n2>{_NUM}))?"
_ABOUT = r"(?:(?:about|around|approx(?:imately)?\.?|roughly|maybe|possibly|estimated|est\.?|c\.|circa|~|under|over|only|just)\s*)?"
_YO = r"(?:years?|yrs?|yr)[\s\-]?old|y\.?\s?o\.?\b|y/o\b|yo\b"


# Capitalised words followed by ", 3," or "(3)" that are numbering, not a person.
_NOT_NAME = frozenset("""appendix section part stage step chapter table figure schedule article
paragraph page annex item point level tier year room flat no number act option tactic""".split())


class AgeRecogniser(Recogniser):
    name = "age"
    run_order = 70
    entity = "AGE"
    priority = 70
    patterns = (
        Pattern("aged", rf"\b(?P<cue>aged?)\s*(?:is|of|was)?\s*[:\-]?\s*{_ABOUT}(?P<m>{_RANGE})\b(?!\s*(?:%|st\b|nd\b|rd\b|th\b|am\b|pm\b|:\d|mins?\b|minutes|hours|hrs|miles|months|weeks|days))", 0.9),
        Pattern("years_old", rf"(?<![\w/.:£$])(?P<m>{_RANGE})[\s\-]*(?:{_YO})", 0.9),
        Pattern("approx", rf"\b(?:approx(?:imately)?\.?|about|around|roughly)\s+(?P<m>{_RANGE})(?=\s*(?:$|[,;)]|\.(?!\d)|\s(?:and|with|who|or|to|years|yrs|male|female|boy|girl|man|woman)\b))", 0.6),
        # "Jordan Clarke, 19, drives" / "Nicole (19)": an age in apposition.
        Pattern("apposition", r"(?<![\w'’\-])[A-ZÀ-ÞŁŚŻŹĆŃ][^\W\d_]*(?:[-'’][^\W\d_]+)*(?:, *| *\( *)(?P<m>(?P<n>\d{1,2})(?P<n2>)(?:\s*(?:yrs?|years?))?)(?=\s*\)|,\s|\.\s|\.$)", 0.7, 0),
        # "a Hungarian girl, 16, placed at", "the boy (15)": after a person noun.
        Pattern("noun_apposition", r"\b(?:girl|boy|male|female|man|woman|child|pupil|student|teenager|lad|lass|son|pt|yp|yth|"
                r"daughter|brother|sister|cousin|friend|resident|victim|suspect|person|youth)(?:, *| *\( *)"
                r"(?P<m>(?P<n>\d{1,2})(?P<n2>)(?:\s*(?:yrs?|years?))?)(?=\s*\)|,\s|\.\s|\.$)", 0.7),
        # "girl approx 14", "F pt approx 15 intox", "yth aged about 15": an
        # approximate age after a person word, whatever follows.
        Pattern("noun_approx", r"\b(?:girl|boy|male|female|man|woman|lad|lass|child|pt|yp|yth|youth|teen|"
                r"teenager|m|f)\s+(?:approx(?:imately)?\.?|about|around|roughly|c\.|~)\s*"
                r"(?P<m>(?P<n>\d{1,2})(?P<n2>))\b(?!\s*(?:%|am\b|pm\b|:|/|hrs|hours|mins|minutes|miles|times))", 0.7),
        # "she is 13 and", "who is 24.", "believed to be 18 or 19", "is fifteen"
        Pattern("is_n", rf"(?:(?<![\w'’\-])(?:he|she|who|they|(?-i:[A-Z][a-z'’\-]+))\s+(?:is|was|'s|’s|is\s+now|is\s+only|is\s+just)|\bto\s+be|\bturned|\bturns|\bturning|\b(?:looked|looks|looking|appeared|appears|seemed|seems)(?:\s+to\s+be)?)\s+(?:{_ABOUT})?(?P<m>{_RANGE})(?=\s*(?:$|[.,;:!?)]|\s(?:and|or|but|so|now|today|years?|yrs?|with|at|in|from|was|is|who|had|has)\b))", 0.7),
        Pattern("young_as", rf"\b(?:as\s+young\s+as|(?:girls?|boys?|males?|females?|man|woman|men|women|child|children|lads?|teenagers?|persons?|people|youths?)\s+of\s+{_ABOUT}|between\s+the\s+ages\s+of)\s*(?P<m>{_RANGE})\b(?!\s*(?:%|am|pm|:|minutes|hours|miles))", 0.7),
    )

    @staticmethod
    def _int(s: str) -> int:
        return int(s) if s.isdigit() else _WORDS[s.lower()]

    def validate_result(self, m, text, ctx, pattern):
        n = self._int(m.group("n"))
        if not 0 < n < 100:
            return None
        if pattern == "apposition":
            before = text[max(0, m.start() - 20):m.start("m")]
            word = re.findall(r"[A-Za-z]+", before)
            if n < 5 or (word and word[-1].lower() in _NOT_NAME):
                return None  # "Appendix (1)", "Section 2,": numbering, not an age
        end = m.end("m")
        attrs = {}
        if m.group("n2"):
            n2 = self._int(m.group("n2"))
            if n2 <= n or n2 - n > 10:
                end = m.end("n")
            else:
                attrs["max"] = n2
        if pattern == "years_old":
            # the span covers "20 year old" so a DATETIME rule never takes it
            end = m.end()
        return Found(str(n), start=m.start("n"), end=end, attrs=attrs)
