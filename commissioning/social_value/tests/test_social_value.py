"""Social value as data, on the commissioning side: each council's default measures, the asks an
officer adds to a draft opportunity (fixed once it is published), the commitments and match funding a
bid carries (validated as typed, kept in the receipt's digest) and the seal on them until the opening."""

from __future__ import annotations

import datetime
from decimal import ROUND_HALF_UP, Decimal
from io import StringIO

import pytest
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command
from django.urls import reverse
from hypothesis import example, given
from hypothesis import strategies as st

from commissioning.models import (
    BidMatchFunding,
    BidSocialValueCommitment,
    MatchFundingKind,
    OpportunitySocialValueAsk,
    SocialValueMeasure,
    State,
    proxy_value,
)
from commissioning.social_value.defaults import DEFAULT_MEASURES
from commissioning.social_value.services import install_default_measures
from commissioning.sourcing.sealing import BID_CONTENTS, sealed_bids
from commissioning.sourcing.selectors import bids as bid_selectors
from commissioning.sourcing.services import bids as bid_services
from commissioning.sourcing.services import opportunities as opportunity_services
from commissioning.tests.bid_factories import clock, close_and_open, complete_bid, open_opportunity, start_bid
from commissioning.tests.factories import commission_in_state, staff
from councils import page_cache
from councils.models import Role
from demo import opportunities as opportunity_demo

pytestmark = pytest.mark.django_db
D = Decimal


def measures(council) -> dict[str, SocialValueMeasure]:
    return {measure.code: measure for measure in SocialValueMeasure.objects.filter(council=council)}


# ---- The council's list ---------------------------------------------------------------------------


def test_a_new_council_starts_with_the_default_measures(council, other_council):
    mine = measures(council)
    assert len(mine) == sum(len(listed) for _theme, listed in DEFAULT_MEASURES)
    assert (mine["SV1"].unit, mine["SV1"].proxy_value, mine["SV1"].theme.name) == (
        "people",
        D("25000"),
        "Jobs and skills",
    )
    assert mine["SV7"].proxy_value is None  # a measure may be counted without a proxy value
    assert mine["SV1"].pk != measures(other_council)["SV1"].pk  # each council has its own list


def test_loading_again_adds_only_what_is_missing_and_keeps_the_councils_own_values(council):
    sv1 = measures(council)["SV1"]
    sv1.proxy_value = D("31000")
    sv1.save()
    SocialValueMeasure.objects.filter(council=council, code="SV8").delete()
    assert install_default_measures(council) == 1
    assert install_default_measures(council) == 0
    sv1.refresh_from_db()
    assert sv1.proxy_value == D("31000")


def test_measures_loaded_for_a_council_change_the_pages_showing_its_list(council):
    SocialValueMeasure.objects.filter(council=council, code="SV8").delete()
    scope = f"council:{council.pk}:{page_cache.family_of(SocialValueMeasure)}"
    before = page_cache.generations([scope])
    assert install_default_measures(council) == 1
    assert page_cache.generations([scope]) != before
    unchanged = page_cache.generations([scope])
    assert install_default_measures(council) == 0
    assert page_cache.generations([scope]) == unchanged


def test_the_command_loads_one_council_and_refuses_an_unknown_one(council):
    SocialValueMeasure.objects.filter(council=council).delete()
    out = StringIO()
    call_command("load_social_value_measures", council=council.slug, stdout=out)
    assert f"{council.name}: 8 measures added." in out.getvalue()
    with pytest.raises(CommandError, match="No council with the slug"):
        call_command("load_social_value_measures", council="nowhere", stdout=out)


