"""The council's own periodic notices, owed by the council rather than by one procurement:

- **UK17 payments compliance notice** (Procurement Act 2023 s.69; Procurement Regulations 2024 reg 38):
  every six months (1 April–30 September, 1 October–31 March; the first period ran 1 January–31 March
  2026), how promptly invoices under public contracts were paid. Approved by the officer responsible
  for the council's finances (the section 151 officer): marking it ready is their step
  (`monitoring.models.notices.APPROVERS`), and records their statement in the notice.
- **Payments over £30,000** (s.70): every financial quarter, each payment of more than £30,000 under a
  public contract procured once s.70 applied (1 April 2026), also as a CSV for Find a Tender's upload.
- **UK1 pipeline notice** (s.93; reg 15): each financial year, only for a council that expects to pay
  more than £100 million under public contracts, the contracts over £2 million it expects to advertise
  or award directly in the 18 months from 1 April.

Each is due within a number of days *beginning with* a day (the period's last day, the financial year's
first): the Act counts that day as day 1, so "30 days beginning with 31 March" ends on 29 April.

The UK extension has no fields for payment figures or a pipeline, and these are not contracting
processes of their own; each notice is therefore a release under a council ocid, tagged `planning`
(UK17, UK1) or `implementation` (payments), whose notice document (`Document.noticeType`) carries the
figures in words. Where OCDS has a structured place the data goes there too: the payments are
`contracts[].implementation.transactions` of the contracts they were made under; the pipeline's
procurements are `relatedProcesses` (their commissions' ocids) with the expected notice date as a
`planning.milestones` entry; the section 151 officer's approval is an `approval` milestone.
"""

from __future__ import annotations

import functools
from datetime import date, timedelta
from decimal import Decimal

from django.utils import timezone

from commissioning.models import AwardItem
from councils.formatting import money
from councils.models import Council, Role
from monitoring.models import Invoice, NoticeState, NoticeType
from monitoring.notices import ocds
from monitoring.notices.council_selectors import (
    PipelineEntry,
    payments_compliance_figures,
    payments_over_30000,
    pipeline_procurements,
    pipeline_window,
)
from monitoring.notices.kinds import NoticeKind, Occurrence, register
from monitoring.open_data.common import Period, day_start, financial_quarter, financial_year_label, financial_year_of
from monitoring.open_data.ocds import Parties, council_party, internal_team_party, value
from providers.identity import identifiers, party_id, supplier_party

# Commencement No. 4 Regulations 2025 (SI 2025/1316).
PAYMENTS_COMPLIANCE_FROM = date(2026, 1, 1)
PAYMENTS_OVER_30000_FROM = date(2026, 4, 1)
PUBLISH_WITHIN_DAYS = 30
PIPELINE_WITHIN_DAYS = 56
# The financial progress report is the codelist's nearest kind of document for payment figures.
PAYMENTS_DOCUMENT_TYPE = "financialProgressReport"


def last_day_within(first: date, days: int) -> date:
    """The last day of a period of `days` days beginning with `first` (which is day 1)."""
    return first + timedelta(days=days - 1)


def _reporting_period_end(first: date) -> date:
    """s.69(3): the 31 March or 30 September following `first`, whichever is earlier."""
    if first.month <= 3:
        return date(first.year, 3, 31)
    if first.month <= 9:
        return date(first.year, 9, 30)
    return date(first.year + 1, 3, 31)


def reporting_periods(today: date) -> list[Period]:
    """The payments compliance reporting periods that have ended before `today`, oldest first."""
    periods = []
    first = PAYMENTS_COMPLIANCE_FROM
    while (last := _reporting_period_end(first)) < today:
        periods.append(Period(first, last))
        first = last + timedelta(days=1)
    return periods


def quarters(today: date) -> list[Period]:
    """The financial quarters since s.70 applied that have ended before `today`, oldest first."""
    found = []
    year, quarter = financial_year_of(PAYMENTS_OVER_30000_FROM), 1
    while (period := financial_quarter(year, quarter)).ends_on < today:
        found.append(period)
        year, quarter = (year + 1, 1) if quarter == 4 else (year, quarter + 1)
    return found


