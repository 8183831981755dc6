"""The indicator catalogue (intake/config/indicators.toml) loaded and
compiled once per process. The catalogue is data: indicators, their
patterns, the level rules and the negation/hypothetical cues."""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from functools import cached_property, lru_cache
from importlib import resources
from pathlib import Path

from intake.exception_codes import CONFIG_INVALID
from intake.triage.literal_prefixes import prefixes_of
from intake.types import IntakeError

KINDS = ("exploitation", "urgency", "age")
LEVELS = ("urgent", "high", "routine")
LEVEL_RANK = {lvl: i for i, lvl in enumerate(LEVELS)}


@dataclass(frozen=True)
class Pattern:
    rule: str
    regex: re.Pattern
    with_regex: re.Pattern | None = None
    with_indicator: str | None = None
    # What every match begins with (triage/literal_prefixes.py): the
    # pattern is tried only where one is. None: scanned everywhere.
    starts: tuple[tuple[str, bool], ...] | None = None


@dataclass(frozen=True)
class Indicator:
    id: str
    label: str
    kind: str
    weight: int
    source: str
    category: str
    serious: bool = False
    patterns: tuple[Pattern, ...] = ()
    # A match of this indicator at the same place as a counted match of
    # one of these is the other's finding, not a second sign.
    yields_to: tuple[str, ...] = ()


@dataclass(frozen=True)
class LevelRule:
    level: str
    reason: str
    all: tuple[str, ...] = ()
    any: tuple[str, ...] = ()
    kind_any: str | None = None
    min_exploitation: int = 0
    min_score: int = 0


@dataclass(frozen=True)
class Catalogue:
    version: int
    indicators: dict[str, Indicator]
    rules: tuple[LevelRule, ...]
    negation: tuple[re.Pattern, ...]
    hypothetical: tuple[re.Pattern, ...]
    post_negation: tuple[re.Pattern, ...]
    scope_end: re.Pattern
    historic: tuple[re.Pattern, ...]
    window: int = 12
    short_negation: tuple[re.Pattern, ...] = ()
    short_window: int = 5
    under_age: int = 13
    adult_from: int = 18
    historic_days: int = 365
    urgent_stale_days: int = 30
    recurrence_min_documents: int = 2
    recurrence_types: tuple[str, ...] = field(default_factory=tuple)

    def label(self, indicator_id: str) -> str:
        ind = self.indicators.get(indicator_id)
        return ind.label if ind else indicator_id

    # Worked out once per catalogue, not on every text matched.
    @cached_property
    def patterns(self) -> tuple[tuple[Indicator, Pattern], ...]:
        """Every indicator's patterns, in the catalogue's order."""
        return tuple((ind, pat) for ind in self.indicators.values() for pat in ind.patterns)

    @cached_property
    def yields(self) -> dict[str, frozenset[str]]:
        return {i.id: frozenset(i.yields_to) for i in self.indicators.values()}

    @cached_property
    def cue_starts(self) -> dict[re.Pattern, tuple[tuple[str, bool], ...] | None]:
        """What each negation/hypothetical cue begins with (as Pattern.starts)."""
        return {cue: prefixes_of(cue) for cue in (*self.negation, *self.short_negation, *self.hypothetical)}


def _rx(text: str, where: str) -> re.Pattern:
    try:
        return re.compile(text, re.I)
    except re.error as exc:
        raise IntakeError(CONFIG_INVALID, f"indicators: bad regular expression in {where}: {exc}") from exc


def parse(data: dict) -> Catalogue:
    inds: dict[str, Indicator] = {}
    for raw in data.get("indicator", []):
        iid = raw["id"]
        if raw.get("kind") not in KINDS:
            raise IntakeError(CONFIG_INVALID, f"indicators: {iid} has kind {raw.get('kind')!r}; one of {KINDS}")
        pats = []
        for p in raw.get("pattern", []):
            regex = _rx(p["regex"], f"{iid}.{p['rule']}")
            pats.append(Pattern(rule=p["rule"], regex=regex,
                                with_regex=_rx(p["with"], f"{iid}.{p['rule']}.with") if p.get("with") else None,
                                with_indicator=p.get("with_indicator"), starts=prefixes_of(regex)))
        pats = tuple(pats)
        inds[iid] = Indicator(id=iid, label=raw["label"], kind=raw["kind"], weight=int(raw["weight"]),
                              source=raw["source"], category=raw["category"],
                              serious=bool(raw.get("serious", False)), patterns=pats,
                              yields_to=tuple(raw.get("yields_to", ())))
    rules = []
    for r in data.get("rule", []):
        if r["level"] not in LEVELS:
            raise IntakeError(CONFIG_INVALID, f"indicators: rule level {r['level']!r}; one of {LEVELS}")
        for iid in (*r.get("all", ()), *r.get("any", ())):
            if iid not in inds:
                raise IntakeError(CONFIG_INVALID, f"indicators: a rule names unknown indicator {iid!r}")
        rules.append(LevelRule(level=r["level"], reason=r["reason"], all=tuple(r.get("all", ())),
                               any=tuple(r.get("any", ())), kind_any=r.get("kind_any"),
                               min_exploitation=int(r.get("min_exploitation", 0)),
                               min_score=int(r.get("min_score", 0))))
    ctx = data.get("context", {})
    ages, recency, rec = data.get("ages", {}), data.get("recency", {}), data.get("recurrence", {})
    return Catalogue(
        version=int(data.get("version", 1)), indicators=inds, rules=tuple(rules),
        negation=tuple(_rx(x, "context.negation") for x in ctx.get("negation", [])),
        hypothetical=tuple(_rx(x, "context.hypothetical") for x in ctx.get("hypothetical", [])),
        post_negation=tuple(_rx(x, "context.post_negation") for x in ctx.get("post_negation", [])),
        scope_end=_rx(ctx.get("scope_end", r"[.;!?]"), "context.scope_end"),
        historic=tuple(_rx(x, "context.historic") for x in ctx.get("historic", [])),
        window=int(ctx.get("window", 12)),
        short_negation=tuple(_rx(x, "context.short_negation") for x in ctx.get("short_negation", [])),
        short_window=int(ctx.get("short_window", 5)),
        under_age=int(ages.get("under", 13)), adult_from=int(ages.get("adult_from", 18)),
        historic_days=int(recency.get("historic_days", 365)),
        urgent_stale_days=int(recency.get("urgent_stale_days", 30)),
        recurrence_min_documents=int(rec.get("min_documents", 2)),
        recurrence_types=tuple(rec.get("types", ())),
    )


@lru_cache(maxsize=4)
def load(path: str | None = None) -> Catalogue:
    """The shipped catalogue, or a site's own file (same shape)."""
    try:
        text = (Path(path).read_text(encoding="utf-8") if path
                else resources.files("intake.config").joinpath("indicators.toml").read_text(encoding="utf-8"))
        return parse(tomllib.loads(text))
    except (OSError, tomllib.TOMLDecodeError, KeyError, ValueError, TypeError) as exc:
        raise IntakeError(CONFIG_INVALID, f"indicators: the catalogue cannot be read ({type(exc).__name__})") from exc
