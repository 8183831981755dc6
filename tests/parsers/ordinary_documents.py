"""Ordinary documents that reach a force inbox by mistake or as background,
written after the form-likeness rule (templates/form_shape.py) and scored
against it once, blind: none may come out `unknown_template`. They are in
styles the rule was not tuned on: minutes, an agenda, invoices, a CV, a
timetable, a fixtures list, newsletters with tables, a data sheet, price
lists, a payslip, a bank statement, a school report, a trip consent slip,
an expenses claim form, a risk assessment, a safeguarding policy with its
contacts, a press release, a job description, a recipe, a booking
confirmation, a tenancy inventory, a printed e-mail.

    .venv/bin/python tests/parsers/ordinary_documents.py OUT_DIR   # writes the files

Every name, address and number is invented (example.org, Ofcom drama
numbers)."""

from __future__ import annotations

import io
import sys
from collections.abc import Callable
from pathlib import Path

import docx
from docx.shared import Pt
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import getSampleStyleSheet
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

_STYLES = getSampleStyleSheet()


# -- builders --------------------------------------------------------------------

def _docx(parts: list) -> bytes:
    """parts: ("h", text, level) | ("p", text) | ("t", rows) | ("b", text) bullets."""
    d = docx.Document()
    for part in parts:
        kind = part[0]
        if kind == "h":
            d.add_heading(part[1], level=part[2] if len(part) > 2 else 1)
        elif kind == "p":
            d.add_paragraph(part[1])
        elif kind == "b":
            d.add_paragraph(part[1], style="List Bullet")
        elif kind == "t":
            rows = part[1]
            t = d.add_table(rows=0, cols=max(len(r) for r in rows))
            t.style = "Table Grid"
            for r in rows:
                for cell, value in zip(t.add_row().cells, r):
                    cell.text = value
            d.add_paragraph("")
    for p in d.paragraphs:
        for run in p.runs:
            run.font.size = Pt(11)
    buf = io.BytesIO()
    d.save(buf)
    return buf.getvalue()


def _pdf(parts: list) -> bytes:
    buf = io.BytesIO()
    doc = SimpleDocTemplate(buf, pagesize=A4, leftMargin=50, rightMargin=50, topMargin=50, bottomMargin=50)
    flow = []
    for part in parts:
        kind = part[0]
        if kind == "h":
            flow.append(Paragraph(part[1], _STYLES["Heading1" if (len(part) < 3 or part[2] == 1) else "Heading2"]))
        elif kind in ("p", "b"):
            flow.append(Paragraph(("• " if kind == "b" else "") + part[1], _STYLES["BodyText"]))
        elif kind == "t":
            t = Table(part[1])
            t.setStyle(TableStyle([("GRID", (0, 0), (-1, -1), 0.5, colors.black),
                                   ("FONTSIZE", (0, 0), (-1, -1), 9)]))
            flow.append(t)
            flow.append(Spacer(1, 10))
    doc.build(flow)
    return buf.getvalue()


def _text(parts: list) -> bytes:
    out = []
    for part in parts:
        kind = part[0]
        if kind == "h":
            out.append(part[1].upper() if len(part) < 3 or part[2] == 1 else part[1])
            out.append("")
        elif kind == "p":
            out += [part[1], ""]
        elif kind == "b":
            out.append(f"- {part[1]}")
        elif kind == "t":
            out += ["\t".join(r) for r in part[1]] + [""]
    return "\n".join(out).encode("utf-8")


# -- the documents -------------------------------------------------------------------

MINUTES = [
    ("h", "Riverside Allotment Society – Committee Meeting Minutes"),
    ("p", "Date: 14 January 2026"), ("p", "Time: 7.00pm"), ("p", "Venue: Riverside Community Centre, Room 2"),
    ("p", "Present: H. Okafor (Chair), P. Lindqvist (Treasurer), D. Marsh, S. Anand, T. Whitcombe"),
    ("p", "Apologies: R. Kowalczyk"),
    ("h", "1. Minutes of the last meeting", 2),
    ("p", "The minutes of the meeting held on 10 December were agreed as a true record."),
    ("h", "2. Treasurer's report", 2),
    ("p", "The balance stands at £2,418.60. Plot rents for the coming year are due by 31 March; "
          "eleven members have already paid."),
    ("h", "3. Water supply", 2),
    ("p", "The stopcock near plot 14 is leaking again. D. Marsh will ask the council's contractor to visit "
          "before the mains are turned back on in March."),
    ("h", "Actions", 2),
    ("t", [["Action", "Owner", "By"], ["Chase plot rents", "PL", "31 Mar"], ["Contact water contractor", "DM", "28 Feb"],
           ["Order woodchip", "SA", "15 Feb"]]),
    ("p", "Date of next meeting: 11 February 2026"),
]

