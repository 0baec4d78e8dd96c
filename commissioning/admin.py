"""The Django admin for opportunities, bids, evaluations and awards: read-only, for oversight.

Only the system administrator (an active superuser) may use the admin at all (`councils.admin_site`,
which also refuses any filter an admin does not declare). Changes go through the services
(publishing, opening, bidding), which check permissions and write the audit trail, so nothing here
can add, change or delete. Bids are sealed here too:

- the bid admin shows metadata only (organisation, opportunity, state, submission time) and lists
  only submitted bids of opportunities whose bids have been opened, for everyone — superusers
  included — and, should anyone else ever be let in, only those `bid_selectors.bids_readable_by`
  allows them (their council's opened bids, behind the ethical wall);
- what bids say (answers, prices, outcomes, partners, documents, receipts) is never registered, so
  the admin cannot show it; no list filter, search, column or ordering touches it (tested over
  every changelist in `tests/test_admin.py`), and its search looks at references and names only;
- evaluation and award records sit behind the conflict-of-interest walls as well (see the section
  below).
"""

from django.contrib import admin
from django.db.models import Exists, OuterRef, Q
from django.http import Http404

from commissioning.models import (
    AssessmentSummary,
    AssessmentSummaryCorrection,
    Award,
    AwardItem,
    Bid,
    BidOpening,
    CallIn,
    CallInRequest,
    Clarification,
    ComplianceResult,
    Declaration,
    Evaluation,
    EvaluationState,
    ForwardPlanEntry,
    Interest,
    Lot,
    ModeratedScore,
    Opportunity,
    OpportunityQuestion,
    PanelMember,
    Score,
    ScoreSheet,
)
from commissioning.sourcing.selectors import bids as bid_selectors
from councils.permissions import member_council_ids


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


# ---- Evaluation and award: read-only, and behind the same walls as the pages ------------------
#
# Evaluation records are immutable (changes go through `evaluation_services` and
# `award_services`). Every queryset is scoped to the staff user: records of their own councils
# only (superusers: every council). Anything tied to a bid (a declaration, compliance result,
# score sheet, score, moderated score, award item or assessment summary) is listed only for a bid the
# council side may read (`bid_selectors`: submitted and opened, never by someone acting for a
# bidder or a partner in a bid for that opportunity — superusers included), and never for a bid the
# user has declared a conflict of interest against; a panellist who has not yet declared against
# every bid of an opportunity sees none of its bids. Others' draft scores are never shown, and a
# panellist sees others' submitted scores for a bid only once their own for it are in, as on the
# score pages. An object outside the scope answers 404.


def _walled_opportunities(user):
    """Opportunities the user may not read bids of: their organisation bid for it, alone or as a partner."""
    return bid_selectors.bids_of_organisations(bid_selectors.member_organisation_ids(user)).values("opportunity_id")


def _undeclared_opportunities(user) -> set[int]:
    """Opportunities on whose panel the user sits without having declared against every bid: as on
    the evaluation pages, they see no bid of it at all until they have."""
    memberships = dict(
        PanelMember.objects.filter(user=user, ended_at__isnull=True).values_list("pk", "evaluation__opportunity_id")
    )
    if not memberships:
        return set()
    declared = set(Declaration.objects.filter(member__in=memberships).values_list("member_id", "bid_id"))
    bids = bid_selectors.opened_bids_metadata().filter(opportunity_id__in=memberships.values())
    by_opportunity: dict[int, set[int]] = {}
    for bid_id, opportunity_id in bids.values_list("pk", "opportunity_id"):
        by_opportunity.setdefault(opportunity_id, set()).add(bid_id)
    return {
        opportunity_id
        for member_id, opportunity_id in memberships.items()
        if any((member_id, bid_id) not in declared for bid_id in by_opportunity.get(opportunity_id, ()))
    }


