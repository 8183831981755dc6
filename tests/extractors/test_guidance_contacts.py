"""Contact details printed as guidance (where to send the form) are not
extracted; a submitter's own contact details are."""

from datetime import date
from pathlib import Path

import pytest

from intake.extractors.extract import extract_text_fields

RD = date(2026, 5, 14)
SEEDS = Path(__file__).resolve().parents[3] / "shared" / "seeds"  # outside the repository: fixtures/README.md


def _contacts(text, **opts):
    return [(m.type, m.value) for m in extract_text_fields({"f": text}, RD, opts) if m.type in ("EMAIL", "PHONE")]


@pytest.mark.parametrize("text", [
    "Once completed, please e-mail this form to the Exploitation Hub at hub.referrals@example.police.uk.",
    "Completed forms should be sent securely to intake.desk@example-council.gov.uk or, if urgent, call 101.",
    "Send completed reports to the MASH: mash.referrals@example-borough.gov.uk (secure e-mail only).",
    "If you do not have a secure e-mail account please telephone the hub on 0300 123 4567 before sending.",
    "The information should be emailed to the referral box at safeguarding@example.org.",
    "Practitioners must submit the information securely to the police via: fib@example.org",
    "Email: cse.referrals@northshire.pnn.police.uk",  # a force's functional mailbox, no instruction
])
def test_guidance_contacts_are_not_entities(text):
    assert _contacts(text) == []


@pytest.mark.parametrize("text,expected", [
    ("Please contact me on 07700 900123 or jo.smith@example.org if you need more.",
     [("PHONE", "+447700900123"), ("EMAIL", "jo.smith@example.org")]),
    ("I have e-mailed the report to the school, head@oakfield.example.sch.uk, as well.",
     [("EMAIL", "head@oakfield.example.sch.uk")]),
    ("Shared with DC Rana, a.rana@northshire.pnn.police.uk.", [("EMAIL", "a.rana@northshire.pnn.police.uk")]),
    ("Please send any updates to cse.team@example.org.", [("EMAIL", "cse.team@example.org")]),
    ("Please e-mail me at jo.smith@example.org when you have read this.", [("EMAIL", "jo.smith@example.org")]),
    ("Tel / email: (0113) 496 0334 / f.adebayo@example.gov.uk",
     [("PHONE", "+441134960334"), ("EMAIL", "f.adebayo@example.gov.uk")]),
])
def test_submitted_contacts_stay(text, expected):
    assert _contacts(text) == expected


def test_the_rule_can_be_switched_off():
    text = "Once completed, please e-mail this form to hub.referrals@example.police.uk."
    assert _contacts(text, drop_guidance_contacts=False) == [("EMAIL", "hub.referrals@example.police.uk")]


@pytest.mark.skipif(not SEEDS.is_dir(), reason="seed documents not present")
def test_no_seed_guidance_mailbox_is_extracted():
    for path in sorted(SEEDS.glob("*.txt")):
        text = path.read_text("utf-8")
        assert [c for c in _contacts(text) if c[0] == "EMAIL"] == [], path.name
