"""What every open data format shares: organisation identifiers, the VCSE and SME classifications,
the council's public contact, periods (financial years and quarters), amounts, dates and CSV.

**Organisation identifiers** follow org-id.guide, as 360Giving and OCDS both ask:

- a provider with a charity number is `GB-CHC-<number>` (Charity Commission for England and Wales);
  otherwise one with a Companies House number is `GB-COH-<number>` (Scottish and Northern Irish
  companies included: `SC…` and `NI…` numbers are on the same register). A charitable company keeps its
  company number as an additional identifier.
- an in-house team registered as a provider, with neither number, is its council;
- anything else (an unregistered community or faith group, a sole trader) has no official register, so,
  as 360Giving's identifier guidance says, it is identified under the publisher's own 360Giving prefix:
  `<THREESIXTYGIVING_PREFIX>-ORG-<Commissioner's organisation number>`.
- a council is the identifier configured for it in `COUNCIL_ORG_IDS` (for example `GB-LAE-KIR`, from the
  Local Authorities in England register), or else `<THREESIXTYGIVING_PREFIX>-<council short code>`.

**VCSE and SME** are not stored: they are derived from what an organisation registered. Voluntary,
community and social enterprise organisations are charities, CIOs, CICs, community and faith groups and
anything registered in the voluntary, community and faith or social enterprise sector — never a public
body, sole trader, in-house team or council-owned company. A small or medium-sized enterprise is an
organisation whose income band is under £10 million; above that the band cannot tell (the UK limit for a
medium-sized company is £36 million), so the answer is "Not known".
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from django.conf import settings
from django.utils import timezone

from councils.models import Council
from councils.tabular import safe_cell
from providers.models import IncomeBand, Organisation, OrganisationType, Sector

CURRENCY = "GBP"
# Councils publish under the Open Government Licence, as the Transparency Code asks.
LICENCE = "https://www.nationalarchives.gov.uk/doc/open-government-licence/version/3/"
TRANSPARENCY_THRESHOLD = Decimal("5000")
PENNY = Decimal("0.01")

# ---- Identifiers ---------------------------------------------------------------------------------


def council_org_id(council: Council) -> str:
    return settings.COUNCIL_ORG_IDS.get(council.slug) or f"{settings.THREESIXTYGIVING_PREFIX}-{council.short_code}"


def split_org_id(org_id: str) -> tuple[str, str]:
    """("GB-CHC", "1098765") from "GB-CHC-1098765": org-id.guide list codes are two parts long."""
    country, register, number = org_id.split("-", 2)
    return f"{country}-{register}", number


def registrations(organisation: Organisation) -> list[tuple[str, str]]:
    """The organisation's official registrations, best first: (org-id list code, number)."""
    found = []
    if organisation.charity_number:
        found.append(("GB-CHC", organisation.charity_number))
    if organisation.company_number:
        found.append(("GB-COH", organisation.company_number))
    return found


def organisation_org_id(organisation: Organisation) -> str:
    found = registrations(organisation)
    if found:
        scheme, number = found[0]
        return f"{scheme}-{number}"
    if organisation.is_in_house and organisation.owning_council is not None:
        return council_org_id(organisation.owning_council)
    return f"{settings.THREESIXTYGIVING_PREFIX}-ORG-{organisation.pk}"


def registration_text(organisation: Organisation | None) -> str:
    """ "Charity 1098765; company 01234567", for files with one column for a registration number."""
    if organisation is None:
        return ""
    names = {"GB-CHC": "Charity", "GB-COH": "Company"}
    return "; ".join(f"{names[scheme]} {number}" for scheme, number in registrations(organisation))


# ---- VCSE and SME ----------------------------------------------------------------------------------

VCSE_TYPES = frozenset(
    {
        OrganisationType.REGISTERED_CHARITY,
        OrganisationType.CIO,
        OrganisationType.CIC,
        OrganisationType.COMMUNITY_GROUP,
        OrganisationType.FAITH_GROUP,
    }
)
VCSE_SECTORS = frozenset({Sector.VCFS, Sector.SOCIAL_ENTERPRISE})
NEVER_VCSE_TYPES = frozenset({OrganisationType.PUBLIC_BODY, OrganisationType.SOLE_TRADER})
SME_BANDS = frozenset({IncomeBand.UNDER_10K, IncomeBand.UNDER_100K, IncomeBand.UNDER_1M, IncomeBand.UNDER_10M})


