"""A suggested 3x5x2 source evaluation and intelligence assessment for a
record, from what the form says: who saw it (the "Witnessed Incident"
boxes, a third party), how the source knows it (Met box 7 "Truth", the
narrative's own words: "I saw" against "she told me"), the form's own
partner grading, and whether another agency's report names the same
person, plate, phone or address (corroboration).

docs/uk-formats.md: any 3x5x2 value the software suggests is a suggestion for a
police evaluator and must say so. This never grades and never changes the
form's own numbers (grading.* fields stay as given); every value comes
with the reasons for it. The handling code (P/C) is the evaluator's alone.
"""

from __future__ import annotations

from intake.store.analysis_common import catalogue, words_pattern
from intake.store.records import field_values
from intake.store.recurrence import Recurrence, recurrence_for

NOTE = ("A suggestion for the police evaluator from what the form says, not a grading: the evaluator "
        "grades (3x5x2, College of Policing APP) and sets the handling code.")
SOURCE_LABELS = {"1": "reliable", "2": "untested", "3": "not reliable"}
INTEL_LABELS = {"A": "known directly", "B": "known indirectly, corroborated", "C": "known indirectly",
                "D": "not known", "E": "suspected to be false"}
_TEXT_FIELDS = ("source.how_known", "source.last_known_true", "third_party.details", "incident.narrative")


def _cues(text: str, phrases, cfg) -> list[str]:
    rx = words_pattern(phrases)
    if rx is None or not text:
        return []
    neg = words_pattern(cfg["negations"])
    out = []
    for m in rx.finditer(text):
        before = " ".join(text[:m.start()].split()[-cfg["negation_window"]:])
        if neg is not None and neg.search(before):
            continue
        out.append(m.group(0))
    return out


def _int(v) -> int | None:
    return v if isinstance(v, int) and not isinstance(v, bool) else None


def suggest(fields: dict, rec: Recurrence | None = None) -> dict:
    """The suggestion for one record's field values (and its recurrence)."""
    cfg = catalogue()["grading"]
    reasons: list[str] = []
    witnessed = fields.get("witnessed_by")
    third_party = fields.get("third_party.is_third_party") is True
    texts = {k: fields.get(k) for k in _TEXT_FIELDS if isinstance(fields.get(k), str)}
    first = {k: _cues(t, cfg["first_hand"], cfg) for k, t in texts.items()}
    second = {k: _cues(t, cfg["second_hand"], cfg) for k, t in texts.items()}
    doubt = [c for t in texts.values() for c in _cues(t, cfg["doubt"], cfg)]
    reliability = _int(fields.get("grading.source_reliability"))
    accuracy = _int(fields.get("grading.information_accuracy"))
    professional = bool(fields.get("submitter.agency")) and bool(fields.get("submitter.name"))

    # Source evaluation.
    if reliability is not None and reliability <= 1:
        source = "3"
        reasons.append(f"the form rates the source's reliability {reliability} of 5 (unreliable)")
    elif professional and witnessed == "professional" and not third_party:
        source = "1"
        reasons.append("a named professional (name and agency given) reports what they witnessed in their "
                       "professional capacity")
    else:
        source = "2"
        if witnessed == "member_of_public" or third_party:
            reasons.append("the information comes from a member of the public or a third party, not yet tested")
        elif not professional:
            reasons.append("the form does not name the person reporting and their agency (an e-mail sender only)")
        else:
            reasons.append("nothing on the form says how reliable the source has been")
    if reliability is not None and reliability > 1:
        reasons.append(f"the form's own source rating is {reliability} of 5 (kept as given)")

    # Intelligence assessment.
    first_hand = [c for k, cs in first.items() for c in cs]
    second_hand = [c for k, cs in second.items() for c in cs]
    direct = (witnessed in ("professional", "member_of_public") and not third_party) or (
        first.get("source.how_known") and not second.get("source.how_known"))
    corroborating = set(catalogue()["grading"]["corroborating_types"])
    by_other = [s for s in (rec.shared if rec else []) if s.other_agencies and s.type in corroborating]
    if doubt or (accuracy is not None and accuracy <= 1):
        intel = "E"
        reasons.append(f"the form says “{doubt[0]}”" if doubt else
                       "the form's own accuracy rating is 1 of 4 (suspected to be false)")
    elif direct or first_hand:
        intel = "A"
        reasons.append("the form says the reporter witnessed it" if direct and witnessed else
                       f"the form says “{first_hand[0]}”: known first-hand")
        if second_hand or third_party:
            said = f"“{second_hand[0]}”" if second_hand else "a third party"
            reasons.append(f"part is second-hand (the form also says {said}): the evaluator may grade the "
                           "parts apart")
    elif second_hand or third_party:
        said = f"“{second_hand[0]}”" if second_hand else "that it comes from a third party"
        if by_other:
            intel = "B"
            s = by_other[0]
            reasons.append(f"known second-hand (the form says {said}), corroborated: another agency's report "
                           f"also names {s.type.lower().replace('_', ' ')} {s.display}")
        else:
            intel = "C"
            reasons.append(f"known second-hand: the form says {said}")
    else:
        intel = "D"
        reasons.append("the form does not say how the information is known")
    if accuracy is not None and accuracy > 1:
        reasons.append(f"the form's own accuracy rating is {accuracy} of 4 (kept as given)")
    if by_other and intel != "B":
        reasons.append(f"{len(by_other)} shared detail(s) also appear in another agency's report")
    return {"source_evaluation": source, "source_evaluation_label": SOURCE_LABELS[source],
            "intelligence_assessment": intel, "intelligence_assessment_label": INTEL_LABELS[intel],
            "reasons": reasons, "note": NOTE}


def suggestions_for(session, documents) -> dict[int, dict | None]:
    """The suggestion of each document with a record (None without one),
    the recurrence of the whole batch read in one query."""
    with_record = [d for d in documents if d.record is not None]
    recs = recurrence_for(session, [d.id for d in with_record])
    out: dict[int, dict | None] = {d.id: None for d in documents}
    for d in with_record:
        out[d.id] = suggest(field_values(d.record), recs.get(d.id))
    return out
