"""The meeting pack for cabinet and scrutiny: the chosen commissions with their stage, the decisions
taken on them (who, when, under which threshold), what is being spent and how the services perform.

`pack_entries` shapes what `monitoring.dashboards.selectors.meeting_pack.meeting_pack_commissions` fetched (no further
queries); the printable page renders the entries as HTML, and `pack_pdf` draws the same entries
as a PDF with reportlab. Exporting a pack is recorded in the council's audit trail.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from django.db import transaction
from django.utils import timezone
from reportlab.lib.units import mm
from reportlab.platypus import KeepTogether, PageBreak, Spacer

from commissioning.models import Commission, DecisionMaker
from councils.formatting import money
from councils.models import Council, User
from councils.services import audit_record
from monitoring.dashboards.pdf import a4_pdf, long_date, para, pdf_styles, pdf_table
from monitoring.dashboards.scrutiny_report import ScrutinyReport, report_flowables
from monitoring.dashboards.selectors.ratings import rag_key
from monitoring.models import AgreementState

RAG_WORDS = {"red": "Red", "amber": "Amber", "green": "Green", "": "Not rated yet"}


@dataclass(frozen=True)
class PackDecision:
    subject: str
    maker: str
    decided_by: str
    decided_on: date | None
    reference: str
    value: Decimal | None
    threshold: Decimal | None

    @property
    def is_key_decision(self) -> bool:
        return self.value is not None and self.threshold is not None and self.value >= self.threshold


@dataclass(frozen=True)
class PackAgreement:
    reference: str
    title: str
    party: str
    state: str
    ends_on: date
    value: Decimal
    paid_to_date: Decimal
    rag: str
    overdue_returns: int

    @property
    def rag_label(self) -> str:
        return RAG_WORDS.get(self.rag, RAG_WORDS[""])


@dataclass
class PackEntry:
    commission: Commission
    decisions: list[PackDecision] = field(default_factory=list)
    agreements: list[PackAgreement] = field(default_factory=list)
    flag_reasons: list[str] = field(default_factory=list)

    @property
    def total_value(self) -> Decimal:
        return sum((a.value for a in self.agreements), Decimal("0"))

    @property
    def total_paid(self) -> Decimal:
        return sum((a.paid_to_date for a in self.agreements), Decimal("0"))

    @property
    def overdue_returns(self) -> int:
        return sum(a.overdue_returns for a in self.agreements)


def pack_entries(commissions: list[Commission]) -> list[PackEntry]:
    """One entry per commission from the prefetched decisions, agreements and flags."""
    entries = []
    for commission in commissions:
        decisions = [
            PackDecision(
                subject=f"Approval to commission (cycle {approval.cycle})",
                maker=approval.get_decision_maker_display(),
                decided_by=str(approval.decided_by),
                decided_on=approval.decided_on,
                reference=approval.reference,
                value=approval.value_at_decision,
                threshold=approval.threshold_at_decision,
            )
            for approval in commission.approvals.all()
        ]
        decisions += [
            PackDecision(
                subject=f"Award of {award.opportunity.reference} ({award.get_state_display().lower()})",
                maker=DecisionMaker(award.decision_maker).label if award.decision_maker else "",
                decided_by=str(award.decided_by or ""),
                decided_on=award.decided_on,
                reference=award.decision_reference,
                value=award.value_at_submission,
                threshold=award.threshold_at_submission,
            )
            for award in commission.decided_awards
        ]
        decisions.sort(key=lambda d: d.decided_on or date.min, reverse=True)
        agreements = [
            PackAgreement(
                reference=agreement.reference,
                title=agreement.title,
                party=agreement.party_name,
                state=AgreementState(agreement.state).label,
                ends_on=agreement.ends_on,
                value=agreement.value,
                paid_to_date=agreement.paid_to_date or Decimal("0"),
                rag=rag_key(agreement.latest_rag),
                overdue_returns=agreement.overdue_returns,
            )
            for agreement in commission.pack_agreements
        ]
        entries.append(
            PackEntry(
                commission=commission,
                decisions=decisions,
                agreements=agreements,
                flag_reasons=[flag.reason for flag in commission.open_flags],
            )
        )
    return entries


@transaction.atomic
def record_export(
    *, by: User, council: Council, entries: list[PackEntry], meeting: str = "", report: ScrutinyReport | None = None
) -> None:
    """Exports leave a trace: who took which commissions (and which period's progress report) out of
    the system, and when."""
    extra = {"commissions": [e.commission.reference for e in entries], "meeting": meeting}
    if report is not None:
        extra["scrutiny_report"] = {"start": report.start.isoformat(), "end": report.end.isoformat()}
    audit_record(council=council, actor=by, event_type="meeting_pack.exported", extra=extra)


# ---- The PDF ------------------------------------------------------------------------------------


def _commission_flowables(entry: PackEntry, styles, width: float) -> list:
    commission = entry.commission
    flowables = [
        para(f"{commission.reference} {commission.title}", styles["h2"]),
        para(
            f"Stage: {commission.stage_label} – {commission.get_state_display()} (cycle {commission.cycle}). "
            f"Portfolio: {commission.portfolio or 'none'}. Lead officer: {commission.lead_officer}. "
            f"Budget: {money(commission.budget) or 'not set'}"
            f"{' (key decision)' if commission.is_key_decision else ''}.",
            styles["body"],
        ),
    ]
    for reason in entry.flag_reasons:
        flowables.append(para(f"Flagged for the scrutiny committee: {reason}", styles["body"]))
    flowables.append(para("Decisions", styles["h3"]))
    if entry.decisions:
        flowables.append(
            pdf_table(
                ["Decision", "Decision-maker", "Decided by", "Date", "Reference", "Value", "Threshold"],
                [
                    [
                        d.subject,
                        d.maker,
                        d.decided_by,
                        long_date(d.decided_on),
                        d.reference or "–",
                        money(d.value) or "–",
                        money(d.threshold) or "–",
                    ]
                    for d in entry.decisions
                ],
                styles,
                [w * width for w in (0.22, 0.16, 0.14, 0.12, 0.12, 0.12, 0.12)],
                numeric={5, 6},
            )
        )
    else:
        flowables.append(para("No decisions recorded yet.", styles["body"]))
    flowables.append(para("Spend and performance", styles["h3"]))
    if entry.agreements:
        rows = [
            [
                f"{a.reference} {a.title}",
                a.party,
                a.state,
                long_date(a.ends_on),
                money(a.value),
                money(a.paid_to_date),
                a.rag_label,
                str(a.overdue_returns),
            ]
            for a in entry.agreements
        ]
        totals = [money(entry.total_value), money(entry.total_paid), "", str(entry.overdue_returns)]
        rows.append(["Total", "", "", "", *totals])
        flowables.append(
            pdf_table(
                ["Agreement", "With", "State", "Ends", "Value", "Due to date", "Latest RAG", "Overdue returns"],
                rows,
                styles,
                [w * width for w in (0.22, 0.17, 0.09, 0.12, 0.11, 0.11, 0.09, 0.09)],
                numeric={4, 5, 7},
            )
        )
    else:
        flowables.append(para("No agreements yet.", styles["body"]))
    return [KeepTogether(flowables[:2]), *flowables[2:], Spacer(1, 6 * mm)]


def pack_pdf(
    *,
    council: Council,
    entries: list[PackEntry],
    meeting: str = "",
    prepared_by: User | None = None,
    report: ScrutinyReport | None = None,
) -> bytes:
    """The pack as an A4 PDF: a cover line, then each commission's stage, decisions, spend and performance,
    then (when asked for) the scrutiny progress report."""
    styles = pdf_styles()
    title = f"Meeting pack: {meeting}" if meeting else "Meeting pack"
    today = long_date(timezone.localdate())

    def story(width: float) -> list:
        flowables = [
            para(council.name, styles["body"]),
            para(title, styles["title"]),
            para(
                f"Prepared on {today}{f' by {prepared_by}' if prepared_by else ''}. "
                f"{len(entries)} commission{'s' if len(entries) != 1 else ''}: where each is in the commissioning "
                "cycle, the decisions taken, what its agreements are worth and what is due to be paid to date, "
                "and how the services are performing.",
                styles["body"],
            ),
            Spacer(1, 6 * mm),
        ]
        for entry in entries:
            flowables.extend(_commission_flowables(entry, styles, width))
        if report is not None:
            flowables.append(PageBreak())
            flowables.extend(report_flowables(report, styles, width))
        return flowables

    return a4_pdf(
        council_name=council.name,
        title=title,
        subject="Commissions: stage, decisions, spend and performance",
        story=story,
    )
