"""Social value from the award to the returns: the winning bid's commitments become social value KPIs
of the draft agreement (the council accepts those it keeps), the provider reports against them in its
returns, only accepted returns count as delivered, and the agreement pages and the OCDS open data show
committed against delivered."""

from __future__ import annotations

import datetime
import json
from decimal import Decimal

import pytest
from django.urls import reverse

from commissioning.models import (
    BidMatchFunding,
    BidSocialValueCommitment,
    MatchFundingKind,
    OpportunitySocialValueAsk,
    SocialValueMeasure,
)
from commissioning.tests.award_factories import approved_award, award_with_summaries_sent, bids_of
from commissioning.tests.factories import staff
from councils.models import Role
from councils.tests.factories import OutcomeFactory
from monitoring.agreements import services as agreement_services
from monitoring.models import KpiSource, ReturnState, TargetKind
from monitoring.open_data.social_value import METRICS_EXTENSION
from monitoring.open_data.tests.test_open_data_factories import (
    DECIDED,
    LIVE,
    TODAY,
    agreements_of,
    at,
    errors,
    ocds_package_validator,
    signed_off,
)
from monitoring.social_value.selectors import agreement_social_value, social_value_delivered
from monitoring.tests.factories import go_live, sign
from monitoring.tests.returns_factories import accept, returns_of, submit, writer

pytestmark = pytest.mark.django_db
D = Decimal


def committed_world(council):
    """A signed-off evaluation whose winning bid committed to three measures and brought match funding
    (written as the bidder would have before submitting), then the award and its draft agreement."""
    world = signed_off(council)
    measures = {m.code: m for m in SocialValueMeasure.objects.filter(council=council)}
    winner = bids_of(world)[0]
    for code in ("SV2", "SV6", "SV7"):
        OpportunitySocialValueAsk.objects.create(opportunity=world.opportunity, measure=measures[code])
    for code, quantity in (("SV2", "52"), ("SV6", "400"), ("SV7", "90")):
        BidSocialValueCommitment.objects.create(
            bid=winner, measure=measures[code], quantity=D(quantity), by_when=datetime.date(2027, 3, 31)
        )
    BidMatchFunding.objects.create(
        bid=winner, kind=MatchFundingKind.CASH, source="Moorland Foundation", amount=D("8000"), confirmed=True
    )
    BidMatchFunding.objects.create(bid=winner, kind=MatchFundingKind.IN_KIND, source="Volunteers", amount=D("2000"))
    with at(DECIDED):
        world = award_with_summaries_sent(council, world=approved_award(council, world=world))
    return world


def test_accepted_commitments_become_kpis_and_accepted_returns_deliver_them(client_for, council):
    world = committed_world(council)
    (agreement,) = agreements_of(world)

    # The award drafts every commitment as a social value KPI: a total over the agreement, with its
    # measure, the proxy value per unit as agreed and the date it is due.
    kpis = {kpi.social_value_measure.code: kpi for kpi in agreement.kpis.filter(source=KpiSource.SOCIAL_VALUE)}
    assert set(kpis) == {"SV2", "SV6", "SV7"}
    apprentices = kpis["SV2"]
    assert (apprentices.target, apprentices.unit, apprentices.target_kind) == (D("52"), "weeks", TargetKind.TOTAL)
    assert (apprentices.proxy_value_per_unit, apprentices.due_by) == (D("250"), datetime.date(2027, 3, 31))
    assert sum(target.target for target in apprentices.targets.all()) == D("52")
    assert apprentices.outcome.startswith("Social value (Jobs and skills): committed in the bid, by 31 March 2027")

    # The council does not accept the residents' measure: its KPI is removed from the draft.
    officer = staff(council, Role.COMMISSIONING_OFFICER)
    with at(DECIDED):
        agreement_services.kpi_remove(by=officer, agreement=agreement, kpi=kpis["SV7"])
    section = agreement_social_value(agreement)
    assert [c.measure.code for c in section["not_accepted"]] == ["SV7"]
    assert (section["match_funding_total"], section["match_funding_confirmed"]) == (D("10000"), D("8000"))

    with at(LIVE):
        agreement = go_live(sign(agreement, signed_on=DECIDED.date()), live_on=LIVE.date())
    first, second = returns_of(agreement)[:2]
    reported = {"SV2": D("13"), "SV6": D("120.5")}

    def actual(kpi, target):
        code = kpi.social_value_measure.code if kpi.social_value_measure else ""
        return reported.get(code, target if target is not None else kpi.target)

    with at(TODAY):
        accept(submit(first, actual=actual))
        submit(second, actual=lambda kpi, target: D("999"))  # submitted, not yet accepted: not delivered
    second.refresh_from_db()
    assert second.state == ReturnState.SUBMITTED

    delivered = social_value_delivered(agreement.council.agreements.all())
    rows = {row.code: row for row in delivered.measures}
    assert set(rows) == {"SV2", "SV6"}
    assert (rows["SV2"].committed, rows["SV2"].delivered) == (D("52"), D("13"))
    assert (rows["SV2"].proxy_committed, rows["SV2"].proxy_delivered) == (D("13000.00"), D("3250.00"))
    assert (rows["SV6"].delivered, rows["SV6"].proxy_delivered) == (D("120.5"), D("1928.00"))
    assert rows["SV2"].percent_delivered == 25
    assert delivered.proxy_delivered == D("5178.00")
    assert social_value_delivered([agreement.pk]).proxy_delivered == D("5178.00")
    assert not social_value_delivered([])

    with at(TODAY):
        page = client_for(officer).get(agreement.get_absolute_url()).content.decode()
        provider_page = (
            client_for(writer(agreement))
            .get(reverse("monitoring:provider_agreement", kwargs={"pk": agreement.pk}))
            .content.decode()
        )
    for shown in (page, provider_page):
        assert "Social value and match funding" in shown
        assert "SV2 Apprenticeship weeks completed by local people" in shown
        assert "£13,000" in shown  # the apprenticeship weeks' proxy value committed
        assert "£3,250" in shown  # and delivered in the accepted return
        assert "Commitments in the bid not accepted" in shown
        assert "Moorland Foundation" in shown


