"""Outcome letters: what each bidder is told, built from the signed-off evaluation, and the PDF.

`build_letters` writes the content of every letter as plain data (kept as sent in
`OutcomeLetter.content`); `letter_pdf` lays any such content out as a plain, GOV.UK-like A4 letter
with ReportLab — the council's name and address, the date, black text in a sans-serif face, no crest
or crown. The PDF is built with ReportLab's `invariant` option, so the same content always gives the
same bytes: a letter downloaded later is the letter that was sent.

- A winning bid gets the award letter: what it won (lot, value, note), the decision, its rank and
  total, the standstill end date where one applies, and the next steps.
- Every other eligible bid gets its rank and total, its moderated score, points and feedback on each
  criterion beside the winner's, and the winner's relative advantages (where it scored higher, with
  the panel's reasons), as well as where it did better than the winner.
- A bid excluded at the compliance checks gets the reasons.
"""

from __future__ import annotations

import io
import re
from collections import defaultdict
from datetime import date, timedelta
from decimal import Decimal
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.enums import TA_RIGHT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import KeepTogether, Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from commissioning.award import selectors
from commissioning.models import Award, AwardItem, Bid, DecisionMaker, DeliveryRoute, OutcomeLetter
from councils.formatting import money

AWARD, UNSUCCESSFUL, EXCLUDED = "award", "unsuccessful", "excluded"
CONTENT_VERSION = 1


def _lines(text: str) -> list[str]:
    return [line.strip() for line in (text or "").splitlines() if line.strip()]


def _ordinal(number: int) -> str:
    suffix = "th" if 10 <= number % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(number % 10, "th")
    return f"{number}{suffix}"


def _score_words(score: int | None, scale: list[str]) -> str:
    if score is None:
        return "–"
    label = scale[score] if 0 <= score < len(scale) else ""
    return f"{score} ({label.lower()})" if label else str(score)


def _what(item: AwardItem, route: str) -> str:
    if item.lot is not None:
        return selectors.lot_name(item.lot)
    return "The grant" if route == DeliveryRoute.GRANT else "The contract"


def _base(award: Award, bid: Bid, kind: str, *, sent_on: date, signatory) -> dict:
    council, opportunity = award.council, award.opportunity
    organisation = bid.organisation
    decision_maker = award.get_decision_maker_display()
    return {
        "version": CONTENT_VERSION,
        "kind": kind,
        "council": {
            "name": council.name,
            "address": _lines(council.address),
            "email": council.contact_email,
            "phone": council.contact_phone,
            "website": council.website,
        },
        "date": sent_on.isoformat(),
        "date_text": selectors.day(sent_on),
        "reference": f"{opportunity.reference}/L{bid.pk}",
        "to": {
            "organisation": str(organisation),
            "address": _lines(organisation.registered_address)
            + ([organisation.postcode] if organisation.postcode else []),
        },
        "opportunity": {"reference": opportunity.reference, "title": opportunity.title},
        "subject": (
            f"Award of {opportunity.reference} {opportunity.title}"
            if kind == AWARD
            else f"Outcome of your bid for {opportunity.reference} {opportunity.title}"
        ),
        "greeting": f"Dear {organisation}",
        "decision": {
            "maker": decision_maker,
            "reference": award.decision_reference,
            "decided_on": award.decided_on.isoformat() if award.decided_on else None,
            "decided_on_text": selectors.day(award.decided_on),
            "effective_from_text": selectors.day(award.effective_from()),
        },
        "standstill": {
            "applies": award.standstill_applies,
            "working_days": council.standstill_working_days,
            "ends_on": award.standstill_ends_on.isoformat() if award.standstill_ends_on else None,
            "ends_on_text": selectors.day(award.standstill_ends_on),
        },
        "paragraphs": [],
        "won": [],
        "ranking": None,
        "criteria": [],
        "advantages": [],
        "strengths": [],
        "excluded_reasons": [],
        "next_steps": [],
        "signatory": {
            "name": str(signatory),
            "job_title": getattr(signatory, "job_title", ""),
            "council": council.name,
        },
        "contact": council.contact_email,
    }


def _standstill_paragraph(award: Award, *, winner: bool) -> str:
    if not award.standstill_applies or award.standstill_ends_on is None:
        return ""
    ends = selectors.day(award.standstill_ends_on)
    days = award.council.standstill_working_days
    if winner:
        return (
            f"This letter starts a standstill period of {days} working days, which ends at midnight at the end of "
            f"{ends}. The contract cannot be signed before then."
        )
    return (
        f"This letter starts a standstill period of {days} working days, which ends at midnight at the end of "
        f"{ends}. The contract will not be signed before then: if you have concerns about the decision, please "
        "tell us during this period."
    )


DECIDED_BY = {
    DecisionMaker.DELEGATED_OFFICER: "by the lead commissioner under delegated powers",
    DecisionMaker.PORTFOLIO_HOLDER: "by the portfolio holder",
    DecisionMaker.CABINET: "by cabinet",
}


