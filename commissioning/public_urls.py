from django.urls import path

from commissioning.award import summary_views
from commissioning.award import views as award_views
from commissioning.cycle import public_views as plan_views
from commissioning.engagement import urls as engagement_urls
from commissioning.sourcing.feeds import OpenOpportunitiesFeed
from commissioning.sourcing.views import public as public_views

app_name = "opportunities"

urlpatterns = [
    path("", public_views.OpportunityListView.as_view(), name="list"),
    path("feed/", OpenOpportunitiesFeed(), name="feed"),
    path("forward-plan/", award_views.PublicForwardPlanView.as_view(), name="forward_plan"),
    # A council's framework and commissioning plan, once its administrator publishes them (404 until then).
    path("councils/<slug:council_slug>/framework/", plan_views.PublicFrameworkView.as_view(), name="framework"),
    path("councils/<slug:council_slug>/plan/", plan_views.PublicPlanView.as_view(), name="plan"),
    # Drafts open for comment (early engagement), before "<reference>/" would read "consultations" as one.
    *engagement_urls.public_urlpatterns,
    path("<str:reference>/", public_views.OpportunityDetailView.as_view(), name="detail"),
    path(
        "<str:reference>/documents/<int:document_pk>/",
        public_views.OpportunityDocumentView.as_view(),
        name="document",
    ),
    path("<str:reference>/interest/", public_views.InterestView.as_view(), name="interest"),
    path("<str:reference>/ask/", public_views.AskView.as_view(), name="ask"),
    # A provider's own assessment summary for their bid, once sent (their organisation's only).
    path(
        "<str:reference>/assessment-summaries/<int:summary_pk>/",
        summary_views.ProviderSummaryView.as_view(),
        name="assessment_summary",
    ),
]