def readable_bids(user, *, conflicts: bool = True):
    """Bids whose evaluation and award records this staff user may see in the admin: the council
    side's rule for reading bids, less (unless `conflicts` is False) the bids they declared a
    conflict of interest against."""
    council_side = bid_selectors.opened_bids_metadata()
    if not user.is_superuser:
        council_side = council_side.filter(pk__in=bid_selectors.bids_readable_by(user).values("pk"))
    # `bids_readable_by` also gives provider staff their own organisation's bids: never here.
    council_side = council_side.exclude(opportunity_id__in=_walled_opportunities(user)).exclude(
        opportunity_id__in=_undeclared_opportunities(user)
    )
    if conflicts:
        conflicted = Declaration.objects.filter(member__user=user, has_conflict=True).values("bid_id")
        council_side = council_side.exclude(pk__in=conflicted)
    return council_side


class ScopedAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """A read-only admin whose rows are the user's councils' (`council_field`) and, where the model
    belongs to a bid (`bid_field`), only the bids `readable_bids` allows."""

    council_field = ""
    bid_field = ""

    def get_queryset(self, request):
        queryset = _member_councils(request, super().get_queryset(request), self.council_field)
        if self.bid_field:
            queryset = queryset.filter(**{f"{self.bid_field}__in": readable_bids(request.user).values("pk")})
        return queryset

    def get_object(self, request, object_id, from_field=None):
        # Not "doesn't exist, perhaps it was deleted?": a record behind a wall is simply not there.
        obj = super().get_object(request, object_id, from_field)
        if obj is None:
            raise Http404
        return obj


def _blind_scoring(user, prefix: str = "") -> Q:
    """The score sheets (reached through `prefix`) this user may see: their own, or others' once
    submitted and, while scoring is under way on a panel the user sits on, only for bids the user has
    submitted their own scores for."""
    sits_on_panel = PanelMember.objects.filter(
        evaluation=OuterRef(f"{prefix}evaluation"), user=user, ended_at__isnull=True
    )
    own_submitted = ScoreSheet.objects.filter(
        evaluation=OuterRef(f"{prefix}evaluation"),
        bid=OuterRef(f"{prefix}bid"),
        member__user=user,
        submitted_at__isnull=False,
    )
    others_visible = Q(**{f"{prefix}submitted_at__isnull": False}) & (
        ~Q(**{f"{prefix}evaluation__state": EvaluationState.SCORING}) | ~Exists(sits_on_panel) | Exists(own_submitted)
    )
    return Q(**{f"{prefix}member__user": user}) | others_visible


class PanelMemberInline(ReadOnlyAdminMixin, admin.TabularInline):
    model = PanelMember
    fk_name = "evaluation"
    extra = 0
    fields = ["user", "is_chair", "is_independent", "appointed_at", "ended_at", "end_reason"]
    readonly_fields = fields


@admin.register(Evaluation)
class EvaluationAdmin(ScopedAdmin):
    council_field = "opportunity__council"
    list_display = ["__str__", "state", "price_method", "signed_off_at"]
    list_filter = ["state", "price_method"]
    search_fields = ["opportunity__reference", "opportunity__title"]
    # Not the stored ranking: it lists every bid, walled-off ones included. Its digest is enough here.
    fields = [
        "opportunity",
        "state",
        "price_method",
        "price_criterion",
        "scale",
        "compliance_checks",
        "created_by",
        "created_at",
        "signed_off_by",
        "signed_off_at",
        "result_digest",
    ]
    readonly_fields = fields
    inlines = [PanelMemberInline]
    list_select_related = ["opportunity"]


@admin.register(PanelMember)
class PanelMemberAdmin(ScopedAdmin):
    council_field = "evaluation__opportunity__council"
    list_display = ["user", "evaluation", "role_label", "appointed_at", "ended_at"]
    list_filter = ["is_chair", "is_independent"]
    search_fields = ["evaluation__opportunity__reference", "user__email", "user__full_name"]
    fields = [
        "evaluation",
        "user",
        "is_chair",
        "is_independent",
        "appointed_by",
        "appointed_at",
        "ended_at",
        "ended_by",
        "end_reason",
    ]
    readonly_fields = fields
    list_select_related = ["user", "evaluation__opportunity"]


