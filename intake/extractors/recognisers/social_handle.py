"""User names on apps: "@jbz_99 on Snapchat", "snap: jbz_99", "his insta is
jbz_99", "TikTok @jbz", "added her on Snapchat as jbz", and profile addresses ("instagram.com/jbz",
"tiktok.com/@jbz", "snapchat.com/add/jbz"). Value
"platform:handle", lower case, no "@". Platforms and their variants come from
the APP gazetteer, so a new app needs no code."""

from __future__ import annotations

import re

from intake.extractors.gazetteer import PhraseIndex, alternation, phrase_key
from intake.extractors.recogniser import Candidate, Recogniser

_HANDLE = r"@?[A-Za-z0-9_](?:[A-Za-z0-9_.\-]{0,28}[A-Za-z0-9_])?"
_STOP = frozenset("""is was as on a an the his her their my your name username user handle account
called named and or but to of in at by for from with via he she they it this that who which also
has had have id profile page tag number no not unknown app dm dms message messages him them me us
him her's under sent messaged contact contacted through said says snap insta chat video pics videos
story stories live group groups""".split())
_PLATFORM_WORDS = r"(?:'s)?"
_ADDED_AS = re.compile(rf"\b(?:added|adds|add|follows|followed|messaged|messages)\s+(?:him|her|them|me|us)\s+"
                       rf"(?:as|from)\s+[\"'“‘]?(?P<h>{_HANDLE})(?![\w@]|\.\w)", re.I)


# A profile address: a host from the "profile_hosts" word list (apps.toml),
# then the user name as the first path segment.
_URL = re.compile(r"(?<![\w@/.\-])(?:https?://)?(?:www\.|m\.|vm\.)?(?P<host>[a-z0-9\-]+\.[a-z]{2,6}(?:/add|/u)?)/"
                  r"@?(?P<h>[A-Za-z0-9_](?:[A-Za-z0-9_.\-]{0,28}[A-Za-z0-9_])?)/?(?![\w/@])", re.I)


# Path segments of a site's own pages, not user names.
_URL_PAGES = frozenset("""watch p reel reels stories explore video videos share channel c user hashtag tag
tv groups pages events login home search photo photos shorts live discover music sound""".split())


