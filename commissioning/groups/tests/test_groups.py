"""Member working groups: who names members, who may be named, what members read and write, and
everything they are refused: the commission's own pages, the procurement behind it (sealed bids,
evaluation, award), another group's commission, and anything behind the ethical wall."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse

from commissioning.cycle import services as cycle_services
from commissioning.groups import selectors, services
from commissioning.models import (
    DeliveryRoute,
    EngagementActivity,
    EngagementKind,
    NeedsAssessment,
    State,
    WorkingGroup,
    WorkingGroupComment,
    WorkingGroupMember,
)
from commissioning.sourcing.services import bids as bid_services
from commissioning.tests.factories import commission_in_state, create_commission
from commissioning.tests.review_factories import review_under_way
from councils.models import AuditEvent, Membership, Notification, ReminderKind, Role, User
from councils.permissions import forget_roles
from councils.tests.factories import MembershipFactory, PortfolioFactory
from demo import opportunities as opportunity_demo
from providers.models import Organisation
from providers.tests.factories import OrganisationMemberFactory
from tests.query_counts import assert_same_queries

pytestmark = pytest.mark.django_db


@pytest.fixture
def holder(people):
    return people[Role.PORTFOLIO_HOLDER]


@pytest.fixture
def commission(council, holder):
    """A commission in Understand in the portfolio holder's portfolio, its needs assessment written."""
    commission = create_commission(council, portfolio=PortfolioFactory(council=council, holder=holder))
    NeedsAssessment.objects.create(
        commission=commission, population_and_demand="Older people living alone", summary_of_need="Fewer lonely days"
    )
    return commission


@pytest.fixture
def councillor(people):
    return people[Role.COUNCILLOR]


def group_url(commission, name="commissioning:working_group", **extra):
    return reverse(name, kwargs={"council_slug": commission.council.slug, "pk": commission.pk, **extra})


def name(commission, user, by):
    return services.working_group_add(by=by, subject=commission, user=user)


# --- Naming and removing -----------------------------------------------------------------------


def test_the_portfolio_holder_names_a_councillor_who_is_told_with_a_link_to_the_group(commission, holder, councillor):
    member = name(commission, councillor, holder)
    assert selectors.is_member(councillor, commission)
    (notice,) = Notification.objects.filter(user=councillor, kind=ReminderKind.WORKING_GROUP_NAMED)
    assert notice.url == group_url(commission)
    assert commission.reference in notice.title
    assert AuditEvent.objects.filter(event_type="commission.working_group.member_added", actor=holder).exists()
    # Naming again tells nobody twice and adds nobody twice.
    with pytest.raises(ValidationError):
        name(commission, councillor, holder)
    assert WorkingGroupMember.objects.filter(group__commission=commission).count() == 1
    assert member.group.council == commission.council


def test_the_page_names_a_councillor_and_the_group_lists_them(client_for, commission, holder, councillor):
    client = client_for(holder)
    page = client.get(group_url(commission, "commissioning:working_group_name"))
    assert councillor.full_name in page.content.decode()
    response = client.post(group_url(commission, "commissioning:working_group_name"), {"user": councillor.pk})
    assert response.status_code == 302
    assert councillor.full_name in client.get(group_url(commission)).content.decode()


@pytest.mark.parametrize(
    "role",
    [Role.COMMISSIONING_OFFICER, Role.SCRUTINY_MEMBER, Role.COUNCIL_ADMIN, Role.COUNCILLOR, Role.FINANCE_OFFICER],
)
def test_nobody_but_the_holder_and_the_lead_commissioner_names_members(commission, people, councillor, role):
    with pytest.raises(PermissionDenied):
        name(commission, councillor, people[role])


def test_the_holder_of_another_portfolio_is_refused_and_never_told_the_commission_exists(
    client_for, council, commission, councillor
):
    other_holder = MembershipFactory(council=council, role=Role.PORTFOLIO_HOLDER).user
    PortfolioFactory(council=council, holder=other_holder)
    with pytest.raises(PermissionDenied):
        name(commission, councillor, other_holder)
    assert client_for(other_holder).get(group_url(commission, "commissioning:working_group_name")).status_code == 404