def is_public_sector(organisation: Organisation) -> bool:
    return (
        organisation.is_in_house
        or organisation.owning_council_id is not None
        or organisation.organisation_type == OrganisationType.PUBLIC_BODY
        or organisation.sector == Sector.PUBLIC
    )


def is_vcse(organisation: Organisation | None) -> bool:
    if organisation is None or is_public_sector(organisation):
        return False
    if organisation.organisation_type in NEVER_VCSE_TYPES:
        return False
    return organisation.organisation_type in VCSE_TYPES or organisation.sector in VCSE_SECTORS


def sme_status(organisation: Organisation | None) -> str:
    if organisation is None or is_public_sector(organisation):
        return "No"
    if organisation.income_band in SME_BANDS:
        return "Yes"
    return "Not known"


def yes_no(value: bool) -> str:
    return "Yes" if value else "No"


# ---- The council's public contact ----------------------------------------------------------------------


def council_contact(council: Council) -> dict:
    """Who to ask, in the council's own name: never an officer's name or personal email address."""
    contact = {"name": f"{council.name} commissioning team"}
    if council.contact_email:
        contact["email"] = council.contact_email
    if council.contact_phone:
        contact["telephone"] = council.contact_phone
    if council.website:
        contact["url"] = council.website
    return contact


# ---- Periods -------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Period:
    """A span of days, either end open (None): what a download covers."""

    starts_on: date | None = None
    ends_on: date | None = None

    def __contains__(self, day: date | None) -> bool:
        if day is None:
            return False
        return (self.starts_on is None or day >= self.starts_on) and (self.ends_on is None or day <= self.ends_on)

    def overlaps(self, first: date, last: date) -> bool:
        return (self.ends_on is None or first <= self.ends_on) and (self.starts_on is None or last >= self.starts_on)

    @property
    def slug(self) -> str:
        if self.starts_on is None and self.ends_on is None:
            return "all"
        return f"{self.starts_on or 'start'}-to-{self.ends_on or 'now'}"


def financial_year_of(day: date) -> int:
    """The year a council's financial year starts in: 1 April 2026 to 31 March 2027 is 2026."""
    return day.year if day.month >= 4 else day.year - 1


def financial_year(year: int) -> Period:
    return Period(date(year, 4, 1), date(year + 1, 3, 31))


def financial_quarter(year: int, quarter: int) -> Period:
    """Quarter 1 of 2026 is April to June 2026; quarter 4 is January to March 2027."""
    first_month = 4 + 3 * (quarter - 1)
    starts_on = date(year + (first_month - 1) // 12, (first_month - 1) % 12 + 1, 1)
    following = 4 + 3 * quarter
    ends_on = date(year + (following - 1) // 12, (following - 1) % 12 + 1, 1) - timedelta(days=1)
    return Period(starts_on, ends_on)


def financial_year_label(year: int) -> str:
    return f"{year} to {year + 1}"


# ---- Amounts, dates and CSV -----------------------------------------------------------------------------


def json_amount(value: Decimal) -> int | float:
    """An amount as a JSON number: whole pounds as integers, pence otherwise."""
    value = Decimal(value).quantize(PENNY)
    return int(value) if value == value.to_integral_value() else float(value)


def csv_amount(value: Decimal | None) -> str:
    return "" if value is None else str(Decimal(value).quantize(PENNY))


def day_start(day: date) -> str:
    """The start of a day in UK time, as the full date-time the standards ask for."""
    return timezone.make_aware(datetime.combine(day, time.min)).isoformat()


def day_end(day: date) -> str:
    return timezone.make_aware(datetime.combine(day, time(23, 59, 59))).isoformat()


def moment(value: datetime) -> str:
    return timezone.localtime(value).isoformat(timespec="seconds")


def months_between(first: date, last: date) -> int:
    """Whole months from the first to the last day of a term (1 April to 31 March is 12)."""
    end = last + timedelta(days=1)
    return max((end.year - first.year) * 12 + end.month - first.month - (end.day < first.day), 0)


def cell(value) -> str:
    """A CSV cell: text that a spreadsheet would run as a formula is defused (CSV injection)."""
    if value is None:
        return ""
    return safe_cell(value) if isinstance(value, str) else str(value)


def write_csv(out, header: list[str], rows) -> int:
    """Write the header and the rows to a text file as they come; return how many rows."""
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(header)
    count = 0
    for row in rows:
        writer.writerow([cell(value) for value in row])
        count += 1
    return count


def csv_text(header: list[str], rows) -> str:
    out = io.StringIO()
    write_csv(out, header, rows)
    return out.getvalue()
