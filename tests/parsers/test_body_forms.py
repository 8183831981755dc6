"""Issue 23: reports that arrive in the e-mail itself — a form pasted into a
plain-text body, the same form as a table in an HTML-only (Outlook) body, a
report inside a forwarded or "> "-quoted message — go through the real MIME
walk and parser; the form's fields are mapped when its labels say which form
it is, the forwarded message's sender and date become the report's when the
report gives none, and greetings, signatures, disclaimers and forward
headers stay out of the narrative."""

from __future__ import annotations

import datetime as dt
import json
import subprocess
import sys
from pathlib import Path

import pytest

from intake.ingest.body import body_is_report, html_to_text
from intake.ingest.mime_walk import walk
from intake.parsers import parse_document
from intake.parsers.support.mail_body import form_body, unwrap

REPO = Path(__file__).resolve().parent.parent.parent
sys.path.insert(0, str(REPO / "fixtures"))

from formgen import email_forms as ef  # noqa: E402

SENT = dt.datetime(2026, 3, 3, 14, 5, tzinfo=dt.timezone.utc)
LATER = SENT + dt.timedelta(days=2)
SENDER = ("Jane Okafor", "jane.okafor@safefutures.example.org")
SIG = "Kind regards\n\nJane Okafor\nFamily Support Worker\nSafe Futures\nTel: 01632 960123\n"
DISC = ("This e-mail and any attachments are confidential and intended solely for the use of the addressee. "
        "If you have received it in error please notify the sender and delete it.")
TEMPLATES = ("met_mase_intel", "staffordshire_cse", "west_midlands_fib", "derbyshire_op_liberty")


@pytest.fixture(scope="module")
def filled(tmp_path_factory):
    """The four templates' standard filled .docx with their ground truth
    (make_forms.py --quick: no LibreOffice)."""
    out = tmp_path_factory.mktemp("forms")
    subprocess.run([sys.executable, str(REPO / "fixtures" / "make_forms.py"), "--quick", "--out", str(out)],
                   check=True, capture_output=True)
    forms = {}
    for t in TEMPLATES:
        exp = json.loads((out / "forms" / f"{t}-standard-docx.expected.json").read_text())
        forms[t] = ((out / "forms" / exp["document"]).read_bytes(), exp["fields"])
    return forms


def parse_message(raw: bytes, when=SENT):
    docs = [d for d in walk(raw).documents if d.kind == "body"]
    assert len(docs) == 1
    return parse_document(docs[0], message_date=when.date())


def same(a, b) -> bool:
    norm = lambda v: " ".join(v.split()) if isinstance(v, str) else v  # noqa: E731
    if isinstance(a, str) and isinstance(b, str) and len(a) == 16 and b.startswith(a):
        return True  # "2026-03-03T14:05" and "...:00"
    return norm(a) == norm(b)


def accuracy(out, want: dict) -> float:
    got = out.record.fields
    return sum(same(got[k].value if k in got else None, v) for k, v in want.items()) / len(want)


def shapes(docx_bytes: bytes) -> dict[str, bytes]:
    items = ef.docx_items(docx_bytes)
    plain, rich = ef.plain_form(items), ef.html_form(items)
    greet = "Hi,\n\nPlease see the form below."
    pasted = ef.wrap_plain(plain, greet, SIG, DISC)
    note = "FYI - see below.\n\nPC 4412 Mark Ellis\nIntelligence Unit\n"
    return {
        "pasted": ef.message(sender=SENDER, to="intel@police.example.uk", subject="Report", when=SENT,
                             plain=pasted),
        "html_table": ef.message(sender=SENDER, to="intel@police.example.uk", subject="Report", when=SENT,
                                 html_body=ef.wrap_html(rich, greet, SIG, DISC)),
        "outlook_quoted": ef.message(
            sender=("Mark Ellis", "mark.ellis@police.example.uk"), to="intel@police.example.uk",
            subject="FW: Report", when=LATER,
            plain=f"{note}\n{ef.forward_header('outlook', SENDER, SENT, 'Report', 'x@y.uk')}\n{ef.quote(pasted)}\n"),
        "gmail_forward": ef.message(
            sender=("Mark Ellis", "mark.ellis@police.example.uk"), to="intel@police.example.uk",
            subject="Fwd: Report", when=LATER,
            plain=f"{note}\n{ef.forward_header('gmail', SENDER, SENT, 'Report', 'x@y.uk')}\n\n{pasted}"),
    }


@pytest.mark.parametrize("template", TEMPLATES)
def test_a_form_in_the_body_is_mapped_to_its_template_in_every_shape(filled, template):
    data, want = filled[template]
    for shape, raw in shapes(data).items():
        out = parse_message(raw, LATER if "forward" in shape or "quoted" in shape else SENT)
        assert out.status == "parsed", (shape, out.exception)
        assert out.record.template == template, shape
        assert accuracy(out, want) >= 0.85, shape
        narrative = out.record.fields["incident.narrative"].value or ""
        for leak in ("Kind regards", "confidential", "Original Message", "FYI", "Please see the form"):
            assert leak not in narrative, (shape, leak)
        # The form gives its own date: the forwarded message's does not replace it.
        assert same(out.record.fields["report_datetime"].value, want["report_datetime"]), shape