@pytest.mark.parametrize("role", [Role.COMMISSIONING_OFFICER, Role.LEAD_COMMISSIONER, Role.COUNCIL_ADMIN])
def test_only_councillors_may_be_named(commission, holder, people, role):
    with pytest.raises(ValidationError):
        name(commission, people[role], holder)


def test_a_councillor_of_another_council_may_not_be_named(commission, holder, other_council):
    outsider = MembershipFactory(council=other_council, role=Role.COUNCILLOR).user
    with pytest.raises(ValidationError):
        name(commission, outsider, holder)


def test_removing_a_member_shuts_them_out_and_keeps_their_comments(client_for, commission, holder, councillor):
    member = name(commission, councillor, holder)
    services.working_group_comment(by=councillor, subject=commission, about="needs", text="Ask the GPs.")
    services.working_group_remove(by=holder, subject=commission, member=member)
    assert not selectors.is_member(councillor, commission)
    assert client_for(councillor).get(group_url(commission)).status_code == 404
    assert EngagementActivity.objects.filter(commission=commission, author=councillor).count() == 1
    # Named again later, they are a member again (the old membership stays as history).
    name(commission, councillor, holder)
    assert WorkingGroupMember.objects.filter(user=councillor).count() == 2


def test_a_councillor_whose_seat_is_taken_away_reads_nothing_more(client_for, council, commission, holder, councillor):
    name(commission, councillor, holder)
    Membership.objects.filter(user=councillor, council=council).delete()
    forget_roles(councillor)
    assert not selectors.is_member(councillor, commission)
    assert client_for(councillor).get(group_url(commission)).status_code == 404


# --- What members read and write ----------------------------------------------------------------


def test_a_member_reads_the_working_documents_and_comments_into_the_engagement_log(
    client_for, commission, holder, councillor, people
):
    name(commission, councillor, holder)
    client = client_for(councillor)
    page = client.get(group_url(commission))
    assert page.status_code == 200
    assert "Fewer lonely days" in page.content.decode()
    response = client.post(
        group_url(commission, "commissioning:working_group_comment"),
        {"about": "needs", "text": "Talk to the befriending charities too."},
    )
    assert response.status_code == 302
    (comment,) = EngagementActivity.objects.filter(commission=commission, kind=EngagementKind.WORKING_GROUP)
    assert (comment.author, comment.about, comment.stage, comment.cycle) == (
        councillor,
        "Needs assessment",
        "understand",
        1,
    )
    assert councillor.full_name in comment.participants
    # The officers see it in the commission's engagement log.
    officer_page = client_for(people[Role.COMMISSIONING_OFFICER]).get(commission.get_absolute_url())
    assert "Talk to the befriending charities too." in officer_page.content.decode()


def test_a_comment_needs_words_and_a_document(client_for, commission, holder, councillor):
    name(commission, councillor, holder)
    response = client_for(councillor).post(group_url(commission, "commissioning:working_group_comment"), {})
    assert response.status_code == 200
    assert not EngagementActivity.objects.filter(commission=commission).exists()
    with pytest.raises(ValidationError):
        services.working_group_comment(by=councillor, subject=commission, about="bids", text="Who bid?")


@pytest.mark.parametrize("role", [Role.COMMISSIONING_OFFICER, Role.PORTFOLIO_HOLDER, Role.SCRUTINY_MEMBER])
def test_readers_who_are_not_members_do_not_comment(client_for, commission, people, role):
    assert client_for(people[role]).get(group_url(commission)).status_code == 200
    with pytest.raises(PermissionDenied):
        services.working_group_comment(by=people[role], subject=commission, about="needs", text="Hm.")
    assert client_for(people[role]).get(group_url(commission, "commissioning:working_group_comment")).status_code == 403


def test_nothing_changes_once_the_commission_has_ended(client_for, council, holder, councillor):
    commission = commission_in_state(
        council, State.CANCELLED, portfolio=PortfolioFactory(council=council, holder=holder)
    )
    with pytest.raises(ValidationError):
        name(commission, councillor, holder)
    assert client_for(holder).get(group_url(commission, "commissioning:working_group_name")).status_code == 302


# --- Refused: the commission's own pages, the procurement, other groups, the wall -------------


