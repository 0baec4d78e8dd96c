from django.urls import path

from commissioning.award import summary_views
from commissioning.award import views as award_views
from commissioning.conflicts import views as conflicts_views
from commissioning.cycle import cpv_views, regime_views, stage_views, views
from commissioning.engagement import urls as engagement_urls
from commissioning.evaluation import exports as evaluation_exports
from commissioning.evaluation.views import overview as evaluation_overview
from commissioning.evaluation.views import panel as evaluation_panel
from commissioning.evaluation.views import scores as evaluation_scores
from commissioning.evaluation.views import summary as evaluation_summary
from commissioning.groups import urls as group_urls
from commissioning.procurement_record import urls as procurement_record_urls
from commissioning.programme import urls as programme_urls
from commissioning.reviews import urls as review_urls
from commissioning.savings import views as savings_views
from commissioning.sourcing.views import opportunities as opportunity_views

app_name = "commissioning"

C = "<slug:council_slug>/"
ONE = C + "<int:pk>/"
OPP = C + "opportunities/<int:opportunity_pk>/"
EV = OPP + "evaluation/"
AW = C + "opportunities/<int:pk>/award/"

urlpatterns = [
    # Before the council pages: "panels" would otherwise be read as a council's slug.
    path("panels/", evaluation_overview.MyPanelsView.as_view(), name="my_panels"),
    *group_urls.top_urlpatterns,
    path(C, views.CommissionListView.as_view(), name="list"),
    path(C + "plan/", views.CommissioningPlanView.as_view(), name="plan"),
    path(C + "new/", views.CommissionCreateView.as_view(), name="create"),
    # The prioritised programme: criteria and weights, candidates scored, cabinet's decision.
    *programme_urls.urlpatterns,
    path(C + "funding/", stage_views.FundingPotListView.as_view(), name="funding_pots"),
    path(C + "funding/new/", stage_views.FundingPotEditView.as_view(), name="funding_pot_add"),
    path(C + "funding/<int:pot_pk>/edit/", stage_views.FundingPotEditView.as_view(), name="funding_pot_edit"),
    path(C + "funding/<int:pot_pk>/rounds/new/", stage_views.FundingRoundEditView.as_view(), name="funding_round_add"),
    path(
        C + "funding/<int:pot_pk>/rounds/<int:round_pk>/edit/",
        stage_views.FundingRoundEditView.as_view(),
        name="funding_round_edit",
    ),
    # Reviews of existing services.
    *review_urls.urlpatterns,
    path(ONE, views.CommissionDetailView.as_view(), name="detail"),
    path(ONE + "audit/", views.CommissionAuditView.as_view(), name="audit"),
    path(ONE + "steps/<slug:name>/", views.CommissionTransitionView.as_view(), name="transition"),
    path(ONE + "details/", stage_views.CommissionDetailsEditView.as_view(), name="edit"),
    path(ONE + "cpv/", cpv_views.CommissionCpvView.as_view(), name="cpv"),
    path(ONE + "regime/", regime_views.CommissionRegimeView.as_view(), name="regime"),
    # The procurement record (s.98): decisions and communications with suppliers, page and CSV.
    *procurement_record_urls.urlpatterns,
    # Savings identified, per financial year (before the stage records' "<kind>/<pk>/remove/").
    path(ONE + "savings/", savings_views.CommissionSavingsView.as_view(), name="savings"),
    path(ONE + "savings/record/", savings_views.CommissionSavingsRecordView.as_view(), name="savings_record"),
    path(
        ONE + "savings/<int:saving_pk>/remove/",
        savings_views.CommissionSavingsRemoveView.as_view(),
        name="savings_remove",
    ),
    # A review's savings identified.
    path(C + "reviews/<int:pk>/savings/", savings_views.ReviewSavingsView.as_view(), name="review_savings"),
    path(
        C + "reviews/<int:pk>/savings/record/",
        savings_views.ReviewSavingsRecordView.as_view(),
        name="review_savings_record",
    ),
    path(
        C + "reviews/<int:pk>/savings/<int:saving_pk>/remove/",
        savings_views.ReviewSavingsRemoveView.as_view(),
        name="review_savings_remove",
    ),
    # The commission's member working group: its members, working documents and comments.
    *group_urls.urlpatterns,
    # Early engagement: the commission's drafts opened for comment, the comments and the answers.
    *engagement_urls.urlpatterns,
    path(ONE + "criteria/template/", stage_views.CriteriaTemplateView.as_view(), name="criteria_template"),
    path(ONE + "<slug:kind>/new/", stage_views.StageRecordEditView.as_view(), name="record_add"),
    path(ONE + "<slug:kind>/<int:record_pk>/edit/", stage_views.StageRecordEditView.as_view(), name="record_edit"),
    path(
        ONE + "<slug:kind>/<int:record_pk>/remove/", stage_views.StageRecordRemoveView.as_view(), name="record_remove"
    ),
    # Opportunities (officers' side): drafting one from a commission in Sourcing, then managing it.
    path(ONE + "opportunity/start/", opportunity_views.OpportunityCreateView.as_view(), name="opportunity_create"),
    path(OPP, opportunity_views.OpportunityManageView.as_view(), name="opportunity"),
    path(OPP + "details/", opportunity_views.OpportunityDetailsEditView.as_view(), name="opportunity_edit"),
    path(OPP + "dates/", opportunity_views.OpportunityDatesEditView.as_view(), name="opportunity_dates"),
    path(
        OPP + "steps/<slug:name>/", opportunity_views.OpportunityTransitionView.as_view(), name="opportunity_transition"
    ),
    path(OPP + "conflicts/", conflicts_views.ConflictsAssessmentView.as_view(), name="opportunity_conflicts"),
    path(OPP + "opening/", opportunity_views.OpeningView.as_view(), name="opportunity_opening"),
    path(
        OPP + "clarifications/", opportunity_views.ClarificationInboxView.as_view(), name="opportunity_clarifications"
    ),
    path(
        OPP + "clarifications/<int:clarification_pk>/",
        opportunity_views.ClarificationAnswerView.as_view(),
        name="opportunity_clarification_answer",
    ),
    path(
        OPP + "documents/<int:document_pk>/download/",
        opportunity_views.OpportunityDocumentView.as_view(),
        name="opportunity_document",
    ),
    path(
        OPP + "<slug:kind>/new/", opportunity_views.OpportunityRecordEditView.as_view(), name="opportunity_record_add"
    ),
    path(
        OPP + "<slug:kind>/<int:record_pk>/edit/",
        opportunity_views.OpportunityRecordEditView.as_view(),
        name="opportunity_record_edit",
    ),
    path(
        OPP + "<slug:kind>/<int:record_pk>/remove/",
        opportunity_views.OpportunityRecordRemoveView.as_view(),
        name="opportunity_record_remove",
    ),
    # Evaluation of an opportunity's bids: the panel, declarations, compliance, scoring, moderation.
    path(C + "evaluations/", evaluation_overview.EvaluationListView.as_view(), name="evaluations"),
    path(EV, evaluation_overview.EvaluationDetailView.as_view(), name="evaluation"),
    path(EV + "set-up/", evaluation_panel.SetUpView.as_view(), name="evaluation_setup"),
    path(EV + "panel/add/", evaluation_panel.PanelAppointView.as_view(), name="evaluation_panel_add"),
    path(
        EV + "panel/<int:member_pk>/replace/",
        evaluation_panel.PanelReplaceView.as_view(),
        name="evaluation_panel_replace",
    ),
    path(EV + "panel/<int:member_pk>/chair/", evaluation_panel.PanelChairView.as_view(), name="evaluation_panel_chair"),
    path(EV + "declarations/", evaluation_panel.DeclarationsView.as_view(), name="evaluation_declarations"),
    path(EV + "bids/<int:bid_pk>/", evaluation_scores.ScoreSheetView.as_view(), name="evaluation_bid"),
    path(
        EV + "bids/<int:bid_pk>/compliance/", evaluation_scores.ComplianceView.as_view(), name="evaluation_compliance"
    ),
    path(
        EV + "bids/<int:bid_pk>/documents/<int:document_pk>/",
        evaluation_scores.BidDocumentView.as_view(),
        name="evaluation_bid_document",
    ),
    path(
        EV + "bids/<int:bid_pk>/moderate/", evaluation_scores.ModerateBidView.as_view(), name="evaluation_moderate_bid"
    ),
    path(EV + "moderation/", evaluation_scores.ModerationView.as_view(), name="evaluation_moderation"),
    path(EV + "summary/", evaluation_summary.SummaryView.as_view(), name="evaluation_summary"),
    path(EV + "summary.csv", evaluation_summary.SummaryExportView.as_view(), name="evaluation_export"),
    path(EV + "scores.csv", evaluation_exports.ScoresExportView.as_view(), name="evaluation_scores_export"),
    path(EV + "steps/<slug:name>/", evaluation_summary.StepView.as_view(), name="evaluation_step"),
    # The award: recommendation, decision, call-in, assessment summaries, the voluntary standstill; the
    # council's awards and forward plan.
    path(C + "awards/", award_views.AwardListView.as_view(), name="awards"),
    path(AW, award_views.AwardDetailView.as_view(), name="award_detail"),
    path(AW + "start/", award_views.AwardStartView.as_view(), name="award_start"),
    path(AW + "recommendation/", award_views.AwardItemsView.as_view(), name="award_items"),
    path(AW + "decision/", award_views.AwardDecisionView.as_view(), name="award_decision"),
    path(AW + "steps/<slug:name>/", award_views.AwardStepView.as_view(), name="award_step"),
    path(AW + "call-in/", award_views.AwardCallInRequestView.as_view(), name="award_call_in"),
    path(AW + "call-in/withdraw/", award_views.AwardCallInWithdrawView.as_view(), name="award_call_in_withdraw"),
    path(AW + "summaries/", summary_views.AwardSummariesView.as_view(), name="award_summaries"),
    path(AW + "summaries/send/", summary_views.AwardSummariesSendView.as_view(), name="award_summaries_send"),
    path(AW + "summaries/<int:summary_pk>/", summary_views.AwardSummaryView.as_view(), name="award_summary"),
    path(
        AW + "summaries/<int:summary_pk>/preview/",
        summary_views.AwardSummaryPreviewView.as_view(),
        name="award_summary_preview",
    ),
    path(AW + "summaries/<int:summary_pk>/pdf/", summary_views.AwardSummaryPdfView.as_view(), name="award_summary_pdf"),
    path(AW + "standstill/", summary_views.AwardStandstillView.as_view(), name="award_standstill"),
    path(C + "forward-plan/", award_views.ForwardPlanView.as_view(), name="forward_plan"),
    path(C + "forward-plan/new/", award_views.ForwardPlanAddView.as_view(), name="forward_plan_add"),
    path(
        C + "forward-plan/<int:entry_pk>/withdraw/",
        award_views.ForwardPlanWithdrawView.as_view(),
        name="forward_plan_withdraw",
    ),
]
