"""The contract's notices under the Procurement Act 2023 (UK7, UK9, UK10, UK11) and the Provider Selection
Regime's confirmation of award, each for the regimes that call for it and for no other; and the Act's
KPI duty for contracts over £5,000,000 (s.52 at signing, s.71 yearly assessments, reminded and shown).

Every world is procured through the real services, at fixed days: planned, tendered and awarded on
12 January 2026, signed on 2 March, live from the commission's start, 12 April 2026.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.urls import reverse

from commissioning.award import services as award_services
from commissioning.award import standstill_selectors, summary_services
from commissioning.cycle import regime as regimes
from commissioning.models import (
    COMPETITIVE_ROUTES,
    Award,
    DeliveryRoute,
    Procedure,
    PsrKeyCriterion,
    PsrRoute,
    Regime,
    State,
)
from commissioning.tests.factories import FundingPotFactory, create_commission, staff
from councils.models import ReminderKind, Role
from councils.tests.factories import OutcomeFactory, PortfolioFactory
from councils.workflow import TransitionRefused
from demo import commissions as demo_commissions
from demo import procurement as demo_procurement
from monitoring.agreements import services as agreement_services
from monitoring.agreements import steps, variations
from monitoring.dashboards.selectors.officer import officer_dashboard
from monitoring.models import (
    Agreement,
    AgreementKpi,
    AssessmentKind,
    ModificationGround,
    Notice,
    NoticeType,
    PerformanceRating,
    TerminationGround,
)
from monitoring.notices import contract, gates, ocds, services
from monitoring.returns import services as returns_services
from monitoring.tests.factories import approval, draft_agreement, go_live, sign
from monitoring.tests.reminder_factories import occurrences, recipients, sweep_on
from providers import services as provider_services

pytestmark = pytest.mark.django_db

LONDON = ZoneInfo("Europe/London")
PLANNED = date(2026, 1, 12)
SIGNED = date(2026, 3, 2)
LIVE = date(2026, 4, 12)


def at(day: date):
    return time_machine.travel(datetime.combine(day, time(10), tzinfo=LONDON), tick=False)


def procured(council, people, regime, *, value="300000", route=DeliveryRoute.CONTRACT, kpis=0, **choices) -> Agreement:
    """A commission whose officer confirmed `regime` before its procurement (the real one for a grant
    or contract: opportunity, bid, evaluation, award, letters), and its draft agreement, with `kpis`
    KPIs added to the ones from the specification and the bid."""
    value = Decimal(value)
    council.key_decision_threshold = Decimal("100000000")  # an officer decision: no call-in to wait for
    council.save(update_fields=["key_decision_threshold"])
    officer = people[Role.PROCUREMENT_OFFICER]
    competitive = route in COMPETITIVE_ROUTES
    with at(PLANNED):
        commission = demo_commissions.advance(
            create_commission(council, title=f"Care at home ({regime})"),
            State.SOURCING if competitive else State.AWAITING_APPROVAL,
            route=route,
            budget=value,
            pot=FundingPotFactory(council=council, amount=value * 2),
            council_outcome=OutcomeFactory(priority__plan__council=council),
            portfolio=PortfolioFactory(council=council),
        )
        proposed = regimes.propose_regime(commission).regime
        reason = "" if regime == proposed else "Confirmed by the procurement team's assessment."
        regimes.regime_confirm(by=officer, commission=commission, regime=regime, reason=reason, **choices)
        if competitive:
            demo_procurement.award_approved(commission)
            award = Award.objects.get(commission=commission)
            officer = staff(council, Role.COMMISSIONING_OFFICER)
            summary_services.assessment_summaries_prepare(by=officer, award=award)
            summary_services.assessment_summaries_send(by=officer, award=award)
            if standstill_selectors.award_notice_required(award):
                award_services.record_award_notice_published(award=award, published_on=PLANNED, by=officer)
            agreement = Agreement.objects.get(commission=commission)
        else:
            demo_commissions.approve(commission)
            agreement = draft_agreement(council, commission=commission, value=value, starts_on=LIVE)
        for n in range(kpis):
            agreement_services.kpi_save(
                by=staff(council, Role.COMMISSIONING_OFFICER),
                agreement=agreement,
                kpi=AgreementKpi(agreement=agreement, description=f"Visits on time {n + 1}", unit="%", target=95),
            )
    return agreement


def live(agreement: Agreement) -> Agreement:
    with at(SIGNED):
        sign(agreement, signed_on=SIGNED)
    with at(LIVE):
        return go_live(agreement, live_on=LIVE)


# The procurement's own notices (UK4 and the rest) are other kinds' business.
CONTRACT_NOTICES = (NoticeType.UK7, NoticeType.UK9, NoticeType.UK10, NoticeType.UK11, NoticeType.PSR_AWARD)


def notices_of(agreement: Agreement, on: date = LIVE) -> dict[str, list[Notice]]:
    """The commission's contract notices on `on`, by type."""
    with at(on):
        found = services.notices_refresh(agreement.commission)
    by_type: dict[str, list[Notice]] = {}
    for notice in found:
        if notice.notice_type in CONTRACT_NOTICES:
            by_type.setdefault(notice.notice_type, []).append(notice)
    return by_type