def period_words(period: Period) -> str:
    """1 April to 30 September 2026; 1 October 2026 to 31 March 2027."""
    first, last = period.starts_on, period.ends_on
    start = f"{first.day} {first:%B}" if first.year == last.year else f"{first.day} {first:%B %Y}"
    return f"{start} to {last.day} {last:%B %Y}"


def quarter_words(period: Period) -> str:
    """April to June 2026."""
    return f"{period.starts_on:%B} to {period.ends_on:%B %Y}"


# ---- UK17 payments compliance notice --------------------------------------------------------------------


def _compliance_release(council: Council, period: Period) -> dict:
    figures = payments_compliance_figures(council, period)
    title = f"Payments compliance notice: {period_words(period)}"
    document = ocds.notice_document(NoticeType.UK17, PAYMENTS_DOCUMENT_TYPE, title, timezone.now())
    document["description"] = (
        f"How promptly {council.name} paid under public contracts from {period_words(period)} (Procurement Act "
        f"2023, s.69; Procurement Regulations 2024, reg 38). Days to pay count from the day after the invoice "
        f"was received. {figures.as_text()}"
    )
    return ocds.release(
        council=council,
        release_ocid=ocds.council_ocid(council, f"payments-compliance-{period.starts_on:%Y-%m-%d}"),
        notice_type=NoticeType.UK17,
        tags=["planning"],
        planning={"documents": [document]},
    )


def payments_compliance_notices(council: Council, today: date) -> list[Occurrence]:
    """One notice for each ended reporting period in which a payment was made, or a sum fell due, under a
    public contract (s.69(1))."""
    occurrences = []
    for period in reporting_periods(today):
        if not payments_compliance_figures(council, period).has_activity:
            continue
        occurrences.append(
            Occurrence(
                subject=f"{period.starts_on:%Y-%m-%d}",
                title=f"Payments compliance notice: {period_words(period)}",
                due_on=last_day_within(period.ends_on, PUBLISH_WITHIN_DAYS),
                due_rule=(
                    "Within 30 days beginning with the last day of the reporting period (Procurement Act 2023, "
                    "s.69(1)), approved by the officer responsible for the council's finances (Procurement "
                    "Regulations 2024, reg 38(2)(e))"
                ),
                build=functools.partial(_compliance_release, council, period),
                source=period,
            )
        )
    return occurrences


APPROVAL_ID = "section-151-approval"


def _record_approval(notice, by) -> None:
    """Reg 38(2)(e): the statement of the officer responsible for the finances that they approve the
    notice, with their name and job title, put in the release as it is frozen."""
    job_title = by.job_title or Role(Role.FINANCE_OFFICER).label
    statement = (
        f"{by.full_name}, {job_title}, responsible for the council's finances, approves this payments compliance "
        "notice."
    )
    planning = notice.data.setdefault("planning", {})
    planning["milestones"] = [
        {
            "id": APPROVAL_ID,
            "title": "Approved by the officer responsible for the council's finances",
            "type": "approval",
            "status": "met",
            "dateMet": ocds.timestamp(timezone.now()),
            "description": statement,
        }
    ]
    for document in planning.get("documents", []):
        if document.get("noticeType") == NoticeType.UK17:
            document["description"] = f"{document['description']} {statement}"


def _approval_missing(notice) -> list[str]:
    if notice.state != NoticeState.READY:
        return []
    milestones = notice.data.get("planning", {}).get("milestones", [])
    if any(milestone.get("id") == APPROVAL_ID for milestone in milestones):
        return []
    return ["The section 151 officer's approval is not in the notice: reopen it and have them mark it ready"]


# ---- Payments over £30,000 (s.70) ----------------------------------------------------------------------


