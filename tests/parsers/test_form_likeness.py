"""`unknown_template` means "a report form we do not know": a
document no template fits goes to the officers' queue only with a form's
structure, a form's signs and report cues in its title, headings or labels.
An ordinary document with a table or a few "Label:" lines is not_a_report
or free text. The shapes here are those of the real files that were queued
(tests/data/real: pypdf's example.pdf and hello-world.pdf, python-docx's
table and hyperlink files, a Wikipedia page saved as HTML); the forms are
other forces' forms in several layouts."""

from __future__ import annotations

import io

import docx as pydocx
import pytest
from reportlab.lib.pagesizes import A4
from reportlab.pdfgen import canvas

from intake.parsers import parse_document, sniff_media_type
from intake.parsers.templates import build_doc, load_registry
from intake.parsers.templates.form_shape import label_cell, label_head, label_segments, shape_of
from intake.parsers.templates.loader import not_a_report_from_dict
from intake.types import Cell, Document, IntakeError, Layout, Paragraph, Table, sha256_hex


def _outcome(data: bytes, name: str) -> str:
    out = parse_document(Document("attachment", name, sniff_media_type(data, name), sha256_hex(data), data))
    return out.exception.code if out.exception else out.status


def _docx(build) -> bytes:
    d = pydocx.Document()
    build(d)
    buf = io.BytesIO()
    d.save(buf)
    return buf.getvalue()


def _table(d, rows) -> None:
    t = d.add_table(rows=0, cols=len(rows[0]))
    t.style = "Table Grid"
    for r in rows:
        for cell, value in zip(t.add_row().cells, r):
            cell.text = value


def _pdf(lines: list[str], gap: int = 20) -> bytes:
    buf = io.BytesIO()
    c = canvas.Canvas(buf, pagesize=A4)
    y = 800
    for line in lines:
        c.drawString(60, y, line)
        y -= gap
    c.save()
    return buf.getvalue()


def _shape(blocks):
    return shape_of(build_doc(Layout(blocks=blocks, source="docx")), load_registry().not_a_report)


# -- what is and is not a label ------------------------------------------------

@pytest.mark.parametrize("line,label", [
    ("Name: Jo Bloggs", "Name"),
    ("3. Date of birth: 01/02/2010", "Date of birth"),
    ("Young person's name:", "Young person's name"),
    ("Are you reporting the information as a third party? Yes", "Are you reporting the information as a third party"),
    ("Three with link to https://foo.com.", None),  # a URL's colon
    ("Four with link to https:", None),  # a scheme at the end of the head
    ("We met at 10:30 in the hall", None),  # a time
    ("The following people attended the meeting of the partnership board:", None),  # a sentence
])
def test_label_heads(line, label):
    head = label_head(line)
    assert (head[0] if head else None) == label


def test_labels_glued_on_one_line_are_each_counted():
    segs = label_segments("Date of report: 03/04/2026 Reporting person: Sam Patel Organisation: Eastshire Council")
    # Where a glued label starts is a guess (a value's last words may be
    # taken in); that each one counts is what matters.
    assert len(segs) == 3 and [s[0].split()[-1] for s in segs] == ["report", "person", "Organisation"]
    assert [s[2].strip() for s in segs][0] == "03/04/2026"


@pytest.mark.parametrize("text,ok", [
    ("Name", True), ("Date of birth", True), ("Who were you with?", True),
    ("a", False), ("7", False), ("£4.50", False), ("12/03/2026", False), ("https://example.org", False),
    ("This cell holds a whole sentence of description that runs on and on", False),
])
def test_label_cells(text, ok):
    assert label_cell(text) is ok


def test_a_grid_of_figures_is_data_not_labels():
    grid = Table([[Cell(""), Cell("Indonesia"), Cell("Germany"), Cell("Austria"), Cell("France")],
                  [Cell("Capital"), Cell("Jakarta"), Cell("Berlin"), Cell("Vienna"), Cell("Paris")],
                  [Cell("Population"), Cell("273,879,750"), Cell("83,190,556"), Cell("8,935,112"), Cell("67,413,000")],
                  [Cell("Currency"), Cell("Rupiah"), Cell("EUR"), Cell("EUR"), Cell("EUR")]])
    assert _shape([grid]).label_rows == 0
    prices = Table([[Cell("Item"), Cell("Price")], [Cell("Coffee"), Cell("£2.50")], [Cell("Tea"), Cell("£2.00")],
                    [Cell("Scone"), Cell("£3.10")]])
    assert _shape([prices]).label_rows == 0
    form = Table([[Cell("Name"), Cell("Kai Brown")], [Cell("Age"), Cell("14")], [Cell("Address"), Cell("1 Mill Lane")]])
    assert _shape([form]).label_rows == 3


