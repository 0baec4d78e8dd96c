"""The Local Government Transparency Code 2015 files, per council and quarter, as CSV.

The Code (Department for Communities and Local Government, February 2015) makes councils in England
publish, among other things:

- **Procurement information**, quarterly — Part 2, paragraphs 31 and 32:
  - paragraph 31: every *invitation to tender* for contracts worth more than £5,000, with its reference
    number; title; description of the goods and/or services sought; start, end and review dates; and the
    local authority department responsible → the `tenders` file;
  - paragraph 32: every *contract, commissioned activity, purchase order, framework agreement and any
    other legally enforceable agreement* worth more than £5,000, with its reference number; title of
    agreement; local authority department responsible; description of the goods and/or services being
    provided; supplier name and details; sum to be paid over the length of the contract or the
    estimated annual spending or budget for the contract; Value Added Tax that cannot be recovered;
    start, end and review dates; whether or not the contract was the result of an invitation to quote or
    a published invitation to tender; and whether or not the supplier is a small or medium sized
    enterprise and/or a voluntary or community sector organisation and, where it is, the relevant
    registration number → the `contracts` file (agreements made in the quarter) and the `register` file
    (the council's contract register: every such agreement in force at any time in the quarter).
- **Grants to voluntary, community and social enterprise organisations** — Part 2, paragraphs 45 and 46
  (annual at least; published here per quarter, so four quarters make the year): for each grant the date
  the grant was awarded; time period for which the grant has been given; local authority department
  which awarded the grant; beneficiary; beneficiary's registration number; summary of the purpose of the
  grant; and amount → the `grants` file (any value: the £5,000 threshold does not apply to grants).

**Column layout.** One column per field the Code names, titled with the Code's own words; where one of
its bullets names several fields, they are separate columns in the bullet's order ("start, end and review
dates" → `Start date`, `End date`, `Review date`; "supplier name and details" → `Supplier name`,
`Supplier details`; the SME/VCSE bullet → `Small or medium sized enterprise`, `Voluntary or community
sector organisation`, `Registration number`). Amounts are pounds with pence (`60000.00`), dates
`YYYY-MM-DD`, yes/no answers `Yes`/`No` (`Not known` where the provider's registration cannot tell).

**Where the values come from.** "More than £5,000" is the agreement's value (the opportunity's budget
envelope for a tender), strictly above £5,000. The department is the commission's cabinet portfolio, or
"Commissioning" when it has none. Amounts are recorded without irrecoverable VAT, so that column is
`0.00` (councils recover VAT on their contracts under section 33 of the VAT Act 1994; grants are outside
its scope). The review date is the agreement's end date when it can be extended (the date the extension is
decided by), blank otherwise. Quarters are the council's financial quarters: quarter 1 of 2026 is April to
June 2026, quarter 4 is January to March 2027. VCSE and SME: see `common`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from django.utils import timezone

from commissioning.models import Opportunity
from councils.models import Council
from monitoring.models import Agreement
from monitoring.open_data import selectors
from monitoring.open_data.common import Period, csv_amount, is_vcse, registration_text, sme_status, yes_no

TENDER_COLUMNS = [
    "Reference number",
    "Title",
    "Description of the goods and/or services sought",
    "Start date",
    "End date",
    "Review date",
    "Local authority department responsible",
]
CONTRACT_COLUMNS = [
    "Reference number",
    "Title of agreement",
    "Local authority department responsible",
    "Description of the goods and/or services being provided",
    "Supplier name",
    "Supplier details",
    "Sum to be paid over the length of the contract",
    "Value Added Tax that cannot be recovered",
    "Start date",
    "End date",
    "Review date",
    "Result of an invitation to quote or a published invitation to tender",
    "Small or medium sized enterprise",
    "Voluntary or community sector organisation",
    "Registration number",
]
GRANT_COLUMNS = [
    "Date the grant was awarded",
    "Time period for which the grant has been given",
    "Local authority department which awarded the grant",
    "Beneficiary",
    "Beneficiary's registration number",
    "Summary of the purpose of the grant",
    "Amount",
]
NO_IRRECOVERABLE_VAT = "0.00"


def department(commission) -> str:
    return commission.portfolio.name if commission.portfolio_id else "Commissioning"


def _supplier_details(agreement: Agreement) -> str:
    if agreement.provider_id is None:
        return f"In-house team of {agreement.council.name}"
    organisation = agreement.provider
    details = [organisation.get_organisation_type_display()]
    if organisation.charity_number or organisation.company_number:
        details.append(registration_text(organisation))
        if organisation.postcode:
            details.append(organisation.postcode)
    return "; ".join(details)


def _tender_row(opportunity: Opportunity) -> list:
    return [
        opportunity.reference,
        opportunity.title,
        opportunity.summary,
        timezone.localtime(opportunity.published_at).date().isoformat(),
        timezone.localtime(opportunity.submission_deadline).date().isoformat(),
        opportunity.expected_award_on.isoformat(),
        department(opportunity.commission),
    ]


def _contract_row(agreement: Agreement) -> list:
    organisation = agreement.provider
    vcse = is_vcse(organisation)
    extendable = agreement.max_extensions and agreement.extension_period_months
    return [
        agreement.reference,
        agreement.title,
        department(agreement.commission),
        agreement.description or agreement.commission.title,
        organisation.legal_name if organisation is not None else agreement.party_name,
        _supplier_details(agreement),
        csv_amount(agreement.value),
        NO_IRRECOVERABLE_VAT,
        agreement.starts_on.isoformat(),
        (agreement.ended_on or agreement.ends_on).isoformat(),
        agreement.ends_on.isoformat() if extendable and not agreement.ended_on else "",
        "Published invitation to tender" if agreement.bid_id else "No",
        sme_status(organisation),
        yes_no(vcse),
        registration_text(organisation) if vcse or sme_status(organisation) == "Yes" else "",
    ]


def _grant_row(agreement: Agreement) -> list:
    ends_on = agreement.ended_on or agreement.ends_on
    return [
        agreement.awarded_on.isoformat(),
        f"{agreement.starts_on.isoformat()} to {ends_on.isoformat()}",
        department(agreement.commission),
        agreement.provider.legal_name,
        registration_text(agreement.provider),
        agreement.description or agreement.commission.summary or agreement.title,
        csv_amount(agreement.value),
    ]


def _chunked(queryset):
    return queryset.iterator(chunk_size=selectors.CHUNK)


@dataclass(frozen=True)
class TransparencyFile:
    slug: str
    title: str
    columns: list[str]
    rows: Callable[[Council, Period], Iterable[list]]
    code_reference: str


FILES = {
    "tenders": TransparencyFile(
        "tenders",
        "Invitations to tender over £5,000",
        TENDER_COLUMNS,
        lambda council, period: map(_tender_row, _chunked(selectors.invitations_to_tender(council, period))),
        "Part 2, paragraph 31",
    ),
    "contracts": TransparencyFile(
        "contracts",
        "Contracts and other agreements over £5,000 made in the quarter",
        CONTRACT_COLUMNS,
        lambda council, period: map(_contract_row, _chunked(selectors.contracts_made(council, period))),
        "Part 2, paragraph 32",
    ),
    "register": TransparencyFile(
        "register",
        "Contract register: agreements over £5,000 in force in the quarter",
        CONTRACT_COLUMNS,
        lambda council, period: map(_contract_row, _chunked(selectors.contract_register(council, period))),
        "Part 2, paragraph 32",
    ),
    "grants": TransparencyFile(
        "grants",
        "Grants to voluntary, community and social enterprise organisations",
        GRANT_COLUMNS,
        lambda council, period: map(_grant_row, selectors.vcse_grants(council, period)),
        "Part 2, paragraphs 45 and 46",
    ),
}


def rows(kind: str, council, period: Period) -> tuple[list[str], Iterable[list]]:
    """The file's header, and its rows as they are read (a chunk of agreements at a time)."""
    publication = FILES[kind]
    return publication.columns, publication.rows(council, period)