@given(
    quantity=st.decimals(min_value=-(10**6), max_value=10**9, places=2),
    per_unit=st.decimals(min_value=0, max_value=10**5, places=2),
)
# A half penny rounds up, as money does (29.90 × £1,723.55 = £51,534.145), not to the even penny.
@example(quantity=D("29.90"), per_unit=D("1723.55"))
def test_the_proxy_value_is_the_quantity_times_the_unit_value_and_never_negative(quantity, per_unit):
    value = proxy_value(quantity, per_unit)
    assert value >= 0
    assert value == (max(quantity, D("0")) * per_unit).quantize(D("0.01"), rounding=ROUND_HALF_UP)
    assert proxy_value(None, per_unit) is None
    assert proxy_value(quantity, None) is None


# ---- What an opportunity asks for ------------------------------------------------------------------


@pytest.fixture
def draft(council):
    commission = commission_in_state(council, State.SOURCING)
    return opportunity_demo.opportunity_for(commission, officer=staff(council, Role.PROCUREMENT_OFFICER), publish=False)


def ask_url(opportunity) -> str:
    return reverse(
        "commissioning:opportunity_record_add",
        kwargs={"council_slug": opportunity.council.slug, "opportunity_pk": opportunity.pk, "kind": "social-value"},
    )


def test_the_officer_picks_the_asks_from_the_councils_own_measures(client_for, council, other_council, draft):
    client = client_for(staff(council, Role.PROCUREMENT_OFFICER))
    page = client.get(ask_url(draft)).content.decode()
    assert "SV1 Local people employed on the contract" in page
    foreign = measures(other_council)["SV1"]
    refused = client.post(ask_url(draft), {"measure": foreign.pk, "hoped_for": "2"})
    assert refused.status_code == 200
    assert "Choose one of the council&#x27;s social value measures not already asked for." in refused.content.decode()

    mine = measures(council)["SV1"]
    halves = client.post(ask_url(draft), {"measure": mine.pk, "hoped_for": "1.5"})
    assert "People are counted in whole numbers" in halves.content.decode()
    saved = client.post(ask_url(draft), {"measure": mine.pk, "hoped_for": "2", "guidance": "Six months at least."})
    assert saved["Location"].endswith("#social-value")
    ask = draft.social_value_asks.get()
    assert (ask.measure, ask.hoped_for, ask.guidance) == (mine, D("2"), "Six months at least.")
    again = client.get(ask_url(draft)).content.decode()
    assert "SV1 Local people employed" not in again  # asked for once


def test_the_service_refuses_another_councils_measure(council, other_council, draft):
    with pytest.raises(ValidationError) as refused:
        opportunity_services.record_save(
            by=staff(council, Role.PROCUREMENT_OFFICER),
            opportunity=draft,
            instance=OpportunitySocialValueAsk(opportunity=draft, measure=measures(other_council)["SV1"]),
        )
    assert refused.value.message_dict == {"measure": ["Choose one of the council's social value measures."]}


def test_the_asks_are_published_and_then_fixed(client, client_for, council, draft):
    officer = staff(council, Role.PROCUREMENT_OFFICER)
    opportunity_services.record_save(
        by=officer,
        opportunity=draft,
        instance=OpportunitySocialValueAsk(opportunity=draft, measure=measures(council)["SV6"], hoped_for=D("400")),
    )
    opportunity_demo.prepare_conflicts_assessment(draft, officer)
    opportunity_services.opportunity_transition(by=officer, opportunity=draft, name="publish")
    public = client.get(draft.get_absolute_url()).content.decode()
    assert "Social value asked for" in public
    assert "SV6 Volunteering hours given to local community groups" in public
    assert not opportunity_services.can_change_record(OpportunitySocialValueAsk, draft, officer)
    response = client_for(officer).get(ask_url(draft))
    assert response.status_code == 302
    with pytest.raises(ValidationError, match="cannot be changed"):
        opportunity_services.record_save(
            by=officer,
            opportunity=draft,
            instance=OpportunitySocialValueAsk(opportunity=draft, measure=measures(council)["SV1"]),
        )


# ---- What a bid commits to ---------------------------------------------------------------------------


