import pytest

from tests.extractors.helpers import run, values


@pytest.mark.parametrize("text,value", [
    ("He messages her as @jbz_99 on Snapchat", "snapchat:jbz_99"),
    ("snap: jbz_99", "snapchat:jbz_99"),
    ("his insta is tommy.b", "instagram:tommy.b"),
    ("TikTok @JBZ", "tiktok:jbz"),
    ("She added him on Snapchat as kaylaa", "snapchat:kaylaa"),
    ("Instagram username big_dee01", "instagram:big_dee01"),
    ("talks to dee_22 on snap chat", "snapchat:dee_22"),
])
def test_handle(text, value):
    assert values(text, "SOCIAL_HANDLE") == [value]


@pytest.mark.parametrize("text", [
    "She uses Snapchat a lot", "He is on Instagram", "WhatsApp 07700 900123",
    "email jb@example.com", "Snapchat is her main app",
])
def test_not_a_handle(text):
    assert values(text, "SOCIAL_HANDLE") == []


def test_email_is_not_also_a_handle():
    ms = run("Contact jb_99@example.com on Snapchat")
    assert [(m.type, m.value) for m in ms if m.type in ("EMAIL", "SOCIAL_HANDLE")] == [
        ("EMAIL", "jb_99@example.com")]


def test_app_named_beside_the_handle():
    assert values("@jbz_99 on Snapchat", "APP") == ["snapchat"]


def test_email_lower_cased():
    assert values("Email JB.Smith@Example.ORG today", "EMAIL", "email") == ["jb.smith@example.org"]
