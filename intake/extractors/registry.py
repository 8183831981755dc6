"""The recogniser registry: every rule recogniser by name. Which ones run is
configuration (``[extract] recognisers`` / ``disable``), not code; spaCy is
the recogniser named "spacy"."""

from __future__ import annotations

from functools import lru_cache

from intake.exception_codes import CONFIG_INVALID
from intake.extractors.recogniser import Recogniser
from intake.extractors.recognisers.age import AgeRecogniser
from intake.extractors.recognisers.alias import AliasRecogniser
from intake.extractors.recognisers.datetime import DateTimeRecogniser
from intake.extractors.recognisers.dob import DobRecogniser
from intake.extractors.recognisers.email import EmailRecogniser
from intake.extractors.recognisers.gang import GangRecogniser
from intake.extractors.recognisers.gazetteer_terms import GazetteerTermsRecogniser
from intake.extractors.recognisers.named_places import NamedPlacesRecogniser
from intake.extractors.recognisers.person_rules import PersonRulesRecogniser
from intake.extractors.recognisers.phone import PhoneRecogniser
from intake.extractors.recognisers.postcode import PostcodeRecogniser
from intake.extractors.recognisers.social_handle import SocialHandleRecogniser
from intake.extractors.recognisers.vehicle import VehicleRecogniser
from intake.extractors.recognisers.vrm import VrmRecogniser
from intake.types import IntakeError

RECOGNISERS: dict[str, type[Recogniser]] = {
    cls.name: cls
    for cls in (
        VrmRecogniser, PhoneRecogniser, EmailRecogniser, PostcodeRecogniser,
        SocialHandleRecogniser, DobRecogniser, AgeRecogniser, DateTimeRecogniser,
        AliasRecogniser, VehicleRecogniser, GangRecogniser, GazetteerTermsRecogniser,
        NamedPlacesRecogniser, PersonRulesRecogniser,
    )
}
SPACY = "spacy"


def all_names() -> list[str]:
    return [*RECOGNISERS, SPACY]


@lru_cache(maxsize=8)
def build(enabled: tuple[str, ...] | None, disabled: tuple[str, ...]) -> tuple[list[Recogniser], bool]:
    """Instances of the enabled rule recognisers, and whether spaCy runs.
    Recognisers are stateless apart from compiled patterns, so one set per
    process serves every document."""
    names = list(enabled) if enabled else all_names()
    unknown = [n for n in [*names, *disabled] if n not in RECOGNISERS and n != SPACY]
    if unknown:
        raise IntakeError(
            CONFIG_INVALID,
            f"unknown recogniser(s) {', '.join(sorted(unknown))} in [extract]; "
            f"known: {', '.join(all_names())}")
    names = [n for n in names if n not in disabled]
    return [RECOGNISERS[n]() for n in names if n != SPACY], SPACY in names