def _award_id(agreement) -> str:
    """The award the contract came from, named as the commission's own OCDS names it."""
    if agreement.bid_id:
        item = (
            AwardItem.objects.filter(bid_id=agreement.bid_id, lot_id=agreement.lot_id)
            .select_related("award__opportunity")
            .first()
        )
        if item is not None:
            return f"{item.award.opportunity.reference}-AWARD-{item.pk}"
    return f"{agreement.reference}-AWARD"


def _payee(agreement, parties: Parties) -> dict:
    if agreement.provider_id is None:
        return parties.add(internal_team_party(agreement.council, agreement.internal_team_name), "payee")
    parties.add(supplier_party(agreement.provider), "supplier")
    return parties.add(supplier_party(agreement.provider), "payee")


def _payments_release(council: Council, period: Period) -> dict:
    payments = payments_over_30000(council, period)
    parties = Parties()
    payer = parties.add(council_party(council), "payer")
    contracts: dict[int, dict] = {}
    for invoice in payments:
        agreement = invoice.agreement
        if agreement.pk not in contracts:
            contracts[agreement.pk] = {
                "id": agreement.reference,
                "awardID": _award_id(agreement),
                "title": agreement.title,
                "implementation": {"transactions": []},
                "payee": _payee(agreement, parties),
            }
        contract = contracts[agreement.pk]
        contract["implementation"]["transactions"].append(
            {
                "id": f"invoice-{invoice.pk}",
                "source": invoice.supplier_reference,
                "date": day_start(invoice.paid_on),
                "value": value(invoice.paid_amount),
                "payer": payer,
                "payee": contract["payee"],
            }
        )
    total = sum((invoice.paid_amount for invoice in payments), Decimal("0"))
    title = f"Payments over £30,000: {quarter_words(period)}"
    document = ocds.notice_document(NoticeType.PAYMENTS, PAYMENTS_DOCUMENT_TYPE, title, timezone.now())
    document["description"] = (
        f"Each payment of more than £30,000, including VAT, {council.name} made from {period_words(period)} under "
        f"public contracts (Procurement Act 2023, s.70): {len(payments)} payment{'s' if len(payments) != 1 else ''}, "
        f"{money(total)} in all."
    )
    return ocds.release(
        council=council,
        release_ocid=ocds.council_ocid(council, f"payments-{period.starts_on:%Y-%m-%d}"),
        notice_type=NoticeType.PAYMENTS,
        tags=["implementation"],
        parties=parties,
        planning={"documents": [document]},
        contracts=[{key: item for key, item in contract.items() if key != "payee"} for contract in contracts.values()],
    )


def payments_over_30000_notices(council: Council, today: date) -> list[Occurrence]:
    """One notice for each ended quarter in which a payment over £30,000 was made under a public contract."""
    occurrences = []
    for period in quarters(today):
        if not payments_over_30000(council, period):
            continue
        occurrences.append(
            Occurrence(
                subject=f"{period.starts_on:%Y-%m-%d}",
                title=f"Payments over £30,000: {quarter_words(period)}",
                due_on=last_day_within(period.ends_on, PUBLISH_WITHIN_DAYS),
                due_rule=(
                    "Within 30 days beginning with the last day of the quarter in which the payments were made "
                    "(Procurement Act 2023, s.70(2))"
                ),
                build=functools.partial(_payments_release, council, period),
                source=period,
            )
        )
    return occurrences


PAYMENTS_CSV_HEADER = [
    "Payment date",
    "Amount paid (£, including VAT)",
    "Supplier",
    "Supplier identifier",
    "Contract reference",
    "Contract title",
    "Procurement reference",
    "Invoice number",
    "Invoice received on",
]


def payments_csv_rows(payments: list[Invoice]) -> list[list]:
    """The quarter's payments as the CSV the officer uploads to Find a Tender, one row per payment."""
    rows = []
    for invoice in payments:
        agreement = invoice.agreement
        provider = agreement.provider
        rows.append(
            [
                f"{invoice.paid_on:%Y-%m-%d}",
                f"{invoice.paid_amount:.2f}",
                provider.legal_name if provider else agreement.party_name,
                party_id(provider) if provider and identifiers(provider) else "",
                agreement.reference,
                agreement.title,
                agreement.commission.reference,
                invoice.supplier_reference,
                f"{invoice.received_on:%Y-%m-%d}",
            ]
        )
    return rows


