"""Agreements: creation (from the specification and from a winning bid), signing, going live (and the
commission moving to delivery), variations that keep their history, extensions and termination."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from unittest import mock

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import InternalError, connection, transaction

from commissioning.cycle import gates as cycle_gates
from commissioning.models import BidState, DeliveryRoute, State, SuccessMeasure
from commissioning.tests.bid_factories import bid_writer, clock, close_and_open, open_opportunity, submitted_bid
from commissioning.tests.factories import commission_in_state
from councils.models import AuditEvent, Role
from councils.workflow import TransitionRefused
from monitoring.agreements import gates, services, steps, variations
from monitoring.models import (
    AgreementState,
    AgreementType,
    AgreementVariation,
    KpiSource,
    MonitoringFrequency,
    PaymentKind,
    TargetKind,
    VariationKind,
    reporting_periods,
)
from monitoring.tests.factories import (
    END,
    START,
    agreeing_commission,
    approval,
    draft_agreement,
    go_live,
    live_agreement,
    sign,
)
from providers.tests.factories import OrganisationFactory

pytestmark = pytest.mark.django_db


# ---- Reporting periods ---------------------------------------------------------------------------


def test_quarterly_periods_cover_the_agreement_and_the_last_is_cut_short():
    assert reporting_periods(date(2026, 4, 1), date(2027, 2, 15), MonitoringFrequency.QUARTERLY) == [
        (date(2026, 4, 1), date(2026, 6, 30)),
        (date(2026, 7, 1), date(2026, 9, 30)),
        (date(2026, 10, 1), date(2026, 12, 31)),
        (date(2027, 1, 1), date(2027, 2, 15)),
    ]


def test_monthly_periods_from_a_month_end_do_not_drift():
    periods = reporting_periods(date(2026, 1, 31), date(2026, 5, 30), MonitoringFrequency.MONTHLY)
    assert [first for first, _ in periods] == [
        date(2026, 1, 31),
        date(2026, 2, 28),
        date(2026, 3, 31),
        date(2026, 4, 30),
    ]
    assert periods[-1] == (date(2026, 4, 30), date(2026, 5, 30))


# ---- Creating from the specification ---------------------------------------------------------------


def test_in_house_agreement_carries_over_the_specifications_success_measures(council, people):
    commission = agreeing_commission(council, route=DeliveryRoute.IN_HOUSE)
    agreement = draft_agreement(council, commission=commission, provider=None, internal_team_name="Leisure Services")

    assert agreement.state == AgreementState.DRAFT
    assert agreement.reference == f"{commission.reference}-A1"
    assert agreement.agreement_type == AgreementType.SERVICE_LEVEL_AGREEMENT
    assert agreement.party_name == "Leisure Services (in-house team)"
    measure = SuccessMeasure.objects.get(outcome_sought__commission=commission)
    kpi = agreement.kpis.get()
    assert (kpi.description, kpi.target, kpi.unit, kpi.source) == (
        measure.description,
        measure.target,
        measure.unit,
        KpiSource.SPECIFICATION,
    )
    assert kpi.success_measure == measure
    assert kpi.outcome == measure.outcome_sought.description
    # Quarterly targets for a year: four periods adding up to the overall target.
    targets = list(kpi.targets.all())
    assert [t.period_start for t in targets] == [
        date(2026, 4, 1),
        date(2026, 7, 1),
        date(2026, 10, 1),
        date(2027, 1, 1),
    ]
    assert sum(t.target for t in targets) == measure.target
    # The payment schedule: four equal instalments of the value.
    payments = list(agreement.payments.all())
    assert [p.amount for p in payments] == [Decimal("15000")] * 4
    assert AuditEvent.objects.filter(event_type="agreement.created", object_id=str(agreement.pk)).exists()


def test_a_level_target_repeats_every_period(council, people):
    agreement = draft_agreement(council, monitoring_frequency=MonitoringFrequency.SIX_MONTHLY)
    kpi = services.kpi_save(
        by=people[Role.COMMISSIONING_OFFICER],
        agreement=agreement,
        kpi=agreement.kpis.model(
            agreement=agreement,
            description="Users satisfied",
            unit="%",
            target=Decimal("85"),
            target_kind=TargetKind.LEVEL,
        ),
    )
    assert [t.target for t in kpi.targets.all()] == [Decimal("85"), Decimal("85")]


def test_only_commissioners_create_agreements(council, people):
    commission = agreeing_commission(council)
    for role in (Role.SCRUTINY_MEMBER, Role.LEGAL_OFFICER, Role.PORTFOLIO_HOLDER):
        with pytest.raises(PermissionDenied):
            draft_agreement(council, commission=commission, by=people[role])
    with pytest.raises(PermissionDenied):
        draft_agreement(council, commission=commission, by=people["other_council_officer"])


def test_an_agreement_names_a_provider_or_an_internal_team_not_both(council, people):
    commission = agreeing_commission(council)
    with pytest.raises(ValidationError) as error:
        draft_agreement(
            council, commission=commission, provider=OrganisationFactory(), internal_team_name="Leisure Services"
        )
    assert "provider" in error.value.message_dict
    with pytest.raises(ValidationError):
        draft_agreement(council, commission=commission, provider=None, internal_team_name="")


def test_a_grant_gets_its_agreement_from_the_award(council, people):
    commission = commission_in_state(council, State.AGREEING, route=DeliveryRoute.GRANT)
    with pytest.raises(ValidationError, match="from the award"):
        draft_agreement(council, commission=commission)


def test_agreements_wait_for_the_commission_to_be_approved(council, people):
    commission = commission_in_state(council, State.PLANNING)
    with pytest.raises(ValidationError, match="approved for delivery"):
        draft_agreement(council, commission=commission)


# ---- Creating from the winning bid --------------------------------------------------------------


def awarded(council, lots=0):
    opportunity = open_opportunity(council, lots=lots)
    writer = bid_writer()
    bid = submitted_bid(opportunity, writer)
    with clock(opportunity.submission_deadline + timedelta(minutes=1)):
        close_and_open(opportunity)
    return opportunity.commission, bid


def test_award_copies_the_bids_outcomes_and_price_lines(council, people):
    commission, bid = awarded(council)
    agreement = services.agreement_create_from_award(
        by=people[Role.LEAD_COMMISSIONER],
        commission=commission,
        bid=bid,
        value=Decimal("20000"),
        starts_on=START,
        ends_on=END,
    )
    assert agreement.provider == bid.organisation
    assert agreement.bid == bid
    assert agreement.agreement_type == AgreementType.GRANT_AGREEMENT
    sources = list(agreement.kpis.values_list("source", "description", "target"))
    assert sources == [
        (KpiSource.SPECIFICATION, "Sessions delivered", Decimal("40.00")),
        (KpiSource.BID, "Young people taking part", Decimal("150.00")),
    ]
    bid_kpi = agreement.kpis.get(source=KpiSource.BID)
    assert bid_kpi.bid_outcome == bid.proposed_outcomes.get()
    assert sum(t.target for t in bid_kpi.targets.all()) == Decimal("150")
    # Year 1's price (£20,000) paid in the year's four quarterly instalments.
    payments = list(agreement.payments.all())
    assert [p.amount for p in payments] == [Decimal("5000")] * 4
    assert all(p.description.startswith("Year 1: Youth workers") for p in payments)
    assert AuditEvent.objects.filter(event_type="agreement.created_from_award").exists()


def test_a_split_award_makes_an_agreement_per_lot(council, people):
    commission, bid = awarded(council, lots=2)
    first, second = bid.opportunity.lots.all()
    lead = people[Role.LEAD_COMMISSIONER]
    agreements = [
        services.agreement_create_from_award(
            by=lead, commission=commission, bid=bid, lot=lot, value=Decimal("20000"), starts_on=START, ends_on=END
        )
        for lot in (first, second)
    ]
    assert [a.reference for a in agreements] == [f"{commission.reference}-A1", f"{commission.reference}-A2"]
    assert agreements[0].title.endswith(first.title)
    # Each lot's own price line (£20,000 each) becomes its schedule.
    assert [sum(p.amount for p in a.payments.all()) for a in agreements] == [Decimal("20000")] * 2


def test_prices_that_do_not_match_the_value_become_equal_instalments(council, people):
    commission, bid = awarded(council)
    agreement = services.agreement_create_from_award(
        by=people[Role.LEAD_COMMISSIONER], commission=commission, bid=bid, value=Decimal("18000"), ends_on=END
    )
    assert sum(p.amount for p in agreement.payments.all()) == Decimal("18000")
    assert all(p.description.startswith("Instalment") for p in agreement.payments.all())


def test_award_refuses_a_bid_for_another_commission_or_a_withdrawn_bid(council, people):
    commission, bid = awarded(council)
    other = commission_in_state(council, State.SOURCING)
    with pytest.raises(ValidationError) as error:
        services.agreement_create_from_award(
            by=people[Role.LEAD_COMMISSIONER], commission=other, bid=bid, value=Decimal("1"), ends_on=END
        )
    assert "bid" in error.value.message_dict
    bid.__class__.objects.filter(pk=bid.pk).update(state=BidState.WITHDRAWN)
    bid.refresh_from_db()
    with pytest.raises(ValidationError, match="submitted bid"):
        services.agreement_create_from_award(
            by=people[Role.LEAD_COMMISSIONER], commission=commission, bid=bid, value=Decimal("1"), ends_on=END
        )


# ---- Signing and going live --------------------------------------------------------------------------


def test_signing_needs_the_signed_copy_and_a_balanced_schedule(council, people):
    agreement = draft_agreement(council)
    assert services.missing_to_sign(agreement) == ["Upload the signed agreement"]
    services.payment_remove(
        by=people[Role.COMMISSIONING_OFFICER], agreement=agreement, payment=agreement.payments.first()
    )
    with pytest.raises(TransitionRefused) as refused:
        sign(agreement)
    assert any("payment schedule" in item for item in refused.value.missing)
    agreement.refresh_from_db()
    assert agreement.state == AgreementState.DRAFT
    assert not agreement.signed_document


def test_legal_officers_sign_but_scrutiny_cannot(council, people):
    agreement = draft_agreement(council)
    with pytest.raises(PermissionDenied):
        sign(agreement, by=people[Role.SCRUTINY_MEMBER])
    sign(agreement, by=people[Role.LEGAL_OFFICER])
    assert agreement.state == AgreementState.SIGNED
    assert agreement.signed_by == people[Role.LEGAL_OFFICER]
    assert agreement.signed_document.name.startswith("agreements/")


def test_the_award_gates_signing_a_competitive_agreement(council, people):
    commission, bid = awarded(council)
    agreement = services.agreement_create_from_award(
        by=people[Role.LEAD_COMMISSIONER], commission=commission, bid=bid, value=Decimal("20000"), ends_on=END
    )
    standstill = ["The standstill period ends on 10/04/2026"]
    with (
        mock.patch.object(gates, "award_allows_signing", return_value=standstill),
        pytest.raises(TransitionRefused) as refused,
    ):
        sign(agreement)
    assert refused.value.missing == ["The standstill period ends on 10/04/2026"]
    assert services.award_allows_signing(agreement) == []


def test_commission_moves_to_delivery_when_its_last_agreement_goes_live(council, people):
    commission = agreeing_commission(council)
    first = sign(draft_agreement(council, commission=commission))
    second = sign(draft_agreement(council, commission=commission))
    cancelled = draft_agreement(council, commission=commission)
    steps.agreement_cancel(by=people[Role.COMMISSIONING_OFFICER], agreement=cancelled, reason="Partner withdrew.")

    go_live(first)
    commission.refresh_from_db()
    assert commission.state == State.AGREEING

    go_live(second)
    commission.refresh_from_db()
    assert commission.state == State.DELIVERING
    event = AuditEvent.objects.get(event_type="commission.start_delivery")
    assert event.reason == f"Agreements live: {first.reference}, {second.reference}"
    assert event.actor == people[Role.COMMISSIONING_OFFICER]


def test_going_live_and_the_commissions_step_are_one_transaction(council, people):
    commission = agreeing_commission(council)
    agreement = sign(draft_agreement(council, commission=commission))
    with (
        mock.patch.object(cycle_gates, "missing_to_start_delivery", side_effect=RuntimeError("database went away")),
        pytest.raises(RuntimeError),
    ):
        go_live(agreement)
    agreement.refresh_from_db()
    commission.refresh_from_db()
    assert (agreement.state, commission.state) == (AgreementState.SIGNED, State.AGREEING)


def test_drafts_are_fixed_once_signed(council, people):
    agreement = sign(draft_agreement(council))
    with pytest.raises(ValidationError, match="only through a variation"):
        services.payment_schedule_instalments(by=people[Role.COMMISSIONING_OFFICER], agreement=agreement)


def test_an_agreement_ends_only_after_its_end_date(council, people):
    past = live_agreement(council, ends_on=date(2026, 6, 30))
    steps.agreement_end(by=people[Role.COMMISSIONING_OFFICER], agreement=past)
    assert (past.state, past.ended_on) == (AgreementState.ENDED, date(2026, 6, 30))
    current = live_agreement(council, ends_on=date(2030, 3, 31))
    with pytest.raises(TransitionRefused):
        steps.agreement_end(by=people[Role.COMMISSIONING_OFFICER], agreement=current)


# ---- Variations ----------------------------------------------------------------------------------------


def test_a_value_variation_keeps_the_old_value_in_its_history(council, people):
    agreement = live_agreement(council)
    variation = variations.agreement_vary_value(
        by=people[Role.COMMISSIONING_OFFICER],
        agreement=agreement,
        value=Decimal("65000"),
        reason="Demand is higher than forecast.",
        approval=approval(council),
        effective_on=date(2026, 7, 1),
    )
    agreement.refresh_from_db()
    assert agreement.value == Decimal("65000")
    assert (variation.number, variation.kind) == (1, VariationKind.VALUE)
    assert variation.before["value"] == "60000.00"
    assert variation.after["value"] == "65000.00"
    assert variation.changes[0] == "Value: £60,000 → £65,000"
    assert variation.approved_by == people[Role.LEAD_COMMISSIONER]
    adjustment = agreement.payments.get(kind=PaymentKind.ADJUSTMENT)
    assert (adjustment.amount, adjustment.variation) == (Decimal("5000"), variation)
    assert sum(p.amount for p in agreement.payments.all()) == agreement.value
    # History is never rewritten.
    with pytest.raises(PermissionError):
        variation.save()
    with pytest.raises(PermissionError):
        variation.delete()
    event = AuditEvent.objects.get(event_type="agreement.varied.value")
    assert event.extra["changes"] == ["Value: £60,000 → £65,000", "Payment schedule total: £60,000 → £65,000"]


def test_variations_need_a_reason_and_a_proper_approver(council, people):
    agreement = live_agreement(council)
    common = {"by": people[Role.COMMISSIONING_OFFICER], "agreement": agreement, "effective_on": date(2026, 7, 1)}
    with pytest.raises(ValidationError) as error:
        variations.agreement_vary_value(value=Decimal("61000"), reason=" ", approval=approval(council), **common)
    assert "reason" in error.value.message_dict
    with pytest.raises(ValidationError) as error:
        variations.agreement_vary_value(
            value=Decimal("61000"), reason="More", approval=approval(council, Role.SCRUTINY_MEMBER), **common
        )
    assert "approved_by" in error.value.message_dict
    # At or above the key-decision threshold only a portfolio holder approves.
    with pytest.raises(ValidationError, match="portfolio holder"):
        variations.agreement_vary_value(
            value=Decimal("300000"), reason="Scale up", approval=approval(council), **common
        )
    agreement.refresh_from_db()
    assert agreement.value == Decimal("60000")
    assert not AgreementVariation.objects.exists()
    variations.agreement_vary_value(
        value=Decimal("300000"), reason="Scale up", approval=approval(council, Role.PORTFOLIO_HOLDER), **common
    )
    with pytest.raises(PermissionDenied):
        variations.agreement_vary_value(
            by=people[Role.SCRUTINY_MEMBER],
            agreement=agreement,
            value=Decimal("1"),
            reason="x",
            approval=approval(council),
            effective_on=date(2026, 7, 1),
        )


def test_a_kpi_variation_changes_only_the_periods_to_come(council, people):
    agreement = live_agreement(council)
    kpi = agreement.kpis.get()
    before = [t.target for t in kpi.targets.all()]
    variations.agreement_vary_kpi(
        by=people[Role.COMMISSIONING_OFFICER],
        agreement=agreement,
        kpi=kpi,
        target=Decimal("60"),
        reason="The provider can run more sessions.",
        approval=approval(council),
        effective_on=date(2026, 10, 1),
    )
    kpi.refresh_from_db()
    after = [t.target for t in kpi.targets.all()]
    assert after[:2] == before[:2]
    assert sum(after) == Decimal("60")
    variation = agreement.variations.get()
    assert "KPI ‘Sessions delivered’ target: 40 sessions → 60 sessions" in variation.changes


def test_dates_variation_cannot_push_the_end_later(council, people):
    agreement = live_agreement(council)
    with pytest.raises(ValidationError, match="extension"):
        variations.agreement_vary_dates(
            by=people[Role.COMMISSIONING_OFFICER],
            agreement=agreement,
            starts_on=START,
            ends_on=date(2027, 6, 30),
            reason="Longer",
            approval=approval(council),
            effective_on=date(2026, 7, 1),
        )


def test_extension_within_the_options_and_not_beyond(council, people):
    agreement = live_agreement(council, max_extensions=1, extension_period_months=12)
    officer = people[Role.COMMISSIONING_OFFICER]
    with pytest.raises(ValidationError) as error:
        variations.agreement_extend(
            by=officer,
            agreement=agreement,
            ends_on=date(2028, 4, 30),
            reason="Good results",
            approval=approval(council),
        )
    assert "31/03/2028 at the latest" in error.value.message_dict["ends_on"][0]
    variation = variations.agreement_extend(
        by=officer, agreement=agreement, ends_on=date(2028, 3, 31), reason="Good results", approval=approval(council)
    )
    agreement.refresh_from_db()
    assert agreement.ends_on == date(2028, 3, 31)
    assert variation.kind == VariationKind.EXTENSION
    assert variation.changes[0] == "End date: 31 March 2027 → 31 March 2028"
    # The new year's quarters have targets at the same rate.
    kpi = agreement.kpis.get()
    targets = [t.target for t in kpi.targets.all()]
    assert len(targets) == 8
    assert kpi.target == sum(targets)
    assert Decimal("80") <= kpi.target <= Decimal("80.2")  # 366 days in the year to March 2028
    with pytest.raises(ValidationError, match="have been used"):
        variations.agreement_extend(
            by=officer, agreement=agreement, ends_on=date(2028, 6, 30), reason="Again", approval=approval(council)
        )


def test_no_extension_without_options(council, people):
    agreement = live_agreement(council)
    with pytest.raises(ValidationError, match="no extension options"):
        variations.agreement_extend(
            by=people[Role.COMMISSIONING_OFFICER],
            agreement=agreement,
            ends_on=date(2027, 6, 30),
            reason="More",
            approval=approval(council),
        )


def test_early_termination_by_the_lead_commissioner(council, people):
    agreement = live_agreement(council)
    with pytest.raises(PermissionDenied):
        variations.agreement_terminate(
            by=people[Role.COMMISSIONING_OFFICER],
            agreement=agreement,
            terminated_on=date(2026, 9, 30),
            reason="Provider closing",
        )
    variations.agreement_terminate(
        by=people[Role.LEAD_COMMISSIONER],
        agreement=agreement,
        terminated_on=date(2026, 9, 30),
        reason="The provider is closing down.",
    )
    agreement.refresh_from_db()
    assert agreement.state == AgreementState.TERMINATED
    assert (agreement.ended_on, agreement.termination_reason) == (date(2026, 9, 30), "The provider is closing down.")
    variation = agreement.variations.get()
    assert variation.kind == VariationKind.TERMINATION
    assert "State: Live → Terminated early" in variation.changes
    assert AuditEvent.objects.filter(event_type="agreement.terminate").exists()
    with pytest.raises(ValidationError):
        variations.agreement_vary_value(
            by=people[Role.COMMISSIONING_OFFICER],
            agreement=agreement,
            value=Decimal("1"),
            reason="x",
            approval=approval(council),
            effective_on=date(2026, 10, 1),
        )


def test_termination_date_must_be_within_the_agreement(council, people):
    agreement = live_agreement(council, provider=OrganisationFactory())
    with pytest.raises(ValidationError):
        variations.agreement_terminate(
            by=people[Role.LEAD_COMMISSIONER], agreement=agreement, terminated_on=date(2027, 5, 1), reason="Late"
        )


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the trigger is PostgreSQL's")
def test_the_database_refuses_to_rewrite_a_variation(council, people):
    agreement = live_agreement(council)
    variations.agreement_vary_value(
        by=people[Role.COMMISSIONING_OFFICER],
        agreement=agreement,
        value=Decimal("65000"),
        reason="More demand.",
        approval=approval(council),
        effective_on=date(2026, 7, 1),
    )
    with pytest.raises(InternalError, match="append-only"), transaction.atomic():
        AgreementVariation.objects.update(reason="Rewritten")
    with pytest.raises(InternalError, match="append-only"), transaction.atomic():
        AgreementVariation.objects.all()._raw_delete(AgreementVariation.objects.db)