def _decision_sentence(award: Award) -> str:
    reference = f" (reference {award.decision_reference})" if award.decision_reference else ""
    return (
        f"The decision was taken {DECIDED_BY.get(award.decision_maker, '')} on {selectors.day(award.decided_on)}"
        f"{reference} and has had effect since {selectors.day(award.effective_from())}."
    )


def _criteria_rows(own, winner, scale: list[str], max_score: int) -> list[dict]:
    theirs = {c.criterion_id: c for c in winner.criteria} if winner else {}
    rows = []
    for criterion in own.criteria:
        other = theirs.get(criterion.criterion_id)
        rows.append(
            {
                "title": criterion.title,
                "weight": criterion.weight,
                "is_price": criterion.is_price,
                "score": criterion.score,
                "score_text": "Price" if criterion.is_price else _score_words(criterion.score, scale),
                "max_score": max_score,
                "points": str(criterion.points),
                "feedback": criterion.rationale,
                "winner_score": None if other is None else other.score,
                "winner_score_text": (
                    "" if other is None else ("Price" if other.is_price else _score_words(other.score, scale))
                ),
                "winner_points": "" if other is None else str(other.points),
            }
        )
    return rows


def _advantages(own, winner, scale: list[str]) -> tuple[list[str], list[str]]:
    """Where the winning bid scored higher (with the panel's reasons), and where this bid did."""
    if winner is None:
        return [], []
    theirs = {c.criterion_id: c for c in winner.criteria}
    advantages, strengths = [], []
    for mine in own.criteria:
        other = theirs.get(mine.criterion_id)
        if other is None:
            continue
        heading = f"{mine.title} ({mine.weight}%)"
        if other.points > mine.points:
            if mine.is_price:
                advantages.append(
                    f"{heading}: the successful bid's price earned {other.points} points against {mine.points} "
                    "for yours."
                )
            else:
                reason = f" The panel's view of the successful bid: {other.rationale}" if other.rationale else ""
                advantages.append(
                    f"{heading}: the successful bid scored {_score_words(other.score, scale)} against your "
                    f"{_score_words(mine.score, scale)}.{reason}"
                )
        elif mine.points > other.points:
            what = "price" if mine.is_price else f"score of {_score_words(mine.score, scale)}"
            strengths.append(f"{heading}: your {what} earned {mine.points} points against {other.points}.")
    if not advantages and own.tie_break:
        advantages.append(f"The bids were level on total; the successful bid was ranked first on the {own.tie_break}.")
    return advantages, strengths


def build_letters(award: Award, bids: list[Bid], *, sent_on: date, signatory) -> list[tuple[Bid, dict]]:
    """The content of every bidder's letter, from the signed-off evaluation and the award's items."""
    opportunity = award.opportunity
    evaluation = selectors.signed_off_evaluation(opportunity)
    summary = selectors.signed_off_summary(opportunity, evaluation)
    scale, max_score = list(evaluation.scale), evaluation.max_score
    route = award.commission.delivery_route
    items = selectors.award_items(award)
    won = defaultdict(list)
    for item in items:
        won[item.bid_id].append(item)
    ranked = {row.bid_id: row for row in summary.ranked}
    excluded = {row.bid_id: row for row in summary.excluded}
    covered = selectors.bid_lot_ids(bids)
    winners = [row for row in summary.ranked if row.bid_id in won]
    winners_text = "; ".join(
        f"{_what(item, route)[:1].lower()}{_what(item, route)[1:]} to {item.bid.organisation}" for item in items
    )
    signed_from = (
        award.standstill_ends_on + timedelta(days=1)
        if award.standstill_applies and award.standstill_ends_on
        else sent_on
    )
    letters = []
    for bid in bids:
        row = ranked.get(bid.pk)
        if bid.pk in won:
            content = _base(award, bid, AWARD, sent_on=sent_on, signatory=signatory)
            content["won"] = [
                {
                    "what": _what(item, route),
                    "value": str(item.value),
                    "value_text": money(item.value),
                    "note": item.note,
                }
                for item in won[bid.pk]
            ]
            total = sum((item.value for item in won[bid.pk]), Decimal("0"))
            content["paragraphs"] = [
                f"Thank you for your bid for {opportunity.reference} {opportunity.title}. I am pleased to tell "
                f"you that {award.council.name} has decided to award {bid.organisation} the following, worth "
                f"{money(total)} in all.",
                _decision_sentence(award),
            ]
            if row is not None:
                content["ranking"] = {"rank": row.rank, "of": len(summary.ranked), "total": str(row.total)}
                content["paragraphs"].append(
                    f"Your bid was ranked {_ordinal(row.rank)} of {len(summary.ranked)}, with {row.total} points "
                    "out of 100."
                )
            content["paragraphs"].append(_standstill_paragraph(award, winner=True))
            content["next_steps"] = [
                "We will send you the draft agreement, with its KPIs and payment schedule, to check.",
                f"The agreement can be signed from {selectors.day(signed_from)}.",
                "Delivery starts once the agreement is signed and put live.",
            ]
        elif bid.pk in excluded:
            content = _base(award, bid, EXCLUDED, sent_on=sent_on, signatory=signatory)
            content["excluded_reasons"] = list(excluded[bid.pk].reasons)
            content["paragraphs"] = [
                f"Thank you for your bid for {opportunity.reference} {opportunity.title}. I am sorry to tell you "
                "that it could not be evaluated: it did not pass the compliance checks set out in the "
                "opportunity, for the reasons below.",
                f"{award.council.name} has decided to award {winners_text}. {_decision_sentence(award)}",
                _standstill_paragraph(award, winner=False),
            ]
        else:
            content = _base(award, bid, UNSUCCESSFUL, sent_on=sent_on, signatory=signatory)
            mine = covered.get(bid.pk, set())
            winner = next(
                (
                    w
                    for w in winners
                    if not mine or any(item.lot_id in mine for item in won[w.bid_id] if item.lot_id is not None)
                ),
                winners[0] if winners else None,
            )
            content["paragraphs"] = [
                f"Thank you for your bid for {opportunity.reference} {opportunity.title}. I am sorry to tell you "
                "that it has not been successful.",
                f"{award.council.name} has decided to award {winners_text}. {_decision_sentence(award)}",
            ]
            if row is not None:
                content["ranking"] = {
                    "rank": row.rank,
                    "of": len(summary.ranked),
                    "total": str(row.total),
                    "winner": winner.organisation if winner else "",
                    "winner_total": str(winner.total) if winner else "",
                }
                content["paragraphs"].append(
                    f"Your bid was ranked {_ordinal(row.rank)} of {len(summary.ranked)}, with {row.total} points "
                    f"out of 100"
                    + (f"; the successful bid ({winner.organisation}) scored {winner.total}." if winner else ".")
                )
                content["criteria"] = _criteria_rows(row, winner, scale, max_score)
                content["advantages"], content["strengths"] = _advantages(row, winner, scale)
            content["paragraphs"].append(_standstill_paragraph(award, winner=False))
            content["next_steps"] = [
                "The scores and feedback below are the evaluation panel's moderated view of your bid. "
                f"If you would like to talk them through, contact {award.council.contact_email or award.council.name}.",
            ]
        content["paragraphs"] = [p for p in content["paragraphs"] if p]
        letters.append((bid, content))
    return letters


