"""The assessment summary as a PDF: a plain, GOV.UK-like A4 document with ReportLab — the council's
name and address, the date and reference, the addressee, black text in a sans-serif face, no crest or
crown. It is built with ReportLab's `invariant` option from the content stored on the summary, so the
same content always gives the same bytes: a summary downloaded later is the summary that was sent.

Summaries replaced the outcome letters; a letter sent before then (content version 1) is still laid
out as the letter it was.
"""

from __future__ import annotations

import io
import re
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.enums import TA_RIGHT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import KeepTogether, Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from commissioning.models import AssessmentSummary

BLACK = colors.HexColor("#0b0c0c")
GREY = colors.HexColor("#505a5f")
RULE = colors.HexColor("#b1b4b6")
FONT, BOLD = "Helvetica", "Helvetica-Bold"
WIDTH = A4[0] - 40 * mm

STYLES = {
    "council": ParagraphStyle("council", fontName=BOLD, fontSize=18, leading=22, textColor=BLACK),
    "address": ParagraphStyle("address", fontName=FONT, fontSize=9.5, leading=12.5, textColor=GREY),
    "right": ParagraphStyle("right", fontName=FONT, fontSize=10.5, leading=14, textColor=BLACK, alignment=TA_RIGHT),
    "body": ParagraphStyle("body", fontName=FONT, fontSize=10.5, leading=15, textColor=BLACK, spaceAfter=7),
    "h1": ParagraphStyle("h1", fontName=BOLD, fontSize=15, leading=19, textColor=BLACK, spaceBefore=6, spaceAfter=9),
    "h2": ParagraphStyle("h2", fontName=BOLD, fontSize=12, leading=16, textColor=BLACK, spaceBefore=9, spaceAfter=5),
    "cell": ParagraphStyle("cell", fontName=FONT, fontSize=9.5, leading=12.5, textColor=BLACK),
    "cell_bold": ParagraphStyle("cell_bold", fontName=BOLD, fontSize=9.5, leading=12.5, textColor=BLACK),
    "bullet": ParagraphStyle(
        "bullet", fontName=FONT, fontSize=10.5, leading=15, textColor=BLACK, leftIndent=12, bulletIndent=0, spaceAfter=4
    ),
}


def _p(text, style: str = "body") -> Paragraph:
    return Paragraph(escape(str(text)), STYLES[style])


def _bullets(items: list[str]) -> list[Paragraph]:
    return [Paragraph(escape(item), STYLES["bullet"], bulletText="•") for item in items]


def _table(header: list[str], rows: list[list], widths: list[float]) -> Table:
    data = [[_p(cell, "cell_bold") for cell in header]] + [
        [cell if isinstance(cell, Paragraph) else _p(cell, "cell") for cell in row] for row in rows
    ]
    table = Table(data, colWidths=[share * WIDTH for share in widths], repeatRows=1, hAlign="LEFT")
    table.setStyle(
        TableStyle(
            [
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("LINEBELOW", (0, 0), (-1, 0), 1, BLACK),
                ("LINEBELOW", (0, 1), (-1, -1), 0.5, RULE),
                ("LEFTPADDING", (0, 0), (-1, -1), 3),
                ("RIGHTPADDING", (0, 0), (-1, -1), 6),
                ("TOPPADDING", (0, 0), (-1, -1), 4),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 5),
            ]
        )
    )
    return table


def _heading(content: dict, draft: bool) -> list:
    """The council's name and address, the date and reference, the addressee and the subject."""
    council = content["council"]
    contact = [part for part in (council.get("phone"), council.get("email"), council.get("website")) if part]
    story = [_p(council["name"], "council"), Spacer(1, 2 * mm)]
    story += [_p(line, "address") for line in council.get("address", [])]
    if contact:
        story.append(_p(" · ".join(contact), "address"))
    story.append(Spacer(1, 8 * mm))
    story.append(_p(content["date_text"], "right"))
    story.append(_p(f"Our reference: {content['reference']}", "right"))
    story.append(Spacer(1, 4 * mm))
    story += [_p(content["to"]["organisation"], "body")]
    story += [_p(line, "address") for line in content["to"].get("address", [])]
    story.append(Spacer(1, 6 * mm))
    if draft:
        story.append(_p("DRAFT: not sent. The officers are still checking this summary.", "h2"))
    story.append(_p(content["subject"], "h1"))
    story.append(_p(f"{content['greeting']},"))
    return story


def _won(content: dict) -> list:
    if not content["won"]:
        return []
    rows = [[row["what"], row["value_text"], row["note"]] for row in content["won"]]
    return [_table(["What", "Value", "Notes"], rows, [0.42, 0.18, 0.40]), Spacer(1, 4 * mm)]


def _free_text(text: str) -> list:
    """The officers' own paragraphs: blank lines separate them."""
    return [_p(" ".join(block.split())) for block in (text or "").split("\n\n") if block.strip()]


def _closing(content: dict) -> list:
    story = []
    if content.get("tie_breaks"):
        story.append(_p("How a tie was decided", "h2"))
        story += [_p(line) for line in content["tie_breaks"]]
    if content.get("feedback"):
        story.append(_p("Our feedback", "h2"))
        story += _free_text(content["feedback"])
    if content["next_steps"]:
        story.append(_p("Next steps", "h2"))
        story += _bullets(content["next_steps"])
    story += _free_text(content.get("closing", ""))
    signatory = content["signatory"]
    closing = ["Yours faithfully,", "", signatory["name"]]
    if signatory.get("job_title"):
        closing.append(signatory["job_title"])
    closing.append(signatory["council"])
    story.append(Spacer(1, 6 * mm))
    story.append(KeepTogether([_p(line) if line else Spacer(1, 4 * mm) for line in closing]))
    return story


