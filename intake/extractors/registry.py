"""The recogniser registry: every rule recogniser by name. Which ones run is
configuration (``[extract] recognisers`` / ``disable``), not code; spaCy is
the recogniser named "spacy"."""

from __future__ import annotations

from functools import lru_cache

from intake.exception_codes import CONFIG_INVALID
from intake.extractors.recogniser import Recognizer
from intake.extractors.recognisers.age import AgeRecognizer
from intake.extractors.recognisers.alias import AliasRecognizer
from intake.extractors.recognisers.datetime import DateTimeRecognizer
from intake.extractors.recognisers.dob import DobRecognizer
from intake.extractors.recognisers.email import EmailRecognizer
from intake.extractors.recognisers.gang import GangRecognizer
from intake.extractors.recognisers.gazetteer_terms import GazetteerTermsRecognizer
from intake.extractors.recognisers.named_places import NamedPlacesRecognizer
from intake.extractors.recognisers.person_rules import PersonRulesRecognizer
from intake.extractors.recognisers.phone import PhoneRecognizer
from intake.extractors.recognisers.postcode import PostcodeRecognizer
from intake.extractors.recognisers.social_handle import SocialHandleRecognizer
from intake.extractors.recognisers.vehicle import VehicleRecognizer
from intake.extractors.recognisers.vrm import VrmRecognizer
from intake.types import IntakeError

RECOGNISERS: dict[str, type[Recognizer]] = {
    cls.name: cls
    for cls in (
        VrmRecognizer, PhoneRecognizer, EmailRecognizer, PostcodeRecognizer,
        SocialHandleRecognizer, DobRecognizer, AgeRecognizer, DateTimeRecognizer,
        AliasRecognizer, VehicleRecognizer, GangRecognizer, GazetteerTermsRecognizer,
        NamedPlacesRecognizer, PersonRulesRecognizer,
    )
}
SPACY = "spacy"


def all_names() -> list[str]:
    return [*RECOGNISERS, SPACY]


@lru_cache(maxsize=8)
def build(enabled: tuple[str, ...] | None, disabled: tuple[str, ...]) -> tuple[list[Recognizer], bool]:
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
