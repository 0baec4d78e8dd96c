"""The scrutiny progress report as a page, a paper and a workbook: the same sections as the page, drawn from
what `monitoring.dashboards.selectors.scrutiny_report.scrutiny_report` fetched (no further queries).

The PDF is drawn with the meeting pack's styles (`monitoring.dashboards.pdf`) and can close a meeting
pack; the XLSX has a sheet per section so the committee's officers can total and filter it. Taking
the report out of the system, either way, is recorded in the council's audit trail.
"""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone
from reportlab.lib.units import mm
from reportlab.platypus import Spacer

from councils.formatting import money
from councils.models import Council, User
from councils.services import audit_record
from councils.tabular import Column
from monitoring.dashboards.pdf import a4_pdf, long_date, para, pdf_styles, pdf_table
from monitoring.dashboards.selectors.scrutiny_report import ScrutinyReport

RAG_WORDS = {"red": "Red", "amber": "Amber", "green": "Green", "": "Not rated yet"}


def period_label(report: ScrutinyReport) -> str:
    return f"{long_date(report.start)} to {long_date(report.end)}"


def report_title(report: ScrutinyReport) -> str:
    return f"Scrutiny progress report, {period_label(report)}"


def _count(number: int, thing: str) -> str:
    return f"{number} {thing}{'s' if number != 1 else ''}"


def summary_line(report: ScrutinyReport) -> str:
    stages = ", ".join(f"{stage['count']} {stage['label'].lower()}" for stage in report.review_stages)
    return (
        f"{_count(len(report.completed), 'commission')} completed, worth {money(report.completed_value) or '£0'}, "
        f"with {_count(report.bidders, 'bid')} received; {_count(len(report.reviews), 'review')} of existing "
        f"services ({stages}); savings of {money(report.found_total) or '£0'} found and "
        f"{money(report.made_total) or '£0'} made; {_count(report.exception_count, 'performance exception')}; "
        f"{_count(len(report.notes), 'scrutiny note')}."
    )


@transaction.atomic
def record_export(*, by: User, council: Council, report: ScrutinyReport, fmt: str) -> None:
    """Who took the report out of the system, for which period and in which format."""
    audit_record(
        council=council,
        actor=by,
        event_type="scrutiny_report.exported",
        extra={"start": report.start.isoformat(), "end": report.end.isoformat(), "format": fmt},
    )


# ---- The sections as tables (shared by the PDF and the workbook) ---------------------------------


def _bidders(row) -> str | int:
    return "Not competed" if row.bidders is None else row.bidders


COMPLETED_COLUMNS = [
    Column("Reference", lambda c: c.reference),
    Column("Commission", lambda c: c.title),
    Column("Portfolio", lambda c: c.portfolio),
    Column("Corporate outcomes", lambda c: "; ".join(c.outcomes)),
    Column("Completed on", lambda c: c.completed_on),
    Column("Value", lambda c: c.value),
    Column("Bidders", _bidders),
    Column("Outcome", lambda c: c.result),
]
REVIEW_COLUMNS = [
    Column("Reference", lambda r: r.reference),
    Column("Review", lambda r: r.title),
    Column("Portfolio", lambda r: str(r.portfolio or "")),
    Column("Stage", lambda r: r.get_state_display()),
    Column("Services", lambda r: r.services),
    Column("Conclusion due", lambda r: r.concludes_by),
    Column("Conclusion", lambda r: _conclusion(r)),
]


def _found_by(saving):
    """The commission or the review that found the saving."""
    return saving.commission if saving.commission_id else saving.review