AGENDA = [
    ("h", "Northgate Primary School – Governing Board"),
    ("h", "Agenda for the meeting on Tuesday 3 March 2026, 6pm, school library", 2),
    ("t", [["Item", "Subject", "Lead", "Paper"], ["1", "Welcome and apologies", "Chair", "–"],
           ["2", "Declarations of interest", "Chair", "–"], ["3", "Head teacher's report", "Head", "A"],
           ["4", "Budget monitoring, period 10", "Finance committee", "B"],
           ["5", "Policies for approval: attendance, charging and remissions", "Clerk", "C"],
           ["6", "Governor visits and training", "Vice chair", "D"], ["7", "Any other business", "Chair", "–"]]),
    ("p", "Papers are circulated a week before the meeting. Please send apologies to the clerk at "
          "clerk@northgate.example.org."),
]

INVOICE = [
    ("h", "INVOICE"),
    ("p", "Brightwater Plumbing & Heating Ltd"), ("p", "Unit 4, Canal Side Works, Eastford EF3 9QT"),
    ("p", "VAT reg no: GB 123 4567 89"),
    ("p", "Invoice number: INV-20417"), ("p", "Invoice date: 02/02/2026"), ("p", "Due date: 02/03/2026"),
    ("p", "Bill to: Mrs A. Penhaligon, 27 Orchard Rise, Eastford EF2 4LD"),
    ("t", [["Description", "Qty", "Unit price", "Amount"], ["Replace combi boiler diverter valve", "1", "£145.00", "£145.00"],
           ["Labour (hours)", "2.5", "£48.00", "£120.00"], ["System flush and inhibitor", "1", "£65.00", "£65.00"],
           ["", "", "Subtotal", "£330.00"], ["", "", "VAT 20%", "£66.00"], ["", "", "Total due", "£396.00"]]),
    ("p", "Payment by bank transfer to sort code 00-00-00, account 12345678, quoting the invoice number."),
    ("p", "Thank you for your business."),
]

INVOICE_SIMPLE = [
    ("h", "Invoice 0092"),
    ("p", "From: Kestrel Design Studio, 5 Mill Yard, Westbury WB1 2AA"),
    ("p", "To: Harbour Lights Café"),
    ("p", "Date: 19 January 2026"),
    ("p", "Project: menu boards and window vinyls"),
    ("t", [["Item", "Cost"], ["Design, three concepts and revisions", "£420.00"], ["Printing, A1 boards x 2", "£96.00"],
           ["Window vinyl, fitted", "£180.00"], ["Total", "£696.00"]]),
    ("p", "Terms: 14 days."),
]

CV = [
    ("h", "Priya Raghunathan"),
    ("p", "Address: 9 Beacon Terrace, Northam NM4 7RP"), ("p", "Telephone: 07700 900431"),
    ("p", "Email: priya.r@example.org"), ("p", "Date of birth: 12/05/1994"), ("p", "Driving licence: full, clean"),
    ("h", "Profile", 2),
    ("p", "Qualified environmental health officer with six years' experience of food safety inspections, "
          "housing standards and noise complaints in a busy urban authority."),
    ("h", "Employment", 2),
    ("t", [["2021 – present", "Senior EHO, Northam Borough Council"], ["2018 – 2021", "EHO, Westbury District Council"],
           ["2016 – 2018", "Technical officer (food), Westbury District Council"]]),
    ("h", "Education", 2),
    ("t", [["2012 – 2016", "BSc (Hons) Environmental Health, University of Eastford"],
           ["2010 – 2012", "A levels: Chemistry, Biology, Geography"]]),
    ("h", "Skills", 2),
    ("b", "Level 4 Award in Food Safety"), ("b", "Housing Health and Safety Rating System"), ("b", "Conversational Tamil"),
    ("p", "References available on request."),
]

