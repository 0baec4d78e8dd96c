"""Sealed bids: nobody at the council reads a bid before the opening — by any path.

Every council-side read is tried (the bid list and page, document downloads, the admin) for the
lead commissioner, a procurement officer, a council administrator and a superuser: before the
deadline, after it but before the opening, and after the opening. Then the ethical wall, and a
hypothesis state machine that interleaves bidding, the clock, closing and opening and checks after
every step that no council user can read an unopened bid.
"""

from __future__ import annotations

import datetime

import pytest
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.extra.django import TestCase as HypothesisTestCase
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, rule, run_state_machine_as_test

from commissioning.models import (
    BIDS_READABLE_STATES,
    Bid,
    BidAnswer,
    BidDocument,
    BidOutcome,
    BidPartner,
    BidPriceLine,
    BidReceipt,
    BidState,
    OpportunityState,
)
from commissioning.sourcing.selectors import bids as bid_selectors
from commissioning.sourcing.services import bids as bid_services
from commissioning.sourcing.services import partners as partner_services
from commissioning.tests.bid_factories import (
    MovableClock,
    bid_writer,
    clock,
    close_and_open,
    complete_bid,
    open_opportunity,
    pdf_upload,
    sourcing_commission,
    start_bid,
    submitted_bid,
)
from councils.models import Role
from councils.tests.factories import CouncilFactory, MembershipFactory, UserFactory
from councils.workflow import TransitionConflict, TransitionRefused
from providers.models import OrganisationMember, ProviderRole
from providers.tests.factories import OrganisationFactory, OrganisationMemberFactory
from tests.accounts import sign_in_verified

pytestmark = pytest.mark.django_db

SECRET = "THE-SECRET-ANSWER"
COUNCIL_READERS = (Role.LEAD_COMMISSIONER, Role.PROCUREMENT_OFFICER)
COUNCIL_NON_READERS = (Role.COUNCIL_ADMIN, Role.PORTFOLIO_HOLDER, Role.SCRUTINY_MEMBER)


@pytest.fixture
def sealed(council, people):
    """A published opportunity with one submitted bid (with a document) and one draft."""
    opportunity = open_opportunity(council, questions=1, word_limit=50)
    user = people["provider_admin"]
    bid = complete_bid(start_bid(opportunity, user), user)
    question = opportunity.questions.get()
    bid_services.bid_save_answers(by=user, bid=bid, answers={question.pk: SECRET})
    document = bid_services.bid_document_add(by=user, bid=bid, title="Delivery plan", upload=pdf_upload())
    bid_services.bid_transition(by=user, bid=bid, name="submit")
    draft = start_bid(opportunity, people["other_provider_admin"])
    return {"opportunity": opportunity, "bid": bid, "document": document, "draft": draft}


@pytest.fixture
def superuser(db):
    return UserFactory(email="root@example.org", is_staff=True, is_superuser=True)


def council_urls(world):
    opportunity, bid = world["opportunity"], world["bid"]
    base = {"council_slug": opportunity.council.slug, "opportunity_pk": opportunity.pk}
    return {
        "list": reverse("bids:council_list", kwargs=base),
        "detail": reverse("bids:council_detail", kwargs={**base, "bid_pk": bid.pk}),
        "document": reverse("bids:document", kwargs={"pk": world["document"].pk}),
    }


def after_deadline(opportunity):
    return opportunity.submission_deadline + datetime.timedelta(minutes=1)


def assert_sealed_over_http(client, people, world):
    urls = council_urls(world)
    for role in COUNCIL_READERS:
        client.force_login(people[role])
        listing = client.get(urls["list"])
        assert listing.status_code == 200, role
        page = listing.content.decode()
        assert "The bids are sealed" in page
        assert "Moorside Youth Trust" not in page  # not even who has bid
        assert client.get(urls["detail"]).status_code == 404, role
        assert client.get(urls["document"]).status_code == 404, role
    for role in COUNCIL_NON_READERS:
        client.force_login(people[role])
        assert client.get(urls["list"]).status_code == 403, role
        assert client.get(urls["detail"]).status_code == 403, role
        assert client.get(urls["document"]).status_code == 404, role
    for role in (*COUNCIL_READERS, *COUNCIL_NON_READERS, "other_council_officer", "no_role"):
        assert not bid_selectors.bids_visible_to(people[role], world["opportunity"]).exists(), role
        assert not bid_selectors.bids_readable_by(people[role]).exists(), role


