"""The contract performance notice (UK9; Procurement Act 2023, s.71; Procurement Regulations 2024, reg 39),
for above-threshold contracts (light-touch contracts are outside s.52 and the UK9 duty):

- **yearly**, for a contract worth more than £5,000,000 with KPIs: one notice per 12 months from the day
  it went live (or was signed), due 30 days after each anniversary, and one for the last part-year when
  it ends, due 30 days after it ended (subject `agreement:<id>:<last day of the period>`). Each KPI in
  force gives its rating from the latest performance assessment made in the period or the 30 days after
  it, as `Observation.measureClassification` (met, slightlyBelow, below, significantlyBelow, other);
- **poor performance**, for any above-threshold contract: within 30 days of an assessment rating a KPI
  "requires improvement" or "inadequate" (s.71(4)–(5)), subject `agreement:<id>:poor:<day assessed>`,
  as `implementation.performanceFailures`. A contract terminated in full for a breach is published by
  its termination notice (UK11) instead, as the Cabinet Office's guidance says, so it gets no UK9 of
  its own.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from django.utils import timezone

from commissioning.models import Commission, ProcurementRegime, Regime
from monitoring.models import (
    ASSESSMENT_EVERY_MONTHS,
    Agreement,
    AgreementState,
    NoticeType,
    PerformanceAssessment,
    PerformanceRating,
    add_months,
    kpi_duty_applies,
)
from monitoring.notices import ocds
from monitoring.notices.contract import (
    DAYS_TO_PUBLISH,
    ContractRelease,
    agreement_of,
    contracts_of,
    kpis_in_force,
    long_day,
    regime_for_contracts,
)
from monitoring.notices.kinds import NoticeKind, Occurrence, register
from monitoring.notices.procurement import regime_of
from monitoring.open_data.common import day_end, day_start

# The Act's five ratings as the UK extension classifies an observation against its target.
MEASURE_CLASSIFICATION = {
    PerformanceRating.GOOD: "met",
    PerformanceRating.APPROACHING_TARGET: "slightlyBelow",
    PerformanceRating.REQUIRES_IMPROVEMENT: "below",
    PerformanceRating.INADEQUATE: "significantlyBelow",
    PerformanceRating.OTHER: "other",
}
POOR_RATINGS = frozenset({PerformanceRating.REQUIRES_IMPROVEMENT, PerformanceRating.INADEQUATE})


@dataclass(frozen=True)
class PerformancePeriod:
    """Twelve months of a contract (the last may be shorter, to the day it ended) and the assessments
    that rate it: made after `after` and by the notice's due day."""

    first: date
    last: date
    final: bool
    after: date

    @property
    def due_on(self) -> date:
        # Due 30 days after the anniversary (the day after the period), or after the day it ended.
        return self.last + timedelta(days=DAYS_TO_PUBLISH + (0 if self.final else 1))

    @property
    def label(self) -> str:
        return f"{long_day(self.first)} to {long_day(self.last)}"


def performance_periods(agreement: Agreement, today: date) -> list[PerformancePeriod]:
    """The periods whose notice is due by now: every 12 months completed, and the last part-year once
    the contract has ended. An assessment made in the 30 days after a period rates that period."""
    anchor = agreement.live_on or agreement.signed_on
    ended = agreement.ended_on if agreement.state in (AgreementState.ENDED, AgreementState.TERMINATED) else None
    periods = []
    for index in range(1200):
        first = add_months(anchor, ASSESSMENT_EVERY_MONTHS * index)
        anniversary = add_months(anchor, ASSESSMENT_EVERY_MONTHS * (index + 1))
        after = first - timedelta(days=1) if index == 0 else first + timedelta(days=DAYS_TO_PUBLISH)
        if ended is not None and anniversary > ended:
            periods.append(PerformancePeriod(first, ended, True, after))
            break
        if anniversary > today:
            break
        periods.append(PerformancePeriod(first, anniversary - timedelta(days=1), False, after))
    return periods


def latest_assessments(assessments: list[PerformanceAssessment], after: date, until: date) -> dict:
    """The latest assessment of each KPI made after `after` and on or before `until` (oldest first in)."""
    found = {}
    for assessment in assessments:
        if after < assessment.assessed_on <= until:
            found[assessment.kpi_id] = assessment
    return found


def observation(assessment: PerformanceAssessment, first: date, last: date) -> dict:
    rating = PerformanceRating(assessment.rating)
    found = {
        "id": f"kpi-{assessment.kpi_id}-{assessment.assessed_on.isoformat()}",
        "period": {"startDate": day_start(first), "endDate": day_end(last)},
        "measure": rating.label,
        "measureClassification": {"id": MEASURE_CLASSIFICATION[rating], "description": rating.label},
    }
    if assessment.explanation:
        found["notes"] = assessment.explanation
    return found


def _assessments(agreement: Agreement) -> list[PerformanceAssessment]:
    return list(PerformanceAssessment.objects.filter(agreement=agreement).order_by("assessed_on", "recorded_at", "id"))


def _release(parts: ContractRelease, record: str, when: date, implementation: dict) -> dict:
    agreement = parts.agreement
    contract = {
        "id": agreement.reference,
        "awardID": parts.award_id,
        "title": agreement.title,
        "implementation": implementation,
    }
    return parts.release(
        NoticeType.UK9,
        ["implementation"],
        when,
        record,
        tender=parts.tender(),
        awards=[parts.award()],
        contracts=[contract],
    )


