"""Demo bids on the demo opportunities (`opportunity_demo.seed_opportunities`). Safe to run again.

- On an open opportunity: a draft, a submitted and a withdrawn bid, made through `bid_services`
  exactly as providers make them.
- On a closed opportunity: two submitted bids, one of them joint, made through `bid_services` by
  `seed_opportunities` while the opportunity is still open, before it moves its dates into the past
  and closes it with `opportunities_close_due`. Nothing writes a bid's state but the services.

If no demo opportunities exist yet, nothing happens.
"""

from __future__ import annotations

import datetime
from contextlib import contextmanager
from decimal import Decimal
from unittest import mock

from django.db import transaction
from django.utils import timezone

from commissioning.models import Bid, BidOutcome, BidPartner, BidPriceLine, Opportunity, OpportunityState
from commissioning.sourcing.services import bids as bid_services
from commissioning.sourcing.services import partners as partner_services
from demo.social_value import commit_social_value
from providers.models import OrganisationMember, ProviderRole

# (organisation slug, what happens to its bid) on the open opportunity
OPEN_BIDS = [
    ("kirkby-moor-age-concern", "draft"),
    ("moorside-youth-trust", "submitted"),
    ("green-lanes-community-interest-company", "withdrawn"),
]
# (organisation slug, partners) on the closed opportunity: one alone, one joint
CLOSED_BIDS = [
    ("st-annes-community-kitchen", []),
    (
        "the-lantern-arts-collective",
        [
            ("open-doors-theatre", "Runs the drama and music sessions"),
            ("riverside-residents-association", "Grows and cooks the food with the children"),
        ],
    ),
]


@contextmanager
def _clock(at: datetime.datetime):
    """Demo only: run the bid writers as if it were `at` (see the module docstring)."""
    with mock.patch("django.utils.timezone.now", return_value=at):
        yield


def bid_writer(slug: str):
    """The organisation with this slug and the first of its people who may write bids (or Nones)."""
    member = (
        OrganisationMember.objects.filter(
            organisation__slug=slug, role__in=(ProviderRole.ORGANISATION_ADMIN, ProviderRole.BID_WRITER)
        )
        .select_related("organisation", "user")
        .order_by("id")
        .first()
    )
    return (member.organisation, member.user) if member else (None, None)


def _content(bid: Bid, partners) -> dict:
    """What each demo bid says: answers within the limits, a lot, prices per year, an outcome."""
    opportunity = bid.opportunity
    organisation = bid.organisation
    answers = {
        question.pk: (
            f"{organisation} has worked in the district for over ten years. For ‘{question.criterion.title}’ we "
            "will build on our volunteers, our venues in every ward and the partnerships we already run, and we "
            "will report what changes for the people we work with every quarter."
        )
        for question in opportunity.questions.all()
    }
    lots = list(opportunity.lots.all()[:1])
    lines = [
        {"lot": lots[0] if lots else None, "year": year, "description": description, "amount": amount}
        for year in (1, 2)
        for description, amount in (("Staff and volunteers' expenses", Decimal("14500")), ("Venues", Decimal("3200")))
    ]
    rows_of_partners = []
    for slug, role in partners:
        partner, _user = bid_writer(slug)
        if partner is not None:
            rows_of_partners.append({"organisation": partner, "role": role})
    return {
        "answers": answers,
        "summary": f"{organisation}: local, trusted and ready to start on day one.",
        "lots": lots,
        "lines": lines,
        "outcomes": [
            {
                "description": "People who took part feel more connected to their community",
                "measure": "Participants who say they feel less isolated",
                "target": Decimal("120"),
                "unit": "people",
            }
        ],
        "partners": rows_of_partners,
    }


def _fill(bid: Bid, user, partners, *, complete: bool = True) -> None:
    content = _content(bid, partners)
    if not complete:
        first = next(iter(content["answers"].items()), None)
        bid_services.bid_save_answers(by=user, bid=bid, answers=dict([first]) if first else {})
        return
    bid_services.bid_save_answers(by=user, bid=bid, answers=content["answers"], summary=content["summary"])
    if content["lots"]:
        bid_services.bid_save_lots(by=user, bid=bid, lots=content["lots"])
    bid_services.bid_save_rows(by=user, bid=bid, model=BidPriceLine, rows=content["lines"])
    bid_services.bid_save_rows(by=user, bid=bid, model=BidOutcome, rows=content["outcomes"])
    commit_social_value(bid, user)
    if content["partners"]:
        rows = bid_services.bid_save_rows(by=user, bid=bid, model=BidPartner, rows=content["partners"])
        for row in rows:  # each partner's administrator confirms, as the bid cannot be submitted before
            admin = OrganisationMember.objects.filter(
                organisation=row.organisation, role=ProviderRole.ORGANISATION_ADMIN
            ).first()
            partner_services.partner_confirm(by=admin.user, partner=row)
    bid_services.bid_save_declarations(
        by=user, bid=bid, conflicts_declared="", no_conflicts=True, accuracy_confirmed=True
    )


def _bid_through_services(opportunity: Opportunity, slug: str, outcome: str, partners=()) -> Bid | None:
    organisation, user = bid_writer(slug)
    if organisation is None or Bid.objects.filter(opportunity=opportunity, organisation=organisation).exists():
        return None
    bid = bid_services.bid_start(by=user, opportunity=opportunity, organisation=organisation)
    _fill(bid, user, partners, complete=outcome != "draft")
    if outcome in ("submitted", "withdrawn"):
        bid_services.bid_transition(by=user, bid=bid, name="submit")
    if outcome == "withdrawn":
        bid_services.bid_transition(by=user, bid=bid, name="withdraw")
    return bid


def seed_bids_on(opportunity: Opportunity) -> int:
    """The closed opportunity's bids, through the services while it is still open: the demo calls
    this before it moves the opportunity's dates into the past and closes it."""
    made = 0
    if opportunity.state == OpportunityState.PUBLISHED and opportunity.is_open_for_bids:
        for slug, partners in CLOSED_BIDS:
            made += _bid_through_services(opportunity, slug, "submitted", partners) is not None
    return made


@transaction.atomic
def seed_bids() -> int:
    """Demo bids on the first open and the first closed demo opportunity. Returns how many were made."""
    made = 0
    now = timezone.now()
    open_one = (
        Opportunity.objects.filter(state=OpportunityState.PUBLISHED, submission_deadline__gt=now)
        .order_by("submission_deadline", "id")
        .first()
    )
    if open_one is not None:
        for slug, outcome in OPEN_BIDS:
            made += _bid_through_services(open_one, slug, outcome) is not None
    closed_one = Opportunity.objects.filter(state=OpportunityState.CLOSED).order_by("submission_deadline", "id").first()
    if closed_one is not None:
        made += seed_bids_on(closed_one)
    return made