def assert_admin_sealed(client, superuser, world):
    sign_in_verified(client, superuser)
    changelist = client.get(reverse("admin:commissioning_bid_changelist"))
    assert changelist.status_code == 200
    page = changelist.content.decode()
    assert "0 bids" in page
    assert "Moorside Youth Trust" not in page
    change = client.get(reverse("admin:commissioning_bid_change", args=[world["bid"].pk]))
    # The admin answers a missing object with a redirect and "doesn't exist": nothing is shown.
    assert change.status_code == 302
    assert SECRET not in change.content.decode()


def test_before_the_deadline_no_council_path_reads_a_bid(client, people, sealed, superuser):
    assert_sealed_over_http(client, people, sealed)
    assert_admin_sealed(client, superuser, sealed)
    # A superuser holds no council role: the council's bid pages refuse them too.
    urls = council_urls(sealed)
    assert client.get(urls["list"]).status_code == 403
    assert client.get(urls["detail"]).status_code == 403
    assert client.get(urls["document"]).status_code == 404
    assert not bid_selectors.bids_visible_to(superuser, sealed["opportunity"]).exists()


def test_the_opportunity_admin_is_read_only_and_renders(client, superuser, sealed):
    sign_in_verified(client, superuser)
    opportunity = sealed["opportunity"]
    assert opportunity.reference in client.get(reverse("admin:commissioning_opportunity_changelist")).content.decode()
    change = client.get(reverse("admin:commissioning_opportunity_change", args=[opportunity.pk]))
    assert change.status_code == 200
    assert "Save" not in change.content.decode()
    assert client.get(reverse("admin:commissioning_opportunity_add")).status_code == 403


def test_council_officers_see_how_many_bids_are_in_but_not_who_or_what(client, people, sealed):
    client.force_login(people[Role.LEAD_COMMISSIONER])
    page = client.get(council_urls(sealed)["list"]).content.decode()
    assert "data-submitted-count>1<" in page  # the draft is not counted
    assert bid_selectors.submitted_bid_count(sealed["opportunity"]) == 1


def test_after_the_deadline_but_before_the_opening_bids_are_still_sealed(client, people, sealed, superuser):
    opportunity = sealed["opportunity"]
    with clock(after_deadline(opportunity)):
        opportunity.close()
        opportunity.save()
        assert opportunity.state == OpportunityState.CLOSED
        assert_sealed_over_http(client, people, sealed)
        assert_admin_sealed(client, superuser, sealed)


def test_after_the_opening_officers_read_the_submitted_bids(client, people, sealed, superuser):
    opportunity = sealed["opportunity"]
    with clock(after_deadline(opportunity)):
        close_and_open(opportunity)
    assert opportunity.state in BIDS_READABLE_STATES
    urls = council_urls(sealed)
    for role in COUNCIL_READERS:
        client.force_login(people[role])
        listing = client.get(urls["list"]).content.decode()
        assert "Moorside Youth Trust" in listing
        assert "Brightwork" not in listing  # a draft at the deadline is never a bid
        detail = client.get(urls["detail"])
        assert detail.status_code == 200
        page = detail.content.decode()
        assert SECRET in page
        assert "Yes: the bid's digest matches its receipt" in page
        download = client.get(urls["document"])
        assert download.status_code == 200
        assert download["Content-Security-Policy"] == "default-src 'none'; sandbox"
        visible = bid_selectors.bids_visible_to(people[role], opportunity)
        assert list(visible) == [sealed["bid"]]
        assert set(bid_selectors.bids_readable_by(people[role])) == set(visible)
    for role in COUNCIL_NON_READERS:
        client.force_login(people[role])
        assert client.get(urls["detail"]).status_code == 403, role
        assert client.get(urls["document"]).status_code == 404, role
    client.force_login(people["other_council_officer"])
    assert client.get(urls["list"]).status_code == 403
    # The draft stays sealed for ever, even from the council's officers.
    draft_url = reverse(
        "bids:council_detail",
        kwargs={
            "council_slug": opportunity.council.slug,
            "opportunity_pk": opportunity.pk,
            "bid_pk": sealed["draft"].pk,
        },
    )
    client.force_login(people[Role.LEAD_COMMISSIONER])
    assert client.get(draft_url).status_code == 404


