"""Agreements in the technical admin: read-only. Officers draft, sign, vary and end agreements in the
app, which checks permissions and gates and leaves the variation history and audit events."""

from django.contrib import admin

from monitoring.models import (
    Agreement,
    AgreementKpi,
    AgreementVariation,
    KpiActual,
    KpiTarget,
    MonitoringReturn,
    MonitoringSettings,
    PerformanceAssessment,
    ReturnEvidence,
    ReturnQuery,
    ScheduledPayment,
)


class ReadOnlyMixin:
    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


class KpiInline(ReadOnlyMixin, admin.TabularInline):
    model = AgreementKpi
    fields = ["description", "unit", "target", "target_kind", "source", "retired_on"]
    extra = 0


class PaymentInline(ReadOnlyMixin, admin.TabularInline):
    model = ScheduledPayment
    fields = ["due_on", "description", "kind", "amount", "kpi", "variation"]
    extra = 0


class VariationInline(ReadOnlyMixin, admin.TabularInline):
    model = AgreementVariation
    fields = ["number", "kind", "effective_on", "approved_by", "approved_on", "reason"]
    extra = 0


@admin.register(Agreement)
class AgreementAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = ["reference", "title", "council", "provider", "internal_team_name", "value", "state"]
    list_filter = ["state", "agreement_type", "council"]
    search_fields = ["reference", "title", "provider__legal_name", "internal_team_name"]
    inlines = [KpiInline, PaymentInline, VariationInline]


@admin.register(AgreementVariation)
class AgreementVariationAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = ["agreement", "number", "kind", "effective_on", "approved_by", "recorded_at"]
    list_filter = ["kind"]


@admin.register(KpiTarget)
class KpiTargetAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = ["kpi", "period_start", "period_end", "target"]


# Monitoring returns: read-only too. Providers file them and officers review them in the app, which
# checks who may do what and keeps the query history, the ratings and the audit events.
class KpiActualInline(ReadOnlyMixin, admin.TabularInline):
    model = KpiActual
    fields = ["kpi", "target", "actual", "rag", "rag_override", "rag_override_reason"]
    extra = 0


class ReturnQueryInline(ReadOnlyMixin, admin.TabularInline):
    model = ReturnQuery
    fields = ["asked_at", "asked_by", "question", "answered_at", "answered_by", "answer"]
    extra = 0


class ReturnEvidenceInline(ReadOnlyMixin, admin.TabularInline):
    # The file itself is downloaded only through the app's permission-checked views.
    model = ReturnEvidence
    fields = ["title", "uploaded_by", "uploaded_at"]
    extra = 0


@admin.register(MonitoringReturn)
class MonitoringReturnAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = ["agreement", "period_start", "period_end", "due_on", "state", "is_late", "overall_rag"]
    list_filter = ["state", "is_late", "overall_rag"]
    search_fields = ["agreement__reference", "agreement__title"]
    inlines = [KpiActualInline, ReturnQueryInline, ReturnEvidenceInline]


@admin.register(PerformanceAssessment)
class PerformanceAssessmentAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = ["agreement", "kpi", "kind", "rating", "assessed_on", "assessed_by"]
    list_filter = ["kind", "rating"]


@admin.register(MonitoringSettings)
class MonitoringSettingsAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = ["council", "return_due_days", "due_days_are_working_days", "amber_tolerance_percent"]
