"""Writes for monitoring returns: the schedule, filing and submitting, the officer's review (query or
accept, with RAG ratings), evidence, performance assessments and the council's monitoring settings.

Rules kept here, in one place:
- The schedule follows the agreement: one return per reporting period, generated when the agreement
  goes live and regenerated after every variation, extension or termination (`schedule_returns`).
  A return's due date is its period's end plus the council's `return_due_days` (working days when the
  council says so). It moves only when its period changes and nothing has been submitted; never
  because the return is overdue.
- Only the provider's administrators and monitoring contacts fill in and submit a return, while it is
  with them (due or queried). A return submitted after its due date is accepted but marked late.
- Only commissioners (lead commissioner, commissioning officer) query or accept a return. A query goes
  back to the provider with the question; their answer is kept with it when they submit again.
- RAG per KPI is computed from actual against target with the council's amber tolerance; an officer
  may override it with a reason when accepting. The overall rating is the worst KPI rating.
Every write is atomic and leaves an audit event.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from councils import workflow
from councils.calendar import add_working_days
from councils.models import Council, User
from councils.permissions import has_any_role
from councils.services import audit_record
from councils.workflow import Effect, Step, TransitionRefused
from monitoring.models import (
    AWAITING_PROVIDER_STATES,
    RAG_SEVERITY,
    RETURN_REVIEWERS,
    Agreement,
    AgreementKpi,
    AgreementState,
    AssessmentKind,
    KpiActual,
    MonitoringReturn,
    MonitoringSettings,
    PerformanceAssessment,
    PerformanceRating,
    Rag,
    ReturnEvidence,
    ReturnQuery,
    ReturnState,
    is_return_writer,
    reporting_periods,
)
from monitoring.returns import gates
from monitoring.returns import rules as returns_rules  # noqa: F401 (registers the returns' permissions)

__all__ = [
    "assessable_kpis",
    "assessment_record",
    "compute_rag",
    "due_date",
    "evidence_add",
    "evidence_remove",
    "monitoring_settings_save",
    "overall_rag",
    "reported_kpis",
    "return_accept",
    "return_periods",
    "return_query",
    "return_save_draft",
    "return_submit",
    "schedule_returns",
]

# Agreements that have returns: live ones, and those that were live before they ended.
SCHEDULED_STATES = frozenset({AgreementState.LIVE, AgreementState.ENDED, AgreementState.TERMINATED})
CONTENT_FIELDS = ("outcomes_narrative", "case_study", "spend_to_date", "risks_and_issues")
SETTINGS_EDITORS = returns_rules.SETTINGS_EDITORS


def _audit(by: User | None, monitoring_return: MonitoringReturn, event: str, **kwargs) -> None:
    audit_record(
        council=monitoring_return.agreement.council,
        actor=by,
        event_type=f"return.{event}",
        obj=monitoring_return,
        extra={"agreement": monitoring_return.agreement.reference, **kwargs.pop("extra", {})},
        **kwargs,
    )


# ---- RAG ratings ---------------------------------------------------------------------------------


def compute_rag(actual: Decimal | None, target: Decimal | None, *, higher_is_better: bool, tolerance_percent) -> str:
    """Green at or beyond the target; amber short of it by no more than the tolerance (a percentage
    of the target); red further short. A lower-is-better KPI is the mirror image. No target or no
    actual: not rated."""
    if actual is None or target is None:
        return Rag.NOT_RATED
    margin = abs(target) * Decimal(tolerance_percent) / 100
    if higher_is_better:
        if actual >= target:
            return Rag.GREEN
        return Rag.AMBER if actual >= target - margin else Rag.RED
    if actual <= target:
        return Rag.GREEN
    return Rag.AMBER if actual <= target + margin else Rag.RED


def overall_rag(ratings) -> str:
    """The worst of the ratings; KPIs that are not rated do not count. None rated: not rated."""
    rated = [rating for rating in ratings if rating in RAG_SEVERITY]
    return min(rated, key=RAG_SEVERITY.__getitem__) if rated else Rag.NOT_RATED


# ---- The schedule --------------------------------------------------------------------------------


def return_periods(agreement: Agreement) -> list[tuple[date, date]]:
    """The periods returns are filed for: the agreement's reporting periods, cut short at the
    termination date when it was terminated early."""
    ends_on = agreement.ends_on
    if agreement.state == AgreementState.TERMINATED and agreement.ended_on is not None:
        ends_on = min(ends_on, agreement.ended_on)
    return reporting_periods(agreement.starts_on, ends_on, agreement.monitoring_frequency)


def due_date(period_end: date, rules: MonitoringSettings) -> date:
    if rules.due_days_are_working_days:
        return add_working_days(period_end, rules.return_due_days)
    return period_end + timedelta(days=rules.return_due_days)


@dataclass
class ScheduleChanges:
    created: list[MonitoringReturn] = field(default_factory=list)
    moved: list[MonitoringReturn] = field(default_factory=list)
    not_required: list[MonitoringReturn] = field(default_factory=list)

    def __bool__(self) -> bool:
        return bool(self.created or self.moved or self.not_required)


@transaction.atomic
def schedule_returns(agreement: Agreement, *, by: User, reason: str = "") -> ScheduleChanges:
    """Make the agreement's returns match its reporting periods. Safe to call again: it creates the
    returns of periods that have none, moves the period end and due date of a return not yet submitted
    when its period changed (the last period of a shortened, extended or terminated agreement), and
    marks returns not yet submitted as no longer required when their period has gone. Returns that
    have been submitted are never changed."""
    changes = ScheduleChanges()
    if agreement.state not in SCHEDULED_STATES or agreement.live_on is None:
        return changes
    rules = MonitoringSettings.for_council(agreement.council)
    wanted = dict(return_periods(agreement))
    current = {
        row.period_start: row
        for row in MonitoringReturn.objects.select_for_update()
        .filter(agreement=agreement)
        .exclude(state=ReturnState.NOT_REQUIRED)
        .order_by("period_start")
    }
    for start, end in wanted.items():
        row = current.get(start)
        if row is None:
            changes.created.append(
                MonitoringReturn(agreement=agreement, period_start=start, period_end=end, due_on=due_date(end, rules))
            )
        elif row.period_end != end and row.state == ReturnState.DUE:
            row.period_end, row.due_on = end, due_date(end, rules)
            row.save(update_fields=["period_end", "due_on", "updated_at"])
            changes.moved.append(row)
    gone_reason = reason.strip() or "The period is no longer part of the agreement."
    for start, row in current.items():
        if start not in wanted and row.state == ReturnState.DUE:
            row.agreement = agreement
            _transition(by=by, monitoring_return=row, name="mark_not_required", reason=gone_reason)
            changes.not_required.append(row)
    MonitoringReturn.objects.bulk_create(changes.created)
    if changes:
        audit_record(
            council=agreement.council,
            actor=by,
            event_type="agreement.returns_scheduled",
            obj=agreement,
            extra={
                "created": [row.period_start.isoformat() for row in changes.created],
                "moved": [row.period_start.isoformat() for row in changes.moved],
                "not_required": [row.period_start.isoformat() for row in changes.not_required],
            },
        )
    return changes


# ---- Steps in a return's life ------------------------------------------------------------------------


def _transition(
    *,
    by: User,
    monitoring_return: MonitoringReturn,
    name: str,
    reason: str = "",
    seen_state: str | None = None,
    **payload,
) -> MonitoringReturn:
    return workflow.run(by=by, obj=monitoring_return, name=name, reason=reason, seen_state=seen_state, **payload)


def reported_kpis(kpis, period_start: date) -> list[tuple[AgreementKpi, Decimal | None]]:
    """The KPIs a return for the period starting on `period_start` reports on, each with its target
    for the period (None when it has none). A KPI is reported from its first period with a target
    until it is dropped. `kpis` have their targets prefetched."""
    rows = []
    for kpi in kpis:
        if kpi.retired_on is not None and kpi.retired_on <= period_start:
            continue
        targets = list(kpi.targets.all())
        if not any(t.period_start <= period_start for t in targets):
            continue
        rows.append((kpi, next((t.target for t in targets if t.period_start == period_start), None)))
    return rows


def _agreement_kpis(agreement: Agreement) -> list[AgreementKpi]:
    return list(AgreementKpi.objects.filter(agreement=agreement).prefetch_related("targets").order_by("position", "id"))


def _require_writer(monitoring_return: MonitoringReturn, user: User) -> None:
    if not is_return_writer(monitoring_return, user):
        raise PermissionDenied


def _require_with_provider(monitoring_return: MonitoringReturn) -> None:
    if monitoring_return.state not in AWAITING_PROVIDER_STATES:
        raise ValidationError(
            f"The return is ‘{monitoring_return.get_state_display().lower()}’: it can no longer be changed."
        )


def _apply_content(monitoring_return: MonitoringReturn, content: dict | None, actuals: dict | None) -> list[KpiActual]:
    """Save what the provider typed: the return's own fields and one actual per reported KPI, with
    the period's target copied in. Returns the KPI rows, in KPI order."""
    content = content or {}
    unknown = set(content) - set(CONTENT_FIELDS)
    if unknown:
        raise ValueError(f"Not part of a return: {', '.join(sorted(unknown))}")
    spend = content.get("spend_to_date", monitoring_return.spend_to_date)
    if spend is not None and spend < 0:
        raise ValidationError({"spend_to_date": "Enter the spend to date: £0 or more."})
    for name, value in content.items():
        setattr(monitoring_return, name, value if value is not None or name == "spend_to_date" else "")
    monitoring_return.save(update_fields=[*CONTENT_FIELDS, "updated_at"])

    rows = reported_kpis(_agreement_kpis(monitoring_return.agreement), monitoring_return.period_start)
    actuals = actuals or {}
    if set(actuals) - {kpi.pk for kpi, _target in rows}:
        raise PermissionDenied  # a KPI of another agreement or period
    existing = {row.kpi_id: row for row in monitoring_return.actuals.all()}
    saved = []
    for kpi, target in rows:
        row = existing.pop(kpi.pk, None) or KpiActual(monitoring_return=monitoring_return, kpi=kpi)
        row.kpi = kpi
        row.target = target
        if kpi.pk in actuals:
            row.actual, row.comment = actuals[kpi.pk]
            row.comment = (row.comment or "").strip()
        row.save()
        saved.append(row)
    # KPIs dropped since the draft was saved are no longer reported.
    KpiActual.objects.filter(pk__in=[row.pk for row in existing.values()]).delete()
    return saved