def test_the_admin_shows_metadata_only_and_only_after_the_opening(client, superuser, people, sealed):
    opportunity = sealed["opportunity"]
    with clock(after_deadline(opportunity)):
        close_and_open(opportunity)
    sign_in_verified(client, superuser)
    changelist = client.get(reverse("admin:commissioning_bid_changelist")).content.decode()
    assert "Moorside Youth Trust" in changelist
    change = client.get(reverse("admin:commissioning_bid_change", args=[sealed["bid"].pk]))
    assert change.status_code == 200
    page = change.content.decode()
    assert "Moorside Youth Trust" in page
    for secret in (SECRET, "Youth workers", "Delivery plan", "Young people taking part"):
        assert secret not in page
    # Searching for what a bid says finds nothing: the admin searches references and names only.
    found = client.get(reverse("admin:commissioning_bid_changelist"), {"q": SECRET}).content.decode()
    assert "0 bids" in found
    for model in (BidAnswer, BidPriceLine, BidOutcome, BidPartner, BidDocument, BidReceipt):
        assert not admin.site.is_registered(model), model


def test_staff_who_are_not_superusers_see_only_their_councils_opened_bids(client, people, sealed):
    """The admin is the system administrator's alone: an officer with `is_staff` and the permission
    to view bids is sent to its sign-in page. Behind that door the bid admin still lists only their
    own council's opened bids."""
    from django.contrib.auth.models import Permission
    from django.test import RequestFactory

    def admin_lists(user):
        client.force_login(user)
        response = client.get(reverse("admin:commissioning_bid_changelist"))
        assert response.status_code == 302
        assert response.url.startswith(reverse("admin:login"))
        assert "Moorside Youth Trust" not in client.get(response.url).content.decode()
        request = RequestFactory().get("/admin/")
        request.user = user
        return list(admin.site._registry[Bid].get_queryset(request))

    lead = people[Role.LEAD_COMMISSIONER]
    lead.is_staff = True
    lead.save()
    lead.user_permissions.add(Permission.objects.get(codename="view_bid"))
    assert admin_lists(lead) == []
    with clock(after_deadline(sealed["opportunity"])):
        close_and_open(sealed["opportunity"])
    assert admin_lists(lead) == [sealed["bid"]]
    other = people["other_council_officer"]
    other.is_staff = True
    other.save()
    other.user_permissions.add(Permission.objects.get(codename="view_bid"))
    assert admin_lists(other) == []


def test_the_ethical_wall_keeps_in_house_bidders_and_partners_out(client, council, people):
    """An officer who is also a member of a bidding organisation (an in-house team or council-owned
    company) or of a partner in a bid cannot read any bid for that opportunity."""
    opportunity = open_opportunity(council, questions=1)
    in_house = OrganisationFactory(legal_name="Testshire Youth Service (in-house)", is_in_house=True)
    procurement = people[Role.PROCUREMENT_OFFICER]
    OrganisationMemberFactory(organisation=in_house, user=procurement, role=ProviderRole.BID_WRITER)
    partner = OrganisationFactory(legal_name="Testshire Sports Company Ltd")
    lead = people[Role.LEAD_COMMISSIONER]
    OrganisationMemberFactory(organisation=partner, user=lead, role=ProviderRole.MONITORING_CONTACT)
    officer = people[Role.COMMISSIONING_OFFICER]

    in_house_bid = submitted_bid(opportunity, procurement, organisation=in_house)
    user = people["provider_admin"]
    joint = complete_bid(start_bid(opportunity, user), user)
    [row] = bid_services.bid_save_rows(
        by=user, bid=joint, model=BidPartner, rows=[{"organisation": partner, "role": "Sport"}]
    )
    partner_services.partner_confirm(by=OrganisationMemberFactory(organisation=partner).user, partner=row)
    bid_services.bid_transition(by=user, bid=joint, name="submit")
    with clock(after_deadline(opportunity)):
        close_and_open(opportunity, officer=people[Role.LEGAL_OFFICER])

    assert set(bid_selectors.bids_visible_to(officer, opportunity)) == {in_house_bid, joint}
    # The in-house bidder sees only their own team's bid, as a provider.
    assert list(bid_selectors.bids_visible_to(procurement, opportunity)) == [in_house_bid]
    assert set(bid_selectors.bids_readable_by(procurement)) == {in_house_bid}
    # The partner's member sees none.
    assert not bid_selectors.bids_visible_to(lead, opportunity).exists()
    assert not bid_selectors.bids_readable_by(lead).exists()
    base = {"council_slug": council.slug, "opportunity_pk": opportunity.pk}
    client.force_login(lead)
    listing = client.get(reverse("bids:council_list", kwargs=base)).content.decode()
    assert "You cannot read these bids" in listing
    for bid in (in_house_bid, joint):
        assert client.get(reverse("bids:council_detail", kwargs={**base, "bid_pk": bid.pk})).status_code == 404
    client.force_login(officer)
    for bid in (in_house_bid, joint):
        assert client.get(reverse("bids:council_detail", kwargs={**base, "bid_pk": bid.pk})).status_code == 200