FOUND_COLUMNS = [
    Column("Found by", lambda s: _found_by(s).reference),
    Column("Title", lambda s: _found_by(s).title),
    Column("Portfolio", lambda s: str(_found_by(s).portfolio or "")),
    Column("Found on", lambda s: s.identified_on),
    Column("To be made in", lambda s: s.year_label),
    Column("Value", lambda s: s.amount),
    Column("How", lambda s: s.basis),
]
MADE_COLUMNS = [
    Column("Agreement", lambda s: s.agreement.reference),
    Column("Commission", lambda s: s.agreement.commission.reference),
    Column("Year", lambda s: s.year_label),
    Column("Value", lambda s: s.amount),
    Column("Confirmed", lambda s: s.confirmed_at or "Awaiting confirmation"),
    Column("How", lambda s: s.how),
]
PORTFOLIO_COLUMNS = [
    Column("Portfolio", lambda r: r.label),
    Column("Found", lambda r: r.identified),
    Column("Made", lambda r: r.realised),
    Column("Awaiting confirmation", lambda r: r.awaiting),
    Column("Share made", lambda r: r.share_realised),
]
RED_KPI_COLUMNS = [
    Column("Agreement", lambda k: k.monitoring_return.agreement.reference),
    Column("With", lambda k: k.monitoring_return.agreement.party_name),
    Column("KPI", lambda k: k.kpi.description),
    Column("Period ending", lambda k: k.monitoring_return.period_end),
    Column("Target", lambda k: k.target),
    Column("Actual", lambda k: k.actual),
    Column("Unit", lambda k: k.kpi.unit),
]
OVERDUE_COLUMNS = [
    Column("Agreement", lambda r: r.agreement.reference),
    Column("With", lambda r: r.agreement.party_name),
    Column("Period", lambda r: f"{long_date(r.period_start)} to {long_date(r.period_end)}"),
    Column("Due on", lambda r: r.due_on),
    Column("State", lambda r: r.get_state_display()),
]
AT_RISK_COLUMNS = [
    Column("Agreement", lambda a: a.reference),
    Column("Title", lambda a: a.title),
    Column("With", lambda a: a.party_name),
    Column("Ends on", lambda a: a.ends_on),
    Column("Value", lambda a: a.value),
    Column("Latest rating", lambda a: RAG_WORDS.get(a.rag, "")),
    Column("Overdue returns", lambda a: a.overdue_returns),
]
NOTE_COLUMNS = [
    Column("Commission", lambda n: n.commission.reference),
    Column("Written on", lambda n: timezone.localtime(n.created_at).date()),
    Column("By", lambda n: str(n.author)),
    Column("Note", lambda n: n.text),
]
FLAG_COLUMNS = [
    Column("Commission", lambda f: f.commission.reference),
    Column("Flagged on", lambda f: timezone.localtime(f.created_at).date()),
    Column("Meeting", lambda f: f.meeting_on),
    Column("Why", lambda f: f.reason),
    Column("What the committee did", lambda f: f.resolution or "Not dealt with yet"),
]


def _conclusion(review) -> str:
    if not review.conclusion:
        return ""
    text = f"{review.get_conclusion_display()} ({long_date(review.concluded_on)})"
    return f"{text}: {review.commission.reference}" if review.commission_id else text


# The groups the sections fall in, as the page's headings.
GROUPS = {
    "Commissions completed": "Commissions completed",
    "Reviews": "Reviews by stage",
    "Savings found": "Savings found and made",
    "Savings made": "Savings found and made",
    "Savings by portfolio": "Savings found and made",
    "KPIs rated red": "Performance exceptions",
    "Overdue returns": "Performance exceptions",
    "Agreements at risk": "Performance exceptions",
    "Scrutiny notes": "Notes",
    "Agenda flags": "Notes",
}


def sections(report: ScrutinyReport) -> list[tuple[str, list[Column], list, str]]:
    """(heading, columns, rows, what to say when there are none) for each tabular section, in order."""
    return [
        ("Commissions completed", COMPLETED_COLUMNS, report.completed, "No commission was completed in the period."),
        ("Reviews", REVIEW_COLUMNS, report.reviews, "No review of existing services was running in the period."),
        ("Savings found", FOUND_COLUMNS, report.savings_found, "No saving was found in the period."),
        ("Savings made", MADE_COLUMNS, report.savings_made, "No saving was made in the period."),
        ("Savings by portfolio", PORTFOLIO_COLUMNS, report.savings_by_portfolio, "No savings are recorded."),
        ("KPIs rated red", RED_KPI_COLUMNS, report.red_kpis, "No KPI was rated red in the period."),
        (
            "Overdue returns",
            OVERDUE_COLUMNS,
            report.overdue_returns,
            "No monitoring return due in the period is overdue.",
        ),
        ("Agreements at risk", AT_RISK_COLUMNS, report.at_risk, "No live agreement is at risk today."),
        ("Scrutiny notes", NOTE_COLUMNS, report.notes, "Scrutiny recorded no notes in the period."),
        ("Agenda flags", FLAG_COLUMNS, report.flags, "No commission was flagged for the committee in the period."),
    ]


def _display(value) -> str:
    if value is None or value == "":
        return "–"
    if hasattr(value, "quantize"):
        return money(value)
    if hasattr(value, "isoformat") and not isinstance(value, str):
        return long_date(value)
    return str(value)


def screen_tables(report: ScrutinyReport) -> list[dict]:
    """The sections after the commissions completed (which the page lays out itself, with links), as
    rows of text for the page's tables."""
    tables = []
    for heading, columns, rows, empty in sections(report)[1:]:
        titles = [column.title for column in columns]
        tables.append(
            {
                "group": GROUPS[heading],
                "heading": heading,
                "id": heading.lower().replace(" ", "-"),
                "columns": [(title, title in NUMERIC) for title in titles],
                "rows": [
                    [(_display(column.value(row)), column.title in NUMERIC) for column in columns] for row in rows
                ],
                "empty": empty,
            }
        )
    return tables