@admin.register(Declaration)
class DeclarationAdmin(ScopedAdmin):
    council_field = "evaluation__opportunity__council"
    list_display = ["__str__", "member", "has_conflict", "declared_at"]
    list_filter = ["has_conflict"]
    search_fields = ["evaluation__opportunity__reference", "organisations"]
    fields = ["evaluation", "member", "bid", "organisations", "has_conflict", "nature", "declared_at", "updated_at"]
    readonly_fields = fields
    list_select_related = ["member__user", "member__evaluation__opportunity"]

    def get_queryset(self, request):
        # A declaration names the bidders, never what they bid: your own stays yours to read, even
        # against a bid you are walled off from; others' against that bid do not.
        user = request.user
        conflicted = Declaration.objects.filter(member__user=user, has_conflict=True).values("bid_id")
        return (
            super()
            .get_queryset(request)
            .filter(bid__in=readable_bids(user, conflicts=False).values("pk"))
            .filter(Q(member__user=user) | ~Q(bid_id__in=conflicted))
        )


@admin.register(ComplianceResult)
class ComplianceResultAdmin(ScopedAdmin):
    council_field = "evaluation__opportunity__council"
    bid_field = "bid"
    list_display = ["__str__", "bid", "passed", "recorded_by", "recorded_at"]
    list_filter = ["passed"]
    search_fields = ["evaluation__opportunity__reference"]
    fields = ["evaluation", "bid", "check_name", "passed", "reason", "recorded_by", "recorded_at"]
    readonly_fields = fields
    list_select_related = ["bid__opportunity", "recorded_by"]


class ScoreInline(ReadOnlyAdminMixin, admin.TabularInline):
    model = Score
    extra = 0
    fields = ["criterion", "score", "justification"]
    readonly_fields = fields


@admin.register(ScoreSheet)
class ScoreSheetAdmin(ScopedAdmin):
    council_field = "evaluation__opportunity__council"
    bid_field = "bid"
    list_display = ["__str__", "member", "bid", "submitted_at"]
    search_fields = ["evaluation__opportunity__reference"]
    fields = ["evaluation", "member", "bid", "created_at", "updated_at", "submitted_at"]
    readonly_fields = fields
    inlines = [ScoreInline]
    list_select_related = ["member__user", "member__evaluation__opportunity", "bid__opportunity"]

    def get_queryset(self, request):
        return super().get_queryset(request).filter(_blind_scoring(request.user))


@admin.register(Score)
class ScoreAdmin(ScopedAdmin):
    council_field = "sheet__evaluation__opportunity__council"
    bid_field = "sheet__bid"
    list_display = ["__str__", "sheet", "criterion", "score"]
    search_fields = ["sheet__evaluation__opportunity__reference"]
    fields = ["sheet", "criterion", "score", "justification"]
    readonly_fields = fields
    list_select_related = ["sheet__bid__opportunity", "criterion"]

    def get_queryset(self, request):
        return super().get_queryset(request).filter(_blind_scoring(request.user, "sheet__"))


@admin.register(ModeratedScore)
class ModeratedScoreAdmin(ScopedAdmin):
    council_field = "evaluation__opportunity__council"
    bid_field = "bid"
    list_display = ["__str__", "bid", "criterion", "score", "recorded_by"]
    search_fields = ["evaluation__opportunity__reference"]
    fields = ["evaluation", "bid", "criterion", "score", "rationale", "recorded_by", "recorded_at"]
    readonly_fields = fields
    list_select_related = ["bid__opportunity", "criterion", "recorded_by"]


class AwardItemInline(ReadOnlyAdminMixin, admin.TabularInline):
    model = AwardItem
    extra = 0
    fields = ["bid", "lot", "value", "note"]
    readonly_fields = fields

    def get_queryset(self, request):
        return super().get_queryset(request).filter(bid__in=readable_bids(request.user).values("pk"))