TIMETABLE = [
    ("h", "Service 42: Eastford – Westbury via Northam"),
    ("p", "Monday to Friday, except bank holidays. Valid from 5 January 2026."),
    ("t", [["Eastford bus station", "06:40", "07:25", "08:10", "09:10", "10:10", "then every hour until", "17:10"],
           ["Market Square", "06:46", "07:32", "08:18", "09:16", "10:16", "", "17:18"],
           ["Northam, Beacon Road", "07:02", "07:50", "08:38", "09:32", "10:32", "", "17:36"],
           ["Westbury Hospital", "07:15", "08:05", "08:55", "09:45", "10:45", "", "17:51"],
           ["Westbury, High Street", "07:22", "08:13", "09:03", "09:52", "10:52", "", "17:59"]]),
    ("p", "Times may vary due to roadworks. Check live times with the Eastford Buses app."),
]

FIXTURES = [
    ("h", "Westbury Wanderers U14 – Spring Fixtures"),
    ("t", [["Date", "Opponent", "Venue", "Kick-off"], ["Sun 11 Jan", "Eastford Rovers", "Home", "10:30"],
           ["Sun 18 Jan", "Northam Juniors", "Away", "11:00"], ["Sun 25 Jan", "Canal Side Colts", "Home", "10:30"],
           ["Sun 1 Feb", "Beacon Park", "Away", "10:00"], ["Sun 8 Feb", "Cup, round 3 (tbc)", "tbc", "tbc"]]),
    ("p", "Players meet 45 minutes before kick-off. Lifts: please tell the manager by Friday."),
]

NEWSLETTER = [
    ("h", "St Anne's C of E Primary – Spring Newsletter"),
    ("p", "What a busy start to the year! Year 4 have been building Roman roads in the playground, Year 6 "
          "visited the science museum and our choir sang at the town's care home, where the residents "
          "joined in every chorus."),
    ("h", "Dates for your diary", 2),
    ("t", [["Book week", "2 – 6 March"], ["Parents' evening", "Tuesday 17 March"], ["Easter service", "Thursday 2 April"],
           ["Term ends", "Friday 3 April, 2pm"]]),
    ("h", "Attendance", 2),
    ("t", [["Class", "Attendance"], ["Rowan", "97.2%"], ["Willow", "95.8%"], ["Oak", "96.4%"], ["Ash", "94.1%"]]),
    ("p", "Well done to Rowan class, who win the attendance cup this half term. Please remember that "
          "holidays in term time cannot be authorised."),
    ("p", "Online safety: our PCSO will talk to Years 5 and 6 about apps and gaming on 10 March. Parents are "
          "welcome to a short session afterwards in the hall."),
]

NEWSLETTER_CLUB = [
    ("h", "Eastford Cycling Club – March bulletin"),
    ("p", "Spring is here and the Sunday rides are back to full length. A big welcome to our eleven new members."),
    ("h", "Ride leaders this month", 2),
    ("t", [["Sunday 1st", "Café ride, 40 miles", "Gareth"], ["Sunday 8th", "Hilly 60", "Marta"],
           ["Sunday 15th", "Beginners' 20", "Jo"], ["Sunday 22nd", "Reliability ride, 100 km", "Femi"]]),
    ("p", "Kit orders: the new jerseys have arrived. Collect yours at the clubhouse on Thursday evenings."),
    ("p", "Website: https://www.eastford-cc.example.org"), ("p", "Contact: secretary@eastford-cc.example.org"),
]

DATASHEET = [
    ("h", "AquaPro 300 Submersible Pump – Data Sheet"),
    ("p", "Model: AP-300"), ("p", "Power supply: 230 V AC, 50 Hz"), ("p", "Rated power: 300 W"),
    ("p", "Maximum flow: 7,500 l/h"), ("p", "Maximum head: 7 m"), ("p", "Outlet: 1 inch BSP"),
    ("p", "Cable length: 10 m"), ("p", "Protection class: IPX8"), ("p", "Weight: 4.2 kg"),
    ("h", "Performance", 2),
    ("t", [["Head (m)", "0", "1", "2", "3", "4", "5", "6"], ["Flow (l/h)", "7500", "6800", "6000", "5000", "3900", "2600", "1200"]]),
    ("p", "Not suitable for pumping flammable liquids or water above 35 °C."),
]