def valid(notice: Notice) -> Notice:
    assert ocds.release_errors(notice.data) == []
    return notice


def assess(agreement: Agreement, on: date, rating=PerformanceRating.GOOD, kind=AssessmentKind.INTERIM, **by_kpi):
    """Rate every KPI in force `rating`, or as `by_kpi` says (its description → rating)."""
    ratings = {
        kpi.pk: (by_kpi.get(kpi.description, rating), "Visits were missed in the rural wards.")
        for kpi in returns_services.assessable_kpis(agreement, on)
    }
    with at(on):
        returns_services.assessment_record(
            by=agreement.commission.lead_officer, agreement=agreement, kind=kind, assessed_on=on, ratings=ratings
        )


ABOVE = {"regime": Regime.ABOVE_THRESHOLD, "procedure": Procedure.OPEN}


# ---- UK7 contract details notice ----------------------------------------------------------------------


def test_an_above_threshold_contract_needs_its_details_notice_within_30_days(council, people):
    agreement = live(procured(council, people, **ABOVE))
    found = notices_of(agreement)
    assert set(found) == {NoticeType.UK7}  # no change, no ending, not over £5m: nothing else yet
    (notice,) = found[NoticeType.UK7]
    valid(notice)
    assert (notice.subject, notice.due_on) == (f"agreement:{agreement.pk}", SIGNED + timedelta(days=30))
    release = notice.data
    (contract,) = release["contracts"]
    assert contract["documents"][0]["noticeType"] == "UK7"
    assert (contract["aboveThreshold"], contract["status"]) == (True, "active")
    assert release["tender"]["procurementMethod"] == "open"
    supplier = next(party for party in release["parties"] if "supplier" in party["roles"])
    assert supplier["name"] == agreement.provider.legal_name
    assert set(supplier["details"]) >= {"scale", "vcse", "shelteredWorkshop", "publicServiceMissionOrganization"}
    # The s.83 confirmation, from the conflicts assessment the opportunity was published with.
    (conflicts,) = [d for d in contract["documents"] if d["documentType"] == "conflictOfInterest"]
    assert conflicts["description"].startswith("A conflicts assessment was prepared for this procurement")
    assert "agreedMetrics" not in contract  # the KPI duty starts above £5,000,000
    # The supplier is identified by its PPON: the bidder has none yet, so the notice waits for it.
    organisation = agreement.provider
    assert gates.missing_to_mark_ready(notice) == [
        f"Ask {organisation.legal_name} for its PPON (or record its company or charity number): the notice must "
        "identify the supplier"
    ]
    organisation.ppon = "pabc 1234 wxyz"
    provider_services.organisation_update(by=organisation.members.get().user, organisation=organisation)
    (notice,) = notices_of(agreement)[NoticeType.UK7]
    assert gates.missing_to_mark_ready(notice) == []
    assert valid(notice).data["awards"][0]["suppliers"][0]["id"] == "GB-PPON-PABC-1234-WXYZ"


