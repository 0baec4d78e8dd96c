from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin

from councils.models import (
    AuditEvent,
    CorporatePlan,
    Council,
    CrossCuttingTheme,
    Membership,
    Outcome,
    Partnership,
    Portfolio,
    Priority,
    User,
)


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    raw_id_fields = ["user"]


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    ordering = ["email"]
    list_display = ["email", "full_name", "is_active", "is_staff"]
    search_fields = ["email", "full_name"]
    fieldsets = (
        (None, {"fields": ("email", "password")}),
        ("Personal details", {"fields": ("full_name", "job_title")}),
        ("Access", {"fields": ("is_active", "is_staff", "is_superuser", "groups")}),
        ("Dates", {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = ((None, {"classes": ("wide",), "fields": ("email", "full_name", "password1", "password2")}),)
    filter_horizontal = ["groups"]


@admin.register(Partnership)
class PartnershipAdmin(admin.ModelAdmin):
    prepopulated_fields = {"slug": ["name"]}


@admin.register(Council)
class CouncilAdmin(admin.ModelAdmin):
    list_display = ["name", "short_code", "partnership", "key_decision_threshold"]
    prepopulated_fields = {"slug": ["name"]}
    inlines = [MembershipInline]


@admin.register(Portfolio)
class PortfolioAdmin(admin.ModelAdmin):
    list_display = ["name", "council", "holder"]
    list_filter = ["council"]


@admin.register(CorporatePlan)
class CorporatePlanAdmin(admin.ModelAdmin):
    list_display = ["title", "council", "start_year", "end_year", "is_current"]
    list_filter = ["council"]


@admin.register(Priority)
class PriorityAdmin(admin.ModelAdmin):
    list_display = ["title", "plan", "position"]


@admin.register(Outcome)
class OutcomeAdmin(admin.ModelAdmin):
    list_display = ["title", "priority", "portfolio"]


@admin.register(CrossCuttingTheme)
class CrossCuttingThemeAdmin(admin.ModelAdmin):
    list_display = ["title", "plan"]


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    """Read-only: the audit trail is evidence, so nobody edits or deletes it, superusers included."""

    list_display = ["created_at", "council", "actor", "event_type", "object_repr", "from_state", "to_state"]
    list_filter = ["event_type", "council"]
    search_fields = ["object_repr", "reason"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