@transaction.atomic
def return_save_draft(
    *,
    by: User,
    monitoring_return: MonitoringReturn,
    content: dict | None = None,
    actuals: dict | None = None,
    answer: str | None = None,
) -> MonitoringReturn:
    """Save the provider's work on a return without submitting it. `content` holds the return's own
    fields (narrative, case study, spend to date, risks and issues); `actuals` maps a KPI's id to
    (actual, comment); `answer` is the draft answer to the council's open question, if any."""
    _require_writer(monitoring_return, by)
    _require_with_provider(MonitoringReturn.objects.select_for_update().get(pk=monitoring_return.pk))
    _apply_content(monitoring_return, content, actuals)
    open_query = monitoring_return.queries.filter(answered_at__isnull=True).order_by("-asked_at").first()
    if answer is not None and open_query is not None:
        # Kept as a draft: it counts as the answer only when the return is submitted again.
        open_query.answer = answer.strip()
        open_query.save(update_fields=["answer"])
    _audit(by, monitoring_return, "draft_saved", extra={"fields": sorted(content or {})})
    return monitoring_return


def return_submit(
    *,
    by: User,
    monitoring_return: MonitoringReturn,
    content: dict | None = None,
    actuals: dict | None = None,
    answer: str = "",
    seen_state: str | None = None,
) -> MonitoringReturn:
    """Save and submit the return for review (for a queried return, with the answer to the council's
    question). Each KPI is rated from its actual and target with the council's tolerance. Submitted
    after its due date, the return is accepted but marked late."""
    _require_writer(monitoring_return, by)
    return _transition(
        by=by,
        monitoring_return=monitoring_return,
        name="submit",
        seen_state=seen_state,
        content=content,
        actuals=actuals,
        answer=answer,
    )