def test_the_details_notice_waits_for_the_conflicts_assessment(council, people, monkeypatch):
    agreement = live(procured(council, people, **ABOVE))
    monkeypatch.setattr(contract, "confirmation", lambda opportunity: None)  # never prepared
    (notice,) = notices_of(agreement)[NoticeType.UK7]
    documents = valid(notice).data["contracts"][0]["documents"]
    assert [d["documentType"] for d in documents] == ["contractNotice"]
    opportunity = agreement.bid.opportunity
    assert (
        f"Prepare and review the conflicts assessment for {opportunity.reference}: the contract details notice "
        "confirms one was prepared (Procurement Act 2023, section 83)"
    ) in gates.missing_to_mark_ready(notice)


def test_light_touch_details_in_120_days_then_no_performance_or_change_notice(council, people):
    agreement = live(procured(council, people, Regime.LIGHT_TOUCH, value="6000000", reserved_to_mutuals=True))
    lead = people[Role.LEAD_COMMISSIONER]
    with at(date(2026, 6, 1)):
        variations.agreement_vary_value(
            by=lead,
            agreement=agreement,
            value=Decimal("9000000"),
            reason="More hours of care",
            approval=approval(council),
            effective_on=date(2026, 7, 1),
        )
    assess(agreement, date(2026, 7, 10), PerformanceRating.INADEQUATE)
    found = notices_of(agreement, date(2027, 6, 1))
    assert set(found) == {NoticeType.UK7}
    (notice,) = found[NoticeType.UK7]
    assert notice.due_on == SIGNED + timedelta(days=120)
    assert "120 days" in notice.due_rule
    tender = valid(notice).data["tender"]
    assert tender["specialRegime"] == ["lightTouch"]
    assert tender["otherRequirements"] == {"reservedParticipation": ["publicServiceMissionOrganization"]}


def test_a_below_threshold_contract_from_30000_needs_a_details_notice_only(council, people):
    notifiable = live(procured(council, people, Regime.BELOW_THRESHOLD, value="50000"))
    small = live(procured(council, people, Regime.BELOW_THRESHOLD, value="29999"))
    with at(date(2026, 9, 30)):
        variations.agreement_terminate(
            by=people[Role.LEAD_COMMISSIONER],
            agreement=notifiable,
            terminated_on=date(2026, 9, 30),
            reason="The service moved to the NHS.",
            ground=TerminationGround.MUTUAL,
        )
    found = notices_of(notifiable, date(2026, 10, 1))
    assert set(found) == {NoticeType.UK7}  # not a public contract: no termination notice
    (notice,) = found[NoticeType.UK7]
    assert notice.due_on == SIGNED + timedelta(days=30)
    assert notice.due_rule.startswith("As soon as reasonably practicable")
    assert valid(notice).data["contracts"][0]["aboveThreshold"] is False
    with at(LIVE):
        assert contract.details_notices(small.commission) == []


@pytest.mark.parametrize(
    ("regime", "route"), [(Regime.GRANT, DeliveryRoute.GRANT), (Regime.EXEMPT, DeliveryRoute.PARTNERSHIP)]
)
def test_grants_and_exempt_arrangements_need_no_contract_notice(council, people, regime, route):
    agreement = live(procured(council, people, regime, route=route, value="6000000"))
    with at(date(2026, 9, 30)):
        variations.agreement_terminate(
            by=people[Role.LEAD_COMMISSIONER],
            agreement=agreement,
            terminated_on=date(2026, 9, 30),
            reason="Need met elsewhere.",
        )
    assert notices_of(agreement, date(2027, 6, 1)) == {}


