"""Opportunities and bids for the bid tests.

Opportunities are created with the ORM and moved with direct FSM calls *only here*, in tests: the
real publishing, closing and opening services belong to the opportunity pages. Bids are always
created, filled in and submitted through `commissioning.bid_services`, as providers would.
"""

from __future__ import annotations

import itertools
from contextlib import contextmanager
from datetime import timedelta
from decimal import Decimal
from unittest import mock

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from commissioning.models import (
    BidOutcome,
    BidPartner,
    BidPriceLine,
    FormType,
    Lot,
    Opportunity,
    OpportunityQuestion,
    OpportunityState,
    State,
)
from commissioning.sourcing.services import bids as bid_services
from commissioning.sourcing.services import partners as partner_services
from commissioning.tests.factories import commission_in_state, staff
from councils.models import Role
from providers.models import Organisation, OrganisationMember, ProviderRole
from providers.tests.factories import OrganisationFactory, OrganisationMemberFactory

_numbers = itertools.count(1)
PDF_BYTES = b"%PDF-1.4\n1 0 obj\n<<>>\nendobj\ntrailer\n<<>>\n%%EOF\n"


@contextmanager
def clock(at):
    """Run with `django.utils.timezone.now` fixed at `at` (an aware datetime)."""
    with mock.patch("django.utils.timezone.now", return_value=at):
        yield


class MovableClock:
    """A clock the test moves on: `with MovableClock(start) as now: now.advance(seconds=5)`."""

    def __init__(self, start):
        self.now = start
        self._patch = mock.patch("django.utils.timezone.now", side_effect=lambda: self.now)

    def __enter__(self):
        self._patch.start()
        return self

    def __exit__(self, *exc):
        self._patch.stop()

    def advance(self, **delta):
        self.now += timedelta(**delta)


def sourcing_commission(council):
    return commission_in_state(council, State.SOURCING)


def open_opportunity(
    council,
    *,
    commission=None,
    form_type=FormType.FULL_TENDER,
    lots: int = 0,
    questions: int = 2,
    word_limit: int = 50,
    deadline=None,
    title="Youth work in the rural wards",
):
    """A published opportunity (deadline 30 days from now unless given), with questions and lots."""
    commission = commission or sourcing_commission(council)
    now = timezone.now()
    deadline = deadline or now + timedelta(days=30)
    number = next(_numbers)
    opportunity = Opportunity.objects.create(
        council=council,
        commission=commission,
        cycle=commission.cycle,
        reference=f"{council.short_code}-OPP-{number:04d}",
        title=title,
        summary="Youth clubs and detached youth work in the four rural wards.",
        outcomes_sought="More young people in the rural wards take part in positive activities.",
        eligibility="Constituted voluntary and community groups, charities and social enterprises.",
        budget_envelope=Decimal("120000"),
        form_type=form_type,
        clarification_deadline=now + (deadline - now) / 2,
        submission_deadline=deadline,
        expected_award_on=timezone.localtime(deadline).date() + timedelta(days=30),
        service_starts_on=timezone.localtime(deadline).date() + timedelta(days=60),
    )
    criteria = list(commission.criteria.filter(cycle=commission.cycle).order_by("position"))
    for position in range(1, questions + 1):
        OpportunityQuestion.objects.create(
            opportunity=opportunity,
            criterion=criteria[(position - 1) % len(criteria)],
            text=f"Question {position}: how will you reach young people who do not use services now?",
            guidance="Give examples from your work.",
            word_limit=word_limit,
            position=position,
        )
    for lot_number in range(1, lots + 1):
        Lot.objects.create(opportunity=opportunity, number=lot_number, title=f"Ward {lot_number}")
    opportunity.publish(by=staff(council, Role.PROCUREMENT_OFFICER))  # test-only: publishing is not ours
    opportunity.save()
    return opportunity


def close_and_open(opportunity, officer=None):
    """Test-only: the deadline has passed; close the opportunity and open its bids."""
    opportunity.refresh_from_db()
    if opportunity.state == OpportunityState.PUBLISHED:
        opportunity.close()
        opportunity.save()
    opportunity.open_bids(by=officer or staff(opportunity.council, Role.PROCUREMENT_OFFICER))
    opportunity.save()
    return opportunity


def bid_writer(organisation=None, *, email=None, role=ProviderRole.ORGANISATION_ADMIN):
    kwargs = {"role": role}
    if organisation is not None:
        kwargs["organisation"] = organisation
    if email:
        kwargs["user__email"] = email
    return OrganisationMemberFactory(**kwargs).user


def organisation_of(user) -> Organisation:
    return OrganisationMember.objects.filter(user=user).select_related("organisation").first().organisation


def add_partners(bid, user, names, *, role: str = "Runs the Tuesday club", confirm: bool = True) -> list[BidPartner]:
    """Name registered organisations as the bid's partners and, unless `confirm=False`, have each
    one's administrator confirm (through the services, as a partner would)."""
    organisations = [OrganisationFactory(legal_name=name) for name in names]
    admins = {}
    for organisation in organisations:
        admin = organisation.members.filter(role=ProviderRole.ORGANISATION_ADMIN).select_related("user").first()
        admins[organisation.pk] = admin.user if admin else bid_writer(organisation)
    rows = bid_services.bid_save_rows(
        by=user,
        bid=bid,
        model=BidPartner,
        rows=[{"organisation": organisation, "role": role} for organisation in organisations],
    )
    if confirm:
        rows = [partner_services.partner_confirm(by=admins[row.organisation_id], partner=row) for row in rows]
    return rows


def start_bid(opportunity, user, organisation=None):
    return bid_services.bid_start(by=user, opportunity=opportunity, organisation=organisation or organisation_of(user))


def complete_bid(bid, user, *, words: int = 20, partner: str = ""):
    """Fill in every section so the bid can be submitted."""
    opportunity = bid.opportunity
    bid_services.bid_save_answers(
        by=user,
        bid=bid,
        answers={q.pk: " ".join(["word"] * min(words, q.word_limit)) for q in opportunity.questions.all()},
        summary="Detached youth work in every rural ward.",
    )
    lots = list(opportunity.lots.all())
    if lots:
        bid_services.bid_save_lots(by=user, bid=bid, lots=lots)
    lines = [{"lot": lot, "year": 1, "description": "Youth workers", "amount": Decimal("20000")} for lot in lots] or [
        {"lot": None, "year": 1, "description": "Youth workers", "amount": Decimal("20000")}
    ]
    bid_services.bid_save_rows(by=user, bid=bid, model=BidPriceLine, rows=lines)
    bid_services.bid_save_rows(
        by=user,
        bid=bid,
        model=BidOutcome,
        rows=[
            {
                "description": "Young people feel they belong",
                "measure": "Young people taking part",
                "target": Decimal("150"),
                "unit": "young people",
            }
        ],
    )
    if partner:
        add_partners(bid, user, [partner])
    bid_services.bid_save_declarations(
        by=user, bid=bid, conflicts_declared="", no_conflicts=True, accuracy_confirmed=True
    )
    bid.refresh_from_db()
    return bid


def submitted_bid(opportunity, user, organisation=None, **kwargs):
    bid = complete_bid(start_bid(opportunity, user, organisation), user, **kwargs)
    return bid_services.bid_transition(by=user, bid=bid, name="submit")


def pdf_upload(name="delivery-plan.pdf", content=PDF_BYTES):
    return SimpleUploadedFile(name, content, content_type="application/pdf")