def test_a_free_text_report_forwarded_takes_the_forwarded_sender_and_date():
    report = ("Kayla was seen getting into a black Audi A3 on Mare Street with two older males last night. "
              "One of them is known as Tank.")
    text = ("FYI\n\n-----Original Message-----\nFrom: Jane Okafor <Jane.Okafor@safefutures.example.org>\n"
            "Sent: Tuesday, 3 March 2026 14:05\nTo: intel@police.example.uk\nSubject: concern\n\n"
            f"> {report}\n>\n> Sent from my iPhone\n")
    raw = ef.message(sender=("Mark Ellis", "mark.ellis@police.example.uk"), to="intel@police.example.uk",
                     subject="FW: concern", when=LATER, plain=text)
    out = parse_message(raw, LATER)
    f = out.record.fields
    assert out.record.template == "free_text"
    assert f["incident.narrative"].value == report
    assert f["report_datetime"].value == "2026-03-03T14:05"
    assert f["submitter.name"].value == "Jane Okafor"
    assert f["submitter.contact"].value == "jane.okafor@safefutures.example.org"
    assert f["report_datetime"].provenance.source == "forwarded message header"


def test_a_body_that_is_not_forwarded_gets_no_invented_sender_or_date():
    raw = ef.message(sender=SENDER, to="intel@police.example.uk", subject="concern", when=SENT,
                     plain="Kayla was seen getting into a black Audi on Mare Street with two older males.\n")
    f = parse_message(raw).record.fields
    assert set(f) == {"incident.narrative"}


def test_a_reply_written_on_top_is_the_report_and_the_quoted_history_goes():
    text = ("Adding to my earlier message: Kayla was picked up by a grey Kia outside school again today.\n\n"
            "Thanks Jane\n\n> On 01/03/2026 Jane Okafor wrote:\n> I will send more when I have it.\n")
    parts = unwrap(text)
    assert "I will send more" not in parts.text and "grey Kia" in parts.text
    assert parts.forwarded is None


@pytest.mark.parametrize("header", [
    "---------- Forwarded message ---------\nFrom: Jane Okafor <jane@x.example.org>\nDate: Tue, 3 Mar 2026 at 14:05\n"
    "Subject: concern\nTo: intel@police.example.uk\n",
    "Begin forwarded message:\n\nFrom: Jane Okafor <jane@x.example.org>\nDate: 3 March 2026 at 14:05:00 GMT\n"
    "To: intel@police.example.uk\nSubject: concern\n",
    "-----Original Message-----\nFrom: Jane Okafor <jane@x.example.org>\nSent: Tuesday, 3 March 2026 14:05\n"
    "To: intel@police.example.uk\nSubject: concern\n",
    "From: Jane Okafor <jane@x.example.org>\nSent: 03 March 2026 14:05\nTo: intel@police.example.uk\n"
    "Subject: concern\n",
])
def test_forward_headers_of_the_common_clients_are_read(header):
    parts = unwrap(f"FYI see below\n\n{header}\nTyler gets into a white Transit most nights near the park.\n")
    assert parts.text == "Tyler gets into a white Transit most nights near the park."
    assert parts.forwarded.sender_email == "jane@x.example.org"
    assert parts.forwarded.date.replace(tzinfo=None) == dt.datetime(2026, 3, 3, 14, 5)


def test_a_forms_rule_of_underscores_is_not_a_forward():
    text = "Name: Tyler Grant\n____________________\nDetails: seen at the park with older males most nights\n"
    parts = unwrap(text)
    assert parts.forwarded is None and "Tyler Grant" in parts.text and "older males" in parts.text


def test_a_disclaimer_goes_and_the_signature_above_it_stays():
    text = ("Tyler was seen with older males at the park again.\n\nJane Okafor\nSafe Futures\nT 01632 960123\n"
            "This e-mail and any attachments are confidential and intended solely for the addressee.\n")
    parts = unwrap(text)
    assert parts.text.endswith("T 01632 960123")
    assert "disclaimer" in parts.dropped


def test_a_pasted_form_is_told_from_a_letter():
    assert form_body("Name:\tTyler\nAge:\t14\nAddress:\t1 Mare St\nSchool:\tX\nPhone:\t07700 900123\nDOB:\t1/1/10\n")
    assert not form_body("Hi,\n\nTyler was seen at the park with older males again.\n\nThanks\nJane\n")


def test_an_html_table_row_stays_one_line_with_its_cells_after_tabs():
    markup = ("<p>Hi</p><table><tr><td><p>Witnessed</p></td><td><p>Professional</p></td><td><p>☐</p></td></tr>"
              "<tr><td><p>1. Referrer</p><p>hint</p></td><td><p>Name: A</p><p>Role: B</p></td></tr></table>")
    assert html_to_text(markup) == "Hi\nWitnessed\tProfessional\t☐\n1. Referrer\nhint\tName: A\nRole: B"


def test_fyi_over_a_quoted_report_is_a_report_body():
    text = ("FYI\n\n-----Original Message-----\nFrom: A <a@x.example.org>\nSent: 3 March 2026 14:05\n"
            "To: b@y.example.uk\nSubject: concern\n\n> Kayla was seen getting into a black Audi on Mare Street.\n")
    assert body_is_report(text, has_attachments=False)
    assert not body_is_report("FYI\n\n> ok thanks", has_attachments=False)
