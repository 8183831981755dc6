"""A form from an agency none of the packaged templates knows: a Youth
Offending Service "Exploitation Concern Form", as Word (python-docx) and as
its PDF (LibreOffice), filled with the values given. Used to teach intake a
new form in the review tests."""

from __future__ import annotations

import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

TITLE = "Youth Offending Service – Exploitation Concern Form"
LABELS = {
    "report_datetime": "Date concern raised",
    "submitter.name": "YOS worker completing this form",
    "submitter.role": "Worker's role",
    "submitter.contact": "Worker's phone or secure e-mail",
    "subject.name": "Young person's full name",
    "subject.dob": "Young person's date of birth",
    "subject.address": "Young person's home address",
    "incident.narrative": "Describe the exploitation concern",
    "incident.alleged_offenders": "Adults or peers believed to be exploiting them",
}


@dataclass
class Filled:
    report_datetime: str
    submitter_name: str
    submitter_role: str
    submitter_contact: str
    subject_name: str
    subject_dob: str
    subject_address: str
    narrative: str
    offenders: str

    def value(self, key: str) -> str:
        return getattr(self, {"incident.narrative": "narrative", "incident.alleged_offenders": "offenders"}
                       .get(key, key.replace(".", "_")))


FIRST = Filled("14/03/2026 10:20", "Dana Whitlock", "YOS case manager", "01632 960114",
               "Tyler Marsh", "02/05/2010", "17 Alder Close, Wexham",
               "Tyler has been seen with older youths near Wexham station carrying packages. He has a second phone "
               "and new trainers and has missed three appointments.",
               "A man called Reece, about 20, drives a black Seat Leon")
SECOND = Filled("21/03/2026 15:45", "Priya Okafor", "YOS support officer", "01632 960388",
                "Mason Clegg", "11/09/2009", "4 Birch Lane, Calworth",
                "Mason said he owes money to someone called Jay and is told to run bags to Calworth after school. "
                "His mum found cash hidden in his room.",
                "Jay, a tall man in his thirties, with a blue Ford Transit")


def make_docx(path: Path, f: Filled) -> Path:
    from docx import Document

    d = Document()
    d.add_heading(TITLE, level=1)
    d.add_paragraph("Westmoor Youth Offending Service. Complete every box you can and send it to the "
                    "exploitation hub on the same working day.")
    t = d.add_table(rows=0, cols=2)
    t.style = "Table Grid"
    for key, label in LABELS.items():
        row = t.add_row().cells
        row[0].text = label
        row[1].text = f.value(key)
    d.add_paragraph("Retain a copy on the young person's YOS file.")
    d.save(str(path))
    return path


def make_pdf(path: Path, f: Filled) -> Path:
    """The Word form printed to PDF by LibreOffice, as a partner would."""
    with tempfile.TemporaryDirectory(prefix="yos-") as tmp:
        src = make_docx(Path(tmp) / (path.stem + ".docx"), f)
        subprocess.run(["soffice", "--headless", f"-env:UserInstallation=file://{tmp}/profile", "--convert-to",
                        "pdf", "--outdir", tmp, str(src)], check=True, capture_output=True, timeout=180)
        path.write_bytes((Path(tmp) / (path.stem + ".pdf")).read_bytes())
    return path


DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def mail_with(path: Path, n: int, sender: str = "duty.worker@westmoor-yos.example.org") -> bytes:
    """An e-mail from the YOS with the form attached."""
    from datetime import datetime, timezone
    from email.message import EmailMessage
    from email.utils import format_datetime

    m = EmailMessage()
    m["From"] = sender
    m["To"] = "intel@example.police.uk"
    m["Subject"] = "Exploitation concern form"
    m["Date"] = format_datetime(datetime(2026, 3, 14 + n, 11, 0, tzinfo=timezone.utc))
    m["Message-ID"] = f"<yos-{n}-{path.suffix[1:]}@westmoor-yos.example.org>"
    m.set_content("Please find our concern form attached.\n\nWestmoor YOS duty desk\n")
    kind = ("application", "pdf") if path.suffix == ".pdf" else tuple(DOCX.split("/"))
    m.add_attachment(path.read_bytes(), maintype=kind[0], subtype=kind[1], filename=path.name)
    return bytes(m)


def replay(settings, store, path: Path, n: int) -> str:
    """The form's e-mail through the real pipeline; the public id of the
    attachment's document."""
    from sqlalchemy import select

    from intake.analysis.workers import InlineAnalyser
    from intake.ingest.processing.one_message import Pipeline
    from intake.store.models import DocumentRow
    from intake.types import RawMessage

    with Pipeline(store, settings, analyser=InlineAnalyser(settings)) as pipe:
        pipe.process(RawMessage(f"eml:/yos/{n}-{path.name}", mail_with(path, n)))
    with store.session() as s:
        return s.scalars(select(DocumentRow.public_id).where(DocumentRow.kind == "attachment")
                         .order_by(DocumentRow.id.desc()).limit(1)).first()
