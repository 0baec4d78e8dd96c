from django.contrib import admin

from providers.models import ApprovedSupplier, ComplianceDocument, Organisation, OrganisationMember


class OrganisationMemberInline(admin.TabularInline):
    model = OrganisationMember
    extra = 0
    fields = ["user", "role", "consented_at", "created_at"]
    readonly_fields = ["user", "consented_at", "created_at"]

    def has_add_permission(self, request, obj=None) -> bool:
        # Membership walls council officers out of procurements: people join by accepting an invitation.
        return False


class ComplianceDocumentInline(admin.TabularInline):
    model = ComplianceDocument
    extra = 0
    fields = ["kind", "original_name", "expires_on", "uploaded_by", "uploaded_at"]
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request, obj=None) -> bool:
        # Uploads go through the portal, which checks the file's content.
        return False


@admin.register(Organisation)
class OrganisationAdmin(admin.ModelAdmin):
    list_display = ["legal_name", "organisation_type", "sector", "owning_council", "verified_at"]
    list_filter = ["sector", "organisation_type", "is_in_house"]
    search_fields = ["legal_name", "trading_name", "charity_number", "company_number"]
    prepopulated_fields = {"slug": ["legal_name"]}
    filter_horizontal = ["outcomes_of_interest", "alert_councils"]
    # Officers verify in the app, which records who and leaves an audit event.
    readonly_fields = ["verified_at", "verified_by"]
    inlines = [OrganisationMemberInline, ComplianceDocumentInline]


@admin.register(ApprovedSupplier)
class ApprovedSupplierAdmin(admin.ModelAdmin):
    """Read-only: officers keep the list (with reasons and audit events) in the app."""

    list_display = ["organisation", "council", "approved_on", "approved_by", "removed_at"]
    list_filter = ["council"]
    search_fields = ["organisation__legal_name"]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
