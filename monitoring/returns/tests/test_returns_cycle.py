"""Filing and reviewing returns through the services: drafts, submission (late ones marked late), the
query and answer cycle with its history kept, acceptance with RAG ratings and overrides, evidence,
who may do each step, performance assessments and payment holds."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from commissioning.tests.factories import staff
from councils.models import AuditEvent, Role
from councils.workflow import TransitionConflict, TransitionRefused
from monitoring.agreements import services, steps, variations
from monitoring.models import (
    AgreementKpi,
    AssessmentKind,
    KpiActual,
    MonitoringReturn,
    MonitoringSettings,
    PerformanceAssessment,
    PerformanceRating,
    Rag,
    ReturnQuery,
    ReturnState,
    TargetKind,
)
from monitoring.returns import selectors as returns_selectors
from monitoring.returns import services as returns_services
from monitoring.tests.factories import approval, draft_agreement, go_live, live_agreement, sign
from monitoring.tests.returns_factories import accept, evidence, fill, query, returns_of, reviewer, submit, writer
from providers.models import ProviderRole

pytestmark = pytest.mark.django_db
LONDON = ZoneInfo("Europe/London")
D = Decimal


def travel(day: date, hour: int = 10):
    return time_machine.travel(datetime.combine(day, datetime.min.time()).replace(hour=hour, tzinfo=LONDON), tick=False)


@pytest.fixture
def july_2026():
    with travel(date(2026, 7, 10)):
        yield


@pytest.fixture
def agreement(council, july_2026):
    """Live from 1 April 2026, quarterly, with three KPIs: sessions (a total, higher is better), a
    percentage (a level), and complaints (lower is better)."""
    draft = draft_agreement(council)
    officer = staff(council, Role.COMMISSIONING_OFFICER)
    services.kpi_save(
        by=officer,
        agreement=draft,
        kpi=AgreementKpi(
            agreement=draft, description="People less lonely", unit="%", target=D("80"), target_kind=TargetKind.LEVEL
        ),
    )
    services.kpi_save(
        by=officer,
        agreement=draft,
        kpi=AgreementKpi(
            agreement=draft,
            description="Complaints",
            unit="complaints",
            target=D("4"),
            target_kind=TargetKind.LEVEL,
            higher_is_better=False,
        ),
    )
    return go_live(sign(draft))


def first_return(agreement) -> MonitoringReturn:
    return returns_of(agreement)[0]


def actuals_by_description(monitoring_return) -> dict[str, KpiActual]:
    return {row.kpi.description: row for row in monitoring_return.actuals.select_related("kpi")}


# ---- Drafts and submission ------------------------------------------------------------------------


def test_a_provider_drafts_then_submits_and_each_kpi_is_rated(agreement):
    monitoring_return = first_return(agreement)
    provider = writer(agreement)
    sessions = agreement.kpis.get(description="Sessions delivered")
    target = sessions.targets.get(period_start=monitoring_return.period_start).target

    returns_services.return_save_draft(
        by=provider,
        monitoring_return=monitoring_return,
        content={"outcomes_narrative": "Half written."},
        actuals={sessions.pk: (D("3"), "A slow start")},
    )
    monitoring_return.refresh_from_db()
    assert monitoring_return.state == ReturnState.DUE
    assert monitoring_return.outcomes_narrative == "Half written."
    draft = actuals_by_description(monitoring_return)
    assert draft["Sessions delivered"].actual == D("3")
    assert draft["Sessions delivered"].target == target  # the period's target, copied in
    assert draft["People less lonely"].actual is None

    by_kpi = {"Sessions delivered": target, "People less lonely": D("75"), "Complaints": D("6")}
    submit(monitoring_return, by=provider, actual=lambda kpi, _target: by_kpi[kpi.description])

    monitoring_return.refresh_from_db()
    assert monitoring_return.state == ReturnState.SUBMITTED
    assert monitoring_return.submitted_by == provider
    assert not monitoring_return.is_late
    ratings = {name: row.rag for name, row in actuals_by_description(monitoring_return).items()}
    # 75% against 80% is within the default 10% tolerance; 6 complaints against 4 is well over.
    assert ratings == {"Sessions delivered": Rag.GREEN, "People less lonely": Rag.AMBER, "Complaints": Rag.RED}
    assert monitoring_return.overall_rag == Rag.RED
    event = AuditEvent.objects.get(event_type="return.submit")
    assert (event.from_state, event.to_state, event.extra["late"]) == ("due", "submitted", False)


def test_submitting_an_incomplete_return_lists_what_is_missing_and_saves_nothing(agreement):
    monitoring_return = first_return(agreement)
    with pytest.raises(TransitionRefused) as refused:
        returns_services.return_submit(
            by=writer(agreement),
            monitoring_return=monitoring_return,
            content={"case_study": "Mrs A now comes every week."},
        )
    assert refused.value.missing == [
        "Enter the actual for ‘Sessions delivered’",
        "Enter the actual for ‘People less lonely’",
        "Enter the actual for ‘Complaints’",
        "Describe the outcomes achieved in the period",
        "Enter the spend to date",
    ]
    monitoring_return = MonitoringReturn.objects.get(pk=monitoring_return.pk)
    assert monitoring_return.state == ReturnState.DUE
    assert monitoring_return.case_study == ""
    assert not KpiActual.objects.exists()


def test_a_return_is_submitted_only_once_its_period_has_ended(agreement):
    second = returns_of(agreement)[1]  # July to September
    with pytest.raises(TransitionRefused) as refused:
        submit(second)
    assert refused.value.missing == ["The return can be submitted once its period has ended, from 01/10/2026"]


def test_a_late_return_is_accepted_but_stays_marked_late(agreement):
    monitoring_return = first_return(agreement)  # due 28 July 2026
    with travel(date(2026, 8, 3)):
        assert monitoring_return.is_overdue
        submit(monitoring_return)
        accept(monitoring_return)
    monitoring_return.refresh_from_db()
    assert (monitoring_return.state, monitoring_return.is_late) == (ReturnState.ACCEPTED, True)
    assert AuditEvent.objects.get(event_type="return.submit").extra["late"] is True


def test_submitted_on_the_due_date_is_not_late(agreement):
    monitoring_return = first_return(agreement)
    with travel(date(2026, 7, 28), hour=23):
        submit(monitoring_return)
    assert not MonitoringReturn.objects.get(pk=monitoring_return.pk).is_late


# ---- The query and answer cycle -------------------------------------------------------------------


def test_query_answer_and_accept_keep_the_whole_history(agreement):
    monitoring_return = first_return(agreement)
    provider, officer = writer(agreement), reviewer(agreement)
    submit(monitoring_return, by=provider)
    question = query(monitoring_return, by=officer, question="Were the 3 cancelled sessions made up?")
    monitoring_return.refresh_from_db()
    assert monitoring_return.state == ReturnState.QUERIED
    assert question.is_open

    # The provider must answer before submitting again; a draft answer is kept but does not count.
    with pytest.raises(TransitionRefused) as refused:
        submit(monitoring_return, by=provider)
    assert refused.value.missing == ["Answer the council's question"]
    returns_services.return_save_draft(by=provider, monitoring_return=monitoring_return, answer="Yes, in May")
    question.refresh_from_db()
    assert (question.answer, question.answered_at) == ("Yes, in May", None)

    first_submitted = MonitoringReturn.objects.get(pk=monitoring_return.pk).first_submitted_at
    with travel(date(2026, 7, 14)):
        submit(monitoring_return, by=provider, answer="Yes: two in May and one in June.")
    monitoring_return.refresh_from_db()
    question.refresh_from_db()
    assert monitoring_return.state == ReturnState.SUBMITTED
    assert (question.answer, question.answered_by) == ("Yes: two in May and one in June.", provider)
    assert monitoring_return.first_submitted_at == first_submitted
    assert monitoring_return.submitted_at > first_submitted

    query(monitoring_return, by=officer, question="And the complaints?")
    submit(monitoring_return, by=provider, answer="Both were about transport; a new driver has started.")
    accept(monitoring_return, by=officer, comment="Thank you.")
    monitoring_return.refresh_from_db()
    assert monitoring_return.state == ReturnState.ACCEPTED
    assert (monitoring_return.reviewed_by, monitoring_return.review_comment) == (officer, "Thank you.")
    assert list(ReturnQuery.objects.order_by("asked_at", "id").values_list("question", flat=True)) == [
        "Were the 3 cancelled sessions made up?",
        "And the complaints?",
    ]
    assert not ReturnQuery.objects.filter(answered_at__isnull=True).exists()
    steps = AuditEvent.objects.filter(object_id=str(monitoring_return.pk), event_type__startswith="return.")
    assert [e.event_type for e in steps.order_by("id")] == [
        "return.submit",
        "return.query",
        "return.draft_saved",
        "return.submit",
        "return.query",
        "return.submit",
        "return.accept",
    ]


def test_an_accepted_or_submitted_return_cannot_be_changed(agreement):
    monitoring_return = first_return(agreement)
    submit(monitoring_return)
    with pytest.raises(ValidationError):
        returns_services.return_save_draft(
            by=writer(agreement), monitoring_return=monitoring_return, content={"case_study": "Changed"}
        )
    with pytest.raises(ValidationError):
        evidence(monitoring_return)
    accept(monitoring_return)
    with pytest.raises(TransitionRefused):
        query(monitoring_return)


def test_a_query_needs_a_question(agreement):
    monitoring_return = first_return(agreement)
    submit(monitoring_return)
    with pytest.raises(ValidationError):
        query(monitoring_return, question="  ")


def test_two_officers_acting_at_once_cannot_both_win(agreement):
    monitoring_return = first_return(agreement)
    submit(monitoring_return)
    stale = MonitoringReturn.objects.get(pk=monitoring_return.pk)
    accept(monitoring_return)
    with pytest.raises(TransitionConflict):
        returns_services.return_query(
            by=reviewer(agreement), monitoring_return=stale, question="Why?", seen_state=ReturnState.SUBMITTED
        )
    assert not ReturnQuery.objects.exists()


# ---- Accepting with RAG ratings -------------------------------------------------------------------------


def test_accepting_rates_again_with_the_councils_tolerance_and_overrides_need_a_reason(agreement):
    monitoring_return = first_return(agreement)
    by_kpi = {"People less lonely": D("70"), "Complaints": D("4")}
    submit(monitoring_return, actual=lambda kpi, target: by_kpi.get(kpi.description, target))
    assert actuals_by_description(monitoring_return)["People less lonely"].rag == Rag.RED  # 70 < 72
    # The council widens its tolerance before the review.
    returns_services.monitoring_settings_save(
        by=staff(agreement.council, Role.COUNCIL_ADMIN),
        settings=MonitoringSettings(council=agreement.council, amber_tolerance_percent=15),
    )
    lonely = actuals_by_description(monitoring_return)["People less lonely"]
    with pytest.raises(ValidationError) as error:
        accept(monitoring_return, overrides={lonely.pk: (Rag.GREEN, "")})
    assert f"rag_reason_{lonely.pk}" in error.value.error_dict
    assert MonitoringReturn.objects.get(pk=monitoring_return.pk).state == ReturnState.SUBMITTED

    accept(monitoring_return, overrides={lonely.pk: (Rag.GREEN, "The survey missed the August group.")})
    lonely.refresh_from_db()
    assert (lonely.rag, lonely.rag_override, lonely.final_rag) == (Rag.AMBER, Rag.GREEN, Rag.GREEN)
    assert lonely.rag_override_reason == "The survey missed the August group."
    monitoring_return.refresh_from_db()
    assert monitoring_return.overall_rag == Rag.GREEN
    event = AuditEvent.objects.get(event_type="return.accept")
    assert event.extra["overall_rag"] == Rag.GREEN
    assert event.extra["ratings"]["People less lonely"] == Rag.GREEN


def test_choosing_the_computed_rating_is_no_override(agreement):
    monitoring_return = first_return(agreement)
    submit(monitoring_return, actual=lambda kpi, target: target)
    rows = actuals_by_description(monitoring_return)
    accept(monitoring_return, overrides={row.pk: (row.rag, "") for row in rows.values()})
    assert not KpiActual.objects.exclude(rag_override="").exists()


def test_a_kpi_with_no_target_for_the_period_is_not_rated(council, july_2026):
    agreement = live_agreement(council)
    kpi = agreement.kpis.get()
    variations.agreement_vary_kpi(
        by=staff(council, Role.COMMISSIONING_OFFICER),
        agreement=agreement,
        kpi=None,
        description="Volunteers trained",
        unit="volunteers",
        target=D("12"),
        reason="Training added.",
        approval=approval(council),
        effective_on=date(2026, 7, 1),
    )
    first, second = returns_of(agreement)[:2]
    # The new KPI is reported from the first period with a target for it, not before.
    assert [k.description for k, _ in returns_services.reported_kpis(agreement.kpis.all(), first.period_start)] == [
        kpi.description
    ]
    assert len(returns_services.reported_kpis(agreement.kpis.all(), second.period_start)) == 2
    submit(first)
    assert actuals_by_description(first)[kpi.description].rag != Rag.NOT_RATED
    # A target removed from a period leaves its KPI not rated there.
    trained = agreement.kpis.get(description="Volunteers trained")
    trained.targets.filter(period_start=date(2026, 10, 1)).delete()
    third = returns_of(agreement)[2]
    with travel(date(2027, 1, 5)):
        submit(third)
    assert actuals_by_description(third)["Volunteers trained"].rag == Rag.NOT_RATED


def test_a_dropped_kpi_is_no_longer_reported(agreement):
    complaints = agreement.kpis.get(description="Complaints")
    variations.agreement_vary_kpi(
        by=staff(agreement.council, Role.COMMISSIONING_OFFICER),
        agreement=agreement,
        kpi=complaints,
        retire=True,
        reason="Complaints are now reported through the council's own system.",
        approval=approval(agreement.council),
        effective_on=date(2026, 7, 1),
    )
    first, second = returns_of(agreement)[:2]
    assert "Complaints" in [
        k.description for k, _ in returns_services.reported_kpis(agreement.kpis.all(), first.period_start)
    ]
    assert "Complaints" not in [
        k.description for k, _ in returns_services.reported_kpis(agreement.kpis.all(), second.period_start)
    ]


# ---- Who may do what -------------------------------------------------------------------------------------


def test_only_the_providers_writers_file_returns(agreement, people):
    monitoring_return = first_return(agreement)
    content, actuals = fill(monitoring_return)
    for user in (
        people[Role.LEAD_COMMISSIONER],
        people["other_provider_admin"],
        writer(agreement, role=ProviderRole.BID_WRITER),
    ):
        with pytest.raises(PermissionDenied):
            returns_services.return_save_draft(by=user, monitoring_return=monitoring_return, content=content)
        with pytest.raises(PermissionDenied):
            returns_services.return_submit(by=user, monitoring_return=monitoring_return, content=content)
    contact = writer(agreement, role=ProviderRole.MONITORING_CONTACT)
    returns_services.return_submit(by=contact, monitoring_return=monitoring_return, content=content, actuals=actuals)
    assert MonitoringReturn.objects.get(pk=monitoring_return.pk).state == ReturnState.SUBMITTED


def test_only_commissioners_of_the_council_review(agreement, people):
    monitoring_return = first_return(agreement)
    submit(monitoring_return)
    for key in (
        Role.SCRUTINY_MEMBER,
        Role.FINANCE_OFFICER,
        Role.COUNCIL_ADMIN,
        "other_council_officer",
        "provider_admin",
    ):
        with pytest.raises(PermissionDenied):
            accept(monitoring_return, by=people[key])
        with pytest.raises(PermissionDenied):
            query(monitoring_return, by=people[key])
    accept(monitoring_return, by=people[Role.LEAD_COMMISSIONER])


def test_actuals_for_another_agreements_kpi_are_refused(agreement, council):
    other = live_agreement(council)
    with pytest.raises(PermissionDenied):
        returns_services.return_save_draft(
            by=writer(agreement),
            monitoring_return=first_return(agreement),
            actuals={other.kpis.get().pk: (D("1"), "")},
        )


def test_monitoring_settings_are_for_the_council_administrator_and_lead_commissioner(council, people):
    for key in (Role.COMMISSIONING_OFFICER, Role.SCRUTINY_MEMBER, "other_council_officer"):
        with pytest.raises(PermissionDenied):
            returns_services.monitoring_settings_save(by=people[key], settings=MonitoringSettings(council=council))
    saved = returns_services.monitoring_settings_save(
        by=people[Role.LEAD_COMMISSIONER],
        settings=MonitoringSettings(council=council, hold_payments_when_overdue=True),
        changed=["hold_payments_when_overdue"],
    )
    assert MonitoringSettings.for_council(council) == saved
    with pytest.raises(ValidationError):
        returns_services.monitoring_settings_save(
            by=people[Role.COUNCIL_ADMIN],
            settings=MonitoringSettings(pk=saved.pk, council=council, return_due_days=500),
        )


# ---- Evidence --------------------------------------------------------------------------------------------


def test_evidence_is_added_and_removed_while_the_return_is_with_the_provider(agreement):
    monitoring_return = first_return(agreement)
    kept = evidence(monitoring_return, title="Attendance sheets")
    removed = evidence(monitoring_return, title="Photos")
    returns_services.evidence_remove(by=writer(agreement), monitoring_return=monitoring_return, evidence=removed)
    assert list(monitoring_return.evidence.values_list("title", flat=True)) == ["Attendance sheets"]
    assert kept.document.name.startswith("returns/")
    with pytest.raises(ValidationError):
        returns_services.evidence_add(
            by=writer(agreement),
            monitoring_return=monitoring_return,
            title="Not a PDF",
            upload=SimpleUploadedFile("fake.pdf", b"MZ not a pdf", content_type="application/pdf"),
        )


# ---- Performance assessments ---------------------------------------------------------------------------------


def test_interim_assessments_while_live_and_one_at_the_end(agreement):
    officer = reviewer(agreement)
    kpis = list(agreement.kpis.order_by("position"))
    ratings = {kpi.pk: (PerformanceRating.GOOD, "") for kpi in kpis}
    ratings[kpis[1].pk] = (PerformanceRating.OTHER, "")
    with pytest.raises(ValidationError) as error:
        returns_services.assessment_record(
            by=officer, agreement=agreement, kind=AssessmentKind.INTERIM, assessed_on=date(2026, 7, 10), ratings=ratings
        )
    assert f"explanation_{kpis[1].pk}" in error.value.error_dict
    ratings[kpis[1].pk] = (PerformanceRating.OTHER, "Not measured until the autumn survey.")
    with pytest.raises(ValidationError):
        returns_services.assessment_record(
            by=officer,
            agreement=agreement,
            kind=AssessmentKind.END_OF_AGREEMENT,
            assessed_on=date(2026, 7, 10),
            ratings=ratings,
        )
    rows = returns_services.assessment_record(
        by=officer, agreement=agreement, kind=AssessmentKind.INTERIM, assessed_on=date(2026, 7, 10), ratings=ratings
    )
    assert len(rows) == 3
    with pytest.raises(PermissionError):
        rows[0].save()
    with pytest.raises(PermissionError):
        rows[0].delete()
    status = returns_selectors.assessment_status(agreement, list(PerformanceAssessment.objects.all()))
    assert status["due_by"] == date(2027, 7, 10)

    with travel(date(2027, 4, 2)):
        steps.agreement_end(by=officer, agreement=agreement)
        assert returns_selectors.assessment_status(agreement, list(PerformanceAssessment.objects.all()))["end_needed"]
        returns_services.assessment_record(
            by=officer,
            agreement=agreement,
            kind=AssessmentKind.END_OF_AGREEMENT,
            assessed_on=date(2027, 4, 2),
            ratings={kpi.pk: (PerformanceRating.APPROACHING_TARGET, "") for kpi in kpis},
        )
    assert PerformanceAssessment.objects.count() == 6  # the interim assessment is kept
    assert AuditEvent.objects.filter(event_type="agreement.assessment_recorded").count() == 2


def test_assessments_are_for_commissioners_and_cover_every_kpi(agreement, people):
    kpis = list(agreement.kpis.all())
    ratings = {kpi.pk: (PerformanceRating.GOOD, "") for kpi in kpis}
    with pytest.raises(PermissionDenied):
        returns_services.assessment_record(
            by=people[Role.SCRUTINY_MEMBER],
            agreement=agreement,
            kind=AssessmentKind.INTERIM,
            assessed_on=date(2026, 7, 1),
            ratings=ratings,
        )
    with pytest.raises(ValidationError) as error:
        returns_services.assessment_record(
            by=reviewer(agreement),
            agreement=agreement,
            kind=AssessmentKind.INTERIM,
            assessed_on=date(2026, 7, 1),
            ratings={kpis[0].pk: (PerformanceRating.GOOD, "")},
        )
    assert f"rating_{kpis[1].pk}" in error.value.error_dict


# ---- Payment holds -----------------------------------------------------------------------------------------


def test_payments_are_on_hold_while_a_return_is_overdue_when_the_council_says_so(agreement):
    monitoring_return = first_return(agreement)
    with travel(date(2026, 7, 29)):
        assert monitoring_return.is_overdue
        assert not returns_selectors.payments_on_hold(agreement)  # the council's default: no holds
        MonitoringSettings.objects.create(council=agreement.council, hold_payments_when_overdue=True)
        assert returns_selectors.payments_on_hold(agreement)
        submit(monitoring_return)
        assert not returns_selectors.payments_on_hold(agreement)
        query(monitoring_return)
        assert returns_selectors.payments_on_hold(agreement)  # back with the provider, still overdue