# -- ordinary documents: the shapes of the real files that were queued ---------

def test_a_table_of_letters_or_digits_is_not_a_form():
    def build(d):
        for _ in range(3):
            _table(d, [("1", "2", "3"), ("4", "5", "6"), ("7", "8", "9")])
        _table(d, [("a", "b"), ("foo", "bar"), ("foo to you", "and a hearty foo to you too sir!")])
    assert _outcome(_docx(build), "tables.docx") != "unknown_template"


def test_links_in_sentences_are_not_labels():
    lines = ["One", "Two with link to bookmark."] + [f"{w} with link to https://foo.com?q={w}." for w in
                                                   ("Three", "Four", "Five", "Six")] + ["Nine."]
    assert _outcome(_docx(lambda d: [d.add_paragraph(x) for x in lines]), "links.docx") != "unknown_template"


def test_a_list_of_greetings_by_language_is_not_a_form():
    lines = ["English:", "Hello World", "Arabic:", "مرحبا بالعالم", "Russian:", "Привет, мир",
             "Chinese (traditional):", "你好世界", "Thai:", "สวัสดีชาวโลก", "Japanese:", "こんにちは世界"]
    assert _outcome(_docx(lambda d: [d.add_paragraph(x) for x in lines]), "hello.docx") != "unknown_template"


def test_a_web_page_with_menu_check_boxes_is_not_a_form():
    prose = ("The clan traces its origin to the founder of an ancient kingdom on the southern coast, whose "
             "descendants settled across the peninsula over many centuries and kept detailed genealogies. ")
    html = ("<html><body><nav><input type=checkbox id=m1> Main menu <input type=checkbox id=m2> Tools "
            "<input type=checkbox id=m3> Languages <input type=text name=search></nav>"
            "<table><tr><td>Country</td><td>South Korea</td></tr><tr><td>Founder</td><td>Kim Suro</td></tr>"
            "<tr><td>Members</td><td>4,456,700</td></tr></table>"
            + "".join(f"<p>{prose * 2}</p>" for _ in range(6)) + "</body></html>").encode()
    assert _outcome(html, "page.html") != "unknown_template"


def test_a_booking_form_is_a_form_but_not_a_report_form():
    def build(d):
        d.add_heading("Meeting Room Booking Form", 1)
        for x in ("Name: ..........", "Department: ..........", "Date: ..........", "Time: ..........",
                  "Room: ☐ Oak  ☐ Elm  ☐ Ash", "Equipment: ☐ Projector  ☐ Flipchart", "Catering: ☐ Yes ☐ No"):
            d.add_paragraph(x)
    assert _outcome(_docx(build), "booking.docx") != "unknown_template"


def test_a_form_with_only_words_any_report_has_is_not_a_report_form():
    """An IT service desk's incident form: "reported", "incident", "risk",
    tick boxes, blanks; nothing about a child at risk."""
    def build(d):
        d.add_heading("IT Incident Report Form", 1)
        for x in ("Reported by: ..........", "Date reported: ..........", "Incident number: ..........",
                  "System affected: ..........", "Risk to service: ☐ Low ☐ Medium ☐ High",
                  "Description of incident: ..........", "Resolved: ☐ Yes ☐ No"):
            d.add_paragraph(x)
    assert _outcome(_docx(build), "it-incident.docx") != "unknown_template"


# -- report forms nobody has a template for stay in the queue -------------------

def _blank_lines_docx() -> bytes:
    def build(d):
        d.add_heading("Community Intelligence Form", 1)
        d.add_paragraph("Please complete as much as you can and return it to your neighbourhood team.")
        for x in ("Your name: ........................", "Date: ..................",
                  "Location of concern: ........................", "Description of person(s) involved: ..........",
                  "Vehicle details: ...................", "Have you told anyone else?  ☐ Yes  ☐ No",
                  "What did you see? ............................................"):
            d.add_paragraph(x)
    return _docx(build)


def _filled_table_docx() -> bytes:
    def build(d):
        d.add_paragraph("Eastshire Police")
        d.add_heading("Partner Intelligence Submission", 1)
        _table(d, [("Submitting officer", "PC 1234 Jo Smith"), ("Agency", "Eastshire Youth Offending Service"),
                   ("Nominal name", "Kai Brown"), ("DOB", "03/04/2010"), ("Address", "12 Mill Lane, Eastford"),
                   ("Intelligence", "Kai is seen getting into a grey BMW outside school most Fridays."),
                   ("Source of information", "Teacher"), ("Handling code", "P")])
    return _docx(build)