def _stage_submission(step: Step) -> None:
    monitoring_return, answer = step.obj, step.payload.get("answer") or ""
    tolerance = MonitoringSettings.for_council(monitoring_return.agreement.council).amber_tolerance_percent
    open_query = monitoring_return.queries.filter(answered_at__isnull=True).order_by("-asked_at").first()
    rows = _apply_content(monitoring_return, step.payload.get("content"), step.payload.get("actuals"))
    missing = gates.missing_to_submit(monitoring_return, rows, answer)
    if missing:
        raise TransitionRefused(missing)
    for row in rows:
        row.rag = compute_rag(
            row.actual, row.target, higher_is_better=row.kpi.higher_is_better, tolerance_percent=tolerance
        )
        row.rag_override = row.rag_override_reason = ""
    KpiActual.objects.bulk_update(rows, ["rag", "rag_override", "rag_override_reason"])
    monitoring_return.overall_rag = overall_rag(row.rag for row in rows)
    if open_query is not None:
        open_query.answer = answer.strip()
        open_query.answered_by, open_query.answered_at = step.by, timezone.now()
        open_query.save(update_fields=["answer", "answered_by", "answered_at"])
    step.scratch["answered_query"] = open_query is not None


def _submitted(step: Step) -> dict:
    monitoring_return = step.obj
    return {
        "late": monitoring_return.is_late,
        "due_on": monitoring_return.due_on.isoformat(),
        "overall_rag": monitoring_return.overall_rag,
        "answered_query": step.scratch["answered_query"],
    }