@pytest.fixture
def asked(council):
    opportunity = open_opportunity(council)
    mine = measures(council)
    # Test-only: the asks are written as the officer would have before publishing.
    OpportunitySocialValueAsk.objects.create(opportunity=opportunity, measure=mine["SV1"], hoped_for=D("2"))
    OpportunitySocialValueAsk.objects.create(opportunity=opportunity, measure=mine["SV6"])
    return opportunity


@pytest.fixture
def bid(asked, people):
    return start_bid(asked, people["provider_admin"])


def commitment(council, code="SV1", quantity="2", by_when=datetime.date(2027, 9, 30)) -> dict:
    return {"measure": measures(council)[code], "quantity": D(quantity), "by_when": by_when, "how": "Payroll records."}


def test_a_commitment_answers_one_of_the_asks_in_its_unit(council, bid, people):
    writer = people["provider_admin"]
    with pytest.raises(bid_services.RowsInvalid) as invalid:
        bid_services.bid_save_rows(
            by=writer,
            bid=bid,
            model=BidSocialValueCommitment,
            rows=[commitment(council, "SV8", "3"), commitment(council, "SV1", "1.5")],
        )
    errors = {index: error.message_dict for index, error in invalid.value.row_errors.items()}
    assert errors[0] == {"measure": ["Choose one of the social value measures this opportunity asks for."]}
    assert "whole number" in errors[1]["quantity"][0]
    assert not BidSocialValueCommitment.objects.filter(bid=bid).exists()  # nothing saved

    rows = bid_services.bid_save_rows(
        by=writer,
        bid=bid,
        model=BidSocialValueCommitment,
        rows=[commitment(council), commitment(council, "SV6", "480.5")],
    )
    assert [row.proxy_value for row in rows] == [D("50000.00"), D("7688.00")]


def test_match_funding_needs_a_source_and_an_amount_above_nothing(bid, people):
    writer = people["provider_admin"]
    with pytest.raises(bid_services.RowsInvalid):
        bid_services.bid_save_rows(
            by=writer,
            bid=bid,
            model=BidMatchFunding,
            rows=[{"kind": MatchFundingKind.CASH, "source": "A trust", "amount": D("0"), "confirmed": True}],
        )
    bid_services.bid_save_rows(
        by=writer,
        bid=bid,
        model=BidMatchFunding,
        rows=[{"kind": MatchFundingKind.IN_KIND, "source": "Volunteers", "amount": D("5800"), "confirmed": False}],
    )
    assert bid.match_funding.get().get_kind_display().startswith("Leverage in kind")


def section_url(bid, section: str) -> str:
    return reverse("bids:section", kwargs={"pk": bid.pk, "section": section})


ROWS = {"rows-INITIAL_FORMS": "0", "rows-MIN_NUM_FORMS": "0", "rows-MAX_NUM_FORMS": "1000"}


def test_the_bid_form_shows_the_asks_and_keeps_what_was_typed_with_clear_errors(client, council, bid, people):
    client.force_login(people["provider_admin"])
    tasks = client.get(reverse("bids:detail", kwargs={"pk": bid.pk})).content.decode()
    assert "Social value commitments" in tasks
    assert "Match funding and leverage" in tasks
    page = client.get(section_url(bid, "social-value")).content.decode()
    assert "the council hopes for 2" in page
    sv1 = measures(council)["SV1"]
    typed = {
        **ROWS,
        "rows-TOTAL_FORMS": "1",
        "rows-0-measure": sv1.pk,
        "rows-0-quantity": "0",
        "rows-0-by_when": "",
        "rows-0-how": "Two local apprentices",
    }
    response = client.post(section_url(bid, "social-value"), typed)
    assert response.status_code == 200
    page = response.content.decode()
    assert "There is a problem" in page
    assert "The quantity must be more than 0." in page
    assert "Enter the date it will be delivered by." in page
    assert "Two local apprentices" in page
    assert not BidSocialValueCommitment.objects.filter(bid=bid).exists()

    typed.update({"rows-0-quantity": "2", "rows-0-by_when": "30/09/2027"})
    response = client.post(section_url(bid, "social-value"), typed)
    assert response["Location"] == reverse("bids:detail", kwargs={"pk": bid.pk})
    saved = bid.social_value_commitments.get()
    assert (saved.measure, saved.quantity, saved.by_when) == (sv1, D("2"), datetime.date(2027, 9, 30))
    again = client.get(section_url(bid, "social-value")).content.decode()
    assert 'value="30/09/2027"' in again

    funding = {
        **ROWS,
        "rows-TOTAL_FORMS": "1",
        "rows-0-kind": "cash",
        "rows-0-source": "",
        "rows-0-amount": "£8,000",
    }
    refused = client.post(section_url(bid, "match-funding"), funding).content.decode()
    assert "Enter who provides it." in refused
    funding["rows-0-source"] = "The Moorland Community Foundation"
    funding["rows-0-confirmed"] = "on"
    client.post(section_url(bid, "match-funding"), funding)
    assert bid.match_funding.get().amount == D("8000")


