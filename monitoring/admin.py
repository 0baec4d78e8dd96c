"""Agreements in the technical admin: read-only. Officers draft, sign, vary and end agreements in the
app, which checks permissions and gates and leaves the variation history and audit events."""

from django.contrib import admin

from .models import Agreement, AgreementKpi, AgreementVariation, KpiTarget, ScheduledPayment


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
