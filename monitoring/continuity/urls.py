"""Provider risk, failure and continuity, included from `monitoring/urls.py` (council officers only)."""

from django.urls import path

from monitoring.continuity import views

C = "council/<slug:council_slug>/"
ONE = C + "agreements/<int:pk>/"
INTERVENTION = C + "interventions/<int:pk>/"

urlpatterns = [
    path(C + "continuity/", views.ContinuityIndexView.as_view(), name="continuity"),
    path(C + "continuity/flag-provider/", views.FlagProviderView.as_view(), name="flag_provider"),
    path(C + "flags/<int:pk>/clear/", views.FlagClearView.as_view(), name="flag_clear"),
    path(ONE + "continuity-plan/", views.ContinuityPlanView.as_view(), name="continuity_plan"),
    path(ONE + "flag/", views.FlagAgreementView.as_view(), name="flag_agreement"),
    path(ONE + "after-failure/", views.AfterFailureView.as_view(), name="after_failure"),
    path(INTERVENTION, views.InterventionView.as_view(), name="intervention"),
    path(INTERVENTION + "<slug:part>/", views.InterventionEditView.as_view(), name="intervention_edit"),
    path(
        INTERVENTION + "actions/<int:action_pk>/done/", views.ActionDoneView.as_view(), name="intervention_action_done"
    ),
]
