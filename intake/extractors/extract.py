"""Entry point of the extraction stage: a record's text fields → mentions.

Pure: no database, no forms, no logging of text. The rule recognisers from
the registry and spaCy's NER (one ``nlp.pipe`` over all fields) produce
candidates; overlaps.py settles clashes; links.py ties aliases to people and
vehicles to plates."""

from __future__ import annotations

import logging
from datetime import date

from intake.config.schema import ExtractSettings
from intake.exception_codes import EXTRACTION_ERROR
from intake.extractors import fields as field_rules
from intake.extractors import guidance, links, nlp, overlaps, registry
from intake.extractors.context import TextContext
from intake.extractors.gazetteer import load_gazetteers
from intake.extractors.propagate import propagate
from intake.types import IntakeError, Mention, Record

log = logging.getLogger(__name__)


def _options(settings) -> ExtractSettings:
    """[extract] as the typed settings model has it (every default there), the
    gazetteer paths made absolute; a plain dict of [extract] keys (tests,
    bench) is checked by the same model."""
    if settings is None:
        from intake.config.settings import load_settings

        settings = load_settings()
    if not hasattr(settings, "model"):
        return ExtractSettings.model_validate(dict(settings))
    section = settings.model.extract
    # gazetteer paths in a site config are relative to that config's folder
    return section.model_copy(update={"gazetteer_files": [str(settings.base_dir / p)
                                                          for p in section.gazetteer_files]})


def extract_text_fields(fields: dict[str, str], report_date: date | None, settings=None) -> list[Mention]:
    opts = _options(settings)
    gaz = load_gazetteers(tuple(opts.gazetteer_files))
    recognisers, use_spacy = registry.build(tuple(opts.recognisers) or None, tuple(opts.disable))
    names = list(fields)
    contexts = {f: TextContext(fields[f], report_date, gaz) for f in names}
    per_field = {f: [] for f in names}
    for f in names:
        for r in recognisers:
            try:
                per_field[f].extend(r.analyze(fields[f], contexts[f]))
            except IntakeError:
                raise
            except Exception as exc:
                # "from None": the original message may quote the text, and
                # the caller logs the traceback.
                raise IntakeError(
                    EXTRACTION_ERROR,
                    f"recogniser '{r.name}' failed ({type(exc).__name__}); reprocess after the fault "
                    "is fixed, or disable it in [extract] disable") from None
    if use_spacy and names:
        model = opts.spacy_model
        for f, cands in zip(names, nlp.ner([fields[f] for f in names], model, gaz,
                                           opts.spacy_batch_size, tuple(opts.spacy_steps_disable),
                                           opts.spacy_chunk_chars, opts.spacy_batch_chars)):
            per_field[f].extend(cands)
    drop_guidance = opts.drop_guidance_contacts
    for f in names:
        per_field[f].extend(field_rules.candidates(f, fields[f], report_date))
        if drop_guidance:
            guidance.flag(per_field[f], fields[f], contexts[f])
    resolved = {f: guidance.drop(overlaps.resolve(per_field[f])) for f in names}
    propagate(resolved, fields)
    mentions: list[Mention] = []
    for f in names:
        text = fields[f]
        for c in sorted(resolved[f], key=lambda c: (c.start, -c.length)):
            # Keywords, not positions: Mention grew fields (pattern, context)
            # before attrs, and a positional call silently put attrs there.
            mentions.append(Mention(type=c.type, text=text[c.start:c.end], value=c.value, field=f,
                                    start=c.start, end=c.end, recogniser=c.recogniser,
                                    score=round(c.score, 3), pattern=c.pattern or None,
                                    context=c.context_word, attrs=dict(c.attrs)))
    links.link(mentions, lambda f, off: contexts[f].sentence_of(off))
    log.debug("extracted %d mentions from %d fields", len(mentions), len(names))
    return mentions


def extract_mentions(record: Record, report_date: date | None = None, settings=None) -> list[Mention]:
    return extract_text_fields(record.text_fields(), report_date, settings)
