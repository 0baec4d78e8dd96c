"""Continuity plans, flags, interventions and the step after a failure, through the real services."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from commissioning.models import Recommendation, ReviewReport, State
from commissioning.tests.factories import staff
from councils.models import AuditEvent, Notification, ReminderKind, Role
from councils.tests.factories import PortfolioFactory
from councils.workflow import TransitionRefused
from monitoring.continuity import services
from monitoring.continuity.tests.factories import complete_plan, flag, lead, officer, terminate_for_failure
from monitoring.models import AgreementState, AgreementType, FlagLevel, Intervention, RiskFlag
from monitoring.tests.factories import agreeing_commission, draft_agreement, go_live, live_agreement, sign
from providers.tests.factories import OrganisationFactory

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()


@pytest.fixture
def holder(council):
    return staff(council, Role.PORTFOLIO_HOLDER)


@pytest.fixture
def agreement(council, holder):
    portfolio = PortfolioFactory(council=council, holder=holder)
    return live_agreement(council, commission=agreeing_commission(council, portfolio=portfolio))


def flagged_told(kind=ReminderKind.AGREEMENT_FLAGGED):
    return sorted(Notification.objects.filter(kind=kind).values_list("user__email", flat=True))


# ---- The continuity plan and the go-live gate ------------------------------------------------------


def test_a_vital_agreement_without_a_complete_plan_cannot_go_live(council):
    signed = sign(draft_agreement(council))
    services.plan_save(by=officer(council), agreement=signed, vital=True, why_vital="Hot meals for 200 people.")
    with pytest.raises(TransitionRefused) as refused:
        go_live(signed)
    assert "Complete the continuity plan of this vital service: say what happens if the provider fails" in (
        refused.value.missing
    )
    assert len(refused.value.missing) == 4
    signed.refresh_from_db()
    assert signed.state == AgreementState.SIGNED
    complete_plan(signed)
    assert go_live(signed).state == AgreementState.LIVE


def test_an_agreement_not_marked_vital_goes_live_without_a_plan(council):
    signed = sign(draft_agreement(council))
    services.plan_save(by=officer(council), agreement=signed, vital=False)
    assert go_live(signed).state == AgreementState.LIVE


def test_a_plan_is_refused_with_clear_errors(council, agreement, other_council):
    by = officer(council)
    with pytest.raises(ValidationError) as error:
        services.plan_save(by=by, agreement=agreement, vital=True)
    assert error.value.message_dict == {"why_vital": ["Say why the service is vital."]}
    with pytest.raises(ValidationError) as error:
        services.plan_save(
            by=by, agreement=agreement, vital=False, responsible=staff(other_council, Role.LEAD_COMMISSIONER)
        )
    assert "officer of this council" in str(error.value)
    with pytest.raises(ValidationError) as error:
        services.plan_save(by=by, agreement=agreement, vital=False, last_tested_on=TODAY + timedelta(days=1))
    assert "cannot be in the future" in str(error.value)
    with pytest.raises(PermissionDenied):
        services.plan_save(by=staff(council, Role.SCRUTINY_MEMBER), agreement=agreement, vital=False)
    assert complete_plan(agreement).is_complete


# ---- Flags -----------------------------------------------------------------------------------------


def test_flagging_an_agreement_tells_the_lead_and_portfolio_holder_once_and_opens_an_intervention(
    council, agreement, holder
):
    raised = flag(agreement, reason="The chef left and meals are late.")
    assert raised.is_open
    assert raised.level == FlagLevel.AT_RISK
    intervention = Intervention.objects.get()
    assert (intervention.agreement, intervention.flag, intervention.is_open) == (agreement, raised, True)
    told = Notification.objects.filter(kind=ReminderKind.AGREEMENT_FLAGGED)
    assert {n.user for n in told} == {lead(council), holder}
    assert told.count() == 2
    assert all(n.url == f"/monitoring/council/{council.slug}/interventions/{intervention.pk}/" for n in told)
    assert "The chef left" in told.first().body
    assert AuditEvent.objects.filter(event_type="continuity.flag_raised").count() == 1


def test_the_flagger_is_not_told_of_their_own_flag(council, agreement, holder):
    flag(agreement, by=lead(council))
    assert {n.user for n in Notification.objects.filter(kind=ReminderKind.AGREEMENT_FLAGGED)} == {holder}


def test_a_flag_needs_a_reason_and_changes_nothing_without_one(agreement):
    with pytest.raises(ValidationError) as error:
        flag(agreement, reason="   ")
    assert error.value.message_dict == {"reason": ["Give the reason for the flag: what puts the service at risk."]}
    assert not RiskFlag.objects.exists()
    assert not Intervention.objects.exists()
    assert not flagged_told()


def test_failed_replaces_at_risk_keeping_the_history_and_the_intervention(council, agreement):
    at_risk = flag(agreement)
    failed = flag(agreement, level=FlagLevel.FAILED, reason="Administrators appointed today.")
    at_risk.refresh_from_db()
    assert not at_risk.is_open
    assert at_risk.clear_reason == "Now flagged failed: Administrators appointed today."
    assert failed.is_open
    assert Intervention.objects.get().flag == at_risk  # still the one intervention
    # Each flag tells each person once: two flags, two notifications each.
    assert len(flagged_told()) == 4
    with pytest.raises(ValidationError, match="already flagged failed"):
        flag(agreement, level=FlagLevel.FAILED)


def test_flagging_a_provider_covers_its_live_agreements_and_tells_each_portfolio_holder(council, holder):
    provider = OrganisationFactory()
    portfolio = PortfolioFactory(council=council, holder=holder)
    first = live_agreement(council, provider=provider, commission=agreeing_commission(council, portfolio=portfolio))
    second = live_agreement(council, provider=provider)
    raised = flag(provider=provider, council=council, level=FlagLevel.FAILED, reason="Insolvent.")
    assert services.flagged_agreements(raised) == sorted([first, second], key=lambda a: a.reference)
    assert holder in {n.user for n in Notification.objects.filter(kind=ReminderKind.AGREEMENT_FLAGGED)}
    assert Intervention.objects.get().provider == provider


def test_a_provider_without_signed_or_live_agreements_cannot_be_flagged(council):
    with pytest.raises(ValidationError) as error:
        flag(provider=OrganisationFactory(legal_name="Nowhere Ltd"), council=council)
    assert "Nowhere Ltd has no signed or live agreement with the council" in str(error.value)


def test_a_draft_cannot_be_flagged_nor_can_scrutiny_flag(council, agreement):
    with pytest.raises(ValidationError, match="only a signed or live agreement"):
        flag(draft_agreement(council))
    with pytest.raises(PermissionDenied):
        flag(agreement, by=staff(council, Role.SCRUTINY_MEMBER))


def test_clearing_needs_a_reason_and_happens_once(council, agreement):
    raised = flag(agreement)
    with pytest.raises(ValidationError):
        services.flag_clear(by=officer(council), flag=raised, reason="")
    cleared = services.flag_clear(by=officer(council), flag=raised, reason="A new chef started.")
    assert not cleared.is_open
    assert cleared.clear_reason == "A new chef started."
    with pytest.raises(ValidationError, match="was cleared on"):
        services.flag_clear(by=officer(council), flag=raised, reason="Again")
    # Cleared, it can be flagged again: a new row, the old one kept.
    flag(agreement)
    assert RiskFlag.objects.filter(agreement=agreement).count() == 2


# ---- Interventions -----------------------------------------------------------------------------------


def test_an_action_due_in_the_past_is_refused(council, agreement):
    flag(agreement)
    intervention = Intervention.objects.get()
    with pytest.raises(ValidationError) as error:
        services.action_add(
            by=officer(council), intervention=intervention, what="Visit", owner=officer(council),
            due_on=TODAY - timedelta(days=1),
        )  # fmt: skip
    assert error.value.message_dict == {"due_on": ["The due date cannot be in the past."]}
    assert not intervention.actions.exists()


def test_an_action_owner_must_be_an_officer(council, agreement, holder):
    flag(agreement)
    with pytest.raises(ValidationError, match="officer of this council"):
        services.action_add(
            by=officer(council), intervention=Intervention.objects.get(), what="Visit", owner=holder, due_on=TODAY
        )


def test_an_intervention_closes_with_an_outcome_only_once_its_actions_are_done(council, agreement):
    flag(agreement)
    intervention = Intervention.objects.get()
    by = officer(council)
    action = services.action_add(by=by, intervention=intervention, what="Visit the kitchen", owner=by, due_on=TODAY)
    with pytest.raises(ValidationError) as error:
        services.intervention_close(by=by, intervention=intervention, outcome="The provider recovered.")
    assert "Finish its actions first: 1 still open (Visit the kitchen)" in str(error.value)
    with pytest.raises(ValidationError, match="cannot be in the future"):
        services.action_done(by=by, action=action, done_on=TODAY + timedelta(days=1))
    services.action_done(by=by, action=action, done_on=TODAY)
    with pytest.raises(ValidationError, match="Say how the intervention ended"):
        services.intervention_close(by=by, intervention=intervention, outcome="")
    with pytest.raises(ValidationError, match="Say who provides"):
        services.alternative_choose(by=by, intervention=intervention, alternative="step_in", detail="")
    services.alternative_choose(
        by=by, intervention=intervention, alternative="step_in", detail="Acme Meals, from Monday."
    )
    closed = services.intervention_close(by=by, intervention=intervention, outcome="Acme Meals stepped in.")
    assert not closed.is_open
    assert closed.get_alternative_display() == "Step-in by another provider"
    with pytest.raises(ValidationError, match="was closed on"):
        services.action_add(by=by, intervention=intervention, what="More", owner=by, due_on=TODAY)


# ---- After the failure ---------------------------------------------------------------------------------


def test_recommissioning_after_a_failure_reviews_the_commission_and_starts_its_next_cycle(council, agreement):
    terminate_for_failure(agreement)
    agreement.refresh_from_db()
    commission = services.recommission_after_failure(
        by=lead(council), agreement=agreement, reason="The market has other providers."
    )
    assert (commission.state, commission.cycle) == (State.UNDERSTANDING, 2)
    review = ReviewReport.objects.get(commission=commission, cycle=1)
    assert review.recommendation == Recommendation.RECOMMISSION
    assert "went into administration" in review.outcomes_achieved
    with pytest.raises(ValidationError, match="next step has been taken already"):
        services.recommission_after_failure(by=lead(council), agreement=agreement, reason="Again")


def test_only_an_agreement_terminated_for_failure_leads_there_and_only_for_the_lead(council, agreement):
    with pytest.raises(ValidationError, match="not terminated for the provider's failure"):
        services.recommission_after_failure(by=lead(council), agreement=agreement, reason="Why")
    terminate_for_failure(agreement)
    with pytest.raises(PermissionDenied):
        services.recommission_after_failure(by=officer(council), agreement=agreement, reason="Why")
    with pytest.raises(ValidationError, match="Say why"):
        services.recommission_after_failure(by=lead(council), agreement=agreement, reason="")


def test_bringing_a_failed_service_in_house_drafts_an_agreement_with_the_council_team(council, agreement):
    terminate_for_failure(agreement)
    agreement.refresh_from_db()
    with pytest.raises(ValidationError) as error:
        services.bring_in_house_after_failure(
            by=lead(council), agreement=agreement, team_name="Reablement", starts_on=agreement.ended_on,
            ends_on=agreement.ends_on, value=None,
        )  # fmt: skip
    assert set(error.value.message_dict) == {"starts_on", "value"}
    in_house = services.bring_in_house_after_failure(
        by=lead(council),
        agreement=agreement,
        team_name="Reablement",
        starts_on=agreement.ended_on + timedelta(days=1),
        ends_on=agreement.ends_on,
        value=agreement.value,
    )
    assert in_house.state == AgreementState.DRAFT
    assert in_house.internal_team_name == "Reablement"
    assert in_house.agreement_type == AgreementType.SERVICE_LEVEL_AGREEMENT


def test_each_flag_is_told_once_however_often_it_is_told(council, agreement):
    raised = flag(agreement)
    intervention = Intervention.objects.get()
    services._tell(raised, intervention, officer(council))  # told again: the outbox keeps it once
    by = officer(council)
    services.action_add(by=by, intervention=intervention, what="Visit", owner=by, due_on=TODAY)
    services.flag_clear(by=by, flag=raised, reason="Recovered.")
    assert len(flagged_told()) == 2