def test_the_provider_selection_regime_confirms_the_award_within_30_days(council, people):
    agreement = live(
        procured(
            council,
            people,
            Regime.PROVIDER_SELECTION,
            psr_route=PsrRoute.COMPETITIVE,
            psr_decision="The best of the two providers on the key criteria.",
            psr_key_criteria=[PsrKeyCriterion.QUALITY, PsrKeyCriterion.VALUE],
        )
    )
    found = notices_of(agreement)
    assert set(found) == {NoticeType.PSR_AWARD}
    (notice,) = found[NoticeType.PSR_AWARD]
    assert notice.due_on == SIGNED + timedelta(days=30)
    release = valid(notice).data
    assert release["awards"][0]["documents"][0]["documentType"] == "awardNotice"
    assert release["tender"]["awardCriteriaDetails"].endswith("Quality and innovation; Value")
    assert release["tender"]["procurementMethodDetails"] == "Competitive Process"


# ---- Section 52: three KPIs before a contract over £5,000,000 is signed ----------------------------------


def test_a_contract_over_5_million_is_not_signed_with_fewer_than_three_kpis(council, people):
    agreement = procured(council, people, value="6000000", **ABOVE)
    assert agreement.kpis.count() == 2  # the specification's success measure and the bid's outcome
    with at(SIGNED), pytest.raises(TransitionRefused) as refused:
        sign(agreement, signed_on=SIGNED)
    assert any("at least 3 KPIs" in item and "section 52" in item for item in refused.value.missing)
    with at(PLANNED):
        agreement_services.kpi_save(
            by=staff(council, Role.COMMISSIONING_OFFICER),
            agreement=agreement,
            kpi=AgreementKpi(agreement=agreement, description="Visits on time", unit="%", target=95),
        )
    with at(SIGNED):
        sign(agreement, signed_on=SIGNED)


def test_light_touch_contracts_over_5_million_are_outside_the_kpi_duty(council, people):
    agreement = procured(council, people, Regime.LIGHT_TOUCH, value="6000000")
    with at(SIGNED):
        sign(agreement, signed_on=SIGNED)


# ---- UK9 contract performance notice ----------------------------------------------------------------------


def test_a_contract_over_5_million_publishes_its_kpis_then_rates_them_every_12_months(council, people):
    agreement = live(procured(council, people, value="6000000", kpis=2, **ABOVE))
    (details,) = notices_of(agreement)[NoticeType.UK7]
    metrics = valid(details).data["contracts"][0]["agreedMetrics"]
    assert [m["title"] for m in metrics] == [k.description for k in agreement.kpis.order_by("position")[:3]]

    assert NoticeType.UK9 not in notices_of(agreement, date(2027, 4, 11))  # the first 12 months not yet over
    (yearly,) = notices_of(agreement, date(2027, 4, 12))[NoticeType.UK9]
    assert yearly.subject == f"agreement:{agreement.pk}:2027-04-11"
    assert yearly.due_on == date(2027, 5, 12)
    assert len(gates.missing_to_mark_ready(valid(yearly))) == 4  # no assessment of any of the four KPIs

    assess(agreement, date(2027, 4, 20), **{"Visits on time 1": PerformanceRating.APPROACHING_TARGET})
    (yearly,) = notices_of(agreement, date(2027, 4, 20))[NoticeType.UK9]
    assert gates.missing_to_mark_ready(valid(yearly)) == []
    implementation = yearly.data["contracts"][0]["implementation"]
    assert implementation["documents"][0]["documentType"] == "implementationNotice"
    classes = {m["title"]: m["observations"][0]["measureClassification"]["id"] for m in implementation["metrics"]}
    assert classes["Visits on time 1"] == "slightlyBelow"
    assert set(classes.values()) == {"met", "slightlyBelow"}


