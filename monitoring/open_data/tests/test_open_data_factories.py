"""Open data test worlds: commissions at each stage of a contracting process, built through the real
services as officers, bidders and decision-makers would, at fixed points in time (time_machine).

Awards come from the award step's own factories (`commissioning.tests.award_factories`): started,
submitted, decided, called in and their assessment summaries sent through the award services. Also here:
the standards' schemas, vendored with their licences in `monitoring/open_data/schemas/`, loaded for
validation without the network. No tests here.
"""

from __future__ import annotations

import json
import re
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from pathlib import Path
from urllib.parse import urlparse
from zoneinfo import ZoneInfo

import time_machine
from jsonschema import Draft4Validator, Draft202012Validator, FormatChecker
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT4, DRAFT202012

from commissioning.models import Commission, DeliveryRoute, Opportunity, State
from commissioning.tests.award_factories import (
    AwardWorld,
    approved_award,
    award_with_summaries_sent,
    call_in_by_scrutiny,
    signed_off_evaluation,
)
from commissioning.tests.evaluation_factories import bidder, published_with_bids
from commissioning.tests.factories import commission_in_state, staff
from councils.models import Role
from demo import opportunities as opportunity_demo
from monitoring.models import Agreement
from monitoring.tests.factories import draft_agreement, go_live, sign
from providers.models import OrganisationType, Sector
from providers.tests.factories import OrganisationFactory

LONDON = ZoneInfo("Europe/London")
# The world is planned and tendered in January 2026, awarded in March, delivered from April, and the
# open data is read in November: the third quarter of the 2026 to 2027 financial year.
PLANNED = datetime(2026, 1, 12, 10, 0, tzinfo=LONDON)
DECIDED = datetime(2026, 3, 2, 10, 0, tzinfo=LONDON)
LIVE = datetime(2026, 4, 20, 10, 0, tzinfo=LONDON)
TODAY = datetime(2026, 11, 2, 10, 0, tzinfo=LONDON)


def at(moment: datetime):
    return time_machine.travel(moment, tick=False)


# ---- Stages -------------------------------------------------------------------------------------------


def planning_only(council, **kwargs) -> Commission:
    """Approved for a grant competition, nothing published yet."""
    with at(PLANNED):
        return commission_in_state(council, State.SOURCING, route=DeliveryRoute.GRANT, **kwargs)


def not_yet_approved(council) -> Commission:
    with at(PLANNED):
        return commission_in_state(council, State.AWAITING_APPROVAL, title="Plan still with the decision-maker")


def tender_open(council, *, lots: int = 1) -> Opportunity:
    """A published opportunity with a lot and a specification, with two sealed bids in."""
    with at(PLANNED):
        commission = commission_in_state(council, State.SOURCING, route=DeliveryRoute.GRANT)
        opportunity = opportunity_demo.opportunity_for(
            commission, officer=staff(council, Role.COMMISSIONING_OFFICER), lots=lots, document=True
        )
    return opportunity


def sealed_bids(council) -> Opportunity:
    """A published opportunity whose bids are in but not opened (its deadline has not passed)."""
    with at(PLANNED):
        return published_with_bids(council, [bidder("Sealed Bidder Trust", 41000), bidder("Hidden Bids CIC", 43000)])


def signed_off(
    council, *, winner: str = "Moorside Youth Trust", runner_up: str = "Brightwork Training Ltd", **kwargs
) -> AwardWorld:
    """Two bids (each organisation bids once in a test), the first ranked first."""
    with at(PLANNED):
        return signed_off_evaluation(council, [bidder(winner, 48000), bidder(runner_up, 52000)], **kwargs)


def agreements_of(world: AwardWorld) -> list[Agreement]:
    return list(Agreement.objects.filter(bid__opportunity=world.opportunity).order_by("reference"))


def awarded(council, **kwargs) -> AwardWorld:
    """The lead commissioner's delegated decision (below the key-decision threshold) for the top-ranked
    bid, in effect at once, its assessment summaries sent and its draft agreement made."""
    world = signed_off(council, **kwargs)
    with at(DECIDED):
        return award_with_summaries_sent(council, world=approved_award(council, world=world))


def contract_live(council, **kwargs) -> AwardWorld:
    """Awarded, signed and live since April: quarterly payments, some due by TODAY and some to come."""
    world = awarded(council, **kwargs)
    with at(LIVE):
        for agreement in agreements_of(world):
            go_live(sign(agreement, signed_on=DECIDED.date()), live_on=LIVE.date())
    return world


def key_decision(council, **kwargs) -> AwardWorld:
    """A key decision by the portfolio holder (the council's threshold is below the award), taken when
    the forward plan's notice has run: its call-in period follows."""
    council.key_decision_threshold = Decimal("40000")
    council.save(update_fields=["key_decision_threshold"])
    world = signed_off(council, **kwargs)
    with at(PLANNED):
        approved_award(council, world=world)
    return world


def called_in(council, **kwargs) -> AwardWorld:
    """A key decision called in by scrutiny during its call-in period."""
    world = key_decision(council, **kwargs)
    with at(datetime.combine(world.award.decided_on, time(15), tzinfo=LONDON)):
        call_in_by_scrutiny(world.refresh_award(), "The committee wants to see how the quality questions were scored.")
    world.refresh_award()
    return world