def _yearly_release(agreement: Agreement, regime: ProcurementRegime, period: PerformancePeriod) -> dict:
    parts = ContractRelease(agreement, regime)
    latest = latest_assessments(_assessments(agreement), period.after, period.due_on)
    metrics = []
    for kpi in kpis_in_force(agreement, period.first):
        metric = {"id": f"kpi-{kpi.pk}", "title": kpi.description}
        if kpi.pk in latest:
            metric["observations"] = [observation(latest[kpi.pk], period.first, period.last)]
        metrics.append(metric)
    title = f"Contract performance notice: {agreement.reference}, {period.label}"
    implementation = {"documents": [ocds.notice_document(NoticeType.UK9, "implementationNotice", title, period.last)]}
    if metrics:
        implementation["metrics"] = metrics
    return _release(parts, f"{agreement.reference}-{period.last:%Y%m%d}", period.last, implementation)


def poor_title(agreement: Agreement, day: date) -> str:
    return f"Contract performance notice: {agreement.reference}, poor performance assessed {long_day(day)}"


def _poor_release(agreement: Agreement, regime: ProcurementRegime, assessments: list[PerformanceAssessment]) -> dict:
    parts = ContractRelease(agreement, regime)
    day = assessments[0].assessed_on
    title = poor_title(agreement, day)
    failures, metrics = [], []
    for assessment in assessments:
        kpi = assessment.kpi
        rating = PerformanceRating(assessment.rating)
        failures.append(
            {
                "id": f"kpi-{kpi.pk}-{day.isoformat()}",
                "requirement": f"{kpi.description}: target {kpi.target.normalize():f} {kpi.unit}",
                "description": f"Rated ‘{rating.label}’"
                + (f": {assessment.explanation}" if assessment.explanation else ""),
                "decisionDate": day_start(day),
                "suppliers": [parts.supplier],
            }
        )
        metrics.append(
            {"id": f"kpi-{kpi.pk}", "title": kpi.description, "observations": [observation(assessment, day, day)]}
        )
    implementation = {
        "performanceFailures": failures,
        "metrics": metrics,
        "documents": [ocds.notice_document(NoticeType.UK9, "implementationNotice", title, day)],
    }
    return _release(parts, f"{agreement.reference}-poor-{day:%Y%m%d}", day, implementation)


def _poor_assessments(assessments: list[PerformanceAssessment]) -> dict[date, list[PerformanceAssessment]]:
    """Each day a KPI was rated poorly, with the latest poor rating of each such KPI that day."""
    by_day: dict[date, dict[int, PerformanceAssessment]] = {}
    for assessment in assessments:
        if assessment.rating in POOR_RATINGS:
            by_day.setdefault(assessment.assessed_on, {})[assessment.kpi_id] = assessment
    return {day: list(found.values()) for day, found in sorted(by_day.items())}


def performance_notices(commission: Commission) -> list[Occurrence]:
    regime = regime_for_contracts(commission, (Regime.ABOVE_THRESHOLD,))
    if regime is None:
        return []
    today = timezone.localdate()
    found = []
    for agreement in contracts_of(commission):
        assessments = _assessments(agreement)
        if kpi_duty_applies(agreement) and agreement.kpis.exists():
            for period in performance_periods(agreement, today):
                when = "it ended" if period.final else "the 12 months ended"
                found.append(
                    Occurrence(
                        subject=f"agreement:{agreement.pk}:{period.last.isoformat()}",
                        title=f"Contract performance notice: {agreement.reference}, {period.label}",
                        due_on=period.due_on,
                        due_rule=(
                            f"Within {DAYS_TO_PUBLISH} days after {when}: the contract's KPIs are assessed and "
                            "published at least every 12 months and when it ends (Procurement Act 2023, s.71(2); "
                            "Procurement Regulations 2024, reg 39)"
                        ),
                        build=lambda agreement=agreement, period=period: _yearly_release(agreement, regime, period),
                        source=agreement,
                    )
                )
        for day, poor in _poor_assessments(assessments).items():
            found.append(
                Occurrence(
                    subject=f"agreement:{agreement.pk}:poor:{day.isoformat()}",
                    title=poor_title(agreement, day),
                    due_on=day + timedelta(days=DAYS_TO_PUBLISH),
                    due_rule=(
                        f"Within {DAYS_TO_PUBLISH} days of the assessment of {long_day(day)} rating a KPI ‘requires "
                        "improvement’ or ‘inadequate’, once the supplier, given a proper opportunity to improve, has "
                        "failed to (Procurement Act 2023, s.71(4)–(5)). If it has not yet had that opportunity, record "
                        "that this notice is not needed, and why"
                    ),
                    build=lambda agreement=agreement, poor=poor: _poor_release(agreement, regime, poor),
                    source=agreement,
                )
            )
    return found


def performance_missing(notice) -> list[str]:
    """A yearly notice rates every KPI in force: each needs an assessment for its period."""
    parts = notice.subject.split(":")
    agreement = agreement_of(notice)
    if agreement is None or len(parts) != 3 or regime_of(agreement.commission) is None:
        return []
    last = date.fromisoformat(parts[2])
    period = next((p for p in performance_periods(agreement, last + timedelta(days=1)) if p.last == last), None)
    if period is None:
        return []
    latest = latest_assessments(_assessments(agreement), period.after, period.due_on)
    return [
        f"Record a performance assessment of the KPI ‘{kpi.description}’ for {period.label}"
        for kpi in kpis_in_force(agreement, period.first)
        if kpi.pk not in latest
    ]


register(
    NoticeKind(
        notice_type=NoticeType.UK9,
        purpose=(
            "Rates each KPI of a contract over £5,000,000 at least every 12 months and when it ends, and "
            "publishes poor performance."
        ),
        for_commission=performance_notices,
        missing_to_publish=performance_missing,
    )
)