# ---- UK1 pipeline notice --------------------------------------------------------------------------------


def _milestone(entry: PipelineEntry) -> dict:
    commission = entry.commission
    details = [f"Estimated value {money(entry.estimated_value)}"]
    if commission.starts_on:
        details.append(
            f"the contract to start on {commission.starts_on:%-d %B %Y}"
            + (f" and run until {commission.ends_on:%-d %B %Y}" if commission.ends_on else "")
        )
    if commission.cpv is not None:
        details.append(f"CPV {commission.cpv.code} {commission.cpv.label}")
    return {
        "id": commission.reference,
        "title": f"Tender or transparency notice: {commission.title}",
        "type": "preProcurement",
        "status": "scheduled",
        "dueDate": day_start(entry.notice_expected_on),
        "description": "; ".join(details) + ".",
    }


def _pipeline_release(council: Council, year_start: date) -> dict:
    entries = pipeline_procurements(council, year_start)
    window = pipeline_window(year_start)
    title = f"Pipeline notice: {financial_year_label(year_start.year)}"
    document = ocds.notice_document(NoticeType.UK1, "plannedProcurementNotice", title, timezone.now())
    document["description"] = (
        f"The contracts of more than £2 million {council.name} expects to advertise, or award directly, from "
        f"{period_words(window)} (Procurement Act 2023, s.93; Procurement Regulations 2024, reg 15): "
        f"{len(entries) or 'none'}."
    )
    planning = {"rationale": document["description"], "documents": [document]}
    sections = {}
    if entries:
        planning["milestones"] = [_milestone(entry) for entry in entries]
        sections["relatedProcesses"] = [
            {
                "id": entry.commission.reference,
                "relationship": ["planning"],
                "title": entry.commission.title,
                "scheme": "ocid",
                "identifier": ocds.ocid(entry.commission),
            }
            for entry in entries
        ]
    return ocds.release(
        council=council,
        release_ocid=ocds.council_ocid(council, f"pipeline-{year_start:%Y}"),
        notice_type=NoticeType.UK1,
        tags=["planning"],
        planning=planning,
        **sections,
    )


def pipeline_notices(council: Council, today: date) -> list[Occurrence]:
    """The current financial year's pipeline notice, for a council that says it expects to pay more
    than £100 million under public contracts (s.93(1)); none otherwise."""
    if not council.expects_over_100m_contract_spend:
        return []
    year_start = date(financial_year_of(today), 4, 1)
    return [
        Occurrence(
            subject=f"{year_start:%Y-%m-%d}",
            title=f"Pipeline notice: {financial_year_label(year_start.year)}",
            due_on=last_day_within(year_start, PIPELINE_WITHIN_DAYS),
            due_rule=(
                "Within 56 days beginning with the first day of the financial year (Procurement Act 2023, s.93(2)), "
                "because the council expects to pay more than £100 million under public contracts in the year"
            ),
            build=functools.partial(_pipeline_release, council, year_start),
        )
    ]


register(
    NoticeKind(
        notice_type=NoticeType.UK17,
        purpose=(
            "Says how promptly the council paid invoices under public contracts over six months; approved by "
            "the section 151 officer."
        ),
        for_council=payments_compliance_notices,
        missing_to_publish=_approval_missing,
        on_ready=_record_approval,
    )
)
register(
    NoticeKind(
        notice_type=NoticeType.PAYMENTS,
        purpose="Lists each payment over £30,000 the council made in a quarter under public contracts.",
        for_council=payments_over_30000_notices,
    )
)
register(
    NoticeKind(
        notice_type=NoticeType.UK1,
        purpose=(
            "Lists the contracts over £2 million the council expects to advertise in the next 18 months; only "
            "for a council expecting to pay more than £100 million a year under public contracts."
        ),
        for_council=pipeline_notices,
    )
)