PRICE_LIST = [
    ("h", "Harbour Lights Café"),
    ("h", "Price list", 2),
    ("t", [["Americano", "£2.60"], ["Latte", "£3.10"], ["Flat white", "£3.20"], ["Hot chocolate", "£3.00"],
           ["Pot of tea", "£2.40"], ["Bacon roll", "£3.95"], ["Cheese scone", "£2.75"], ["Soup of the day", "£4.95"]]),
    ("p", "Oat, soya and almond milk 30p. Please tell us about any allergies before ordering."),
]

PRICE_LIST_TRADE = [
    ("h", "Canal Side Timber – Trade Price List 2026"),
    ("t", [["Code", "Product", "Size", "Unit", "Price ex VAT"], ["T101", "Treated sawn timber", "47 x 100", "per m", "£2.35"],
           ["T102", "Treated sawn timber", "47 x 150", "per m", "£3.40"], ["P210", "OSB3 board", "2440 x 1220 x 18", "sheet", "£24.90"],
           ["P220", "Plywood, hardwood faced", "2440 x 1220 x 12", "sheet", "£31.50"], ["F300", "Fence post", "75 x 75 x 2400", "each", "£9.80"]]),
    ("p", "Prices valid until 30 June 2026. Delivery free within 15 miles on orders over £150."),
]

PAYSLIP = [
    ("h", "Payslip"),
    ("p", "Employer: Northam Borough Council"), ("p", "Employee: J. Ferreira"), ("p", "Employee no: 004417"),
    ("p", "Pay date: 27/02/2026"), ("p", "Tax code: 1257L"), ("p", "NI number: QQ 12 34 56 C"),
    ("t", [["Payments", "Amount", "Deductions", "Amount"], ["Basic pay", "£2,645.83", "Income tax", "£319.80"],
           ["Overtime", "£112.40", "National Insurance", "£148.72"], ["", "", "Pension", "£171.98"],
           ["Total", "£2,758.23", "Total", "£640.50"]]),
    ("p", "Net pay: £2,117.73"),
]

BANK_STATEMENT = [
    ("h", "Eastford Building Society – Current Account Statement"),
    ("p", "Account name: Mr D Oyelaran"), ("p", "Sort code: 00-00-00"), ("p", "Account number: 87654321"),
    ("p", "Statement period: 1 January 2026 to 31 January 2026"),
    ("t", [["Date", "Description", "Paid out", "Paid in", "Balance"], ["01 Jan", "Balance brought forward", "", "", "1,204.16"],
           ["03 Jan", "Card payment – Supermarket", "62.40", "", "1,141.76"], ["05 Jan", "Salary", "", "1,980.00", "3,121.76"],
           ["06 Jan", "Direct debit – Energy", "118.00", "", "3,003.76"], ["14 Jan", "Standing order – Rent", "850.00", "", "2,153.76"],
           ["28 Jan", "Card payment – Fuel", "54.10", "", "2,099.66"]]),
]

SCHOOL_REPORT = [
    ("h", "Westbury Academy – End of Year Report"),
    ("p", "Pupil: Amara Nwosu"), ("p", "Tutor group: 8R"), ("p", "Year: 8"), ("p", "Attendance: 96%"),
    ("t", [["Subject", "Attainment", "Effort", "Comment"],
           ["English", "Secure", "1", "Amara writes with confidence and reads widely."],
           ["Maths", "Developing", "2", "Practise fractions and ratio over the summer."],
           ["Science", "Secure", "1", "Careful and accurate practical work."],
           ["History", "Excelling", "1", "Her essay on the Tudors was outstanding."]]),
    ("p", "Tutor's comment: A positive year. Amara has been a kind and reliable member of the form."),
]

CONSENT_SLIP = [
    ("h", "Year 5 Visit to Westbury Castle – Consent Form"),
    ("p", "Date of visit: Thursday 23 April 2026. Cost: £8.50, payable on ParentPay by 10 April."),
    ("p", "Child's name: ______________________"), ("p", "Class: ______________________"),
    ("p", "Medical needs or allergies: ______________________"),
    ("p", "Emergency contact number: ______________________"),
    ("p", "I give permission for my child to go on the visit.  ☐ Yes  ☐ No"),
    ("p", "Signed (parent/carer): ______________________   Date: __________"),
]

