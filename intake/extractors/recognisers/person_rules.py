"""People the model misses or cuts short.

A name is a run of capitalised words (names.py: any script, hyphens,
initials, particles). A run is a person when

- a cue stands before it: a title ("Mr Nguyen Van Long", "Mrs R.
  Patel-Hughes"), "called" / "named" / "his name is" ("a man called
  Dariusz"), or
- a cue stands after it: an age or date of birth in apposition ("Destiny,
  13,", "Precious Nwosu (D.O.B ..."), a nickname ("Zeeshan Iqbal aka Zee"),
  a verb of speech ("Siobhán said"), or
- its words are known names: a listed first name, or a listed surname
  ("Eszter Horváth", "Tran Minh Duc"); a listed first name alone fills gaps
  only.

First names, surnames, titles and particles are gazetteer data
(people*.toml). Full names outrank the model's (often shorter) spans; a lone
first name only fills gaps. Runs containing a place, a street or business
word or a brand are not people.
"""

from __future__ import annotations

import re

from intake.extractors import names
from intake.extractors.gazetteer import alternation
from intake.extractors.recogniser import Candidate, Found, Pattern, Recogniser

# Capitalised words that come before ", 13," in reports but are not names.
_NOT_FIRST = frozenset("""victim suspect subject child source age aged dob concerns where when who
male female boy girl year yes no flat room unit appendix section part stage step chapter table
figure schedule article paragraph page annex item point level tier number tel pt yp yth subj poi
nominal crew mob veh addr""".split())
# Things that are "called" something and are not people.
_NAMED_THINGS = frozenset("""gang group crew app game website site shop business firm company place
pub club house street road estate area school film song account page chat channel server team
band drink drug pill car van dog cat horse hotel takeaway restaurant cafe bar""".split())
_SPEECH = (r"said|says|told|tells|disclosed|discloses|reported|reports|stated|states|explained|"
           r"admitted|denied|claims|claimed|alleged|alleges|mentioned|confirmed|added")