def test_an_opportunity_asking_nothing_has_no_social_value_section(client, council, people):
    opportunity = open_opportunity(council)
    bid = start_bid(opportunity, people["provider_admin"])
    client.force_login(people["provider_admin"])
    assert client.get(section_url(bid, "social-value")).status_code == 404
    assert client.get(section_url(bid, "match-funding")).status_code == 200


def test_the_digest_covers_commitments_and_match_funding_and_leaves_older_receipts_alone(council, bid, people):
    writer = people["provider_admin"]
    plain = bid_services.bid_content(bid)
    assert "social_value" not in plain
    assert "match_funding" not in plain
    before = bid_services.bid_digest(bid)
    bid_services.bid_save_rows(by=writer, bid=bid, model=BidSocialValueCommitment, rows=[commitment(council)])
    content = bid_services.bid_content(bid)
    assert content["social_value"] == [
        {"measure": "SV1", "quantity": "2.00", "by_when": "2027-09-30", "how": "Payroll records."}
    ]
    assert bid_services.bid_digest(bid) != before


# ---- Sealed until the opening ------------------------------------------------------------------------


def test_nobody_at_the_council_reads_a_commitment_before_the_opening(client_for, council, asked, people):
    writer = people["provider_admin"]
    bid = complete_bid(start_bid(asked, writer), writer)
    bid_services.bid_save_rows(by=writer, bid=bid, model=BidSocialValueCommitment, rows=[commitment(council)])
    bid_services.bid_save_rows(
        by=writer,
        bid=bid,
        model=BidMatchFunding,
        rows=[{"kind": "cash", "source": "Moorland Foundation", "amount": D("8000"), "confirmed": True}],
    )
    bid = bid_services.bid_transition(by=writer, bid=bid, name="submit")
    officer = people[Role.LEAD_COMMISSIONER]
    url = reverse(
        "bids:council_detail",
        kwargs={"council_slug": council.slug, "opportunity_pk": asked.pk, "bid_pk": bid.pk},
    )
    client = client_for(officer)
    assert BidSocialValueCommitment in BID_CONTENTS
    assert BidMatchFunding in BID_CONTENTS
    for model in (BidSocialValueCommitment, BidMatchFunding):
        assert not admin.site.is_registered(model)
    assert bid in sealed_bids()
    assert not bid_selectors.council_bids_visible_to(officer, asked).exists()
    assert client.get(url).status_code == 404
    after = asked.submission_deadline + datetime.timedelta(minutes=1)
    with clock(after):
        client = client_for(officer)  # signed in again: the session of a month ago has timed out
        assert client.get(url).status_code == 404  # closed, not opened
        close_and_open(asked)
        page = client.get(url).content.decode()
    assert "SV1 Local people employed on the contract" in page
    assert "Moorland Foundation" in page
    assert "£50,000" in page  # the commitment's proxy value
