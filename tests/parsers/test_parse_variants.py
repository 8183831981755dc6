"""Layout -> record for the ways unseen submissions differ from the forms
as issued (fields): contact cells that start with their own
label, a re-issued Met form whose boxes keep only their numbers, a Met
box 1 laid out as the referrer likes, typed tick words and marks, struck
options, printed text a PDF glued to a value."""

from __future__ import annotations

import pytest
from reader_forms import blank, document, rewrite_document_xml, w

from intake.parsers import parse_document
from intake.parsers.parse import interpret
from intake.parsers.sniff import DOCX
from intake.types import Cell, Layout, Paragraph, Table

STORY = "Kai is picked up from school by a man called Jay in a black Audi, reg AB12 CDE."


def row(*texts: str) -> list[Cell]:
    return [Cell(t) for t in texts]


def values(out):
    return {k: v.value for k, v in out.record.fields.items()}


def staffs(prof_rows, source="docx", yesno="Yes (delete as appropriate)"):
    return Layout(blocks=[
        Paragraph("Staffordshire Police – Child Sexual Exploitation Information Report"),
        Paragraph("Date/Time of report: 04/03/2026 14:30"),
        Paragraph("Details of Professional submitting:"),
        Table([row(*r) for r in prof_rows]),
        Paragraph("Details of Child/Young Person (if known):"),
        Table([row("Name", "Kai Brown"), row("Age", "15")]),
        Paragraph("If the information is from a 3rd party would they be willing to engage with the Police?  " + yesno),
        Paragraph("Please provide information:"),
        Table([[Cell(STORY)]]),
    ], source=source)


@pytest.mark.parametrize("contact", ["Tel: 07700 900123, email: sam.patel@example.org",
                                     "Email: sam.patel@example.org / Tel 0121 496 0334",
                                     "(0121) 496 0334\nsam.patel@example.org"])
def test_a_contact_cell_that_starts_with_its_own_label_is_the_value(contact):
    prof = [("Name", "Sam Patel"), ("Phone / email", contact), ("Job title", "Youth Worker"),
            ("Manager's name", "Pat Lowe"), ("Agency", "Youth Club"),
            ("Witnessed Incident", "Professional", "X", "Member of the Public", "")]
    v = values(interpret(staffs(prof)))
    assert v["submitter.contact"] == " ".join(contact.split())
    assert v["submitter.name"] == "Sam Patel" and v["submitter.role"] == "Youth Worker"
    assert v["submitter.agency"] == "Youth Club"


def test_a_flattened_row_keeps_the_whole_contact_when_it_names_its_parts():
    # A PDF reader put the label and the value on one line.
    layout = Layout(blocks=[
        Paragraph("CSE Information Report Operation Liberty"),
        Paragraph("Date/Time of report: 04/03/2026"),
        Paragraph("Contact details: Tel: 07700 900123, email: sam@example.org"),
        Paragraph("Date/time and details of incident: " + STORY)], source="pdf")
    v = values(interpret(layout))
    assert v["submitter.contact"] == "Tel: 07700 900123, email: sam@example.org"


def met(rows):
    return Layout(blocks=[Paragraph("Intelligence Sharing Document – CSE / MASE"),
                          Paragraph("Date of report: 04/03/2026 14:30"),
                          Table([row(a, b) for a, b in rows])], source="docx")


def test_a_reworded_met_form_is_read_by_its_box_numbers():
    rows = [("1. Who is referring?\nYour name, role, agency and how we can contact you.",
             "Sam Patel\nYouth Worker\nYouth Club\n07700 900123"),
            ("3. What is the concern?", STORY),
            ("4. When did it happen?", "Fridays"),
            ("6. Who is it about?", "Jay"),
            ("5. Where", "The park"),
            ("9. When was it last true?", "Yesterday"),
            ("10. Risk to the young person", "High")]
    v = values(interpret(met(rows)))
    assert v["incident.narrative"] == STORY and v["incident.who"] == "Jay"
    assert v["source.last_known_true"] == "Yesterday" and v["incident.where"] == "The park"
    assert v["submitter.name"] == "Sam Patel" and v["submitter.contact"] == "07700 900123"


def test_a_numbered_line_in_an_answer_is_not_a_box():
    rows = [("3. Problem", "1. She was picked up.\n2. She came back late."), ("6. Who", "Jay")]
    v = values(interpret(met(rows)))
    assert v["incident.narrative"] == "1. She was picked up. 2. She came back late."
    assert v["submitter.name"] is None