EXPENSES = [
    ("h", "Expenses Claim Form"),
    ("t", [["Name", ""], ["Department", ""], ["Cost code", ""], ["Month", ""]]),
    ("t", [["Date", "Description", "Miles", "Amount"], ["", "", "", ""], ["", "", "", ""], ["", "", "", ""]]),
    ("p", "Receipts attached:  ☐ Yes  ☐ No"),
    ("p", "Claimant's signature: ..................   Approved by: ..................   Date: ..........."),
]

RISK_ASSESSMENT = [
    ("h", "Risk Assessment – Year 3 Trip to Eastford Farm Park"),
    ("p", "Completed by: Mr T. Adeyemi"), ("p", "Date: 02/03/2026"), ("p", "Number of pupils: 58"),
    ("p", "Staff ratio: 1:6"),
    ("t", [["Hazard", "Who might be harmed", "Control measures", "Risk level"],
           ["Road crossing at car park", "Pupils, staff", "Cross at the marked crossing in groups with an adult", "Low"],
           ["Contact with animals", "Pupils", "Hand washing at every exit; no eating in animal areas", "Medium"],
           ["Pupil becomes separated", "Pupils", "Head counts at each area; meeting point agreed; staff phones", "Low"],
           ["Weather", "All", "Check forecast; sun cream and water; wet-weather plan indoors", "Low"]]),
    ("p", "Approved by the educational visits coordinator on 04/03/2026."),
]

POLICY = [
    ("h", "Riverside Youth Theatre – Safeguarding Policy (summary)"),
    ("p", "Riverside Youth Theatre works with children and young people aged 8 to 18. Everyone who volunteers "
          "or works with us has a duty to keep them safe, and this policy sets out how we do that."),
    ("p", "All staff and volunteers have an enhanced DBS check, complete safeguarding training every two years "
          "and follow our code of conduct, which is given to them when they join."),
    ("h", "Key contacts", 2),
    ("t", [["Designated Safeguarding Lead", "Ms R. Delacroix, 07700 900517"], ["Deputy DSL", "Mr K. Obi, 07700 900518"],
           ["Local authority front door", "01632 960555"], ["Police (non-emergency)", "101"], ["Emergency", "999"]]),
    ("p", "The policy is reviewed every year by the trustees. Last reviewed: January 2026."),
]

PRESS_RELEASE = [
    ("h", "Press release: New library opens in Northam"),
    ("p", "For immediate release – 9 February 2026"),
    ("p", "Northam's new library and community hub opens its doors on Saturday 14 February, with a "
          "makerspace, a children's area and study rooms that residents can book free of charge."),
    ("p", "The building replaces the 1960s library on Beacon Road and was paid for by the council and a "
          "national lottery grant. Opening hours are longer than before, including Sunday afternoons."),
    ("p", "Notes to editors:"), ("p", "Media contact: press@northam.example.org, 01632 960200"),
    ("p", "Photographs: https://www.northam.example.org/press"),
]

JOB_DESCRIPTION = [
    ("h", "Job Description"),
    ("t", [["Job title", "Library and Information Assistant"], ["Grade", "Scale 3"], ["Hours", "22.5 per week"],
           ["Reports to", "Library Manager"], ["Location", "Northam Library"]]),
    ("h", "Main duties", 2),
    ("b", "Help customers find books and information and use the public computers."),
    ("b", "Issue, return and reserve items, and take payments for fines and room hire."),
    ("b", "Run rhyme time and homework club sessions with the children's librarian."),
    ("h", "Person specification", 2),
    ("t", [["Essential", "Good customer service; confident with computers; able to work Saturdays"],
           ["Desirable", "Experience of working with children; a second language"]]),
]

RECIPE = [
    ("h", "Lentil and Spinach Soup"),
    ("p", "Serves: 4"), ("p", "Preparation: 10 minutes"), ("p", "Cooking: 35 minutes"),
    ("h", "Ingredients", 2),
    ("t", [["Red lentils", "200 g"], ["Onion, chopped", "1"], ["Garlic cloves", "2"], ["Ground cumin", "1 tsp"],
           ["Vegetable stock", "1.2 litres"], ["Spinach", "100 g"], ["Lemon", "½"]]),
    ("h", "Method", 2),
    ("p", "Soften the onion in a little oil for five minutes, add the garlic and cumin and stir for a minute more."),
    ("p", "Add the lentils and stock, bring to the boil and simmer for 25 minutes until the lentils collapse. "
          "Stir in the spinach, season and add lemon juice to taste."),
]