def _summary_story(content: dict) -> list:
    paragraphs = list(content["paragraphs"])
    story = _free_text(content.get("opening", "")) + [_p(paragraphs.pop(0))] + _won(content)
    story += [_p(text) for text in paragraphs]
    supplier = content["supplier"]
    story.append(_p("The supplier", "h2"))
    story.append(
        _table(
            ["Name", "Address", "Email", "Unique identifier"],
            [
                [
                    supplier["name"],
                    ", ".join(supplier["address"]) or "Not recorded",
                    supplier["email"],
                    supplier["identifier"] or "Not recorded",
                ]
            ],
            [0.26, 0.30, 0.24, 0.20],
        )
    )
    method = content["method"]
    story.append(_p("How tenders were assessed", "h2"))
    story.append(_p(method["text"]))
    story.append(_table(["Score", "Meaning"], [[row["score"], row["label"]] for row in method["scores"]], [0.15, 0.85]))
    story.append(Spacer(1, 3 * mm))
    story.append(_p(method["full_criteria"]))
    if content["criteria"]:
        totals = content["totals"]
        rows = [[row["title"], f"{row['weight']}%", row["score_text"], row["points"]] for row in content["criteria"]]
        rows.append(["Quality sub-total", "", "", totals["quality_points"]])
        if totals.get("priced"):
            rows.append(["Price sub-total", "", "", totals["price_points"]])
        rows.append([_p("Total", "cell_bold"), "", "", _p(f"{totals['total']} out of 100", "cell_bold")])
        story.append(_p("Your tender's scores", "h2"))
        story.append(_table(["Award criterion", "Weighting", "Score", "Points"], rows, [0.46, 0.14, 0.24, 0.16]))
        story.append(_p("Why each score was given", "h2"))
        for row in content["criteria"]:
            part = [_p(f"{row['title']} ({row['weight']}%): {row['score_text']}", "cell_bold")]
            if row.get("description"):
                part.append(_p(f"The criterion: {row['description']}", "address"))
            part.append(_p(row["explanation"]))
            story.append(KeepTogether(part))
    if content["reasons"]:
        story.append(_p("Why your bid was not successful", "h2"))
        story += _bullets(content["reasons"])
    return story


def _letter_story(content: dict) -> list:
    """An outcome letter as sent before assessment summaries replaced it (content version 1)."""
    paragraphs = list(content["paragraphs"])
    story = [_p(paragraphs.pop(0))] + _won(content) + [_p(text) for text in paragraphs]
    if content["excluded_reasons"]:
        story.append(_p("Why your bid was excluded", "h2"))
        story += _bullets(content["excluded_reasons"])
    if content["criteria"]:
        story.append(_p("Your scores", "h2"))
        max_score = content["criteria"][0]["max_score"]
        story.append(
            _p(
                f"Each criterion was scored from 0 to {max_score} and weighted; points are out of 100 in all. "
                "The successful bid's scores are shown beside yours."
            )
        )
        rows = [
            [r["title"], f"{r['weight']}%", r["score_text"], r["points"], r["winner_score_text"], r["winner_points"]]
            for r in content["criteria"]
        ]
        header = ["Criterion", "Weight", "Your score", "Your points", "Successful bid", "Its points"]
        story.append(_table(header, rows, [0.30, 0.10, 0.17, 0.12, 0.17, 0.14]))
        story.append(_p("Feedback on each criterion", "h2"))
        for row in content["criteria"]:
            if row["feedback"]:
                story.append(KeepTogether([_p(row["title"], "cell_bold"), _p(row["feedback"])]))
    if content["advantages"]:
        story.append(_p("The successful bid's relative advantages", "h2"))
        story += _bullets(content["advantages"])
    if content["strengths"]:
        story.append(_p("Where your bid scored higher", "h2"))
        story += _bullets(content["strengths"])
    return story


def summary_pdf(content: dict, *, draft: bool = False) -> bytes:
    """The summary (or a letter sent before summaries) as an A4 PDF, marked as a draft when it is one.
    The same content always gives the same bytes."""
    buffer = io.BytesIO()
    council = content["council"]

    def footer(canvas, doc):
        canvas.saveState()
        canvas.setFont(FONT, 8.5)
        canvas.setFillColor(GREY)
        canvas.drawString(20 * mm, 12 * mm, f"{council['name']} · {content['reference']}")
        canvas.drawRightString(A4[0] - 20 * mm, 12 * mm, f"Page {doc.page}")
        canvas.restoreState()

    document = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=20 * mm,
        rightMargin=20 * mm,
        topMargin=18 * mm,
        bottomMargin=22 * mm,
        title=content["subject"],
        author=council["name"],
        subject=content["subject"],
        invariant=1,
    )
    body = _summary_story(content) if content.get("version", 1) >= 2 else _letter_story(content)
    document.build(_heading(content, draft) + body + _closing(content), onFirstPage=footer, onLaterPages=footer)
    return buffer.getvalue()


def filename(summary: AssessmentSummary) -> str:
    content = summary.content
    if content.get("version", 1) >= 2:
        kind = "assessment-summary" if summary.is_sent else "assessment-summary-draft"
    else:
        kind = "award-letter" if summary.successful else "outcome-letter"
    reference = re.sub(r"[^A-Za-z0-9-]+", "-", content.get("opportunity", {}).get("reference", "summary"))
    return f"{reference}-{kind}-{summary.bid_id}.pdf"