@pytest.mark.parametrize("box,want", [
    ("Sam Patel, Youth Worker, Youth Club, 07700 900123", ("Sam Patel", "Youth Worker", "Youth Club", "07700 900123")),
    ("Sam Patel (Youth Worker)\nYouth Club\nsam@example.org / 0121 496 0334",
     ("Sam Patel", "Youth Worker", "Youth Club", "sam@example.org / 0121 496 0334")),
    ("Sam Patel \u2013 Youth Worker\nYouth Club\nContact: 07700 900123",
     ("Sam Patel", "Youth Worker", "Youth Club", "07700 900123")),
    ("Referrer: Sam Patel\nOrganisation: Youth Club\nJob title: Youth Worker\nPhone / email: Tel: 07700 900123, "
     "email: sam@example.org", ("Sam Patel", "Youth Worker", "Youth Club", "Tel: 07700 900123, email: sam@example.org")),
    ("Name: Sam Patel    Role: Youth Worker\nAgency: Youth Club    Tel/email: 07700 900123",
     ("Sam Patel", "Youth Worker", "Youth Club", "07700 900123")),
    ("Sam Patel, Youth Worker, Youth Club, 07700 900123\nsam@example.org",
     ("Sam Patel", "Youth Worker", "Youth Club", "07700 900123 sam@example.org")),
])
def test_met_box_1_laid_out_as_referrers_write_it(box, want):
    v = values(interpret(met([("1. Referrer", box), ("3. Problem", STORY)])))
    got = (v["submitter.name"], v["submitter.role"], v["submitter.agency"], v["submitter.contact"])
    assert tuple(" ".join(x.split()) if x else x for x in got) == want


@pytest.mark.parametrize("mark", ["\u221a", "Yes", "ticked", "[X]", "\u2717", "(x)", "\u25a0"])
def test_typed_tick_words_and_marks(mark):
    prof = [("Name", "Sam Patel"), ("Witnessed Incident", "Professional", "", "Member of the Public", mark)]
    assert values(interpret(staffs(prof)))["witnessed_by"] == "member_of_public"


def test_yes_in_a_yes_no_question_is_the_answer_not_a_mark():
    v = values(interpret(staffs([("Name", "Sam Patel")], yesno="Yes/ (delete as appropriate)")))
    assert v["third_party.willing_to_engage"] is True


def _strike(docx: bytes, word: str) -> bytes:
    """Word's strike-through on the option not wanted."""
    from lxml import etree

    def edit(root):
        for t in root.iter(w("t")):
            if t.text == "Yes/No":
                run = t.getparent()
                for piece in ("Yes", "/", "No"):
                    r = etree.Element(w("r"))
                    if piece == word:
                        etree.SubElement(etree.SubElement(r, w("rPr")), w("strike"))
                    etree.SubElement(r, w("t")).text = piece
                    run.addprevious(r)
                run.getparent().remove(run)
                return
        raise AssertionError("no Yes/No on the form")

    return rewrite_document_xml(docx, edit)


def _staffs_docx_with_narrative() -> bytes:
    def edit(root):
        tables = root.findall(f".//{w('tbl')}")
        cell = tables[-1].find(f".//{w('tc')}")
        p = cell.find(w("p"))
        from lxml import etree
        etree.SubElement(etree.SubElement(p, w("r")), w("t")).text = STORY
    return rewrite_document_xml(blank("staffordshire_cse.docx"), edit)


@pytest.mark.parametrize("struck,want", [("No", True), ("Yes", False)])
def test_a_struck_through_option_is_deleted(struck, want):
    out = parse_document(document(_strike(_staffs_docx_with_narrative(), struck), DOCX))
    assert out.record.fields["third_party.willing_to_engage"].value is want


def test_printed_text_a_pdf_glued_to_an_answer_is_cut_off():
    layout = Layout(blocks=[
        Paragraph("CSE Information Report Operation Liberty"),
        Paragraph("Date/Time of report: 04/03/2026"),
        Paragraph("Date/time and details of incident: " + STORY),
        Paragraph("Name(s) and contact details of persons/professionals this information has been shared with:"),
        Paragraph("Ewa Adeyemi, social worker, 0121 496 0229; Ewa O'Neill, school DSL City referrals: send to the "
                  "City Referral Unit, cityreferralunit@derbyshire.example.police.uk"),
    ], source="pdf")
    v = values(interpret(layout))
    assert v["shared_with"] == "Ewa Adeyemi, social worker, 0121 496 0229; Ewa O'Neill, school DSL"




@pytest.mark.parametrize("answer,want", [("Yes/No (delete as appropriate) Yes", True),
                                         ("Yes/No (delete as appropriate)  - No", False),
                                         ("Yes/No (delete as appropriate)", None)])
def test_an_answer_typed_after_the_undeleted_options(answer, want):
    v = values(interpret(staffs([("Name", "Sam Patel")], yesno=answer)))
    assert v["third_party.willing_to_engage"] is want