@admin.register(Award)
class AwardAdmin(ScopedAdmin):
    council_field = "commission__council"
    list_display = [
        "__str__",
        "state",
        "is_key_decision",
        "decided_on",
        "call_in_ends_on",
        "assessment_summaries_sent_at",
        "award_notice_published_on",
    ]
    list_filter = ["state", "is_key_decision", "standstill_applies"]
    search_fields = ["opportunity__reference", "commission__title", "decision_reference"]
    fields = [
        "opportunity",
        "commission",
        "cycle",
        "state",
        "recommendation",
        "is_key_decision",
        "threshold_at_submission",
        "value_at_submission",
        "evaluation_digest",
        "submitted_by",
        "submitted_at",
        "decision_maker",
        "decided_by",
        "decided_on",
        "decision_reference",
        "minute_url",
        "decision_comments",
        "approved_at",
        "call_in_ends_on",
        "effective_on",
        "assessment_summaries_sent_at",
        "award_notice_published_on",
        "voluntary_standstill",
        "standstill_applies",
        "standstill_ends_on",
        "created_by",
        "created_at",
    ]
    readonly_fields = fields
    inlines = [AwardItemInline]
    list_select_related = ["opportunity", "commission"]

    def get_fields(self, request, obj=None):
        # The recommendation discusses the bids: not for someone walled off from any of them.
        fields = list(super().get_fields(request, obj))
        if obj is not None and _walled_off_from_any(request.user, obj.opportunity):
            fields.remove("recommendation")
        return fields

    def get_readonly_fields(self, request, obj=None):
        return self.get_fields(request, obj)


def _walled_off_from_any(user, opportunity) -> bool:
    if bid_selectors.is_walled_off(user, opportunity):
        return True
    return Declaration.objects.filter(
        member__user=user, has_conflict=True, evaluation__opportunity=opportunity
    ).exists()


@admin.register(AwardItem)
class AwardItemAdmin(ScopedAdmin):
    council_field = "award__commission__council"
    bid_field = "bid"
    list_display = ["__str__", "award", "bid", "lot", "value"]
    search_fields = ["award__opportunity__reference"]
    fields = ["award", "bid", "lot", "value", "note"]
    readonly_fields = fields
    list_select_related = ["award__opportunity", "bid__opportunity", "lot"]


@admin.register(ForwardPlanEntry)
class ForwardPlanEntryAdmin(ScopedAdmin):
    council_field = "council"
    list_display = ["reference", "council", "decision_maker", "expected_on", "published_on", "decided_on"]
    list_filter = ["decision_maker"]
    search_fields = ["reference", "matter"]
    fields = [
        "reference",
        "council",
        "commission",
        "opportunity",
        "matter",
        "decision_maker",
        "portfolio",
        "expected_on",
        "published_on",
        "published_by",
        "decided_on",
        "withdrawn_on",
        "withdrawn_reason",
    ]
    readonly_fields = fields
    list_select_related = ["council"]


@admin.register(CallIn)
class CallInAdmin(ScopedAdmin):
    council_field = "award__commission__council"
    list_display = ["__str__", "called_in_by", "called_in_at", "resolution", "resolved_at"]
    list_filter = ["resolution"]
    search_fields = ["award__opportunity__reference"]
    fields = [
        "award",
        "called_in_by",
        "called_in_at",
        "reason",
        "resolution",
        "resolved_by",
        "resolved_at",
        "resolution_note",
    ]
    readonly_fields = fields
    list_select_related = ["award__opportunity", "called_in_by"]


@admin.register(CallInRequest)
class CallInRequestAdmin(ScopedAdmin):
    council_field = "award__commission__council"
    list_display = ["__str__", "requested_by", "requested_at"]
    search_fields = ["award__opportunity__reference"]
    fields = ["award", "requested_by", "decision_approved_at", "requested_at", "reason"]
    readonly_fields = fields
    list_select_related = ["award__opportunity", "requested_by"]


class AssessmentSummaryCorrectionInline(ReadOnlyAdminMixin, admin.TabularInline):
    model = AssessmentSummaryCorrection
    extra = 0
    fields = ["label", "before", "after", "corrected_by", "corrected_at"]
    readonly_fields = fields


@admin.register(AssessmentSummary)
class AssessmentSummaryAdmin(ScopedAdmin):
    council_field = "award__commission__council"
    bid_field = "bid"
    list_display = ["__str__", "award", "successful", "prepared_at", "sent_at"]
    list_filter = ["successful"]
    search_fields = ["award__opportunity__reference"]
    fields = ["award", "bid", "successful", "prepared_by", "prepared_at", "sent_at", "sent_to", "content"]
    readonly_fields = fields
    inlines = [AssessmentSummaryCorrectionInline]
    list_select_related = ["award__opportunity", "bid__opportunity"]