def _four_columns_docx() -> bytes:
    def build(d):
        d.add_heading("Notification of Concern – Child Exploitation", 1)
        _table(d, [("Child's name", "Leah Green", "DOB", "01/02/2011"), ("School", "Riverside Academy", "Year", "9"),
                   ("Referrer", "Sam Patel", "Role", "DSL"),
                   ("Concern", "Older men waiting at the gates", "Date", "12/03/2026")])
    return _docx(build)


def _untitled_docx() -> bytes:
    def build(d):
        d.add_paragraph("Please return this form to the MASH.")
        _table(d, [("Name of young person", "Ryan Hale"), ("Date of birth", "05/06/2009"),
                   ("Missing episodes", "3 in March"), ("Who is he with when missing?", ""),
                   ("Suspected perpetrator(s)", "'Dee', Vauxhall Corsa"), ("Risk level", "☐ Low ☒ Medium ☐ High")])
    return _docx(build)


def _labels_pdf() -> bytes:
    return _pdf(["Westshire Constabulary", "CSE Information Sharing Form", "Date of report: 03/04/2026",
                 "Reporting person: Sam Patel", "Organisation: Westshire Council", "Telephone: 01632 960123",
                 "Young person's name:", "Age:", "Address:", "Details of the concern:", "Suspects (if known):"])


def _questions_pdf() -> bytes:
    return _pdf(["MISSING PERSON RETURN INTERVIEW RECORD", "Child: Mia Jones        DOB: 07/08/2010",
                 "Date returned: 02/03/2026     Interviewer: A. Khan", "Where were you?", "Who were you with?",
                 "Were you harmed?   Yes / No", "Any concerns about exploitation?   Yes / No",
                 "Referred to police?   Yes / No"])


@pytest.mark.parametrize("make,name", [
    (_blank_lines_docx, "blank.docx"), (_filled_table_docx, "filled.docx"), (_four_columns_docx, "four.docx"),
    (_untitled_docx, "untitled.docx"), (_labels_pdf, "labels.pdf"), (_questions_pdf, "questions.pdf"),
])
def test_a_report_form_nobody_knows_is_an_unknown_template(make, name):
    assert _outcome(make(), name) == "unknown_template"


def test_report_cues_in_the_prose_alone_do_not_make_a_form():
    """A newsletter about child safety with a table of dates: its cues are
    in the sentences, not in its labels."""
    def build(d):
        d.add_heading("Spring Newsletter", 1)
        d.add_paragraph("The police schools officer visited Year 9 to talk about exploitation and how to report "
                        "a concern about a child, and parents said the session was really useful.")
        _table(d, [("Sports day", "Friday 12 June"), ("Parents' evening", "Tuesday 16 June"),
                   ("Summer fair", "Saturday 20 June"), ("Last day of term", "Friday 17 July")])
    assert _outcome(_docx(build), "newsletter.docx") != "unknown_template"


# -- the cues are data -----------------------------------------------------------

def test_form_cues_are_read_and_checked():
    nar = not_a_report_from_dict({"kind": "not_a_report", "form_cues": {
        "titles": ["form"], "terms": ["child"], "general": ["incident"]}}, "x.toml")
    assert nar.form_titles == ("form",) and nar.form_terms == ("child",) and nar.form_general == ("incident",)
    with pytest.raises(IntakeError) as info:
        not_a_report_from_dict({"kind": "not_a_report", "form_cues": {"words": ["child"]}}, "x.toml")
    assert info.value.code == "template_invalid" and "form_cues" in str(info.value.info().detail)


def test_a_site_not_a_report_file_without_cues_keeps_the_packaged_ones(tmp_path):
    from intake.parsers.templates.registry import load_registry as load

    (tmp_path / "not_a_report.toml").write_text(
        'kind = "not_a_report"\n[kinds.flyer]\nphrases = ["summer fair", "raffle"]\nmin_hits = 2\n')

    class Site:
        base_dir = tmp_path

        def section(self, name):
            return {"template_dirs": [str(tmp_path)]} if name == "parsing" else {}

    reg = load(Site())
    assert [k.name for k in reg.not_a_report.kinds] == ["flyer"]
    assert "child" in reg.not_a_report.form_terms and "form" in reg.not_a_report.form_titles
    assert "incident" in reg.not_a_report.form_general
    assert _shape([Paragraph("Name: Kai")]).labels == 1.0
