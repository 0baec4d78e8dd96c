"""The Django admin for opportunities and bids: read-only, for oversight.

Changes go through the services (publishing, opening, bidding), which check permissions and write
the audit trail, so nothing here can add, change or delete. Bids are sealed here too:

- the bid admin shows metadata only (organisation, opportunity, state, submission time) and lists
  only submitted bids of opportunities whose bids have been opened, for everyone — superusers
  included — and for staff who are not superusers only those `bid_selectors.bids_readable_by`
  allows them (their council's opened bids, behind the ethical wall);
- what bids say (answers, prices, outcomes, partners, documents, receipts) is never registered, so
  the admin cannot show it, and its search looks at references and names only.
"""

from django.contrib import admin

from . import bid_selectors
from .models import Bid, BidOpening, Clarification, Interest, Lot, Opportunity, OpportunityQuestion


class ReadOnlyAdminMixin:
    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class LotInline(ReadOnlyAdminMixin, admin.TabularInline):
    model = Lot
    extra = 0
    fields = ["number", "title", "budget"]


class QuestionInline(ReadOnlyAdminMixin, admin.TabularInline):
    model = OpportunityQuestion
    extra = 0
    fields = ["position", "text", "criterion", "word_limit"]


def _member_councils(request, queryset, field="council"):
    if request.user.is_superuser:
        return queryset
    from councils.permissions import member_council_ids

    return queryset.filter(**{f"{field}__in": member_council_ids(request.user)})


@admin.register(Opportunity)
class OpportunityAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["reference", "title", "council", "state", "form_type", "submission_deadline"]
    list_filter = ["state", "form_type", "council"]
    search_fields = ["reference", "title"]
    fields = [
        "reference",
        "title",
        "council",
        "commission",
        "state",
        "form_type",
        "budget_envelope",
        "published_at",
        "clarification_deadline",
        "submission_deadline",
        "expected_award_on",
        "service_starts_on",
    ]
    readonly_fields = fields
    inlines = [LotInline, QuestionInline]

    def get_queryset(self, request):
        return _member_councils(request, super().get_queryset(request).select_related("council", "commission"))


@admin.register(Interest)
class InterestAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["opportunity", "organisation", "created_at"]
    search_fields = ["opportunity__reference", "organisation__legal_name"]

    def get_queryset(self, request):
        queryset = super().get_queryset(request).select_related("opportunity", "organisation")
        return _member_councils(request, queryset, "opportunity__council")


@admin.register(Clarification)
class ClarificationAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["opportunity", "asked_at", "visibility", "answered_at"]
    list_filter = ["visibility"]
    search_fields = ["opportunity__reference"]
    fields = ["opportunity", "asked_at", "question", "published_question", "answer", "answered_at", "visibility"]
    readonly_fields = fields

    def get_queryset(self, request):
        return _member_councils(
            request, super().get_queryset(request).select_related("opportunity"), "opportunity__council"
        )


@admin.register(BidOpening)
class BidOpeningAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["opportunity", "first_officer", "first_confirmed_at", "second_officer", "bids_opened"]

    def get_queryset(self, request):
        queryset = super().get_queryset(request).select_related("opportunity", "first_officer", "second_officer")
        return _member_councils(request, queryset, "opportunity__council")


@admin.register(Bid)
class BidAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """Metadata only, and only once the bids are opened (see the module docstring)."""

    list_display = ["__str__", "organisation", "opportunity", "state", "submitted_at"]
    list_filter = ["state"]
    # References and names only: never what the bid says.
    search_fields = ["opportunity__reference", "organisation__legal_name"]
    fields = ["organisation", "opportunity", "state", "submitted_at"]
    readonly_fields = fields
    inlines = []

    def get_queryset(self, request):
        readable = bid_selectors.opened_bids_metadata()
        if not request.user.is_superuser:
            readable = readable.filter(pk__in=bid_selectors.bids_readable_by(request.user).values("pk"))
        return (
            super()
            .get_queryset(request)
            .filter(pk__in=readable.values("pk"))
            .select_related("organisation", "opportunity")
        )
