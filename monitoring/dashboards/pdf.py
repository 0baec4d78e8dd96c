"""The council's printed papers (the meeting pack, the scrutiny progress report) drawn with reportlab:
one set of styles, tables and page furniture, so every paper the service prints looks the same."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from io import BytesIO
from xml.sax.saxutils import escape

from django.utils import timezone
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle, getSampleStyleSheet
from reportlab.lib.units import mm
from reportlab.platypus import Paragraph, SimpleDocTemplate, Table, TableStyle

BLACK = colors.HexColor("#0b0c0c")
GREY = colors.HexColor("#b1b4b6")
LIGHT = colors.HexColor("#f3f2f1")


def long_date(day: date | datetime | None) -> str:
    """Dates the council's way: 24 November 2026."""
    if day is None:
        return ""
    if isinstance(day, datetime):
        day = timezone.localtime(day).date()
    return f"{day.day} {day:%B %Y}"


def pdf_styles() -> dict[str, ParagraphStyle]:
    sample = getSampleStyleSheet()
    body = ParagraphStyle("Body", parent=sample["BodyText"], fontName="Helvetica", fontSize=9.5, leading=12)
    return {
        "title": ParagraphStyle("Title", parent=sample["Title"], fontName="Helvetica-Bold", fontSize=20, leading=24),
        "h2": ParagraphStyle("H2", parent=sample["Heading2"], fontName="Helvetica-Bold", fontSize=14, leading=17),
        "h3": ParagraphStyle("H3", parent=sample["Heading3"], fontName="Helvetica-Bold", fontSize=10.5, leading=13),
        "h4": ParagraphStyle("H4", parent=sample["Heading4"], fontName="Helvetica-Bold", fontSize=9.5, leading=12),
        "body": body,
        "cell": ParagraphStyle("Cell", parent=body, fontSize=8.5, leading=10.5),
        "cell_right": ParagraphStyle("CellRight", parent=body, fontSize=8.5, leading=10.5, alignment=2),
    }


def para(text, style) -> Paragraph:
    """A paragraph of plain text (escaped: what people typed is never read as markup)."""
    return Paragraph(escape(str(text)), style)


def pdf_table(header: list[str], rows: list[list], styles, widths, numeric: set[int] = frozenset()) -> Table:
    def cell(index, value):
        return para(value, styles["cell_right" if index in numeric else "cell"])

    data = [[cell(i, h) for i, h in enumerate(header)]] + [[cell(i, v) for i, v in enumerate(row)] for row in rows]
    table = Table(data, colWidths=widths, repeatRows=1, hAlign="LEFT")
    table.setStyle(
        TableStyle(
            [
                ("FONTNAME", (0, 0), (-1, 0), "Helvetica-Bold"),
                ("BACKGROUND", (0, 0), (-1, 0), LIGHT),
                ("LINEBELOW", (0, 0), (-1, -1), 0.5, GREY),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("TOPPADDING", (0, 0), (-1, -1), 3),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 3),
            ]
        )
    )
    return table


def a4_pdf(*, council_name: str, title: str, subject: str, story: Callable[[float], list]) -> bytes:
    """An A4 paper with the council's footer (name, title, date, page) on every page; `story(width)`
    gives the flowables for the printable width."""
    buffer = BytesIO()
    document = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=15 * mm,
        rightMargin=15 * mm,
        topMargin=15 * mm,
        bottomMargin=18 * mm,
        title=f"{title} – {council_name}",
        author=council_name,
        subject=subject,
        creator="Commissioner",
        lang="en-GB",
    )
    today = long_date(timezone.localdate())

    def footer(canvas, doc):
        canvas.saveState()
        canvas.setFont("Helvetica", 8)
        canvas.setFillColor(BLACK)
        canvas.drawString(15 * mm, 10 * mm, f"{council_name} – {title} – {today}")
        canvas.drawRightString(A4[0] - 15 * mm, 10 * mm, f"Page {doc.page}")
        canvas.restoreState()

    document.build(story(document.width), onFirstPage=footer, onLaterPages=footer)
    return buffer.getvalue()