class PersonRulesRecogniser(Recogniser):
    name = "person_rules"
    run_order = 140
    entity = "PERSON"
    priority = 35

    def _build(self, g) -> None:
        self._first_set = g.word_list("first_names")
        self._surnames = g.word_list("surnames")
        self._particles = g.word_list("name_particles") | names.PARTICLES_DEFAULT
        self._places = g.word_list("places")
        self._stop = names.stop_words() | g.word_list("titles")
        self._brands, self._products = g.word_list("brands"), g.word_list("product_words")
        self._not_person = (g.word_list("street_suffixes") | g.word_list("place_suffixes")
                            | g.word_list("business") | g.word_list("business_name_words")
                            | g.word_list("brands") | g.word_list("product_words"))

    def build_patterns(self, g):
        titles = alternation(g.word_list("titles"))
        return (
            Pattern("title", rf"\b(?P<cue>(?i:{titles}))\.?[ ]{{1,2}}(?=[^\W\d_])", 0.8, 0,
                    priority=self.priority + 10),
            Pattern("called", r"\b(?P<cue>called|named|(?:his|her|their)\s+(?:real\s+|full\s+)?name\s+(?:is|was)|"
                    r"gave\s+(?:his|her|their)\s+name\s+as)[ ]{1,2}(?=[^\W\d_])", 0.75, re.I,
                    priority=self.priority + 5),
            # "Destiny, 13," / "Layla Ahmed, 17/03/2009," / "Nicole (19)" /
            # "Precious Nwosu (D.O.B": an age or birth date in apposition.
            Pattern("apposition", r"(?:,[ ]*|[ ]*\([ ]*)(?:\d{1,2}(?:\s*(?:yrs?|years?|yo|y/o))?\s*[,)]|"
                    r"\d{1,2}[/.\-]\d{1,2}[/.\-]\d{2,4}\s*[,)]|(?P<cue>(?i:d\.?\s?o\.?\s?b\b|date\s+of\s+birth|born|aged?)))",
                    0.6, 0, priority=self.priority - 1),
            Pattern("before_alias", r"[ ]*\(?(?P<cue>(?i:aka|a\.k\.a\.?|also\s+known\s+as|known\s+as))\b", 0.7, 0,
                    priority=self.priority + 5),
            Pattern("speech", rf"[ ]+(?:(?i:also|then|later|has|had|have|now)[ ]+)?(?P<cue>(?i:{_SPEECH}))\b",
                    0.6, 0, priority=self.priority + 1),
        )

    # -- patterns: a cue before or after a run ---------------------------------

    def validate_result(self, m, text, ctx, pattern):
        if pattern in ("title", "called"):
            return self._after_cue(m, text, pattern, ctx)
        return self._before_cue(m, text, pattern, ctx)

    def _after_cue(self, m, text, pattern, ctx):
        if pattern == "called":
            before = re.findall(r"[A-Za-z]+", text[max(0, m.start() - 30):m.start()].lower())
            if any(w in _NAMED_THINGS for w in before[-3:]):
                return None  # "a gang called ...", "the shop is called ..."
            if re.match(r"(?i)(?:him|her|them)sel(?:f|ves)\b", text[m.end():m.end() + 12]):
                return None
        run = names.run_at(text, m.end(), self._particles, max_words=4)
        run = self._person_words(run)
        if not run or names.mostly_capitals(text, m.start()):
            return None
        if pattern == "called" and len(run) == 1 and run[0].low not in self._first_set | self._surnames:
            return None  # "one is called Stretch": a nickname (alias.py)
        start = m.start() if pattern == "title" else run[0].start
        value = " ".join(text[start:run[-1].end].split())
        return Found(value, start=start, end=run[-1].end)

    def _before_cue(self, m, text, pattern, ctx):
        run = self._run_ending(text, m.start(), ctx)
        if pattern == "apposition" and run and run[0].low in _NOT_FIRST:
            return None
        if len(run) == 1 and run[0].low in _NOT_FIRST:
            return None  # "Pt disclosed", "Subj said": a role, not a name
        if pattern == "speech" and len(run) > 3:
            run = run[-3:]
        if not run or ctx.mostly_capitals(m.start()):
            return None
        if len(run) == 1 and (run[0].low in self._places or run[0].initial):
            return None
        return Found(" ".join(text[run[0].start:run[-1].end].split()), start=run[0].start, end=run[-1].end)

    def _run_ending(self, text, pos, ctx):
        r = self._runs(text, ctx)[1].get(pos)
        if r and not r[-1].possessive:
            return self._person_words(r)
        return []

    def _runs(self, text, ctx):
        """The text's name runs, and the same by end offset; once per text."""
        cache = ctx.__dict__.setdefault("_person_runs", None)
        if cache is None:
            rs = names.runs(text, self._particles, ws=ctx.words)
            cache = ctx.__dict__["_person_runs"] = (rs, {r[-1].end: r for r in rs})
        return cache

    def _person_words(self, run):
        """The run without stop words at its ends, or [] when it names a
        place, street, business or brand rather than a person."""
        run = names.trim(run, self._stop, self._surnames)
        if not run:
            return []
        words = [w.low for w in run]
        joined = " ".join(words)
        if any(w in self._not_person for w in words) or joined in self._places or joined in self._brands:
            return []
        return run

    def _is_brand(self, text, run) -> bool:
        """"Louis Vuitton trainers", "a Hellstar hoodie": a name before a
        product word is a brand."""
        nxt = names.words(text, run[-1].end, min(len(text), run[-1].end + 30))[:1]
        return bool(nxt) and nxt[0].low in self._products

    # -- runs whose words are known names --------------------------------------

    def analyze(self, text, ctx):
        out = super().analyze(text, ctx)
        for run in self._runs(text, ctx)[0]:
            run = self._person_words(run)
            if len(run) > 1 and self._starts_sentence(text, run[0].start, ctx):
                # "Later Tyrone Walker was seen": a capitalised adverb before
                # a known first name at a sentence start is not part of it.
                known = [i for i, w in enumerate(run) if w.low in self._first_set or w.low in self._surnames]
                if known and known[0] > 0 and run[0].low not in self._first_set | self._surnames:
                    run = run[known[0]:]
            if not run:
                continue
            first = run[0].low
            known_first = first.split("-")[0] in self._first_set or first in self._first_set
            if len(run) == 1:
                if known_first and run[0].low not in self._places:
                    out.append(self._cand(text, run, 0.5, self.priority - 10, "first_name"))
                continue
            known_sur = any(w.low in self._surnames for w in run)
            if not (known_first or known_sur) or self._is_brand(text, run):
                continue
            if ctx.mostly_capitals(run[0].start):
                continue
            if run[-1].low in self._places and not known_sur:
                # "Kyle Walsall"? more likely "... met Aisha Walsall bus station"
                run = run[:-1]
                if len(run) < 2:
                    if known_first:
                        out.append(self._cand(text, run, 0.5, self.priority - 10, "first_name"))
                    continue
            out.append(self._cand(text, run, 0.7, self.priority, "known_name"))
        return out

    @staticmethod
    def _starts_sentence(text, pos, ctx) -> bool:
        lo, _ = ctx.sentence_span(pos)
        return not text[lo:pos].strip(" \t\"'“‘(*-•")

    def _cand(self, text, run, score, prio, pattern):
        s, e = run[0].start, run[-1].end
        return Candidate(self.entity, s, e, " ".join(text[s:e].split()), self.name, score, prio,
                         pattern=pattern)