@pytest.fixture
def sourcing(council, holder, people, councillor):
    """A contract in Sourcing with a published opportunity and a submitted (sealed) bid, and the
    councillor on its working group."""
    commission = commission_in_state(
        council,
        State.SOURCING,
        route=DeliveryRoute.CONTRACT,
        budget=Decimal(150000),
        portfolio=PortfolioFactory(council=council, holder=holder),
    )
    opportunity = opportunity_demo.opportunity_for(commission, officer=people[Role.COMMISSIONING_OFFICER])
    bidder = people["provider_admin"]
    bid = bid_services.bid_start(
        by=bidder, opportunity=opportunity, organisation=Organisation.objects.get(members__user=bidder)
    )
    name(commission, councillor, holder)
    return commission, opportunity, bid


def test_a_member_is_refused_every_page_of_the_commission_and_its_procurement(client_for, sourcing, councillor):
    commission, opportunity, bid = sourcing
    client = client_for(councillor)
    slug = commission.council.slug
    refused = [
        commission.get_absolute_url(),
        reverse("commissioning:audit", args=[slug, commission.pk]),
        reverse("commissioning:procurement_record", args=[slug, commission.pk]),
        reverse("commissioning:opportunity", args=[slug, opportunity.pk]),
        reverse("commissioning:opportunity_opening", args=[slug, opportunity.pk]),
        reverse("commissioning:evaluation", args=[slug, opportunity.pk]),
        reverse("bids:detail", args=[bid.pk]),
    ]
    for url in refused:
        assert client.get(url).status_code in (403, 404), url
    for url in (reverse("commissioning:list", args=[slug]), reverse("monitoring:agreement_list", args=[slug])):
        assert client.get(url).status_code == 403, url


def test_the_group_page_shows_nothing_of_the_bids(client_for, sourcing, councillor):
    commission, opportunity, bid = sourcing
    page = client_for(councillor).get(group_url(commission)).content.decode()
    assert bid.organisation.legal_name not in page
    assert opportunity.reference not in page
    assert reverse("commissioning:opportunity", args=[commission.council.slug, opportunity.pk]) not in page


def test_a_member_of_another_group_gets_a_404(client_for, council, commission, sourcing, holder, people):
    other_member = MembershipFactory(council=council, role=Role.COUNCILLOR).user
    name(commission, other_member, holder)
    other_commission = sourcing[0]
    client = client_for(other_member)
    assert client.get(group_url(commission)).status_code == 200
    assert client.get(group_url(other_commission)).status_code == 404
    assert client.get(group_url(other_commission, "commissioning:working_group_comment")).status_code == 404
    with pytest.raises(PermissionDenied):
        services.working_group_comment(by=other_member, subject=other_commission, about="needs", text="Hi")


def test_a_member_who_acts_for_a_bidder_is_behind_the_wall(client_for, council, sourcing, holder, people):
    commission, _, bid = sourcing
    walled = MembershipFactory(council=council, role=Role.COUNCILLOR).user
    name(commission, walled, holder)
    OrganisationMemberFactory(organisation=bid.organisation, user=walled)
    client = client_for(walled)
    assert client.get(group_url(commission)).status_code == 403
    assert client.get(group_url(commission, "commissioning:working_group_comment")).status_code == 403
    walled = User.objects.get(pk=walled.pk)  # roles and organisations are read once per request
    with pytest.raises(PermissionDenied):
        services.working_group_comment(by=walled, subject=commission, about="needs", text="Hi")


def test_a_councillor_who_acts_for_a_bidder_cannot_be_named(council, sourcing, holder):
    commission, _, bid = sourcing
    walled = MembershipFactory(council=council, role=Role.COUNCILLOR).user
    OrganisationMemberFactory(organisation=bid.organisation, user=walled)
    with pytest.raises(ValidationError):
        name(commission, walled, holder)


# --- The way in: home, the dashboard and the list of one's groups --------------------------------


