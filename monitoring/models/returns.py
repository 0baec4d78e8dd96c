"""Monitoring returns: what a provider reports for one reporting period of a live agreement.

The schedule (one `MonitoringReturn` per reporting period, with its due date) is generated from the
agreement's dates and monitoring frequency, and regenerated when a variation or extension changes
them. A return's due date never moves because it is overdue: reminders count from it.

A return carries the provider's report (narrative on outcomes, a case study, spend to date, risks and
issues, evidence uploads) and one `KpiActual` per KPI with the period's target copied in. Officers
accept it or query it (`ReturnQuery`, kept as history), with a RAG rating per KPI and overall.
`PerformanceAssessment` rows record the Procurement Act 2023 KPI assessments, append-only.
Only the workflow engine (`councils.workflow`) takes the transitions.
"""

from __future__ import annotations

import django_fsm as fsm
from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone

from commissioning.models import MONEY
from councils.models import Council
from councils.permissions import COMMISSIONERS, has_any_role
from councils.state_field import StateField
from councils.uploads import PrivateFileField
from monitoring.models.agreements import Agreement, add_months, is_agreement_editor
from monitoring.models.kpis import AgreementKpi
from providers.models import OrganisationMember, ProviderRole


class ReturnState(models.TextChoices):
    DUE = "due", "Not submitted yet"
    SUBMITTED = "submitted", "Submitted: awaiting review"
    QUERIED = "queried", "Queried: back with the provider"
    ACCEPTED = "accepted", "Accepted"
    NOT_REQUIRED = "not_required", "No longer required"


# Waiting for the provider: these are the returns that can be overdue.
AWAITING_PROVIDER_STATES = frozenset({ReturnState.DUE, ReturnState.QUERIED})
# Submitted at least once: the council can read what the provider reported.
REPORTED_STATES = frozenset({ReturnState.SUBMITTED, ReturnState.QUERIED, ReturnState.ACCEPTED})

# Provider roles that may fill in and submit returns (any member of the organisation may read them).
RETURN_WRITERS = (ProviderRole.ORGANISATION_ADMIN, ProviderRole.MONITORING_CONTACT)
# Council roles that review returns (accept or query them) and record performance assessments.
RETURN_REVIEWERS = COMMISSIONERS


class Rag(models.TextChoices):
    """Red, amber, green; in order from worst to best, then "not rated" (no target or no actual)."""

    RED = "red", "Red"
    AMBER = "amber", "Amber"
    GREEN = "green", "Green"
    NOT_RATED = "not_rated", "Not rated"


# Worst first: the overall rating of a return is its worst KPI rating.
RAG_SEVERITY = {Rag.RED: 0, Rag.AMBER: 1, Rag.GREEN: 2}


class MonitoringSettings(models.Model):
    """A council's monitoring rules: when returns fall due, how RAG ratings are worked out, and whether
    payments are held while returns are overdue. Without a row the defaults apply."""

    council = models.OneToOneField(Council, on_delete=models.CASCADE, related_name="monitoring_settings")
    return_due_days = models.PositiveSmallIntegerField(
        default=20, validators=[MaxValueValidator(120)], help_text="How long after a period ends its return is due."
    )
    due_days_are_working_days = models.BooleanField(
        default=True, help_text="Count those days in working days (skipping weekends and bank holidays)."
    )
    amber_tolerance_percent = models.PositiveSmallIntegerField(
        default=10,
        validators=[MinValueValidator(0), MaxValueValidator(100)],
        help_text="An actual within this percentage short of its target is amber; further short is red.",
    )
    hold_payments_when_overdue = models.BooleanField(
        default=False, help_text="Flag an agreement's payments as on hold while any of its returns is overdue."
    )

    class Meta:
        verbose_name_plural = "monitoring settings"

    def __str__(self) -> str:
        return f"Monitoring settings for {self.council}"

    @classmethod
    def for_council(cls, council: Council) -> MonitoringSettings:
        """The council's settings, or (unsaved) the defaults when it has never changed them."""
        found = cls.objects.filter(council=council).first()
        return found if found is not None else cls(council=council)


def is_return_writer(monitoring_return, user) -> bool:
    """Provider staff who send returns for the agreement's organisation (its administrators and
    monitoring contacts)."""
    agreement = monitoring_return.agreement
    if agreement.provider_id is None or not user.is_authenticated:
        return False
    return OrganisationMember.objects.filter(
        user=user, organisation_id=agreement.provider_id, role__in=RETURN_WRITERS
    ).exists()


def is_return_reviewer(monitoring_return, user) -> bool:
    return has_any_role(user, monitoring_return.agreement.council, RETURN_REVIEWERS)


def can_reschedule(monitoring_return, user) -> bool:
    """Whoever recorded the variation that removed the period (a commissioner)."""
    return is_agreement_editor(monitoring_return.agreement, user)


def period_has_ended(monitoring_return) -> bool:
    return monitoring_return.period_end < timezone.localdate()