def test_a_poor_assessment_needs_a_performance_notice_within_30_days(council, people):
    agreement = live(procured(council, people, **ABOVE))  # under £5m: no yearly notices, but poor performance
    assess(agreement, date(2026, 7, 10), PerformanceRating.GOOD)
    assert NoticeType.UK9 not in notices_of(agreement, date(2026, 7, 10))
    kpi = agreement.kpis.order_by("position").first()
    assess(agreement, date(2026, 10, 5), **{kpi.description: PerformanceRating.INADEQUATE})
    (poor,) = notices_of(agreement, date(2026, 10, 5))[NoticeType.UK9]
    assert (poor.subject, poor.due_on) == (f"agreement:{agreement.pk}:poor:2026-10-05", date(2026, 11, 4))
    assert "proper opportunity to improve" in poor.due_rule
    (failure,) = valid(poor).data["contracts"][0]["implementation"]["performanceFailures"]
    assert failure["requirement"].startswith(kpi.description)
    assert failure["description"] == "Rated ‘Inadequate’: Visits were missed in the rural wards."
    observation = poor.data["contracts"][0]["implementation"]["metrics"][0]["observations"][0]
    assert observation["measureClassification"] == {"id": "significantlyBelow", "description": "Inadequate"}


# ---- UK10 contract change notice ----------------------------------------------------------------------------


def test_a_change_of_value_over_10_percent_needs_a_change_notice_before_it_takes_effect(council, people):
    agreement = live(procured(council, people, **ABOVE))
    lead = people[Role.LEAD_COMMISSIONER]
    terms = {"by": lead, "agreement": agreement, "reason": "More hours of care", "approval": approval(council)}
    with at(date(2026, 6, 1)):
        with pytest.raises(ValidationError) as refused:
            variations.agreement_vary_value(value=Decimal("360000"), effective_on=date(2026, 7, 1), **terms)
        assert "ground" in refused.value.message_dict
        large = variations.agreement_vary_value(
            value=Decimal("360000"),
            effective_on=date(2026, 7, 1),
            ground=ModificationGround.UNFORESEEABLE,
            **terms,
        )
        small = variations.agreement_vary_value(
            value=Decimal("370000"),
            effective_on=date(2026, 8, 1),
            ground=ModificationGround.BELOW_THRESHOLD,
            **terms,
        )
        variations.agreement_vary_kpi(
            kpi=agreement.kpis.first(), target=Decimal("50"), effective_on=date(2026, 7, 12), **terms
        )
    changes = {notice.subject: notice for notice in notices_of(agreement, date(2026, 6, 1))[NoticeType.UK10]}
    assert set(changes) == {f"variation:{large.pk}", f"variation:{small.pk}"}  # not the KPI's change
    required, optional = changes[f"variation:{large.pk}"], changes[f"variation:{small.pk}"]
    assert (required.optional, required.due_on) == (False, date(2026, 6, 30))
    assert "changes the value by 20.0%" in required.due_rule
    assert optional.optional is True
    assert "Not required" in optional.due_rule
    (amendment,) = valid(required).data["contracts"][0]["amendments"]
    assert amendment["rationaleClassifications"][0]["id"] == "unforeseeable"
    assert amendment["value"] == {"amount": 360000, "currency": "GBP"}
    assert amendment["rationale"] == "More hours of care"
    valid(optional)


def test_the_variation_page_asks_what_permits_a_change_to_an_above_threshold_contract(client_for, council, people):
    agreement = live(procured(council, people, **ABOVE))
    page = reverse(
        "monitoring:agreement_action",
        kwargs={"council_slug": council.slug, "pk": agreement.pk, "action": "vary-dates"},
    )
    shorter = {
        "from_state": "live",
        "starts_on": "12/04/2026",
        "ends_on": "31/12/2027",
        "effective_on": "01/07/2026",
        "approved_by": people[Role.LEAD_COMMISSIONER].pk,
        "approved_on": "01/06/2026",
        "reason": "The service moves to the new hub in 2028.",
    }
    client = client_for(people[Role.COMMISSIONING_OFFICER])
    with at(date(2026, 6, 1)):
        assert "Choose what permits the change" in client.post(page, shorter).content.decode()
        assert client.post(page, {**shorter, "ground": ModificationGround.NOT_SUBSTANTIAL}).status_code == 302
    variation = agreement.variations.get()
    assert variation.modification_ground == ModificationGround.NOT_SUBSTANTIAL
    (notice,) = notices_of(agreement, date(2026, 6, 1))[NoticeType.UK10]
    assert (notice.optional, notice.due_on) == (False, date(2026, 6, 30))
    assert "the term by 42.6% of the maximum term" in notice.due_rule
    period = valid(notice).data["contracts"][0]["amendments"][0]["period"]
    assert period["endDate"].startswith("2027-12-31")