def test_providers_never_see_each_others_bids_or_documents(client, people, sealed):
    other = people["other_provider_admin"]
    assert list(bid_selectors.bids_visible_to(other, sealed["opportunity"])) == [sealed["draft"]]
    client.force_login(other)
    assert client.get(reverse("bids:document", kwargs={"pk": sealed["document"].pk})).status_code == 404
    assert client.get(reverse("bids:detail", kwargs={"pk": sealed["bid"].pk})).status_code == 404
    with clock(after_deadline(sealed["opportunity"])):
        close_and_open(sealed["opportunity"])
    assert client.get(reverse("bids:document", kwargs={"pk": sealed["document"].pk})).status_code == 404
    assert list(bid_selectors.bids_visible_to(other, sealed["opportunity"])) == [sealed["draft"]]


def test_an_opportunity_of_another_council_is_404(client, people, sealed, other_council):
    client.force_login(people["other_council_officer"])
    url = reverse(
        "bids:council_list", kwargs={"council_slug": other_council.slug, "opportunity_pk": sealed["opportunity"].pk}
    )
    assert client.get(url).status_code == 404


# ---- The invariant, under every interleaving hypothesis tries -----------------------------------

START = datetime.datetime(2026, 3, 20, 9, 0, tzinfo=datetime.UTC)
ORGANISATIONS = ("alpha", "beta", "in_house")


class SealedBidsMachine(RuleBasedStateMachine):
    """Bids are started, filled in, submitted and withdrawn while the clock moves on, and the
    opportunity is closed and opened. After every step: no council user reads an unopened bid;
    once opened, officers read exactly the submitted bids, unless walled off."""

    world: dict = {}

    def __init__(self):
        super().__init__()
        # Each example runs in a savepoint rolled back at the end, and on its own clock.
        self.atomic = transaction.atomic()
        self.atomic.__enter__()
        self.clock = MovableClock(START)
        self.clock.__enter__()
        self.people = self.world["people"]
        self.organisations = self.world["organisations"]
        self.opportunity = open_opportunity(
            self.world["council"],
            commission=self.world["commission"],
            questions=1,
            deadline=START + datetime.timedelta(hours=36),
        )

    def teardown(self):
        self.clock.__exit__(None, None, None)
        transaction.set_rollback(True)
        self.atomic.__exit__(None, None, None)

    def bid_of(self, key):
        return Bid.objects.filter(opportunity=self.opportunity, organisation=self.organisations[key]).first()

    @initialize()
    def nothing_yet(self):
        assert not Bid.objects.filter(opportunity=self.opportunity).exists()

    @rule(key=st.sampled_from(ORGANISATIONS), partner=st.booleans(), confirmed=st.booleans())
    def start_and_fill(self, key, partner, confirmed):
        user = self.people[key]
        refusal = ""
        try:
            bid = start_bid(self.opportunity, user, self.organisations[key])
            complete_bid(bid, user)
            if partner and key == "alpha":
                [row] = bid_services.bid_save_rows(
                    by=user,
                    bid=bid,
                    model=BidPartner,
                    rows=[{"organisation": self.organisations["partner"], "role": "Sport"}],
                )
                if confirmed:  # by the partner's administrator, who is also a council officer
                    partner_services.partner_confirm(by=self.people["partner_officer"], partner=row)
        except ValidationError as error:
            refusal = " ".join(error.messages)
        # The only refusals: the deadline has passed, or the bid is submitted (locked).
        assert not refusal or any(reason in refusal for reason in ("deadline", "locked", "not open"))

    @rule(key=st.sampled_from(ORGANISATIONS), name=st.sampled_from(["submit", "withdraw"]))
    def transition(self, key, name):
        bid = self.bid_of(key)
        if bid is None:
            return
        late = timezone.now() >= self.opportunity.submission_deadline
        try:
            bid_services.bid_transition(by=self.people[key], bid=bid, name=name)
        except (TransitionRefused, TransitionConflict):
            return
        assert not late, "a bid changed state after the deadline"

    @rule(hours=st.integers(min_value=1, max_value=30))
    def advance_clock(self, hours):
        self.clock.advance(hours=hours)

    @rule()
    def close(self):
        self.opportunity.refresh_from_db()
        if (
            self.opportunity.state == OpportunityState.PUBLISHED
            and timezone.now() >= self.opportunity.submission_deadline
        ):
            self.opportunity.close()
            self.opportunity.save()

    @rule()
    def open_bids(self):
        self.opportunity.refresh_from_db()
        if self.opportunity.state == OpportunityState.CLOSED:
            self.opportunity.open_bids(by=self.people[Role.LEAD_COMMISSIONER])
            self.opportunity.save()

    @invariant()
    def no_council_user_reads_an_unopened_bid(self):
        opportunity = self.opportunity
        opportunity.refresh_from_db()
        bids = list(Bid.objects.filter(opportunity=opportunity).prefetch_related("partners"))
        submitted = {bid for bid in bids if bid.state == BidState.SUBMITTED}
        opened = opportunity.state in BIDS_READABLE_STATES
        walled = {
            "walled_officer": any(bid.organisation == self.organisations["in_house"] for bid in bids),
            # Only a partner that confirmed walls its members off.
            "partner_officer": any(
                partner.organisation_id == self.organisations["partner"].pk and partner.is_confirmed
                for bid in bids
                for partner in bid.partners.all()
            ),
        }
        for who in (Role.LEAD_COMMISSIONER, Role.COUNCIL_ADMIN, "walled_officer", "partner_officer"):
            user = self.people[who]
            own = {bid for bid in bids if bid.organisation_id in self.world["own"][who]}
            visible = set(bid_selectors.bids_visible_to(user, opportunity))
            council_side = visible - own
            if not opened:
                assert council_side == set(), f"{who} read an unopened bid"
            elif who == Role.COUNCIL_ADMIN or walled.get(who):
                assert council_side == set(), f"{who} should not read these bids"
            else:
                assert visible == submitted | own
                assert set(bid_selectors.bids_readable_by(user).filter(opportunity=opportunity)) == visible
        if not opened:
            assert not bid_selectors.opened_bids_metadata().filter(opportunity=opportunity).exists()
        for key in ("alpha", "beta"):
            visible = set(bid_selectors.bids_visible_to(self.people[key], opportunity))
            assert visible == {bid for bid in bids if bid.organisation == self.organisations[key]}