class SocialHandleRecogniser(Recogniser):
    name = "social_handle"
    run_order = 50
    entity = "SOCIAL_HANDLE"
    priority = 75

    def __init__(self) -> None:
        super().__init__()
        self._rx: re.Pattern[str] | None = None
        self._key: int | None = None
        self._index_key: int | None = None

    def _platforms(self, ctx) -> tuple[re.Pattern[str], dict[str, str]]:
        apps = ctx.gazetteers.types.get("APP")
        variants: dict[str, str] = {}
        if apps:
            variants.update(apps.ambiguous)
            variants.update(apps.terms)
        if self._rx is None or self._key != id(ctx.gazetteers):
            plat = alternation(variants)
            cue = (r"(?:\s*,?\s*(?:(?:his|her|their|the|my|your)\s+)?"
                   r"(?:user\s*name|username|user|name|handle|account|id|profile|tag|gamertag))?")
            self._rx = re.compile(
                # 1. @handle on/via Platform
                rf"(?<![\w@.])(?P<h1>@{_HANDLE[2:]})\s+(?:on|via|from|\()\s*(?:the\s+)?(?P<p1>{plat})\b"
                # 4. Platform as / called / under the name handle (before 2, which would take "under")
                rf"|\b(?P<p4>{plat})\s+(?:as|called|under(?:\s+the\s+name)?)\s+[\"'“‘]?(?P<h4>{_HANDLE})(?![\w@]|\.\w)"
                # 2. Platform [user name] [is|:|-|as] @handle   (snap: x, TikTok @x, his insta is x)
                rf"|(?<![\w@.])(?P<p2>{plat})\b{_PLATFORM_WORDS}{cue}\s*[,:]?\s*(?:(?:is|was|=|:|-|–|called|named|as)\s*)?"
                rf"[\"'“‘]?(?P<h2>{_HANDLE})(?![\w@]|\.\w)"
                # 3. handle on Platform, no @: only if it does not read as a word
                rf"|(?<![\w@.])(?P<h3>[A-Za-z0-9_.\-]*[0-9_.][A-Za-z0-9_.\-]*)\s+on\s+(?P<p3>{plat})\b",
                re.I,
            )
            self._map = {k: v for k, v in variants.items()}
            self._key = id(ctx.gazetteers)
        return self._rx, self._map

    def _windows(self, text, variants) -> list[tuple[int, int]]:
        """Stretches of text around a platform's name: every pattern needs
        one, and the platform alternation is too slow to try everywhere."""
        if self._index_key != self._key:
            self._index = PhraseIndex({v: [v] for v in variants})
            self._index_key = self._key
        out: list[tuple[int, int]] = []
        for s, e, _ in self._index.finditer(text):
            lo, hi = max(0, s - 48), min(len(text), e + 80)
            if out and lo <= out[-1][1]:
                out[-1] = (out[-1][0], hi)
            else:
                out.append((lo, hi))
        return out

    def analyze(self, text, ctx):
        rx, variants = self._platforms(ctx)
        windows = self._windows(text, variants)
        out: list[Candidate] = []
        # "uses Snapchat and the man added her as kev_wolves": the platform
        # named earlier in the same sentence.
        for m in _ADDED_AS.finditer(text):
            lo, hi = ctx.sentence_span(m.start())
            plats = [(s, v) for s, e, v in self._index.finditer(text[lo:m.start()])] if self._index_key == self._key else []
            handle = m.group("h").lstrip("@")
            if not plats or handle.lower() in _STOP or not re.search(r"[A-Za-z]", handle):
                continue
            if not (m.group("h").startswith("@") or re.search(r"[0-9_.]", handle)):
                continue
            platform = variants.get(phrase_key(plats[-1][1][0]))
            if platform:
                out.append(Candidate(self.entity, m.start("h"), m.end("h"), f"{platform}:{handle.lower()}",
                                     self.name, 0.7, self.priority, pattern="added_as",
                                     context_word=" ".join(plats[-1][1][0].split()).lower()))
        out.extend(self._profile_urls(text, ctx, variants))
        seen: set[tuple[int, int]] = set()
        starts = {c.start for c in out}
        matches = (m for lo, hi in windows for m in rx.finditer(text, lo, hi))
        for m in matches:
            for i in "1234":
                if m.group("h" + i) is not None:
                    h, p = "h" + i, "p" + i
                    break
            handle = m.group(h)
            plain = handle.lstrip("@")
            if not plain or plain.lower() in _STOP or plain.lower() in variants:
                continue
            if not re.search(r"[A-Za-z]", plain):
                continue  # a phone number after "WhatsApp", not a user name
            if i == "2" and not handle.startswith("@") and not re.search(r"[0-9_.]", plain):
                # "Snapchat Tommy" could be prose; a bare word counts after a
                # cue ("is", ":", "name") only.
                between = text[m.end(p):m.start(h)]
                if re.search(r"[:=\-–]|\b(?:name|username|handle|called|named|as)\b", between, re.I):
                    pass
                elif re.search(r"\b(?:is|was)\b", between, re.I):
                    # "his insta is tommy" names a user; "the Wizz app was used" does not.
                    before = text[max(0, m.start(p) - 8):m.start(p)]
                    if not re.search(r"(?:\b(?:his|her|their|my|your|our)|['’]s)\s+$", before, re.I):
                        continue
                else:
                    continue
            platform = variants.get(" ".join(m.group(p).lower().replace("-", " ").split()))
            if platform is None:
                continue
            start, end = m.span(h)
            if text[start - 1:start] in "\"“" and start > 0 and text[end:end + 1] not in "\"”":
                continue  # 'on snap: "dnt tell ur mum"': a message quoted, not a user name
            if text[end:end + 1] == "/":
                continue  # "insta: instagram.com/jbz": the host of a profile address
            if (start, end) in seen or start in starts:
                continue
            seen.add((start, end))
            out.append(Candidate(self.entity, start, end, f"{platform}:{plain.lower()}", self.name,
                                 0.85, self.priority, pattern=f"form{i}",
                                 context_word=" ".join(m.group(p).split()).lower()))
        return out

    def _profile_urls(self, text, ctx, variants) -> list[Candidate]:
        if "/" not in text:
            return []
        hosts = ctx.gazetteers.word_list("profile_hosts")
        out = []
        for m in _URL.finditer(text):
            host = m.group("host").lower()
            if host not in hosts:
                continue
            platform = variants.get(host.split(".")[0])
            handle = m.group("h").rstrip(".").lower()
            if platform is None or handle in _STOP or handle in _URL_PAGES or not re.search(r"[a-z]", handle):
                continue
            out.append(Candidate(self.entity, m.start(), m.end(), f"{platform}:{handle}", self.name, 0.9,
                                 self.priority + 1, pattern="profile_url", context_word=host))
        return out
