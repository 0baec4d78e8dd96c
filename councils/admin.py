from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.template.response import TemplateResponse

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
from councils.sealing import SEALED_NOTICE, sealed_q, unsealed


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
    """Read-only: the audit trail is evidence, so nobody edits or deletes it, superusers included.

    Events about a bid whose opportunity's bids are not opened yet (`councils.sealing`) are left
    out of the list, its filters and its search: even a row without its details would tell who bid
    when, by where it sits in time. Their own pages say only that they are sealed."""

    list_display = ["created_at", "council", "actor", "event_type", "object_repr", "from_state", "to_state"]
    list_filter = ["event_type", "council"]
    search_fields = ["object_repr", "reason"]
    # Named, because the admin's own select_related() skips nullable keys: two queries a row otherwise.
    list_select_related = ["council", "actor"]

    def get_queryset(self, request):
        return unsealed(super().get_queryset(request))

    def change_view(self, request, object_id, form_url="", extra_context=None):
        return self._sealed_page(request, object_id) or super().change_view(request, object_id, form_url, extra_context)

    def history_view(self, request, object_id, extra_context=None):
        return self._sealed_page(request, object_id) or super().history_view(request, object_id, extra_context)

    def _sealed_page(self, request, object_id):
        if not str(object_id).isdigit() or not AuditEvent.objects.filter(sealed_q(), pk=object_id).exists():
            return None
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": SEALED_NOTICE,
            "notice": SEALED_NOTICE,
        }
        return TemplateResponse(request, "admin/councils/auditevent/sealed.html", context)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