class MonitoringReturn(fsm.ConcurrentTransitionMixin, models.Model):
    """One reporting period's return for one agreement."""

    agreement = models.ForeignKey(Agreement, on_delete=models.PROTECT, related_name="returns")
    period_start = models.DateField()
    period_end = models.DateField()
    due_on = models.DateField()
    state = StateField(default=ReturnState.DUE, choices=ReturnState.choices, protected=True)
    submitted_at = models.DateTimeField(null=True, blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    # What the provider reports.
    outcomes_narrative = models.TextField(blank=True, help_text="What changed for people in this period.")
    case_study = models.TextField(blank=True, help_text="One person's or group's story, anonymised.")
    spend_to_date = models.DecimalField(
        **MONEY, null=True, blank=True, help_text="What the provider has spent of the agreement's money so far."
    )
    risks_and_issues = models.TextField(blank=True)
    # Set on the first submission: a late return is accepted, but stays marked late.
    first_submitted_at = models.DateTimeField(null=True, blank=True)
    is_late = models.BooleanField(default=False)
    # The review.
    overall_rag = models.CharField(max_length=10, choices=Rag.choices, default=Rag.NOT_RATED)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    reviewed_at = models.DateTimeField(null=True, blank=True)
    review_comment = models.TextField(blank=True)
    # When an officer last chased the provider for it (at most once a day; see returns.chasing).
    chased_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["due_on", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(state__in=ReturnState.values), name="return_state_valid"),
            models.CheckConstraint(condition=Q(period_end__gte=models.F("period_start")), name="return_period_order"),
            models.UniqueConstraint(
                fields=["agreement", "period_start"],
                condition=~Q(state=ReturnState.NOT_REQUIRED),
                name="one_return_per_agreement_period",
            ),
            models.CheckConstraint(condition=Q(overall_rag__in=Rag.values), name="return_overall_rag_valid"),
        ]
        indexes = [
            # The reminder sweep: returns waiting for the provider, by due date.
            models.Index(fields=["due_on"], name="return_awaiting_due_idx", condition=Q(state__in=["due", "queried"])),
            models.Index(fields=["state", "submitted_at"], name="return_state_submitted_idx"),
            models.Index(fields=["agreement", "due_on"]),
        ]

    def __str__(self) -> str:
        return f"Return for {self.period_start:%d/%m/%Y} to {self.period_end:%d/%m/%Y}"

    @property
    def council(self) -> Council:
        return self.agreement.council

    @property
    def period_label(self) -> str:
        first, last = self.period_start, self.period_end
        return f"{first.day} {first:%B %Y} to {last.day} {last:%B %Y}"

    @property
    def is_overdue(self) -> bool:
        return self.state in AWAITING_PROVIDER_STATES and self.due_on < timezone.localdate()

    @property
    def chased_today(self) -> bool:
        """Chased on today's date (in the council's time): it may be chased again tomorrow."""
        return self.chased_at is not None and timezone.localdate(self.chased_at) == timezone.localdate()

    @property
    def is_with_provider(self) -> bool:
        return self.state in AWAITING_PROVIDER_STATES

    @property
    def is_reported(self) -> bool:
        return self.state in REPORTED_STATES

    # --- transitions: taken only through the workflow engine ------------------------------------
    @fsm.transition(
        field=state,
        source=[ReturnState.DUE, ReturnState.QUERIED],
        target=ReturnState.SUBMITTED,
        permission=is_return_writer,
        custom={
            "label": "Submit the return",
            "gate": "missing_period_end",
            "effects": ("submission",),
            "tells": ("return_to_review",),
        },
    )
    def submit(self, *, by, reason=""):
        now = timezone.now()
        self.submitted_at, self.submitted_by = now, by
        if self.first_submitted_at is None:
            self.first_submitted_at = now
            self.is_late = timezone.localdate(now) > self.due_on

    @fsm.transition(
        field=state,
        source=ReturnState.SUBMITTED,
        target=ReturnState.QUERIED,
        permission=is_return_reviewer,
        custom={"label": "Query the return", "needs_reason": True, "effects": ("query",), "tells": ("return_queried",)},
    )
    def query(self, *, by, reason):
        pass

    @fsm.transition(
        field=state,
        source=ReturnState.SUBMITTED,
        target=ReturnState.ACCEPTED,
        permission=is_return_reviewer,
        custom={"label": "Accept the return", "effects": ("rating",), "tells": ("return_accepted",)},
    )
    def accept(self, *, by, reason=""):
        self.reviewed_by, self.reviewed_at = by, timezone.now()
        self.review_comment = reason

    @fsm.transition(
        field=state,
        source=ReturnState.DUE,
        target=ReturnState.NOT_REQUIRED,
        permission=can_reschedule,
        custom={"label": "No longer required", "needs_reason": True},
    )
    def mark_not_required(self, *, by, reason):
        pass


