"""The recogniser registry: every rule recogniser by name. Which ones run is
configuration (``[extract] recognisers`` / ``disable``), not code; spaCy is
the recogniser named "spacy"."""

from __future__ import annotations

from functools import lru_cache

from intake.exception_codes import CONFIG_INVALID
from intake.extractors.recognizer import Recognizer
from intake.extractors.recognizers.age import AgeRecognizer
from intake.extractors.recognizers.alias import AliasRecognizer
from intake.extractors.recognizers.datetime import DateTimeRecognizer
from intake.extractors.recognizers.dob import DobRecognizer
from intake.extractors.recognizers.email import EmailRecognizer
from intake.extractors.recognizers.gang import GangRecognizer
from intake.extractors.recognizers.gazetteer_terms import GazetteerTermsRecognizer
from intake.extractors.recognizers.named_places import NamedPlacesRecognizer
from intake.extractors.recognizers.person_rules import PersonRulesRecognizer
from intake.extractors.recognizers.phone import PhoneRecognizer
from intake.extractors.recognizers.postcode import PostcodeRecognizer
from intake.extractors.recognizers.social_handle import SocialHandleRecognizer
from intake.extractors.recognizers.vehicle import VehicleRecognizer
from intake.extractors.recognizers.vrm import VrmRecognizer
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
