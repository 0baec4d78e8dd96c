from django.contrib import admin

from .models import Organisation, OrganisationMember


class OrganisationMemberInline(admin.TabularInline):
    model = OrganisationMember
    extra = 0
    raw_id_fields = ["user"]


@admin.register(Organisation)
class OrganisationAdmin(admin.ModelAdmin):
    list_display = ["legal_name", "organisation_type", "sector", "owning_council"]
    list_filter = ["sector", "organisation_type"]
    search_fields = ["legal_name", "trading_name", "charity_number", "company_number"]
    prepopulated_fields = {"slug": ["legal_name"]}
    inlines = [OrganisationMemberInline]