# ---- The PDF ------------------------------------------------------------------------------------------

BLACK = colors.HexColor("#0b0c0c")
GREY = colors.HexColor("#505a5f")
RULE = colors.HexColor("#b1b4b6")
FONT, BOLD = "Helvetica", "Helvetica-Bold"

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
    table = Table(data, colWidths=widths, repeatRows=1, hAlign="LEFT")
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


def letter_pdf(content: dict) -> bytes:
    """The letter as an A4 PDF: the council's name and address, the date and reference, the addressee,
    then the letter itself. The same content always gives the same bytes."""
    buffer = io.BytesIO()
    council = content["council"]
    width = A4[0] - 40 * mm

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
    story.append(_p(content["subject"], "h1"))
    story.append(_p(f"{content['greeting']},"))
    paragraphs = list(content["paragraphs"])
    story.append(_p(paragraphs.pop(0)))
    if content["won"]:
        story.append(
            _table(
                ["What", "Value", "Notes"],
                [[row["what"], row["value_text"], row["note"]] for row in content["won"]],
                [0.42 * width, 0.18 * width, 0.40 * width],
            )
        )
        story.append(Spacer(1, 4 * mm))
    story += [_p(text) for text in paragraphs]
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
        story.append(
            _table(
                ["Criterion", "Weight", "Your score", "Your points", "Successful bid", "Its points"],
                [
                    [
                        row["title"],
                        f"{row['weight']}%",
                        row["score_text"],
                        row["points"],
                        row["winner_score_text"],
                        row["winner_points"],
                    ]
                    for row in content["criteria"]
                ],
                [0.30 * width, 0.10 * width, 0.17 * width, 0.12 * width, 0.17 * width, 0.14 * width],
            )
        )
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
    if content["next_steps"]:
        story.append(_p("Next steps", "h2"))
        story += _bullets(content["next_steps"])
    signatory = content["signatory"]
    story.append(Spacer(1, 6 * mm))
    closing = ["Yours faithfully,", "", signatory["name"]]
    if signatory.get("job_title"):
        closing.append(signatory["job_title"])
    closing.append(signatory["council"])
    story.append(KeepTogether([_p(line) if line else Spacer(1, 4 * mm) for line in closing]))
    document.build(story, onFirstPage=footer, onLaterPages=footer)
    return buffer.getvalue()


def filename(letter: OutcomeLetter) -> str:
    kind = "award-letter" if letter.successful else "outcome-letter"
    reference = re.sub(r"[^A-Za-z0-9-]+", "-", letter.content.get("opportunity", {}).get("reference", "letter"))
    return f"{reference}-{kind}-{letter.bid_id}.pdf"
