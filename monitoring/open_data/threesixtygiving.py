"""Grants awarded, in the 360Giving Data Standard 1.4 (schema 1.4.3): a JSON package and the flattened CSV.

**Which grants**: grant agreements of commissions delivered through the grant route, to provider
organisations, once on the public register (live, ended or terminated early) — see
`selectors.grants_awarded`. The award date is the award decision's date (or, for a grant recorded
without a competition, the day it was signed); a period filter applies to it.

**Identifiers**: each grant is `<THREESIXTYGIVING_PREFIX>-<agreement reference>` (the prefix is the one
360Giving issues to the publisher and starts `360G-`; characters other than letters, digits and hyphens
become `_`, as 360Giving advises). Recipients and the funder carry org-id.guide identifiers (`GB-CHC`,
`GB-COH`, the council's configured identifier, or the publisher-prefix fallback: see `common`). The grant
programme is the commission. "From an open call?" is "Yes" for a grant awarded from a published
opportunity.

**The CSV** is the flattened form 360Giving's spreadsheet template and converter use: one row per grant,
columns titled with the schema's own titles joined by ":" (`Recipient Org:Identifier`). Dates are
`YYYY-MM-DD` there (the template's form); the JSON gives full date-times, which the schema's date fields
accept unambiguously. Only a registered recipient's postcode is published.
"""

from __future__ import annotations

import re

from django.conf import settings
from django.utils import timezone

from monitoring.models import Agreement
from monitoring.open_data.common import (
    CURRENCY,
    LICENCE,
    council_org_id,
    csv_amount,
    day_end,
    day_start,
    json_amount,
    moment,
    months_between,
    organisation_org_id,
)

VERSION = "1.4"
SCHEMA_VERSION = "1.4.3"

# (column title, key in the flat row): the titles are the 360Giving schema's, in the template's order.
COLUMNS = [
    ("Identifier", "id"),
    ("Title", "title"),
    ("Description", "description"),
    ("Currency", "currency"),
    ("Amount Awarded", "amount"),
    ("Award Date", "award_date"),
    ("Planned Dates:Start Date", "start"),
    ("Planned Dates:End Date", "end"),
    ("Planned Dates:Duration (months)", "months"),
    ("Recipient Org:Identifier", "recipient_id"),
    ("Recipient Org:Name", "recipient_name"),
    ("Recipient Org:Charity Number", "charity_number"),
    ("Recipient Org:Company Number", "company_number"),
    ("Recipient Org:Postal Code", "postcode"),
    ("Funding Org:Identifier", "funder_id"),
    ("Funding Org:Name", "funder_name"),
    ("Grant Programme:Code", "programme_code"),
    ("Grant Programme:Title", "programme_title"),
    ("From An Open Call?", "open_call"),
    ("Last Modified", "modified"),
]


def grant_id(agreement: Agreement) -> str:
    return f"{settings.THREESIXTYGIVING_PREFIX}-{re.sub(r'[^A-Za-z0-9-]', '_', agreement.reference)}"


def _flat(agreement: Agreement) -> dict:
    """Everything one grant publishes, once; the JSON and the CSV are both built from this."""
    organisation = agreement.provider
    registered = bool(organisation.charity_number or organisation.company_number)
    ends_on = agreement.ended_on or agreement.ends_on
    return {
        "id": grant_id(agreement),
        "title": agreement.title,
        "description": agreement.description or agreement.commission.summary or agreement.title,
        "currency": CURRENCY,
        "amount": agreement.value,
        "award_date": agreement.awarded_on,
        "start": agreement.starts_on,
        "end": ends_on,
        "months": months_between(agreement.starts_on, ends_on),
        "recipient_id": organisation_org_id(organisation),
        "recipient_name": organisation.legal_name,
        "charity_number": organisation.charity_number,
        "company_number": organisation.company_number,
        "postcode": organisation.postcode if registered else "",
        "funder_id": council_org_id(agreement.council),
        "funder_name": agreement.council.name,
        "programme_code": agreement.commission.reference,
        "programme_title": agreement.commission.title,
        "open_call": "Yes" if agreement.bid_id else "No",
        "modified": agreement.updated_at,
    }


def grant(agreement: Agreement) -> dict:
    """One grant as a 360Giving JSON object."""
    flat = _flat(agreement)
    recipient = {"id": flat["recipient_id"], "name": flat["recipient_name"]}
    for key, field in (
        ("charity_number", "charityNumber"),
        ("company_number", "companyNumber"),
        ("postcode", "postalCode"),
    ):
        if flat[key]:
            recipient[field] = flat[key]
    return {
        "id": flat["id"],
        "title": flat["title"],
        "description": flat["description"],
        "currency": flat["currency"],
        "amountAwarded": json_amount(flat["amount"]),
        "awardDate": day_start(flat["award_date"]),
        "plannedDates": [
            {"startDate": day_start(flat["start"]), "endDate": day_end(flat["end"]), "duration": flat["months"]}
        ],
        "recipientOrganization": [recipient],
        "fundingOrganization": [{"id": flat["funder_id"], "name": flat["funder_name"]}],
        "grantProgramme": [{"code": flat["programme_code"], "title": flat["programme_title"]}],
        "fromOpenCall": flat["open_call"],
        "dateModified": moment(flat["modified"]),
    }


def package(agreements: list[Agreement], *, council, title: str, download_url: str, access_url: str) -> dict:
    grants = [grant(agreement) for agreement in agreements]
    modified = max((agreement.updated_at for agreement in agreements), default=timezone.now())
    return {
        "grants": grants,
        **package_after_grants(
            council=council, title=title, download_url=download_url, access_url=access_url, modified=modified
        ),
    }


def package_after_grants(*, council, title: str, download_url: str, access_url: str, modified) -> dict:
    """What follows the grants in the package (the nightly build writes the grants first, one by one, and
    this once it has seen the last of them)."""
    return {
        "version": VERSION,
        "title": title,
        "description": f"Grants awarded by {council.name} through {settings.COMMISSIONER_SERVICE_NAME}.",
        "issued": moment(timezone.now()),
        "modified": moment(modified),
        "publisher": {"identifier": council_org_id(council), "name": council.name}
        | ({"website": council.website} if council.website else {}),
        "downloadURL": download_url,
        "accessURL": access_url,
        "license": LICENCE,
    }


HEADER = [title for title, _key in COLUMNS]


def csv_row(agreement: Agreement) -> list:
    flat = _flat(agreement)
    flat.update(
        amount=csv_amount(flat["amount"]),
        award_date=flat["award_date"].isoformat(),
        start=flat["start"].isoformat(),
        end=flat["end"].isoformat(),
        modified=moment(flat["modified"]),
    )
    return [flat[key] for _title, key in COLUMNS]


def csv_rows(agreements: list[Agreement]) -> tuple[list[str], list[list]]:
    return HEADER, [csv_row(agreement) for agreement in agreements]
