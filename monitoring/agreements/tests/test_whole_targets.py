"""Targets of counted measures (people, sessions) are whole numbers: a total is spread over the
reporting periods in whole numbers (half up, the last period taking the rest), and a fractional
target is refused with a clear error. Percentages and money keep their decimals."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from importlib import import_module

import pytest
from django.apps import apps as django_apps
from django.core.exceptions import ValidationError
from hypothesis import given
from hypothesis import strategies as st

from commissioning.models import SuccessMeasure
from councils.models import Role
from monitoring.agreements import services
from monitoring.agreements.forms import KpiTargetsForm
from monitoring.models import AgreementKpi, KpiTarget, MonitoringFrequency, TargetKind
from monitoring.models.agreements import reporting_periods
from monitoring.tests.factories import draft_agreement

pytestmark = pytest.mark.django_db


def add_kpi(agreement, by, unit, target, kind=TargetKind.TOTAL):
    return services.kpi_save(
        by=by,
        agreement=agreement,
        kpi=AgreementKpi(agreement=agreement, description="Delivered", unit=unit, target=target, target_kind=kind),
    )


def test_a_counted_total_is_spread_in_whole_numbers(council, people):
    agreement = draft_agreement(council, monitoring_frequency=MonitoringFrequency.MONTHLY)
    kpi = add_kpi(agreement, people[Role.COMMISSIONING_OFFICER], "sessions", Decimal("40"))
    targets = [t.target for t in kpi.targets.all()]
    assert len(targets) == 12
    assert all(t == t.to_integral_value() for t in targets), targets
    assert sum(targets) == Decimal("40")
    # 40 over 365 days: April (30 days) is 3.29 sessions, so 3; by the end of May 6.68, so 4 more.
    assert targets[:2] == [Decimal("3"), Decimal("4")]


def test_a_percentage_or_money_total_keeps_its_decimals(council, people):
    agreement = draft_agreement(council, monitoring_frequency=MonitoringFrequency.MONTHLY)
    kpi = add_kpi(agreement, people[Role.COMMISSIONING_OFFICER], "£", Decimal("40"))
    targets = [t.target for t in kpi.targets.all()]
    assert targets[0] == Decimal("3.29")  # April: 30 of 365 days
    assert sum(targets) == Decimal("40")


def test_a_fractional_target_for_a_counted_unit_is_refused(council, people):
    agreement = draft_agreement(council)
    with pytest.raises(ValidationError) as refused:
        add_kpi(agreement, people[Role.COMMISSIONING_OFFICER], "people", Decimal("10.08"))
    assert refused.value.message_dict["target"] == [
        "People are counted in whole numbers: enter a whole number (for example 10)."
    ]
    add_kpi(agreement, people[Role.COMMISSIONING_OFFICER], "%", Decimal("87.5"), TargetKind.LEVEL)


def test_a_period_target_for_a_counted_unit_must_be_whole(council, people):
    officer = people[Role.COMMISSIONING_OFFICER]
    agreement = draft_agreement(council, monitoring_frequency=MonitoringFrequency.QUARTERLY)
    kpi = add_kpi(agreement, officer, "sessions", Decimal("40"))
    rows = list(kpi.targets.all())
    form = KpiTargetsForm({f"period_{i}": "10" if i else "3.5" for i in range(4)}, kpi=kpi, targets=rows)
    assert not form.is_valid()
    assert form.errors["period_0"] == ["Sessions are counted in whole numbers: enter a whole number (for example 4)."]
    with pytest.raises(ValidationError, match="whole numbers"):
        services.kpi_targets_save(
            by=officer, agreement=agreement, kpi=kpi, targets={rows[0].period_start: Decimal("3.5")}
        )
    services.kpi_targets_save(by=officer, agreement=agreement, kpi=kpi, targets={rows[0].period_start: Decimal("12")})
    kpi.refresh_from_db()
    assert kpi.target == Decimal("42")


def test_a_success_measure_of_counted_things_takes_a_whole_target(council):
    measure = SuccessMeasure(description="Sessions delivered", target=Decimal("3.32"), unit="sessions")
    with pytest.raises(ValidationError) as refused:
        measure.clean()
    assert "whole numbers" in refused.value.message_dict["target"][0]
    SuccessMeasure(description="Satisfied", target=Decimal("87.5"), unit="%").clean()


@given(
    total=st.integers(min_value=0, max_value=100_000),
    months=st.integers(min_value=1, max_value=36),
    frequency=st.sampled_from([MonitoringFrequency.MONTHLY, MonitoringFrequency.QUARTERLY]),
)
def test_spread_counted_targets_are_whole_and_add_up(total, months, frequency):
    starts = date(2026, 4, 1)
    periods = reporting_periods(starts, starts + timedelta(days=30 * months), frequency)
    kpi = AgreementKpi(unit="people", target=Decimal(total), target_kind=TargetKind.TOTAL)
    targets = kpi.default_targets(periods)
    assert all(t == t.to_integral_value() and t >= 0 for t in targets)
    assert sum(targets) == total
    # Each period within one of its exact share.
    days = [(last - first).days + 1 for first, last in periods]
    assert all(abs(t - Decimal(total) * d / sum(days)) < 1 for t, d in zip(targets, days, strict=True))


def test_targets_stored_fractional_before_the_rule_are_made_whole_by_the_data_migration(council, people):
    officer = people[Role.COMMISSIONING_OFFICER]
    agreement = draft_agreement(council, monitoring_frequency=MonitoringFrequency.QUARTERLY)
    sessions = add_kpi(agreement, officer, "sessions", Decimal("12"))
    level = add_kpi(agreement, officer, "people", Decimal("12"), TargetKind.LEVEL)
    percent = add_kpi(agreement, officer, "%", Decimal("87.5"), TargetKind.LEVEL)
    measure = SuccessMeasure.objects.filter(outcome_sought__commission=agreement.commission).first()
    # As rows were stored before the rule (written past today's validation).
    AgreementKpi.objects.filter(pk=sessions.pk).update(target=Decimal("13.28"), baseline=Decimal("3.5"))
    KpiTarget.objects.filter(kpi=sessions).update(target=Decimal("3.32"))
    KpiTarget.objects.filter(kpi=level).update(target=Decimal("12.5"))
    SuccessMeasure.objects.filter(pk=measure.pk).update(target=Decimal("10.08"), unit="people")

    for migration in (
        "monitoring.migrations.0014_whole_counted_targets",
        "commissioning.migrations.0020_whole_counted_targets",
    ):
        import_module(migration).whole_targets(django_apps, None)

    sessions.refresh_from_db()
    assert (sessions.target, sessions.baseline) == (Decimal("13"), Decimal("4"))
    # The running total rounded: 3.32, 6.64, 9.96, 13.28 → 3, 7, 10, 13; the periods still add up.
    assert [t.target for t in sessions.targets.all()] == [Decimal(n) for n in (3, 4, 3, 3)]
    assert {t.target for t in level.targets.all()} == {Decimal("13")}
    assert {t.target for t in percent.targets.all()} == {Decimal("87.5")}  # a percentage keeps its decimals
    measure.refresh_from_db()
    assert measure.target == Decimal("10")
