"""Hand-offs of the steps that are not one person's transition, and of two that were silent: the last
declaration or score sheet tells the panel's chair, a notice marked ready tells those who publish it, a
signed agreement tells whoever puts it live, and the first call-in request tells the other scrutiny
members. Each is told once, in the step's own transaction: a refused or rolled-back step tells nobody."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from decimal import Decimal

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from commissioning.award import call_in
from commissioning.handoffs import may_open_evaluation
from commissioning.models import AwardState, EvaluationState
from commissioning.tests.award_factories import approved_award, holder_portfolio, scrutiny_members
from commissioning.tests.evaluation_factories import (
    bidder,
    declare_all,
    default_scores,
    evaluation_in_state,
    step,
    submit_scores,
)
from commissioning.tests.factories import staff
from councils.models import Notification, ReminderKind, Role, SentReminder
from councils.permissions import forget_roles
from councils.tests.factories import MembershipFactory
from monitoring.invoices.tests.factories import contract, invoice
from monitoring.models import Agreement, NoticeType
from monitoring.notices import services as notice_services
from monitoring.tests.factories import draft_agreement, sign
from monitoring.tests.notice_factories import advertised_notice, ready

pytestmark = pytest.mark.django_db


def told(kind: str) -> dict[str, list[str]]:
    """Each person told this kind of thing: their email → the links they were sent."""
    found: dict[str, list[str]] = {}
    for email, url in Notification.objects.filter(kind=kind).values_list("user__email", "url"):
        found.setdefault(email, []).append(url)
    return found


def on(day, hour=11):
    return time_machine.travel(datetime.combine(day, time(hour), tzinfo=timezone.get_current_timezone()), tick=False)


def then_fail(write, kind: str) -> None:
    """`write`, then a failure in the same transaction (the page failing after the step): all rolled back."""
    with transaction.atomic():
        write()
        assert told(kind)  # told inside the transaction...
        raise RuntimeError("the page failed after the step")


def evaluation_page(world) -> str:
    return reverse(
        "commissioning:evaluation",
        kwargs={"council_slug": world.council.slug, "opportunity_pk": world.opportunity.pk},
    )


# ---- The panel: the last declaration, the last scores ---------------------------------------------


def test_the_last_declaration_tells_the_chair_once(council, people):
    world = evaluation_in_state(council)  # the chair and the panellist are appointed; nobody has declared
    lead, chair, panellist = world.lead, world.chair, world.panellist
    declare_all(world, chair)
    assert not told(ReminderKind.PANEL_STAGE_READY)  # the panellist has still to declare

    # A refused declaration (a conflict without its nature) tells nobody; nor does one rolled back.
    with pytest.raises(ValidationError):
        declare_all(world, panellist, conflicts={world.bids[0].pk: " "})
    with pytest.raises(RuntimeError):
        then_fail(lambda: declare_all(world, panellist), ReminderKind.PANEL_STAGE_READY)
    assert not told(ReminderKind.PANEL_STAGE_READY)
    assert not SentReminder.objects.filter(kind=ReminderKind.PANEL_STAGE_READY).exists()

    declare_all(world, panellist)
    page = evaluation_page(world)
    # The chair, whose step it is; not the lead commissioner, nor the panellist who declared.
    assert told(ReminderKind.PANEL_STAGE_READY) == {chair.email: [page]}
    notice = Notification.objects.get(kind=ReminderKind.PANEL_STAGE_READY)
    assert notice.title == f"Declarations are in: {world.opportunity.reference}"
    assert "start the compliance checks" in notice.body
    assert may_open_evaluation(chair, world.evaluation)
    # Declaring again changes nothing and tells nobody again; the lead's step tells as before.
    declare_all(world, panellist)
    assert told(ReminderKind.PANEL_STAGE_READY) == {chair.email: [page]}
    step(world, "open_compliance", by=lead)
    assert told(ReminderKind.PANEL_STAGE_READY) == {chair.email: [page]}


def test_the_chair_declaring_last_is_not_told_of_their_own_declaration(council, people):
    world = evaluation_in_state(council)
    declare_all(world, world.panellist)
    declare_all(world, world.chair)
    assert not told(ReminderKind.PANEL_STAGE_READY)


def test_the_last_scores_tell_the_chair_that_moderation_can_start(council, people):
    world = evaluation_in_state(council, EvaluationState.SCORING)
    chair, panellist = world.chair, world.panellist
    already = Notification.objects.filter(kind=ReminderKind.PANEL_STAGE_READY).count()  # the declarations
    criteria = world.criteria

    def scores(member_index, bid_index):
        return {c.pk: default_scores(member_index, bid_index, i) for i, c in enumerate(criteria)}

    for bid_index, bid in enumerate(world.bids):
        submit_scores(world, chair, bid, scores(0, bid_index))
    first, last = world.bids
    submit_scores(world, panellist, first, scores(1, 0))
    # A draft is not a submission; a refused submission (a score missing) tells nobody.
    submit_scores(world, panellist, last, scores(1, 1), submit=False)
    with pytest.raises(ValidationError):
        submit_scores(world, panellist, last, {c.pk: None for c in criteria})
    scores_in = Notification.objects.filter(kind=ReminderKind.PANEL_STAGE_READY, title__startswith="Scores are in")
    assert not scores_in.exists()

    submit_scores(world, panellist, last, scores(1, 1))
    assert [(n.user, n.url) for n in scores_in] == [(chair, evaluation_page(world))]
    assert "close scoring and start moderation" in scores_in.get().body
    assert Notification.objects.filter(kind=ReminderKind.PANEL_STAGE_READY).count() == already + 1
    step(world, "open_moderation", by=chair)
    assert scores_in.count() == 1


# ---- Notices marked ready ------------------------------------------------------------------------


def test_a_notice_marked_ready_tells_the_officers_who_publish_it(council, people):
    notice = advertised_notice(council)
    procurement = people[Role.PROCUREMENT_OFFICER]
    finance = people[Role.FINANCE_OFFICER]
    SentReminder.objects.all().delete()
    Notification.objects.all().delete()  # what building the commission told

    # Someone who may not mark it ready is refused, and nobody hears.
    with pytest.raises(PermissionDenied):
        notice_services.notice_step(by=finance, notice=notice, name="mark_ready")
    assert not told(ReminderKind.NOTICE_TO_PUBLISH)

    ready(notice, procurement)
    publishers = {
        people[role].email: [notice.get_absolute_url()]
        for role in (Role.LEAD_COMMISSIONER, Role.COMMISSIONING_OFFICER, Role.LEGAL_OFFICER)
        if people[role] != procurement
    }
    assert told(ReminderKind.NOTICE_TO_PUBLISH) == publishers  # not the officer who marked it ready
    assert not Notification.objects.filter(user__in=[finance, people[Role.SCRUTINY_MEMBER]]).exists()
    assert not Notification.objects.filter(user=people["other_council_officer"]).exists()
    message = Notification.objects.filter(kind=ReminderKind.NOTICE_TO_PUBLISH).first()
    assert message.title.startswith("Notice ready to publish: UK4")

    # Reopened and marked ready again: a new step, so each is told again, once.
    notice_services.notice_step(by=procurement, notice=notice, name="reopen")
    ready(notice, procurement)
    assert {email: len(urls) for email, urls in told(ReminderKind.NOTICE_TO_PUBLISH).items()} == dict.fromkeys(
        publishers, 2
    )


def test_a_payments_compliance_notice_marked_ready_by_the_finance_officer_tells_the_publishers(council, people):
    # A UK17 is the section 151 officer's to mark ready; the notice officers then publish it.
    act = contract(council)
    invoice(act, "A", date(2026, 5, 1), "12000", paid_on=date(2026, 5, 31))
    with on(date(2026, 12, 7)):
        notices = notice_services.council_notices_refresh(council, date(2026, 12, 7))
        (notice,) = [n for n in notices if n.notice_type == NoticeType.UK17]
        Notification.objects.all().delete()
        notice_services.notice_step(by=people[Role.FINANCE_OFFICER], notice=notice, name="mark_ready")
    publishers = told(ReminderKind.NOTICE_TO_PUBLISH)
    assert set(publishers) == {
        people[role].email
        for role in (Role.LEAD_COMMISSIONER, Role.COMMISSIONING_OFFICER, Role.PROCUREMENT_OFFICER, Role.LEGAL_OFFICER)
    }
    assert all(urls == [notice.get_absolute_url()] for urls in publishers.values())
    assert "UK17 payments compliance notice" in Notification.objects.filter(user=people[Role.LEGAL_OFFICER]).get().body


# ---- Agreements signed ---------------------------------------------------------------------------


def test_a_signed_agreement_tells_whoever_puts_it_live(council, people):
    contact = MembershipFactory(council=council, role=Role.COMMISSIONING_OFFICER).user
    agreement = draft_agreement(council, council_contact=contact)
    lead_officer = agreement.commission.lead_officer
    legal = people[Role.LEGAL_OFFICER]
    Notification.objects.all().delete()

    # The finance officer may not record the signature: refused, and nobody hears.
    with pytest.raises(PermissionDenied):
        sign(agreement, by=people[Role.FINANCE_OFFICER])
    with pytest.raises(RuntimeError):
        then_fail(lambda: sign(agreement, by=legal), ReminderKind.AGREEMENT_SIGNED)
    assert not told(ReminderKind.AGREEMENT_SIGNED)

    sign(Agreement.objects.get(pk=agreement.pk), by=legal)
    page = agreement.get_absolute_url()
    # The council contact and the lead officer manage it; the legal officer who signed is not told.
    assert told(ReminderKind.AGREEMENT_SIGNED) == {contact.email: [page], lead_officer.email: [page]}
    assert "mark it as live" in Notification.objects.filter(kind=ReminderKind.AGREEMENT_SIGNED).first().body


def test_an_agreement_whose_managers_cannot_put_it_live_tells_the_lead_commissioner(council, people):
    finance = people[Role.FINANCE_OFFICER]  # a council contact who may not mark it live
    agreement = draft_agreement(council, council_contact=finance)
    officer = agreement.commission.lead_officer
    officer.memberships.filter(council=council).delete()  # the lead officer has since left the team
    forget_roles(officer)
    Notification.objects.all().delete()
    sign(agreement, by=people[Role.LEGAL_OFFICER])
    assert set(told(ReminderKind.AGREEMENT_SIGNED)) == {staff(council, Role.LEAD_COMMISSIONER).email}


# ---- Call-in: the first request ------------------------------------------------------------------


def test_the_first_call_in_request_tells_the_other_scrutiny_members_how_many_more_are_needed(council, people):
    world = approved_award(
        council,
        bidders=[bidder("Moorside Youth Trust", 270000), bidder("Brightwork", 280000)],
        budget=Decimal(300000),
        portfolio=holder_portfolio(council, people[Role.PORTFOLIO_HOLDER]),
    )
    council.call_in_threshold = 3
    council.save(update_fields=["call_in_threshold"])
    first, second, third = scrutiny_members(council, 3)
    page = world.award.get_absolute_url()

    def ask(member, reason="The committee questions the price."):
        return call_in.call_in_request(by=member, award=world.refresh_award(), reason=reason)

    with on(world.award.decided_on + timedelta(days=1)):
        with pytest.raises(ValidationError):
            ask(first, reason=" ")  # no reason: refused, and nobody hears
        with pytest.raises(PermissionDenied):
            ask(people[Role.FINANCE_OFFICER])
        assert not told(ReminderKind.CALL_IN_ASKED)

        ask(first)
        assert told(ReminderKind.CALL_IN_ASKED) == {second.email: [page], third.email: [page]}
        body = Notification.objects.filter(kind=ReminderKind.CALL_IN_ASKED).first().body
        assert "It is called in if 2 more members ask during the call-in period" in body
        # Later requests, and a first one withdrawn and made again, tell nobody again.
        ask(second)
        call_in.call_in_request_withdraw(by=second, award=world.refresh_award())
        call_in.call_in_request_withdraw(by=first, award=world.refresh_award())
        ask(second)
        assert told(ReminderKind.CALL_IN_ASKED) == {
            second.email: [page],
            third.email: [page],
            first.email: [page],  # the member who asked first hears that someone else has now asked
        }
        ask(first)
        award = ask(third)
    assert award.state == AwardState.CALLED_IN
    assert Notification.objects.filter(kind=ReminderKind.CALL_IN_ASKED).count() == 3
    # Never the decision-maker: they hear when the decision is actually called in.
    assert people[Role.PORTFOLIO_HOLDER].email not in told(ReminderKind.CALL_IN_ASKED)
    assert people[Role.PORTFOLIO_HOLDER].email in told(ReminderKind.AWARD_CALLED_IN)