class TestSealedBidsUnderEveryInterleaving(HypothesisTestCase):
    @classmethod
    def setUpTestData(cls):
        council = CouncilFactory(name="Hypothesis Council", slug="hypothesis", short_code="HYP")
        people = {}
        for role in (Role.LEAD_COMMISSIONER, Role.COMMISSIONING_OFFICER, Role.COUNCIL_ADMIN):
            people[role] = MembershipFactory(council=council, role=role).user
        people["walled_officer"] = MembershipFactory(council=council, role=Role.PROCUREMENT_OFFICER).user
        people["partner_officer"] = MembershipFactory(council=council, role=Role.LEGAL_OFFICER).user
        people["outsider"] = MembershipFactory(role=Role.LEAD_COMMISSIONER).user
        organisations = {
            key: OrganisationFactory(legal_name=f"Hypothesis {key}") for key in (*ORGANISATIONS, "partner")
        }
        for key in ("alpha", "beta", "in_house"):
            people[key] = bid_writer(organisations[key])
        OrganisationMember.objects.create(
            organisation=organisations["in_house"], user=people["walled_officer"], role=ProviderRole.BID_WRITER
        )
        OrganisationMember.objects.create(
            organisation=organisations["partner"], user=people["partner_officer"], role=ProviderRole.ORGANISATION_ADMIN
        )
        with clock(START - datetime.timedelta(days=1)):
            commission = sourcing_commission(council)
        SealedBidsMachine.world = {
            "own": {
                who: set(OrganisationMember.objects.filter(user=user).values_list("organisation_id", flat=True))
                for who, user in people.items()
            },
            "council": council,
            "people": people,
            "organisations": organisations,
            "commission": commission,
        }

    def test_no_council_user_can_read_an_unopened_bid(self):
        run_state_machine_as_test(
            SealedBidsMachine,
            settings=settings(
                max_examples=25,
                stateful_step_count=15,
                deadline=None,
                suppress_health_check=[HealthCheck.too_slow],
            ),
        )
