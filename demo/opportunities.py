"""Demo opportunities, made with the real services as officers and providers would make them.

`seed_opportunities()` (safe to run again) publishes an open opportunity for each demo commission in
Sourcing, with lots, questions, a specification and a published clarification, and a closed one for
an extra commission taken to Sourcing for the purpose. `opportunity_for` is shared with the tests, so
demo data and test data take the same road.
"""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone

from commissioning.cycle import services
from commissioning.models import (
    ClarificationVisibility,
    Commission,
    DeliveryRoute,
    DocumentKind,
    Lot,
    Opportunity,
    OpportunityDocument,
    OpportunityQuestion,
    State,
)
from commissioning.sourcing.services import opportunities as opportunity_services
from councils.models import Council, Portfolio, Role, User
from demo import bids as demo_bids
from demo import commissions as demo
from demo.conflicts import prepare_conflicts_assessment
from demo.fit import outcome_for
from demo.social_value import ask_for_social_value
from demo.timeline import Timeline, noon_deadline, travel, working_day
from providers.models import Organisation, OrganisationMember

# Each demo question with the core criterion it is marked against; the core criteria not asked about
# here are scored on the whole bid (demo.commissions.WHOLE_BID_CRITERIA), so every opportunity that asks
# all four passes the publish gate.
QUESTIONS = [
    (
        "How will your service reach the people who most need it, including in the rural wards?",
        "Links to corporate priorities and other approved strategies",
    ),
    ("How will you make sure the service is safe and of good quality?", "Quality assurance"),
    ("Show how your proposal gives value for money, with a breakdown of costs.", "Value for money"),
    (
        "What will you add to the council's money: volunteers, match funding, partnerships?",
        "Added value / additionality",
    ),
]


def pdf(title: str, lines: list[str]) -> ContentFile:
    """A small, real one-page PDF (uploads are checked by content) for demo documents."""
    text = " ".join(
        f"({line.replace('(', '[').replace(')', ']')}) Tj 0 -18 Td" for line in [title, "", *lines]
    ).encode()
    stream = b"BT /F1 12 Tf 72 760 Td " + text + b" ET"
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    body, offsets = b"%PDF-1.4\n", []
    for number, obj in enumerate(objects, start=1):
        offsets.append(len(body))
        body += b"%d 0 obj\n" % number + obj + b"\nendobj\n"
    xref = len(body)
    body += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    body += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    body += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return ContentFile(body, name=f"{title.lower().replace(' ', '-')}.pdf")


def opportunity_for(
    commission: Commission,
    *,
    officer: User | None = None,
    clarification_in: datetime.timedelta = datetime.timedelta(days=14),
    submission_in: datetime.timedelta = datetime.timedelta(days=21),
    lots: int = 0,
    questions: int = len(QUESTIONS),
    document: bool = False,
    publish: bool = True,
    social_value: bool = False,
) -> Opportunity:
    """A draft (or published) opportunity for a commission in Sourcing, made through the services;
    with `social_value`, it asks bidders for three of the council's social value measures."""
    officer = officer or commission.lead_officer
    opportunity = opportunity_services.opportunity_create(by=officer, commission=commission)
    today = timezone.localdate()

    # Deadlines at noon UK time on a working day (the next one when the day counted to is not).
    opportunity.clarification_deadline = noon_deadline(today + clarification_in)
    opportunity.submission_deadline = noon_deadline(today + submission_in)
    opportunity.expected_award_on = working_day(today + submission_in + datetime.timedelta(days=28))
    opportunity.service_starts_on = opportunity.expected_award_on + datetime.timedelta(days=28)
    opportunity_services.opportunity_update_dates(by=officer, opportunity=opportunity)

    def add(instance):
        return opportunity_services.record_save(by=officer, opportunity=opportunity, instance=instance)

    share = (opportunity.budget_envelope / lots).quantize(Decimal("1")) if lots else None
    for number in range(1, lots + 1):
        add(
            Lot(
                opportunity=opportunity, title=f"Area {number}", description=f"Delivery in area {number}.", budget=share
            )
        )
    criteria = list(commission.criteria.filter(cycle=commission.cycle))
    by_title = {criterion.title: criterion for criterion in criteria}
    for position, (text, title) in enumerate(QUESTIONS[:questions], start=1):
        add(
            OpportunityQuestion(
                opportunity=opportunity,
                criterion=by_title.get(title, criteria[(position - 1) % len(criteria)]),
                text=text,
                guidance="Give examples from your recent work.",
                word_limit=500,
                position=position,
            )
        )
    if document:
        add(
            OpportunityDocument(
                opportunity=opportunity,
                kind=DocumentKind.SPECIFICATION,
                title="Service specification",
                file=pdf("Service specification", [commission.title, "Outcomes, volumes and standards."]),
            )
        )
    if social_value:
        ask_for_social_value(opportunity, officer)
    if publish:
        prepare_conflicts_assessment(opportunity, officer)
        opportunity_services.opportunity_transition(by=officer, opportunity=opportunity, name="publish")
    return opportunity


