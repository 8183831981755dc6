"""A draft section 116 notice as a PDF (reportlab): the West Midlands
toolkit's Appendix 2 wording (config/s116_notice.toml) with the
establishment's name and address filled in and every blank the inspector
must decide left blank, marked DRAFT on every page. intake never serves a
notice; it saves an officer typing the parts the reports already hold."""

from __future__ import annotations

import functools
import io
import tomllib
from importlib import resources
from xml.sax.saxutils import escape

from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import getSampleStyleSheet
from reportlab.lib.units import mm
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer


@functools.lru_cache(maxsize=1)
def _wording() -> dict:
    return tomllib.loads(resources.files("intake.config").joinpath("s116_notice.toml").read_text(encoding="utf-8"))


def _latin(s: str) -> str:
    # The PDF's standard fonts cover Windows-1252 only.
    return s.encode("cp1252", "replace").decode("cp1252")


def notice_pdf(establishment: str, address: str | None) -> bytes:
    w = _wording()
    place = ", ".join(p for p in (establishment.strip(), (address or "").strip()) if p)
    fill = {"establishment": escape(_latin(place)) if place else w["blank"], "blank": w["blank"]}
    styles = getSampleStyleSheet()
    body, small = styles["BodyText"], styles["BodyText"].clone("small", fontSize=8, leading=10)
    story = [Paragraph(escape(w["draft_note"]), styles["Italic"]), Spacer(1, 4 * mm),
             Paragraph(escape(w["marking"]), styles["Normal"]), Paragraph(escape(w["title"]), styles["Title"]),
             Paragraph(f"<b>{escape(w['heading'])}</b>", body), Paragraph(f"<b>{escape(w['act'])}</b>", body)]
    for para in w["paragraphs"]:
        story.append(Paragraph(para.format(**fill), body))
    story.append(Spacer(1, 4 * mm))
    for label, explain in w["signature"]:
        story.append(Paragraph(f"{escape(label)} {w['blank']} {escape(explain)}", body))
    story += [Spacer(1, 6 * mm), Paragraph(escape(w["appendix_title"]), styles["Heading2"])]
    story += [Paragraph(escape(_latin(p)), small) for p in w["appendix"]]
    story.append(Paragraph(escape(w["marking"]), styles["Normal"]))

    def mark(canvas, doc):
        canvas.saveState()
        canvas.setFont("Helvetica-Bold", 90)
        canvas.setFillGray(0.85)
        canvas.translate(A4[0] / 2, A4[1] / 2)
        canvas.rotate(45)
        canvas.drawCentredString(0, 0, w["draft"])
        canvas.restoreState()
        canvas.setFont("Helvetica-Bold", 10)
        canvas.drawString(18 * mm, A4[1] - 12 * mm, f"{w['draft']} - {w['marking']}")
        canvas.drawRightString(A4[0] - 18 * mm, 10 * mm, f"{w['draft']} - page {doc.page}")

    buf = io.BytesIO()
    SimpleDocTemplate(buf, pagesize=A4, title=f"{w['draft']} section 116 notice", author="intake (draft)",
                      leftMargin=18 * mm, rightMargin=18 * mm, topMargin=18 * mm, bottomMargin=16 * mm
                      ).build(story, onFirstPage=mark, onLaterPages=mark)
    return buf.getvalue()
