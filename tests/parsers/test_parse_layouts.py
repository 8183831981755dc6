"""Layout -> record for each place a submitter puts a value, built by hand
so each rule is pinned down (the real-file tests are in
test_parse_documents.py)."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from intake.parsers.parse import interpret
from intake.types import Cell, FormField, Layout, Paragraph, Provenance, Table

STAFFS_TITLE = Paragraph("Staffordshire Police – Child Sexual Exploitation Information Report")
NARRATIVE_LABEL = Paragraph("Please provide information: Include as much detail as possible re "
                            "names/descriptions/nicknames/vehicle details/addresses etc:")
GUIDANCE = Paragraph("Do not use this form to report a possible criminal offence (for example a physical "
                     "or sexual assault). To report an offence, speak to your organisation's designated "
                     "safeguarding lead and follow local safeguarding procedures.")
STORY = "Kai is picked up from school by a man called Jay in a black Audi, reg AB12 CDE."


def row(*texts: str) -> list[Cell]:
    return [Cell(t) for t in texts]


def staffs(prof_rows, child_rows, yesno="Yes (delete as appropriate)", box=STORY, extra=()):
    return Layout(blocks=[
        STAFFS_TITLE,
        Paragraph("Date/Time of report: 04/03/2026 14:30"),
        Paragraph("Details of Professional submitting:"),
        Table([row(*r) for r in prof_rows]),
        Paragraph("Details of Child/Young Person (if known):"),
        Table([row(*r) for r in child_rows]),
        Paragraph("If the information is from a 3rd party would they be willing to engage with the Police?  " + yesno),
        NARRATIVE_LABEL, GUIDANCE,
        Table([[Cell(box)]]),
        *extra,
    ], source="docx")


PROF = [("Name", "Sam Patel"), ("Post / Job Title", "Youth Worker"), ("Agency", "Northfield Youth Club"),
        ("Contact Details", "07700 900123 / sam.patel@example.org"),
        ("Witnessed Incident", "Professional", "X", "Member of the Public", "")]
CHILD = [("Name", "Kai Brown"), ("Age", "15"), ("Address", "1 Mill Lane, Birmingham, B5 6FP")]


def values(out):
    return {k: v.value for k, v in out.record.fields.items()}


def test_values_in_the_next_cell():
    out = interpret(staffs(PROF, CHILD))
    assert out.status == "parsed" and out.warnings == []
    assert values(out) == {
        "report_datetime": "2026-03-04T14:30", "submitter.name": "Sam Patel", "submitter.role": "Youth Worker",
        "submitter.agency": "Northfield Youth Club", "submitter.contact": "07700 900123 / sam.patel@example.org",
        "witnessed_by": "professional", "subject.name": "Kai Brown", "subject.age": 15,
        "subject.address": "1 Mill Lane, Birmingham, B5 6FP", "third_party.willing_to_engage": True,
        "incident.narrative": STORY,
    }
    # The guidance printed between label and box is not the narrative.
    assert "criminal offence" not in out.record.fields["incident.narrative"].value


def test_values_in_the_label_cell_reordered_and_relabelled_rows():
    prof = [("Name: Sam Patel", ""), ("Agency: Northfield Youth Club", ""), ("Team", "North Locality"),
            ("Job title", "Youth Worker"), ("Contact (tel / e-mail)", "07700 900123"),
            ("Witnessed Incident", "Professional", "", "Member of the Public", "☒")]
    child = [("Name\nKai Brown", ""), ("Age (approx.)", "about 15 years"), ("Home address", "1 Mill Lane")]
    v = values(interpret(staffs(prof, child)))
    assert v["submitter.name"] == "Sam Patel" and v["submitter.agency"] == "Northfield Youth Club"
    assert v["submitter.role"] == "Youth Worker" and v["submitter.contact"] == "07700 900123"
    assert v["witnessed_by"] == "member_of_public"
    assert v["subject.name"] == "Kai Brown" and v["subject.age"] == 15 and v["subject.address"] == "1 Mill Lane"


def test_empty_cells_are_null_and_a_missing_narrative_keeps_the_partial_record():
    prof = [("Name", "Sam Patel"), ("Post / Job Title", "Click here to enter text."), ("Agency", ""),
            ("Contact Details", "     ")]
    out = interpret(staffs(prof, CHILD, box="   "))
    assert out.status == "exception"
    assert out.exception.code == "missing_required_field"
    assert "incident.narrative" in out.exception.detail and "Sam" not in out.exception.detail
    v = values(out)
    assert v["submitter.name"] == "Sam Patel"
    assert v["submitter.role"] is None and v["submitter.agency"] is None and v["submitter.contact"] is None
    assert v["incident.narrative"] is None


def test_yes_no_not_deleted_and_both_boxes_ticked_are_null_with_warnings():
    prof = PROF[:4] + [("Witnessed Incident", "Professional", "X", "Member of the Public", "X")]
    out = interpret(staffs(prof, CHILD, yesno="Yes/No (delete as appropriate)"))
    assert out.status == "parsed"
    v = values(out)
    assert v["witnessed_by"] is None and v["third_party.willing_to_engage"] is None
    warned = {w.detail.split(":")[0] for w in out.warnings if w.code == "ambiguous_value"}
    assert warned == {"witnessed_by", "third_party.willing_to_engage"}
    assert out.record.fields["witnessed_by"].note.startswith("ambiguous_value")
    assert out.record.fields["third_party.willing_to_engage"].raw.startswith("Yes/No")


def test_values_on_the_next_line():
    layout = Layout(blocks=[STAFFS_TITLE, Paragraph("Date/Time of report:"), Paragraph(""),
                            Paragraph("4th March 2026 2.30pm"), Paragraph("Details of Professional submitting:"),
                            Table([row(*r) for r in PROF]), NARRATIVE_LABEL, Paragraph(STORY),
                            Paragraph("Second paragraph of the story.")], source="docx")
    v = values(interpret(layout))
    assert v["report_datetime"] == "2026-03-04T14:30"
    assert v["incident.narrative"] == STORY + " Second paragraph of the story."


def derbyshire(cell_text: str, fields=()):
    return Layout(blocks=[
        Paragraph("CSE Information Report Operation Liberty"),
        Paragraph("Date/Time of report:\t04/03/2026"),
        Paragraph("Are you reporting the information as a third party?  No"),
        Paragraph("If so, details of witness, if known:"),
        Paragraph("Would they be willing to engage with the Police?   Yes ☐   No ☒"),
        Table([[Cell(cell_text, fields=list(fields), provenance=Provenance(table=1, row=0, cell=0, source="docx"))]]),
        Paragraph("Name(s) and contact details of persons/professionals this information has been shared with:"),
    ], source="docx")


def test_derbyshire_victim_and_dob_on_one_line_from_form_fields():
    text = ("Please provide information about SPECIFIC EVENTS/INCIDENTS.\n\n"
            "Victim (if known): Kai Brown\t\t\tDOB: 14/02/2011\n\n"
            "Date/time and details of incident: " + STORY + "\nMore on the next line.\n\n\n"
            "Details of other persons present at incident (if known):\n\n"
            "Alleged offender(s)(if known): Jay, 20s, beard")
    start = text.index("Kai Brown")
    ff = FormField("Text8", "text", "Kai Brown", provenance=Provenance(field="Text8"),
                   start=start, end=start + len("Kai Brown"))
    out = interpret(derbyshire(text, [ff]))
    v = values(out)
    assert v["subject.name"] == "Kai Brown" and v["subject.dob"] == "2011-02-14"
    assert v["incident.narrative"] == STORY + " More on the next line."
    assert v["incident.others_present"] is None
    assert v["incident.alleged_offenders"] == "Jay, 20s, beard"
    assert v["third_party.is_third_party"] is False and v["third_party.details"] is None
    assert v["third_party.willing_to_engage"] is False
    assert v["report_datetime"] == "2026-03-04"
    assert v["shared_with"] is None
    name = out.record.fields["subject.name"]
    assert name.provenance.field == "Text8" and name.provenance.table == 1 and name.raw == "Kai Brown"


def met(rows, date="Date of report: 04/03/2026"):
    return Layout(blocks=[Paragraph("Intelligence Sharing Document – CSE / MASE"), Paragraph(date),
                          Table([row(a, b) for a, b in rows])], source="docx")


HINTED = [("1. Referrer\nYour name, role, agency and how we can contact you.",
           "Name: Sam Patel\nRole: Youth Worker\nAgency: Youth Club\nContact: 07700 900123"),
          ("2. Source\nThe person who first gave the information, and their contact details.", ""),
          ("3. Problem\nWhat has been said or seen and what the problem is. Facts only – no opinions.", STORY),
          ("4. When\nWhen is it happening? Dates, days and times.", "After school on Fridays."),
          ("5. Where\nWhere is it happening? Addresses, premises, streets, areas.", ""),
          ("6. Who\nWho does it relate to? Names, nicknames, ages, descriptions.", "Jay"),
          ("7. Truth\nHow does the person who gave the information know it is true?", "Saw it"),
          ("8. Knows\nWho else, or how many others, know this information?", "Unknown"),
          ("9. Last time\nWhen was the information last known to be true?", "A week ago")]


def test_met_boxes_ignore_the_italic_hint_and_split_the_referrer_box():
    v = values(interpret(met(HINTED)))
    assert v["submitter.name"] == "Sam Patel" and v["submitter.role"] == "Youth Worker"
    assert v["submitter.agency"] == "Youth Club" and v["submitter.contact"] == "07700 900123"
    assert v["source.details"] is None and v["incident.where"] is None  # not the hint text
    assert v["incident.narrative"] == STORY and v["incident.when"] == "After school on Fridays."
    assert v["incident.who"] == "Jay" and v["source.how_known"] == "Saw it"
    assert v["source.others_aware"] == "Unknown" and v["source.last_known_true"] == "A week ago"


def test_met_referrer_box_without_sub_labels_is_shared_line_by_line():
    rows = [("1. Referrer details (name, role, agency, contact)", "Sam Patel\nYouth Worker\nYouth Club\n07700 900123"),
            ("3. Problem", STORY)]
    v = values(interpret(met(rows)))
    assert (v["submitter.name"], v["submitter.role"], v["submitter.agency"], v["submitter.contact"]) == \
        ("Sam Patel", "Youth Worker", "Youth Club", "07700 900123")


def test_acroform_fields_fill_what_the_page_text_left_empty():
    layout = met([(a.split("\n")[0], "") for a, _ in HINTED], date="Date of report:")
    layout.blocks += [FormField("box3_problem", "text", STORY, label="3. Problem"),
                      FormField("date_of_report", "text", "04/03/2026", label="Date of report"),
                      FormField("box9_last_time", "text", "Yesterday")]
    v = values(interpret(layout))
    assert v["incident.narrative"] == STORY and v["report_datetime"] == "2026-03-04"
    assert v["source.last_known_true"] == "Yesterday"
    assert v["incident.who"] is None


def wm(rel, acc):
    return Layout(blocks=[
        Paragraph("Information Report to be sent through to: fib@example.org"),
        Table([row("If the information was supplied by someone other than yourself, on a scale of 1-5 how reliable "
                   "do you think they are? (5 = Always Reliable and 1 = Unreliable)", rel),
               row("How accurate is the information on a scale of 1-4? (4 = Known to be true beyond doubt to 1 = "
                   "suspected to be false)", acc)]),
        Table([row("Does this information involve a licensed premise (e.g. newsagents, takeaways, pubs, off "
                   "licences, etc)?", "Yes", "☒", "No", "☐")]),
        Paragraph("If yes, please provide the trading name and address of premise: Chicken Palace, 1 High St"),
        Paragraph("Please provide clear and accurate information: Include as much detail as possible re "
                  "names/descriptions/nicknames/vehicle details/addresses etc: If providing details of specific "
                  "incidents please put a date and time these were witnessed."),
        Table([[Cell(STORY)]]),
        Paragraph("Concern about Licensed Premise:"),
        Table([[Cell("Staff let older males take girls into the back room.")]]),
    ], source="docx")


def test_grades_and_dont_know():
    v = values(interpret(wm("3 - usually reliable", "don't know")))
    assert v["grading.source_reliability"] == 3 and v["grading.information_accuracy"] is None
    assert v["licensed_premises.involved"] is True
    assert v["licensed_premises.name_address"] == "Chicken Palace, 1 High St"
    assert v["incident.narrative"] == STORY
    assert v["licensed_premises.concern"] == "Staff let older males take girls into the back room."
    v = values(interpret(wm("DK", "4")))
    assert v["grading.source_reliability"] is None and v["grading.information_accuracy"] == 4


def test_ocr_confidence_is_carried_per_field():
    layout = staffs(PROF, CHILD)
    layout.ocr = True
    layout.source = "ocr"
    for b in layout.blocks:
        if isinstance(b, Table):
            for r in b.rows:
                for c in r:
                    c.confidence = 0.8
        elif isinstance(b, Paragraph):
            b.confidence = 0.9
    out = interpret(layout)
    assert out.record.fields["submitter.name"].confidence == 0.8
    assert out.record.fields["report_datetime"].confidence == 0.9
    assert out.ocr_confidence is not None


_text = st.text(alphabet=st.sampled_from(list("abcXx☒☐:?/ \t\n()1234.Name Age Yes No")) | st.characters(),
                max_size=40)
_cell = st.builds(Cell, _text)
_block = st.one_of(
    st.builds(Paragraph, _text),
    st.builds(Table, st.lists(st.lists(_cell, max_size=5), max_size=5)),
    st.builds(FormField, st.none() | _text, st.sampled_from(["text", "checkbox", "date", "dropdown"]),
              st.none() | _text, st.none() | st.booleans()),
)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(_block, max_size=12), st.booleans())
def test_any_layout_gives_an_outcome(blocks, with_title):
    if with_title:
        blocks = [STAFFS_TITLE, Paragraph("Details of Child/Young Person")] + blocks
    out = interpret(Layout(blocks=blocks, source="docx"))
    assert out.status in {"parsed", "exception", "not_a_report"}
    if out.status == "exception":
        assert out.exception.code in {"unknown_template", "missing_required_field"}


def test_label_rows_above_value_rows_and_header_rows_over_value_rows():
    layout = Layout(blocks=[
        STAFFS_TITLE, Paragraph("Details of Professional submitting:"),
        Table([row("Name"), row("Sam Patel"), row("Agency"), row("Northfield Youth Club")]),
        Paragraph("Details of Child/Young Person (if known):"),
        Table([row("Name", "Age", "Address"), row("Kai Brown", "15", "1 Mill Lane")]),
        NARRATIVE_LABEL, Table([[Cell(STORY)]]),
    ], source="docx")
    v = values(interpret(layout))
    assert v["submitter.name"] == "Sam Patel" and v["submitter.agency"] == "Northfield Youth Club"
    assert (v["subject.name"], v["subject.age"], v["subject.address"]) == ("Kai Brown", 15, "1 Mill Lane")


def test_several_labels_on_one_line_split_by_tabs_or_colons():
    layout = Layout(blocks=[
        STAFFS_TITLE, Paragraph("Details of Professional submitting:"),
        Paragraph("Name:  Sam Patel      Agency:  Northfield Youth Club"),
        Paragraph("Details of Child/Young Person (if known):"),
        Paragraph("Name\tKai Brown\tAge\t15"),
        NARRATIVE_LABEL, Paragraph(STORY),
    ], source="pdf")
    v = values(interpret(layout))
    assert v["submitter.name"] == "Sam Patel" and v["submitter.agency"] == "Northfield Youth Club"
    assert v["subject.name"] == "Kai Brown" and v["subject.age"] == 15


def test_pdf_soft_wraps_inside_labels_and_values_are_undone():
    layout = wm("4", "2")
    layout.source = "pdf"
    layout.blocks[3] = Paragraph("If yes, please provide the trading name and address of premise: Chicken Palace, 1\n"
                                 "High Street, Birmingham, B1 1AA")
    layout.blocks[1] = Table([
        row("If the information was supplied by someone other than yourself, on a scale of 1-5\n"
            "how reliable do you think they are? (5 = Always Reliable and 1 = Unreliable)", "4"),
        row("How accurate is the information on a scale of 1-4? (4 = Known to be true beyond\n"
            "doubt to 1 = suspected to be false)", "2")])
    v = values(interpret(layout))
    assert v["grading.source_reliability"] == 4 and v["grading.information_accuracy"] == 2
    assert v["licensed_premises.name_address"] == "Chicken Palace, 1 High Street, Birmingham, B1 1AA"


def test_page_furniture_and_printed_guidance_are_cut_out_of_a_narrative():
    layout = staffs(PROF, CHILD, box=STORY)
    layout.source = "pdf"
    i = next(n for n, b in enumerate(layout.blocks) if b is GUIDANCE)
    # A PDF reader put the guidance and the answer in one paragraph, and the
    # page break's marking between two paragraphs of the answer.
    layout.blocks[i:] = [Paragraph(GUIDANCE.text + "\n" + STORY), Paragraph("OFFICIAL - SENSITIVE when complete"),
                         Paragraph("Page 2 of 2"), Paragraph("The second part of the story."),
                         Paragraph("Once completed please e-mail this form to the Child Protection and Exploitation "
                                   "Team at cpet@example.org.")]
    v = values(interpret(layout))
    assert v["incident.narrative"] == STORY + " The second part of the story."


def test_a_form_typed_out_as_lines_with_leaders_dashes_and_ticks():
    layout = Layout(blocks=[Paragraph(t) for t in (
        "Staffordshire Police CSE Information Report",
        "Date/Time of report …………… 04/03/2026 @ 14:30hrs",
        "Details of Professional submitting:",
        "Name ........ Sam Patel",
        "Agency - Northfield Youth Club",
        "Witnessed Incident: Professional ✓  Member of the Public ☐",
        "Details of Child/Young Person (if known):",
        "Name: Kai Brown", "Age: 14 (DOB 01/02/2012)",
        "If the information is from a 3rd party would they be willing to engage with the Police? Don't know",
        "Please provide information:", STORY)], source="docx")
    out = interpret(layout)
    v = values(out)
    assert v["report_datetime"] == "2026-03-04T14:30"
    assert v["submitter.name"] == "Sam Patel" and v["submitter.agency"] == "Northfield Youth Club"
    assert v["witnessed_by"] == "professional" and v["subject.age"] == 14
    # "Don't know" is an answer: null, and nothing for a reviewer to untangle.
    assert v["third_party.willing_to_engage"] is None and out.warnings == []
    assert v["incident.narrative"] == STORY


def test_a_second_report_in_the_same_document_is_not_silently_dropped():
    first = staffs(PROF, CHILD)
    second = staffs([("Name", "Ali Khan")] + PROF[1:], [("Name", "Mia Jones"), ("Age", "13")], box="Another story.")
    out = interpret(Layout(blocks=first.blocks + second.blocks, source="docx"))
    v = values(out)
    assert v["submitter.name"] == "Sam Patel" and v["subject.name"] == "Kai Brown"
    rep = [w for w in out.warnings if w.code == "repeated_field"]
    assert len(rep) == 1
    assert "submitter.name" in rep[0].detail and "subject.name" in rep[0].detail
    assert "Mia" not in rep[0].detail and "Ali" not in rep[0].detail


def test_a_label_repeated_with_the_same_answer_is_not_a_second_report():
    layout = staffs(PROF, CHILD)
    layout.blocks.append(Paragraph("Name: Sam Patel"))
    out = interpret(layout)
    assert [w for w in out.warnings if w.code == "repeated_field"] == []


def test_a_fillable_pdf_with_values_and_check_boxes_only_in_its_fields():
    layout = wm("", "")
    # The page text carries the labels; the answers live in AcroForm fields.
    layout.blocks[2] = Table([row("Does this information involve a licensed premise?", "Yes", "", "No", "")])
    layout.blocks += [
        FormField("GradingReliability", "text", "2"),
        FormField("LicensedYes", "checkbox", None, checked=False),
        FormField("LicensedNo", "checkbox", None, checked=True),
        FormField("WillingYes", "checkbox", None, checked=True),
        FormField("WillingNo", "checkbox", None, checked=True),
        FormField("PostJobTitle", "text", "Youth Worker"),
    ]
    out = interpret(layout)
    v = values(out)
    assert v["licensed_premises.involved"] is False
    assert v["third_party.willing_to_engage"] is None  # both ticked: no guess
    assert any(w.detail.startswith("third_party.willing_to_engage") for w in out.warnings)
    assert v["submitter.role"] == "Youth Worker"
    assert v["grading.source_reliability"] == 2