def test_a_councillor_lands_on_their_working_groups(client_for, commission, holder, councillor):
    name(commission, councillor, holder)
    client = client_for(councillor)
    home = client.get(reverse("home"))
    dashboard = client.get(home.url)
    assert dashboard.status_code == 200
    assert dashboard.context["view"] == "groups"
    body = dashboard.content.decode()
    assert group_url(commission) in body
    # No links to lists that would refuse them.
    assert f'href="{reverse("commissioning:list", args=[commission.council.slug])}"' not in body
    assert group_url(commission) in client.get(reverse("commissioning:my_working_groups")).content.decode()


def test_the_portfolio_holder_finds_the_groups_to_name(client_for, commission, holder):
    page = client_for(holder).get(reverse("monitoring:dashboard", args=[commission.council.slug]) + "?view=groups")
    assert page.status_code == 200
    assert group_url(commission) in page.content.decode()


# --- Reviews of existing services ---------------------------------------------------------------


@pytest.fixture
def review(council, holder):
    return review_under_way(council, portfolio=PortfolioFactory(council=council, holder=holder))


def review_group_url(review, name="commissioning:review_working_group"):
    return reverse(name, kwargs={"council_slug": review.council.slug, "pk": review.pk})


def test_a_review_has_its_own_group_and_log(client_for, review, holder, councillor, commission, people):
    name(review, councillor, holder)
    (notice,) = Notification.objects.filter(user=councillor, kind=ReminderKind.WORKING_GROUP_NAMED)
    assert notice.url == review_group_url(review)
    client = client_for(councillor)
    page = client.get(review_group_url(review)).content.decode()
    assert "Attendance fell by a third" in page
    assert client.get(review.get_absolute_url()).status_code == 404
    response = client.post(
        review_group_url(review, "commissioning:review_working_group_comment"),
        {"about": "evidence", "text": "Ask the bus operators about the northern routes."},
    )
    assert response.status_code == 302
    (comment,) = WorkingGroupComment.objects.filter(group__review=review)
    assert (comment.author, comment.about) == (councillor, "Evidence")
    assert (
        "northern routes" in client_for(people[Role.LEAD_COMMISSIONER]).get(review_group_url(review)).content.decode()
    )
    # The review's group is not the commission's: no door into the commission's group or its log.
    assert client_for(councillor).get(group_url(commission)).status_code == 404
    assert not EngagementActivity.objects.filter(commission=commission).exists()


def test_a_review_group_member_is_refused_a_commission_document_kind(review, holder, councillor):
    name(review, councillor, holder)
    with pytest.raises(ValidationError):
        services.working_group_comment(by=councillor, subject=review, about="options", text="?")


def test_a_group_has_exactly_one_subject(council, commission, review):
    for subjects in ({}, {"commission": commission, "review": review}):
        with pytest.raises(IntegrityError), transaction.atomic():
            WorkingGroup.objects.create(council=council, **subjects)


def test_the_groups_pages_run_in_fixed_queries(client_for, council, commission, holder, councillor):
    name(commission, councillor, holder)

    def more_groups(count):
        for n in range(count):
            other = create_commission(council, title=f"Working group commission {n}", portfolio=commission.portfolio)
            name(other, councillor, holder)

    client = client_for(councillor)
    dashboard, groups = reverse("monitoring:dashboard", args=[council.slug]), {"view": "groups"}
    _, response = assert_same_queries(client, dashboard, more_groups, data=groups, rows=3)
    assert response.content.decode().count("data-group=") == 3
    _, response = assert_same_queries(client_for(holder), dashboard, more_groups, data=groups, rows=3)
    assert response.content.decode().count(": its working group</span>") == 5


def test_officers_keep_a_members_comment_as_written(client_for, commission, holder, councillor, people):
    name(commission, councillor, holder)
    comment = services.working_group_comment(by=councillor, subject=commission, about="needs", text="As written.")
    officer = people[Role.COMMISSIONING_OFFICER]
    comment.what_we_heard = "Rewritten."
    with pytest.raises(ValidationError):
        cycle_services.stage_record_save(by=officer, commission=commission, instance=comment)
    with pytest.raises(ValidationError):
        cycle_services.stage_record_delete(by=officer, commission=commission, instance=comment)
    form = client_for(officer).get(
        reverse("commissioning:record_add", args=[commission.council.slug, commission.pk, "engagement"])
    )
    assert "working_group" not in dict(form.context["form"].fields["kind"].choices)
