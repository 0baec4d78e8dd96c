"""Each commission as an Open Contracting Data Standard release package (OCDS 1.1, schema 1.1.5).

**ocid**: `<OCDS_PREFIX>-<commission reference>`, for example `ocds-commissioner-KMC-2026-0003`. It is
stable: the commission keeps it through every stage and cycle (each cycle's records are told apart by
their identifiers: budget `…-C2`, the opportunity's own reference, the agreement's reference).

**Releases**, one per event, built from the records and dated with the event; each release's `id` is
`<ocid>-<tag>-<record>-<YYYYMMDD>`:

- `planning`, on the approval decision (each cycle): the approved budget, the rationale, the decision as
  a milestone with its published minutes, and a planned tender;
- `tender`, on publication of the opportunity: title, value, lots (OCDS lots extension), criteria and
  weights, periods, documents;
- `tenderUpdate`, on the opening of the bids: who bid (`tenderers`, names only) and how many — never
  before the opening;
- `tenderCancellation`, when the opportunity is cancelled;
- `award`, on the day the award decision has effect: one award per winning bid and lot, its value,
  supplier and the decision's minutes;
- `contract` (with `award` for an agreement made without a competition), on signature, once on the
  register: period with extensions (`maxExtentDate`), value, status, and the payment model's unit and
  result prices as items with a unit price;
- `implementation`, on the latest payment due: payments due to date as transactions (each at its net
  amount: the payment less the deductions the remedies log took from it), payments still to come as
  milestones of type `payment`.

Parties: the council is `buyer` and `procuringEntity` (and `payer`); providers are `tenderer`,
`supplier` and `payee`; in-house teams are suppliers in the council's name. Identifiers: see `common`.
The council's contact point is its commissioning team's public address, never an officer.

Commissioner keeps each agreement's payment schedule, not the council's ledger: a scheduled payment
whose due date has passed is published as a transaction on that date (the council's spending data over
£500 remains the record of what was paid). Bid contents are never published; nor are drafts, plans not
yet approved, or awards not yet in effect (see `selectors`). Social value asked for, agreed and delivered
goes in the metrics extension's fields (`social_value`).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime

from django.conf import settings
from django.core.exceptions import ObjectDoesNotExist
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify

from commissioning.models import (
    COMPETITIVE_ROUTES,
    AwardItem,
    Commission,
    DocumentKind,
    OpportunityState,
)
from councils.models import Council
from monitoring.models import AgreementState, months_after_end, net_amount
from monitoring.open_data import social_value
from monitoring.open_data.common import (
    CURRENCY,
    LICENCE,
    Period,
    council_contact,
    council_org_id,
    day_end,
    day_start,
    json_amount,
    moment,
    organisation_org_id,
    registrations,
    split_org_id,
)
from providers.models import Organisation

VERSION = "1.1"
SCHEMA_VERSION = "1.1.5"
LOTS_EXTENSION = (
    "https://raw.githubusercontent.com/open-contracting-extensions/ocds_lots_extension/v1.1.5/extension.json"
)
DOCUMENT_TYPES = {
    DocumentKind.SPECIFICATION: "technicalSpecifications",
    DocumentKind.TERMS: "contractDraft",
    DocumentKind.OTHER: "biddingDocuments",
}


def priced_items(agreement) -> list[dict]:
    """The payment model's prices as contract items with a unit price (OCDS `Item.unit`): the unit paid
    for, and each result paid by results. A fixed price is the contract's value; the break, get-out and
    TUPE clauses have no OCDS field and are not published."""
    try:
        terms = agreement.payment_terms
    except ObjectDoesNotExist:
        return []
    items = []
    if terms.pays_per_unit:
        items.append(
            {
                "id": "unit",
                "description": f"Paid per unit: {terms.unit_name}",
                "unit": {"name": terms.unit_name, "value": value(terms.unit_price)},
            }
        )
    if terms.pays_by_results:
        items.extend(
            {
                "id": f"result-{row.pk}",
                "description": f"Paid by results: {row.result}",
                "unit": {"name": row.result, "value": value(row.price)},
            }
            for row in terms.results.all()
        )
    return items


def ocid(commission: Commission) -> str:
    return f"{settings.OCDS_PREFIX}-{commission.reference}"


def value(amount) -> dict:
    return {"amount": json_amount(amount), "currency": CURRENCY}


class Parties:
    """The organisations a release names, each once, with every role it plays in that release."""

    def __init__(self):
        self._parties: dict[str, dict] = {}
        self._ids: dict[tuple[str, str], str] = {}

    def add(self, party: dict, role: str) -> dict:
        key = (party["id"], party["name"])
        local_id = self._ids.get(key)
        if local_id is None:
            # Two organisations giving the same registration number must still be two parties.
            taken = sum(1 for org_id, _name in self._ids if org_id == party["id"])
            local_id = party["id"] if not taken else f"{party['id']}-{taken + 1}"
            self._ids[key] = local_id
            self._parties[local_id] = {**party, "id": local_id, "roles": []}
        entry = self._parties[local_id]
        if role not in entry["roles"]:
            entry["roles"].append(role)
        return {"id": local_id, "name": party["name"]}

    def as_list(self) -> list[dict]:
        return list(self._parties.values())


def council_party(council: Council) -> dict:
    org_id = council_org_id(council)
    party = {"id": org_id, "name": council.name, "contactPoint": council_contact(council)}
    if council.slug in settings.COUNCIL_ORG_IDS:
        scheme, number = split_org_id(org_id)
        party["identifier"] = {"scheme": scheme, "id": number, "legalName": council.name}
    if council.address:
        party["address"] = {"streetAddress": ", ".join(council.address.split()), "countryName": "United Kingdom"}
    return party


def organisation_party(organisation: Organisation) -> dict:
    """A provider as registered. Only a registered organisation's postcode is given: an unregistered
    group's address may be someone's home."""
    party = {"id": organisation_org_id(organisation), "name": organisation.legal_name}
    found = registrations(organisation)
    if found:
        (scheme, number), *others = found
        party["identifier"] = {"scheme": scheme, "id": number, "legalName": organisation.legal_name}
        if others:
            party["additionalIdentifiers"] = [
                {"scheme": s, "id": n, "legalName": organisation.legal_name} for s, n in others
            ]
        if organisation.postcode:
            party["address"] = {"postalCode": organisation.postcode, "countryName": "United Kingdom"}
    return party


def internal_team_party(council: Council, team: str) -> dict:
    return {"id": f"{council_org_id(council)}-TEAM-{slugify(team)}", "name": f"{team} ({council.name} in-house team)"}


class CommissionReleases:
    """The releases of one commission, from records already fetched by `selectors.ocds_commission(s)`.
    `social_value` adds the metrics of the social value asked for, agreed and delivered (the open data
    files: their selectors prefetch them; the Procurement Act notices leave them out)."""

    def __init__(self, commission: Commission, *, today: date, link: Callable[[str], str], social_value: bool = False):
        self.commission = commission
        self.social_value = social_value
        self.council = commission.council
        self.today = today
        self.link = link
        self.ocid = ocid(commission)
        self.awards = list(commission.awards.all())
        self.items_by_bid_lot: dict[tuple[int, int | None], tuple[AwardItem, object]] = {
            (item.bid_id, item.lot_id): (item, award) for award in self.awards for item in award.items.all()
        }

    # -- helpers ---------------------------------------------------------------------------------

    def release(self, tags: list[str], record: str, when: date | datetime, parties: Parties, **sections) -> tuple:
        """(day, release): one event, dated with it. The buyer is in every release."""
        day = timezone.localtime(when).date() if isinstance(when, datetime) else when
        buyer = parties.add(council_party(self.council), "buyer")
        release = {
            "ocid": self.ocid,
            "id": f"{self.ocid}-{tags[-1]}-{slugify(record)}-{day:%Y%m%d}",
            "date": moment(when) if isinstance(when, datetime) else day_start(when),
            "tag": tags,
            "initiationType": "tender",
            "language": "en",
            "parties": parties.as_list(),
            "buyer": buyer,
            **sections,
        }
        return day, release

    def buyer(self, parties: Parties, *roles: str) -> dict:
        reference = parties.add(council_party(self.council), "buyer")
        for role in roles:
            reference = parties.add(council_party(self.council), role)
        return reference

    def is_current_cycle(self, cycle: int) -> bool:
        return cycle == self.commission.cycle

    # -- stages ----------------------------------------------------------------------------------

    def planning(self) -> list[tuple]:
        commission = self.commission
        releases = []
        for approval in commission.approvals.all():
            parties = Parties()
            self.buyer(parties)
            competitive = commission.delivery_route in COMPETITIVE_ROUTES
            milestone = {
                "id": f"approval-{approval.pk}",
                "title": approval.get_decision_maker_display(),
                "type": "approval",
                "status": "met",
                "dateMet": day_start(approval.decided_on),
            }
            if approval.reference:
                milestone["description"] = f"Decision {approval.reference}"
            planning = {
                "rationale": commission.summary or commission.title,
                "budget": {
                    "id": f"{commission.reference}-C{approval.cycle}",
                    "description": f"Budget approved for cycle {approval.cycle}",
                    "amount": value(approval.value_at_decision),
                    "project": commission.title,
                    "projectID": commission.reference,
                },
                "milestones": [milestone],
            }
            if approval.minute_url:
                planning["documents"] = [
                    {
                        "id": f"approval-{approval.pk}",
                        "documentType": "procurementPlan",
                        "title": f"Decision {approval.reference}".strip(),
                        "url": approval.minute_url,
                    }
                ]
            tender = {
                "id": f"{commission.reference}-C{approval.cycle}",
                "title": commission.title,
                "status": "planned",
                "mainProcurementCategory": "services",
                "procurementMethod": "open" if competitive else "direct",
                "procurementMethodDetails": commission.get_delivery_route_display(),
                "value": value(approval.value_at_decision),
            }
            if self.is_current_cycle(approval.cycle) and commission.starts_on and commission.ends_on:
                tender["contractPeriod"] = {
                    "startDate": day_start(commission.starts_on),
                    "endDate": day_end(commission.ends_on),
                }
            releases.append(
                self.release(
                    ["planning"],
                    f"c{approval.cycle}-{approval.pk}",
                    approval.decided_on,
                    parties,
                    planning=planning,
                    tender=tender,
                )
            )
        return releases

    def tender(self) -> list[tuple]:
        releases = []
        for opportunity in self.commission.opportunities.all():
            awarded = any(award.opportunity_id == opportunity.pk for award in self.awards)
            parties = Parties()
            buyer = self.buyer(parties, "procuringEntity")
            base = self.tender_section(opportunity, buyer)
            releases.append(
                self.release(["tender"], opportunity.reference, opportunity.published_at, parties, tender=base)
            )
            opening = getattr(opportunity, "opening", None) if opportunity.state == OpportunityState.OPENED else None
            if opening is not None:
                parties = Parties()
                buyer = self.buyer(parties, "procuringEntity")
                tenderers = [
                    parties.add(organisation_party(bid.organisation), "tenderer") for bid in opportunity.bids.all()
                ]
                update = {
                    **self.tender_section(opportunity, buyer),
                    "status": "complete" if awarded else "active",
                    "tenderers": tenderers,
                    "numberOfTenderers": len(tenderers),
                }
                opened_at = opening.second_confirmed_at or opening.first_confirmed_at
                releases.append(
                    self.release(["tenderUpdate"], opportunity.reference, opened_at, parties, tender=update)
                )
            if opportunity.state == OpportunityState.CANCELLED:
                parties = Parties()
                buyer = self.buyer(parties, "procuringEntity")
                cancelled = {**self.tender_section(opportunity, buyer), "status": "cancelled"}
                releases.append(
                    self.release(
                        ["tenderCancellation"], opportunity.reference, opportunity.updated_at, parties, tender=cancelled
                    )
                )
        return releases

    def tender_section(self, opportunity, buyer: dict) -> dict:
        lots = list(opportunity.lots.all())
        criteria = [c for c in self.commission.criteria.all() if c.cycle == opportunity.cycle]
        documents = [
            {
                "id": "notice",
                "documentType": "tenderNotice",
                "title": opportunity.title,
                "url": self.link(opportunity.get_absolute_url()),
                "format": "text/html",
            }
        ]
        for document in opportunity.documents.all():
            documents.append(
                {
                    "id": f"document-{document.pk}",
                    "documentType": DOCUMENT_TYPES.get(document.kind, "biddingDocuments"),
                    "title": document.title,
                    "url": self.link(
                        reverse(
                            "opportunities:document",
                            kwargs={"reference": opportunity.reference, "document_pk": document.pk},
                        )
                    ),
                    "datePublished": moment(document.uploaded_at),
                }
            )
        section = {
            "id": opportunity.reference,
            "title": opportunity.title,
            "description": opportunity.summary,
            "status": "active",
            "procuringEntity": buyer,
            "items": [{"id": str(lot.number), "description": lot.title, "relatedLot": str(lot.number)} for lot in lots]
            or [{"id": "1", "description": opportunity.title}],
            "value": value(opportunity.budget_envelope),
            "procurementMethod": "open",
            "procurementMethodDetails": opportunity.get_form_type_display(),
            "mainProcurementCategory": "services",
            "submissionMethod": ["electronicSubmission"],
            "eligibilityCriteria": opportunity.eligibility,
            "tenderPeriod": {
                "startDate": moment(opportunity.published_at),
                "endDate": moment(opportunity.submission_deadline),
            },
            "enquiryPeriod": {
                "startDate": moment(opportunity.published_at),
                "endDate": moment(opportunity.clarification_deadline),
            },
            "hasEnquiries": bool(opportunity.clarifications.all()),
            "awardPeriod": {
                "startDate": moment(opportunity.submission_deadline),
                "endDate": day_end(opportunity.expected_award_on),
            },
            "contractPeriod": {"startDate": day_start(opportunity.service_starts_on)},
            "documents": documents,
        }
        if criteria:
            section["awardCriteria"] = "ratedCriteria"
            section["awardCriteriaDetails"] = "; ".join(f"{c.title}: {c.weight}%" for c in criteria)
        targets = social_value.tender_targets(opportunity) if self.social_value else []
        if targets:
            section["targets"] = targets
        if lots:
            section["lots"] = [
                {
                    "id": str(lot.number),
                    "title": lot.title,
                    **({"description": lot.description} if lot.description else {}),
                    **({"value": value(lot.budget)} if lot.budget is not None else {}),
                }
                for lot in lots
            ]
        return section

    def award(self) -> list[tuple]:
        releases = []
        for award in self.awards:
            parties = Parties()
            self.buyer(parties)
            opportunity = award.opportunity
            awards = []
            for item in award.items.all():
                awards.append(self.award_section(award, item, parties))
            effective_on = award.effective_from() or award.decided_on
            releases.append(self.release(["award"], opportunity.reference, effective_on, parties, awards=awards))
        return releases

    def award_section(self, award, item: AwardItem, parties: Parties) -> dict:
        opportunity = award.opportunity
        section = {
            "id": f"{opportunity.reference}-AWARD-{item.pk}",
            "title": f"{opportunity.title}: {item.lot.title}" if item.lot_id else opportunity.title,
            "status": "active",
            "date": day_start(award.decided_on),
            "value": value(item.value),
            "suppliers": [parties.add(organisation_party(item.bid.organisation), "supplier")],
        }
        if item.lot_id:
            section["relatedLots"] = [str(item.lot.number)]
        if award.minute_url:
            section["documents"] = [
                {
                    "id": f"decision-{award.pk}",
                    "documentType": "awardNotice",
                    "title": f"Decision {award.decision_reference}".strip(),
                    "url": award.minute_url,
                }
            ]
        return section

    def supplier(self, agreement, parties: Parties, role: str) -> dict:
        if agreement.provider_id is None:
            return parties.add(internal_team_party(self.council, agreement.internal_team_name), role)
        return parties.add(organisation_party(agreement.provider), role)

    def contract(self) -> list[tuple]:
        releases = []
        for agreement in self.commission.agreements.all():
            parties = Parties()
            self.buyer(parties)
            found = self.items_by_bid_lot.get((agreement.bid_id, agreement.lot_id)) if agreement.bid_id else None
            sections = {}
            tags = ["contract"]
            if found is not None:
                item, award = found
                award_id = f"{award.opportunity.reference}-AWARD-{item.pk}"
                self.supplier(agreement, parties, "supplier")
            else:
                # Made without a competition (in-house, partnership, shared service, or recorded
                # directly): the agreement is its own award.
                award_id = f"{agreement.reference}-AWARD"
                tags = ["award", "contract"]
                sections["awards"] = [
                    {
                        "id": award_id,
                        "title": agreement.title,
                        "status": "active",
                        "date": day_start(agreement.signed_on or agreement.starts_on),
                        "value": value(agreement.value),
                        "suppliers": [self.supplier(agreement, parties, "supplier")],
                    }
                ]
            sections["contracts"] = [self.contract_section(agreement, award_id)]
            releases.append(
                self.release(tags, agreement.reference, agreement.signed_on or agreement.starts_on, parties, **sections)
            )
        return releases

    def contract_section(self, agreement, award_id: str) -> dict:
        ends_on = agreement.ended_on or agreement.ends_on
        period = {"startDate": day_start(agreement.starts_on), "endDate": day_end(ends_on)}
        if agreement.state == AgreementState.LIVE and agreement.max_extensions and agreement.extension_period_months:
            furthest = months_after_end(agreement.ends_on, agreement.max_extensions * agreement.extension_period_months)
            period["maxExtentDate"] = day_end(furthest)
        section = {
            "id": agreement.reference,
            "awardID": award_id,
            "title": agreement.title,
            "status": "active" if agreement.state == AgreementState.LIVE else "terminated",
            "period": period,
            "value": value(agreement.value),
            "items": [{"id": "1", "description": agreement.get_agreement_type_display()}, *priced_items(agreement)],
        }
        if agreement.description:
            section["description"] = agreement.description
        if agreement.signed_on:
            section["dateSigned"] = day_start(agreement.signed_on)
        agreed = social_value.agreed_metrics(agreement) if self.social_value else []
        if agreed:
            section["agreedMetrics"] = agreed
        return section

    def implementation(self) -> list[tuple]:
        releases = []
        for agreement in self.commission.agreements.all():
            last_day = min(self.today, agreement.ended_on) if agreement.ended_on else self.today
            payments = list(agreement.payments.all())
            if not payments:
                continue
            parties = Parties()
            payer = self.buyer(parties, "payer")
            payee = self.supplier(agreement, parties, "payee")
            due = [p for p in payments if p.due_on <= last_day]
            to_come = [p for p in payments if p.due_on > last_day] if agreement.state == AgreementState.LIVE else []
            implementation = {
                "transactions": [
                    {
                        "id": f"payment-{payment.pk}",
                        "date": day_start(payment.due_on),
                        "value": value(net_amount(payment)),
                        "payer": payer,
                        "payee": payee,
                    }
                    for payment in due
                ],
                "milestones": [
                    {
                        "id": f"payment-{payment.pk}",
                        "title": payment.get_kind_display(),
                        "type": "payment",
                        "dueDate": day_start(payment.due_on),
                        "status": "scheduled",
                    }
                    for payment in to_come
                ],
            }
            delivered = social_value.delivered_metrics(agreement) if self.social_value else []
            if delivered:
                implementation["metrics"] = delivered
            found = self.items_by_bid_lot.get((agreement.bid_id, agreement.lot_id)) if agreement.bid_id else None
            award_id = (
                f"{found[1].opportunity.reference}-AWARD-{found[0].pk}" if found else f"{agreement.reference}-AWARD"
            )
            when = due[-1].due_on if due else (agreement.signed_on or agreement.starts_on)
            contract = {"id": agreement.reference, "awardID": award_id, "implementation": implementation}
            releases.append(self.release(["implementation"], agreement.reference, when, parties, contracts=[contract]))
        return releases

    def all(self) -> list[tuple]:
        """(day, release) pairs in the order the events happened."""
        releases = self.planning() + self.tender() + self.award() + self.contract() + self.implementation()
        return sorted(releases, key=lambda pair: (pair[1]["date"], pair[1]["id"]))


def releases_for(
    commissions: list[Commission], *, today: date, link: Callable[[str], str], period: Period | None = None
) -> list[dict]:
    period = period or Period()
    found = []
    for commission in commissions:
        for day, release in CommissionReleases(commission, today=today, link=link, social_value=True).all():
            if day in period:
                found.append(release)
    return found


def release_package(releases: list[dict], *, council: Council, uri: str, policy: str) -> dict:
    """The package around the releases: who publishes them, under which licence, and when."""
    latest = max((release["date"] for release in releases), default=None)
    head = package_head(
        council=council, uri=uri, policy=policy, latest=latest, uses_metrics=social_value.uses_metrics(releases)
    )
    return {**head, "releases": releases}


def package_head(*, council: Council, uri: str, policy: str, latest: str | None, uses_metrics: bool) -> dict:
    """Everything in the package before its releases (the nightly build works out `latest` and
    `uses_metrics` while it writes the releases one by one)."""
    publisher = {"name": council.name}
    if council.slug in settings.COUNCIL_ORG_IDS:
        scheme, number = split_org_id(council_org_id(council))
        publisher.update(scheme=scheme, uid=number)
    extensions = [LOTS_EXTENSION]
    if uses_metrics:
        extensions.append(social_value.METRICS_EXTENSION)
    return {
        "uri": uri,
        "version": VERSION,
        "extensions": extensions,
        "publishedDate": latest or moment(timezone.now()),
        "publisher": publisher,
        "license": LICENCE,
        "publicationPolicy": policy,
    }