def return_query(
    *, by: User, monitoring_return: MonitoringReturn, question: str, seen_state: str | None = None
) -> ReturnQuery:
    """Send a submitted return back to the provider with a question."""
    _transition(by=by, monitoring_return=monitoring_return, name="query", reason=question, seen_state=seen_state)
    return monitoring_return.queries.order_by("-pk").first()


def _ask(step: Step) -> None:
    ReturnQuery.objects.create(monitoring_return=step.obj, question=step.reason, asked_by=step.by)


def return_accept(
    *,
    by: User,
    monitoring_return: MonitoringReturn,
    overrides: dict | None = None,
    comment: str = "",
    seen_state: str | None = None,
) -> MonitoringReturn:
    """Accept a submitted return. Each KPI's rating is worked out again with the council's tolerance;
    `overrides` maps a KPI actual's id to (rating, reason) where the officer rates it differently
    (the reason is required). The overall rating is the worst KPI rating."""
    return _transition(
        by=by,
        monitoring_return=monitoring_return,
        name="accept",
        reason=comment,
        seen_state=seen_state,
        overrides=overrides or {},
    )


def _rate(step: Step) -> dict:
    monitoring_return, overrides = step.obj, step.payload["overrides"]
    tolerance = MonitoringSettings.for_council(monitoring_return.agreement.council).amber_tolerance_percent
    ratings = {}
    rows = list(monitoring_return.actuals.select_related("kpi"))
    if set(overrides) - {row.pk for row in rows}:
        raise PermissionDenied
    errors = {}
    for row in rows:
        row.rag = compute_rag(
            row.actual, row.target, higher_is_better=row.kpi.higher_is_better, tolerance_percent=tolerance
        )
        rating, reason = overrides.get(row.pk, ("", ""))
        rating, reason = (rating or "", (reason or "").strip())
        if rating and rating not in Rag.values:
            raise ValidationError({f"rag_{row.pk}": "Choose red, amber, green or not rated."})
        if rating in ("", row.rag):
            row.rag_override = row.rag_override_reason = ""
        elif not reason:
            errors[f"rag_reason_{row.pk}"] = (
                f"Give the reason for rating ‘{row.kpi.description}’ {Rag(rating).label.lower()} "
                f"rather than {Rag(row.rag).label.lower()}"
            )
        else:
            row.rag_override, row.rag_override_reason = rating, reason
        ratings[row.kpi.description] = row.final_rag
    if errors:
        raise ValidationError(errors)
    KpiActual.objects.bulk_update(rows, ["rag", "rag_override", "rag_override_reason"])
    monitoring_return.overall_rag = overall_rag(row.final_rag for row in rows)
    step.scratch["ratings"] = ratings


def _rated(step: Step) -> dict:
    return {"overall_rag": step.obj.overall_rag, "ratings": step.scratch["ratings"]}


def _return_details(step: Step) -> dict:
    return {"agreement": step.obj.agreement.reference}


workflow.machine(MonitoringReturn, noun="return", gates=gates, event="return", details=_return_details)
workflow.effect(MonitoringReturn, "submission", Effect(validate=_stage_submission, follow=_submitted))
workflow.effect(MonitoringReturn, "query", Effect(follow=_ask))
workflow.effect(MonitoringReturn, "rating", Effect(validate=_rate, follow=_rated))


# ---- Evidence ---------------------------------------------------------------------------------------------


@transaction.atomic
def evidence_add(*, by: User, monitoring_return: MonitoringReturn, title: str, upload) -> ReturnEvidence:
    _require_writer(monitoring_return, by)
    _require_with_provider(MonitoringReturn.objects.select_for_update().get(pk=monitoring_return.pk))
    evidence = ReturnEvidence(monitoring_return=monitoring_return, title=title.strip(), document=upload, uploaded_by=by)
    evidence.full_clean()
    evidence.save()
    _audit(by, monitoring_return, "evidence_added", extra={"title": evidence.title})
    return evidence


