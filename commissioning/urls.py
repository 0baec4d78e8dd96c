from django.urls import path

from . import stage_views, views

app_name = "commissioning"

C = "<slug:council_slug>/"
ONE = C + "<int:pk>/"

urlpatterns = [
    path(C, views.CommissionListView.as_view(), name="list"),
    path(C + "plan/", views.CommissioningPlanView.as_view(), name="plan"),
    path(C + "new/", views.CommissionCreateView.as_view(), name="create"),
    path(C + "funding/", stage_views.FundingPotListView.as_view(), name="funding_pots"),
    path(C + "funding/new/", stage_views.FundingPotEditView.as_view(), name="funding_pot_add"),
    path(C + "funding/<int:pot_pk>/edit/", stage_views.FundingPotEditView.as_view(), name="funding_pot_edit"),
    path(ONE, views.CommissionDetailView.as_view(), name="detail"),
    path(ONE + "audit/", views.CommissionAuditView.as_view(), name="audit"),
    path(ONE + "steps/<slug:name>/", views.CommissionTransitionView.as_view(), name="transition"),
    path(ONE + "details/", stage_views.CommissionDetailsEditView.as_view(), name="edit"),
    path(ONE + "criteria/template/", stage_views.CriteriaTemplateView.as_view(), name="criteria_template"),
    path(ONE + "<slug:kind>/new/", stage_views.StageRecordEditView.as_view(), name="record_add"),
    path(ONE + "<slug:kind>/<int:record_pk>/edit/", stage_views.StageRecordEditView.as_view(), name="record_edit"),
    path(
        ONE + "<slug:kind>/<int:record_pk>/remove/", stage_views.StageRecordRemoveView.as_view(), name="record_remove"
    ),
]