# ---- The workbook --------------------------------------------------------------------------------


def workbook_sheets(report: ScrutinyReport) -> list[tuple[str, list[Column], list]]:
    summary = [
        ("Council", report.council.name),
        ("From", report.start),
        ("To", report.end),
        ("Commissions completed", len(report.completed)),
        ("Value of commissions completed", report.completed_value),
        ("Bids received", report.bidders),
        ("Performance exceptions", report.exception_count),
        ("Scrutiny notes", len(report.notes)),
        *((f"Reviews {stage['label'].lower()}", stage["count"]) for stage in report.review_stages),
        ("Savings found", report.found_total),
        ("Savings made (confirmed)", report.made_total),
        ("Savings awaiting confirmation", report.awaiting_total),
    ]
    sheets = [("Summary", [Column("", lambda r: r[0]), Column("", lambda r: r[1])], summary)]
    sheets += [(heading, columns, rows) for heading, columns, rows, _ in sections(report)]
    return sheets


def filename(report: ScrutinyReport, fmt: str) -> str:
    return f"scrutiny-report-{report.council.slug}-{report.start.isoformat()}-to-{report.end.isoformat()}.{fmt}"


# ---- The PDF -------------------------------------------------------------------------------------

# References run to 16 characters (TCC-2026-0004-A1): their columns keep them on one line.
WIDTHS = {
    "Reviews": (0.15, 0.22, 0.13, 0.1, 0.08, 0.12, 0.2),
    "Savings found": (0.15, 0.2, 0.13, 0.12, 0.1, 0.1, 0.2),
    "Savings made": (0.18, 0.15, 0.08, 0.1, 0.14, 0.35),
    "Savings by portfolio": (0.32, 0.17, 0.17, 0.17, 0.17),
    "Commissions completed": (0.15, 0.18, 0.11, 0.13, 0.1, 0.1, 0.07, 0.16),
    "KPIs rated red": (0.18, 0.17, 0.25, 0.12, 0.09, 0.09, 0.1),
    "Overdue returns": (0.18, 0.24, 0.28, 0.15, 0.15),
    "Agreements at risk": (0.18, 0.2, 0.18, 0.12, 0.12, 0.1, 0.1),
    "Scrutiny notes": (0.15, 0.12, 0.15, 0.58),
    "Agenda flags": (0.15, 0.12, 0.12, 0.3, 0.31),
}
NUMERIC = {
    "Value",
    "Bidders",
    "Target",
    "Actual",
    "Overdue returns",
    "Services",
    "Found",
    "Made",
    "Awaiting confirmation",
    "Share made",
}


def report_flowables(report: ScrutinyReport, styles, width: float) -> list:
    """The report's sections as PDF flowables (a paper of its own, or the end of a meeting pack)."""
    flowables = [
        para(report_title(report), styles["h2"]),
        para(summary_line(report), styles["body"]),
        Spacer(1, 4 * mm),
    ]
    group = ""
    for heading, columns, rows, empty in sections(report):
        if GROUPS[heading] != group:
            group = GROUPS[heading]
            if group != heading:
                flowables.append(para(group, styles["h3"]))
        if heading == "Reviews":
            stages = ", ".join(f"{stage['label']}: {stage['count']}" for stage in report.review_stages)
            flowables.append(para(stages, styles["body"]))
        flowables.append(para(heading, styles["h4"] if group != heading else styles["h3"]))
        if not rows:
            flowables.append(para(empty, styles["body"]))
            continue
        titles = [column.title for column in columns]
        flowables.append(
            pdf_table(
                titles,
                [[_display(column.value(row)) for column in columns] for row in rows],
                styles,
                [w * width for w in WIDTHS[heading]],
                numeric={i for i, title in enumerate(titles) if title in NUMERIC},
            )
        )
        flowables.append(Spacer(1, 3 * mm))
    return flowables


def report_pdf(report: ScrutinyReport, *, prepared_by: User | None = None) -> bytes:
    styles = pdf_styles()
    title = "Scrutiny progress report"
    today = long_date(timezone.localdate())

    def story(width: float) -> list:
        return [
            para(report.council.name, styles["body"]),
            para(title, styles["title"]),
            para(
                f"For {period_label(report)}. Prepared on {today}{f' by {prepared_by}' if prepared_by else ''}.",
                styles["body"],
            ),
            Spacer(1, 4 * mm),
            *report_flowables(report, styles, width)[1:],
        ]

    return a4_pdf(
        council_name=report.council.name,
        title=title,
        subject="Commissions completed, reviews, savings, performance exceptions and scrutiny notes",
        story=story,
    )