class KpiActual(models.Model):
    """What the provider achieved against one KPI in the return's period, with the period's target
    as it stood when the return was filled in, and the RAG rating (computed, or overridden with why)."""

    monitoring_return = models.ForeignKey(MonitoringReturn, on_delete=models.CASCADE, related_name="actuals")
    kpi = models.ForeignKey(AgreementKpi, on_delete=models.PROTECT, related_name="actuals")
    target = models.DecimalField(max_digits=14, decimal_places=2, null=True, blank=True)
    actual = models.DecimalField(max_digits=14, decimal_places=2, null=True, blank=True)
    comment = models.TextField(blank=True)
    rag = models.CharField(max_length=10, choices=Rag.choices, default=Rag.NOT_RATED)
    rag_override = models.CharField(max_length=10, choices=Rag.choices, blank=True)
    rag_override_reason = models.TextField(blank=True)

    class Meta:
        ordering = ["kpi__position", "kpi_id"]
        verbose_name = "KPI actual"
        constraints = [
            models.UniqueConstraint(fields=["monitoring_return", "kpi"], name="kpi_actual_one_per_return"),
            models.CheckConstraint(condition=Q(rag__in=Rag.values), name="kpi_actual_rag_valid"),
            models.CheckConstraint(
                condition=Q(rag_override="") | ~Q(rag_override_reason=""), name="kpi_actual_override_has_reason"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kpi.description}: {self.actual if self.actual is not None else 'not reported'}"

    @property
    def final_rag(self) -> str:
        return self.rag_override or self.rag


class ReturnQuery(models.Model):
    """An officer's question on a submitted return and the provider's answer: the return goes back to
    the provider until they answer and submit again. Kept as the return's history."""

    monitoring_return = models.ForeignKey(MonitoringReturn, on_delete=models.CASCADE, related_name="queries")
    question = models.TextField()
    asked_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    asked_at = models.DateTimeField(default=timezone.now)
    answer = models.TextField(blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    answered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["asked_at", "id"]
        verbose_name_plural = "return queries"
        constraints = [
            models.CheckConstraint(
                condition=Q(answered_at__isnull=True) | ~Q(answer=""), name="return_query_answered_with_text"
            ),
        ]

    def __str__(self) -> str:
        return f"Query of {self.asked_at:%d/%m/%Y}: {self.question[:60]}"

    @property
    def is_open(self) -> bool:
        return self.answered_at is None


class ReturnEvidence(models.Model):
    """A document the provider uploads with a return (photos, attendance sheets, a report)."""

    monitoring_return = models.ForeignKey(MonitoringReturn, on_delete=models.CASCADE, related_name="evidence")
    title = models.CharField(max_length=200)
    document = PrivateFileField(folder="returns")
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["uploaded_at", "id"]
        verbose_name_plural = "return evidence"

    def __str__(self) -> str:
        return self.title


class PerformanceRating(models.TextChoices):
    """The ratings of a KPI assessment under the Procurement Act 2023 (section 52) and the
    Procurement Regulations 2024."""

    GOOD = "good", "Good"
    APPROACHING_TARGET = "approaching_target", "Approaching target"
    REQUIRES_IMPROVEMENT = "requires_improvement", "Requires improvement"
    INADEQUATE = "inadequate", "Inadequate"
    OTHER = "other", "Other"


class AssessmentKind(models.TextChoices):
    INTERIM = "interim", "Interim assessment (at least every 12 months)"
    END_OF_AGREEMENT = "end_of_agreement", "End of agreement assessment"


# A KPI assessment is due at least this often while the agreement is live (Procurement Act 2023, s.71(2)).
ASSESSMENT_EVERY_MONTHS = 12


def next_assessment_due(latest, live_on, starts_on):
    """The day the next KPI assessment of a live agreement is due: 12 months after the latest one, or
    after it went live (its start when that is not recorded)."""
    return add_months(latest or live_on or starts_on, ASSESSMENT_EVERY_MONTHS)


class PerformanceAssessment(models.Model):
    """An officer's assessment of one KPI at a point in the agreement's life. Append-only: the model
    refuses updates and deletes, so every assessment stays in the history."""

    agreement = models.ForeignKey(Agreement, on_delete=models.PROTECT, related_name="assessments")
    kpi = models.ForeignKey(AgreementKpi, on_delete=models.PROTECT, related_name="assessments")
    kind = models.CharField(max_length=20, choices=AssessmentKind.choices)
    rating = models.CharField(max_length=24, choices=PerformanceRating.choices)
    explanation = models.TextField(blank=True, help_text="Required for ‘other’: what the rating means.")
    assessed_on = models.DateField()
    assessed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-assessed_on", "-recorded_at", "kpi__position", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(rating__in=PerformanceRating.values), name="assessment_rating_valid"),
            models.CheckConstraint(condition=Q(kind__in=AssessmentKind.values), name="assessment_kind_valid"),
            models.CheckConstraint(
                condition=~Q(rating=PerformanceRating.OTHER) | ~Q(explanation=""), name="assessment_other_explained"
            ),
        ]
        indexes = [models.Index(fields=["agreement", "-assessed_on"])]

    def __str__(self) -> str:
        return f"{self.kpi.description}: {self.get_rating_display()} ({self.assessed_on:%d/%m/%Y})"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise PermissionError("Assessments are never changed: record a new assessment instead.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise PermissionError("Assessments are never deleted.")