# ---- UK11 contract termination notice ---------------------------------------------------------------------


def test_a_contract_terminated_for_breach_needs_a_termination_notice_within_30_days(council, people):
    agreement = live(procured(council, people, **ABOVE))
    with at(date(2026, 9, 30)):
        variations.agreement_terminate(
            by=people[Role.LEAD_COMMISSIONER],
            agreement=agreement,
            terminated_on=date(2026, 9, 30),
            reason="Visits missed for three months after the improvement plan.",
            ground=TerminationGround.BREACH,
        )
    found = notices_of(agreement, date(2026, 10, 1))
    assert set(found) == {NoticeType.UK7, NoticeType.UK11}  # the breach is in the UK11, not a UK9 of its own
    (notice,) = found[NoticeType.UK11]
    assert notice.due_on == date(2026, 10, 30)
    assert "reg 41(2)(h)" in notice.due_rule
    contract = valid(notice).data["contracts"][0]
    assert contract["status"] == "terminated"
    assert contract["period"]["endDate"].startswith("2026-09-30")
    (reason,) = contract["terminationRationaleClassifications"]
    assert reason["id"] == "breach"
    assert reason["description"].endswith("Visits missed for three months after the improvement plan.")
    assert contract["implementation"]["performanceFailures"][0]["suppliers"]


def test_a_light_touch_contract_that_ran_its_term_needs_a_termination_notice(council, people):
    agreement = live(procured(council, people, Regime.LIGHT_TOUCH))
    ended_on = agreement.ends_on
    with at(ended_on + timedelta(days=1)):
        steps.agreement_end(by=people[Role.COMMISSIONING_OFFICER], agreement=agreement)
    (notice,) = notices_of(agreement, ended_on + timedelta(days=1))[NoticeType.UK11]
    assert notice.due_on == ended_on + timedelta(days=30)
    assert valid(notice).data["contracts"][0]["terminationRationaleClassifications"][0]["id"] == "completed"


# ---- Section 71: the yearly assessment, chased and shown ---------------------------------------------------


def test_the_yearly_assessment_of_a_contract_over_5_million_is_reminded_and_on_the_dashboard(
    client_for, council, people
):
    agreement = live(procured(council, people, value="6000000", kpis=1, **ABOVE))
    lead_officer = agreement.commission.lead_officer
    due = date(2027, 4, 12)  # 12 months after it went live
    sweep_on(due - timedelta(days=31))
    assert not occurrences(ReminderKind.KPI_ASSESSMENT_DUE, agreement)
    sweep_on(due - timedelta(days=30))
    assert recipients(ReminderKind.KPI_ASSESSMENT_DUE, agreement) == {lead_officer.email}
    sweep_on(due + timedelta(days=1))
    assert occurrences(ReminderKind.KPI_ASSESSMENT_DUE, agreement) == ["2027-04-12:due", "2027-04-12:overdue-1"]
    page = reverse("monitoring:dashboard", kwargs={"council_slug": council.slug})
    with at(due + timedelta(days=1)):
        response = client_for(lead_officer).get(page)
    assert [a.pk for a in response.context["assessments"]] == [agreement.pk]
    assert response.context["assessments"].counts["overdue"] == 1
    body = response.content.decode()
    assert "KPI assessments due or overdue" in body
    assert f"{agreement.reference} {agreement.title}" in body
    assess(agreement, due + timedelta(days=2))
    with at(due + timedelta(days=2)):
        assert officer_dashboard(lead_officer, council)["assessments"] == []