# ---- Agreements made without a competition -----------------------------------------------------------------


def charity(name: str, **kwargs):
    return OrganisationFactory(legal_name=name, charity_number=kwargs.pop("charity_number", "1098765"), **kwargs)


def private_company(name: str):
    return OrganisationFactory(
        legal_name=name,
        organisation_type=OrganisationType.COMPANY_LIMITED_BY_SHARES,
        sector=Sector.PRIVATE,
        charity_number="",
        company_number="01234567",
        income_band="over_10m",
    )


# A commission reaches delivery only through a real procurement: the grant it awarded goes to the
# factory's own bidder, named with this prefix. The tests below count the grants they record directly
# and leave that one out.
PROCURED = "Community provider for "


def recorded_directly(grants: list[dict]) -> list[dict]:
    """360Giving grants without the one the commission's procurement awarded."""
    return [g for g in grants if not g["recipientOrganization"][0]["name"].startswith(PROCURED)]


def delivering_grants(council, **kwargs) -> Commission:
    """A grant commission already in delivery, to which officers record grants directly."""
    with at(PLANNED):
        return commission_in_state(council, State.DELIVERING, route=DeliveryRoute.GRANT, **kwargs)


def live_grant(
    council,
    commission: Commission,
    provider,
    *,
    value: Decimal = Decimal("12000"),
    signed_on: date = date(2026, 10, 5),
    title: str = "Lunch club for older people",
) -> Agreement:
    """A year's grant recorded directly on a grant commission in delivery, signed on `signed_on` and live since."""
    with at(max(TODAY, datetime.combine(signed_on, time(12), tzinfo=LONDON))):
        agreement = draft_agreement(
            council,
            commission=commission,
            provider=provider,
            value=value,
            title=title,
            description="Weekly lunch club with transport for people over 75.",
            starts_on=signed_on,
            ends_on=date(signed_on.year + 1, signed_on.month, signed_on.day) - timedelta(days=1),
        )
        return go_live(sign(agreement, signed_on=signed_on), live_on=signed_on)


# ---- The standards' own schemas, vendored in monitoring/open_data/schemas, never the network --------------------

SCHEMAS = Path(__file__).resolve().parent.parent / "schemas"
OCDS_DIR = SCHEMAS / "ocds-1.1.5"
THREESIXTY_DIR = SCHEMAS / "360giving-1.4.3"
# The 360Giving package refers to the grant schema at its 1.4.2 address; 1.4.3 is the same schema, fixed.
THREESIXTY_GRANT_REF = "https://raw.githubusercontent.com/ThreeSixtyGiving/standard/1.4.2/schema/360-giving-schema.json"
RFC3339 = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$")

# jsonschema only checks formats it has a checker for, and the usual ones need packages not installed
# here: these two make "date-time" and "uri" real checks, so a bare date or a relative link fails.
FORMATS = FormatChecker(formats=())


@FORMATS.checks("date-time", raises=ValueError)
def _date_time(value) -> bool:
    if not isinstance(value, str):
        return True
    if not RFC3339.match(value):
        return False
    datetime.fromisoformat(value.replace("Z", "+00:00"))
    return True


@FORMATS.checks("uri")
def _uri(value) -> bool:
    if not isinstance(value, str):
        return True
    parsed = urlparse(value)
    return bool(parsed.scheme in ("http", "https") and parsed.netloc)


def _load(path: Path) -> dict:
    return json.loads(path.read_text(encoding="utf-8"))


def ocds_package_validator() -> Draft4Validator:
    """The release package schema, its releases checked against the dereferenced release schema."""
    package = _load(OCDS_DIR / "release-package-schema.json")
    release = _load(OCDS_DIR / "dereferenced-release-schema.json")
    registry = Registry().with_resource(release["id"], Resource.from_contents(release, default_specification=DRAFT4))
    return Draft4Validator(package, registry=registry, format_checker=FORMATS)


def threesixtygiving_package_validator() -> Draft202012Validator:
    package = _load(THREESIXTY_DIR / "360-giving-package-schema.json")
    grant = _load(THREESIXTY_DIR / "360-giving-schema.json")
    resource = Resource.from_contents(grant, default_specification=DRAFT202012)
    registry = Registry().with_resources([(THREESIXTY_GRANT_REF, resource), (grant["$id"], resource)])
    return Draft202012Validator(package, registry=registry, format_checker=FORMATS)


def threesixtygiving_titles() -> set[str]:
    """Every column title the 360Giving schema defines: titles of nested fields joined by ":"."""
    schema = _load(THREESIXTY_DIR / "360-giving-schema.json")
    definitions = schema["$defs"]
    titles = set()

    def walk(node: dict, prefix: str, depth: int) -> None:
        for name, field in node.get("properties", {}).items():
            target = definitions[field["$ref"].rsplit("/", 1)[1]] if "$ref" in field else field
            title = field.get("title") or target.get("title") or name
            titles.add(prefix + title)
            items = field.get("items")
            if isinstance(items, dict) and "$ref" in items and depth < 2:
                walk(definitions[items["$ref"].rsplit("/", 1)[1]], f"{prefix}{title}:", depth + 1)

    walk(schema, "", 0)
    return titles


def errors(validator, document: dict) -> list[str]:
    return [f"{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in validator.iter_errors(document)]