def published_in_the_past(commission: Commission, bids) -> Opportunity:
    """An opportunity published three weeks ago whose deadline passed three days ago, with the bids made
    while it was open (`bids(opportunity)`), then closed with the service as the scheduler would. The
    clock is set back for the publishing and the bidding (demo only): every rule still applies."""
    with travel(timezone.localdate() - datetime.timedelta(days=20)):
        opportunity = opportunity_for(
            commission,
            questions=4,
            document=True,
            social_value=True,
            clarification_in=datetime.timedelta(days=10),
            submission_in=datetime.timedelta(days=17),
        )
        bids(opportunity)
    opportunity_services.opportunities_close_due(opportunity=opportunity)
    return opportunity


def _provider(slug: str) -> tuple[Organisation, User] | None:
    member = OrganisationMember.objects.filter(organisation__slug=slug).select_related("organisation", "user").first()
    return (member.organisation, member.user) if member else None


def _published_clarification(opportunity: Opportunity, officer: User, provider_slug: str) -> None:
    provider = _provider(provider_slug)
    if provider is None:
        return
    organisation, person = provider
    clarification = opportunity_services.clarification_ask(
        by=person,
        opportunity=opportunity,
        organisation=organisation,
        question=f"We are {organisation}. Can we bid for only one of the lots, and can we work with partners?",
    )
    opportunity_services.clarification_answer(
        by=officer,
        clarification=clarification,
        visibility=ClarificationVisibility.PUBLISHED,
        published_question="Can a bid cover only one lot, and can bidders work with partners?",
        answer="Yes to both. Bid for one lot or several; a lead organisation may bid with named partners.",
    )
    opportunity_services.interest_register(by=person, opportunity=opportunity, organisation=organisation)


# (council, commission title, provider who asks a published question)
DEMO_OPEN = [
    ("kirkby-moor", "Youth work in the rural wards", "moorside-youth-trust"),
    ("wyvern", "Debt and money advice", "wyvern-citizens-advice"),
]
# A commission taken to Sourcing for the demo's closed opportunity.
DEMO_CLOSED = ("kirkby-moor", "Holiday activities and food programme", DeliveryRoute.GRANT, Decimal("75000"))


def _closed_demo_commission() -> Commission | None:
    slug, title, route, budget = DEMO_CLOSED
    council = Council.objects.filter(slug=slug).first()
    if council is None:
        return None
    existing = Commission.objects.filter(council=council, title=title).first()
    if existing is not None:
        return existing
    officer = demo.person(council, Role.COMMISSIONING_OFFICER)
    outcome = outcome_for(council, title)
    if officer is None or outcome is None:
        return None
    portfolio = outcome.portfolio or Portfolio.objects.filter(council=council).first()
    # Approved about a month ago, a fortnight before its opportunity was published (20 days ago).
    timeline = Timeline(working_day(timezone.localdate() - datetime.timedelta(days=130)))
    with travel(timeline.began):
        commission = services.commission_create(
            by=officer,
            council=council,
            title=title,
            summary="Free holiday clubs with a healthy meal for children on free school meals.",
            lead_officer=officer,
            portfolio=portfolio,
            outcomes=[outcome],
        )
    return demo.advance(
        commission,
        State.SOURCING,
        route=route,
        budget=budget,
        pot=demo.demo_pot(council),
        council_outcome=outcome,
        portfolio=portfolio,
        timeline=timeline,
    )


@transaction.atomic
def seed_opportunities() -> int:
    """Demo opportunities: open ones for the demo commissions in Sourcing, and a closed one."""
    created = 0
    for slug, title, provider_slug in DEMO_OPEN:
        commission = Commission.objects.filter(council__slug=slug, title=title, state=State.SOURCING).first()
        if commission is None or commission.opportunities.exists():
            continue
        officer = commission.lead_officer
        opportunity = opportunity_for(
            commission,
            officer=officer,
            clarification_in=datetime.timedelta(days=14),
            submission_in=datetime.timedelta(days=21),
            lots=2,
            questions=4,
            document=True,
            social_value=True,
        )
        _published_clarification(opportunity, officer, provider_slug)
        created += 1
    commission = _closed_demo_commission()
    if commission is not None and commission.state == State.SOURCING and not commission.opportunities.exists():
        published_in_the_past(commission, demo_bids.seed_bids_on)
        created += 1
    return created