BOOKING = [
    ("h", "Booking confirmation"),
    ("p", "Thank you for booking with Westbury Holiday Cottages."),
    ("p", "Booking reference: WHC-58213"), ("p", "Property: Swallow Barn, sleeps 6"),
    ("p", "Arrival: Friday 22 May 2026, from 4pm"), ("p", "Departure: Friday 29 May 2026, by 10am"),
    ("p", "Guests: 4 adults, 2 children"), ("p", "Total paid: £1,140.00"),
    ("p", "Key collection: the key safe code will be sent 48 hours before arrival."),
]

INVENTORY = [
    ("h", "Inventory and Schedule of Condition"),
    ("p", "Property: Flat 3, 18 Harbour Street, Eastford"), ("p", "Date of inspection: 30/01/2026"),
    ("t", [["Room / item", "Description", "Condition"], ["Hallway – carpet", "Grey cord", "Good, slight wear at door"],
           ["Kitchen – oven", "Electric, single", "Clean, working"], ["Kitchen – fridge freezer", "Under counter", "Good"],
           ["Bedroom – bed", "Double, with mattress", "Good, mattress protector fitted"],
           ["Bathroom – shower", "Electric, over bath", "Working, limescale on head"]]),
    ("p", "Signed by landlord: ............   Signed by tenant: ............"),
]

PRINTED_EMAIL = [
    ("p", "From: Marcus Bell <m.bell@example.org>"), ("p", "Sent: 04 March 2026 09:12"),
    ("p", "To: Office <office@example.org>"), ("p", "Cc:"), ("p", "Subject: Room booking for the training day"),
    ("p", "Hi all,"),
    ("p", "Could we book the large meeting room for the first-aid training on 19 March, 9.30 to 4? We will need "
          "the projector and space for twelve people, and lunch will be delivered at 12.30."),
    ("p", "Thanks, Marcus"),
]

# name -> (builder, parts)
DOCUMENTS: dict[str, tuple[Callable[[list], bytes], list]] = {
    "minutes.docx": (_docx, MINUTES),
    "agenda.pdf": (_pdf, AGENDA),
    "invoice.pdf": (_pdf, INVOICE),
    "invoice-simple.docx": (_docx, INVOICE_SIMPLE),
    "cv.docx": (_docx, CV),
    "cv.pdf": (_pdf, CV),
    "timetable.pdf": (_pdf, TIMETABLE),
    "fixtures.docx": (_docx, FIXTURES),
    "newsletter.docx": (_docx, NEWSLETTER),
    "newsletter-club.pdf": (_pdf, NEWSLETTER_CLUB),
    "datasheet.pdf": (_pdf, DATASHEET),
    "datasheet.txt": (_text, DATASHEET),
    "price-list.docx": (_docx, PRICE_LIST),
    "price-list-trade.pdf": (_pdf, PRICE_LIST_TRADE),
    "payslip.pdf": (_pdf, PAYSLIP),
    "bank-statement.pdf": (_pdf, BANK_STATEMENT),
    "school-report.docx": (_docx, SCHOOL_REPORT),
    "consent-slip.docx": (_docx, CONSENT_SLIP),
    "expenses-claim.docx": (_docx, EXPENSES),
    "risk-assessment.docx": (_docx, RISK_ASSESSMENT),
    "safeguarding-policy.pdf": (_pdf, POLICY),
    "press-release.docx": (_docx, PRESS_RELEASE),
    "job-description.docx": (_docx, JOB_DESCRIPTION),
    "recipe.txt": (_text, RECIPE),
    "booking.pdf": (_pdf, BOOKING),
    "inventory.docx": (_docx, INVENTORY),
    "printed-email.pdf": (_pdf, PRINTED_EMAIL),
}


def documents() -> dict[str, bytes]:
    return {name: build(parts) for name, (build, parts) in DOCUMENTS.items()}


if __name__ == "__main__":
    out = Path(sys.argv[1])
    out.mkdir(parents=True, exist_ok=True)
    for name, data in documents().items():
        (out / name).write_bytes(data)
    print(f"{len(DOCUMENTS)} documents -> {out}")