def test_the_open_data_publishes_social_value_asked_agreed_and_delivered(client, council):
    world = committed_world(council)
    (agreement,) = agreements_of(world)
    with at(LIVE):
        agreement = go_live(sign(agreement, signed_on=DECIDED.date()), live_on=LIVE.date())
    with at(TODAY):
        accept(submit(returns_of(agreement)[0], actual=D("10")))
        response = client.get(
            reverse(
                "open_data:ocds_commission",
                kwargs={"council_slug": council.slug, "key": agreement.commission.reference},
            )
        )
    package = json.loads(response.content)
    assert errors(ocds_package_validator(), package) == []
    assert METRICS_EXTENSION in package["extensions"]
    releases = package["releases"]
    tender = next(r["tender"] for r in releases if r["tag"] == ["tender"])
    assert [t["id"] for t in tender["targets"]] == ["social-value-SV2", "social-value-SV6", "social-value-SV7"]
    contract = next(r["contracts"][0] for r in releases if "contract" in r["tag"])
    agreed = {metric["title"][:3]: metric for metric in contract["agreedMetrics"]}
    assert agreed["SV2"]["observations"][0]["measure"] == 52
    assert agreed["SV2"]["observations"][1]["value"] == {"amount": 13000, "currency": "GBP"}
    implementation = next(r["contracts"][0]["implementation"] for r in releases if r["tag"] == ["implementation"])
    assert {metric["title"][:3] for metric in implementation["metrics"]} == {"SV2", "SV6", "SV7"}
    # Match funding has no place in OCDS: nothing of it is published.
    assert "Moorland Foundation" not in response.content.decode()


def test_an_outcomes_page_shows_the_social_value_delivered_for_it(client_for, council):
    world = committed_world(council)
    (agreement,) = agreements_of(world)
    with at(LIVE):
        agreement = go_live(sign(agreement, signed_on=DECIDED.date()), live_on=LIVE.date())
    with at(TODAY):
        accept(
            submit(returns_of(agreement)[0], actual=lambda kpi, target: D("13") if kpi.unit == "weeks" else kpi.target)
        )
    outcome = OutcomeFactory(priority__plan__council=council)
    agreement.commission.outcomes.add(outcome)
    url = reverse("monitoring:outcome_report", args=[council.slug, outcome.pk])
    with at(TODAY):
        page = client_for(staff(council, Role.LEAD_COMMISSIONER)).get(url).content.decode()
    section = page[page.index('id="social-value"') : page.index('id="savings"')]
    assert "SV2 Apprenticeship weeks completed by local people" in section
    assert "£13,000" in section  # 52 apprenticeship weeks committed at £250 a week
    assert "£3,250" in section  # 13 delivered

    other = OutcomeFactory(priority__plan__council=council)
    with at(TODAY):
        page = client_for(staff(council, Role.LEAD_COMMISSIONER)).get(
            reverse("monitoring:outcome_report", args=[council.slug, other.pk])
        )
    assert "No agreement serving this outcome has a social value commitment" in page.content.decode()