@transaction.atomic
def evidence_remove(*, by: User, monitoring_return: MonitoringReturn, evidence: ReturnEvidence) -> None:
    _require_writer(monitoring_return, by)
    if evidence.monitoring_return_id != monitoring_return.pk:
        raise PermissionDenied
    _require_with_provider(MonitoringReturn.objects.select_for_update().get(pk=monitoring_return.pk))
    stored = evidence.document
    _audit(by, monitoring_return, "evidence_removed", extra={"title": evidence.title})
    evidence.delete()
    transaction.on_commit(lambda: stored.storage.delete(stored.name))


# ---- Performance assessments (Procurement Act 2023) ----------------------------------------------------

ASSESSMENT_STATES = {
    AssessmentKind.INTERIM: frozenset({AgreementState.LIVE}),
    AssessmentKind.END_OF_AGREEMENT: frozenset({AgreementState.ENDED, AgreementState.TERMINATED}),
}


def assessable_kpis(agreement: Agreement, on: date) -> list[AgreementKpi]:
    """The KPIs in force on `on` (not yet dropped by a variation)."""
    return [
        kpi
        for kpi in AgreementKpi.objects.filter(agreement=agreement).order_by("position", "id")
        if kpi.retired_on is None or kpi.retired_on > on
    ]


@transaction.atomic
def assessment_record(
    *, by: User, agreement: Agreement, kind: str, assessed_on: date, ratings: dict
) -> list[PerformanceAssessment]:
    """Record a rating for every KPI in force: an interim assessment while the agreement is live (at
    least every 12 months), or the end-of-agreement assessment once it has ended or been terminated.
    `ratings` maps a KPI's id to (rating, explanation); ‘other’ needs an explanation."""
    if not has_any_role(by, agreement.council, RETURN_REVIEWERS):
        raise PermissionDenied
    if kind not in ASSESSMENT_STATES:
        raise ValidationError({"kind": "Choose an interim or an end-of-agreement assessment."})
    if agreement.state not in ASSESSMENT_STATES[kind]:
        raise ValidationError(
            {
                "kind": "An interim assessment is made while the agreement is live; the end-of-agreement "
                "assessment once it has ended or been terminated."
            }
        )
    if assessed_on is None:
        raise ValidationError({"assessed_on": "Enter the date of the assessment."})
    if assessed_on > timezone.localdate():
        raise ValidationError({"assessed_on": "The date of the assessment cannot be in the future."})
    if assessed_on < agreement.starts_on:
        raise ValidationError({"assessed_on": "The date of the assessment cannot be before the agreement started."})
    kpis = assessable_kpis(agreement, assessed_on)
    if set(ratings) - {kpi.pk for kpi in kpis}:
        raise PermissionDenied
    if not kpis:
        raise ValidationError("The agreement has no KPIs in force to assess.")
    errors, rows = {}, []
    for kpi in kpis:
        rating, explanation = ratings.get(kpi.pk, ("", ""))
        explanation = (explanation or "").strip()
        if rating not in PerformanceRating.values:
            errors[f"rating_{kpi.pk}"] = f"Choose a rating for ‘{kpi.description}’"
        elif rating == PerformanceRating.OTHER and not explanation:
            errors[f"explanation_{kpi.pk}"] = f"Explain the ‘other’ rating for ‘{kpi.description}’"
        rows.append(
            PerformanceAssessment(
                agreement=agreement,
                kpi=kpi,
                kind=kind,
                rating=rating,
                explanation=explanation,
                assessed_on=assessed_on,
                assessed_by=by,
            )
        )
    if errors:
        raise ValidationError(errors)
    PerformanceAssessment.objects.bulk_create(rows)
    audit_record(
        council=agreement.council,
        actor=by,
        event_type="agreement.assessment_recorded",
        obj=agreement,
        extra={
            "kind": kind,
            "assessed_on": assessed_on.isoformat(),
            "ratings": {row.kpi.description: row.rating for row in rows},
        },
    )
    return rows


# ---- The council's monitoring settings ---------------------------------------------------------------


@transaction.atomic
def monitoring_settings_save(
    *, by: User, settings: MonitoringSettings, changed: list[str] | None = None
) -> MonitoringSettings:
    """The council administrator or lead commissioner sets when returns fall due, the amber tolerance
    and whether payments are held while returns are overdue. New due dates apply to returns scheduled
    from then on; returns already scheduled keep theirs."""
    council: Council = settings.council
    if not has_any_role(by, council, SETTINGS_EDITORS):
        raise PermissionDenied
    settings.full_clean()
    settings.save()
    audit_record(
        council=council,
        actor=by,
        event_type="monitoring.settings_changed",
        obj=settings,
        extra={"fields": sorted(changed or [])},
    )
    return settings
