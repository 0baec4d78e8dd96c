"""Deliverables and the agreement risk register: wired into `monitoring.urls`."""

from django.urls import path

from monitoring.delivery import provider_views, views

ONE = "council/<slug:council_slug>/agreements/<int:pk>/"
RETURN = "council/<slug:council_slug>/returns/<int:pk>/"
PROVIDER = "provider/agreements/<int:pk>/"
PROVIDER_RETURN = "provider/returns/<int:pk>/"

urlpatterns = [
    path(ONE + "deliverables/", views.AgreementDeliverablesView.as_view(), name="agreement_deliverables"),
    path(ONE + "deliverables/new/", views.DeliverableEditView.as_view(), name="deliverable_add"),
    path(ONE + "deliverables/<int:deliverable_pk>/edit/", views.DeliverableEditView.as_view(), name="deliverable_edit"),
    path(
        ONE + "deliverables/<int:deliverable_pk>/evidence/",
        views.DeliverableEvidenceView.as_view(),
        name="deliverable_evidence",
    ),
    path(
        RETURN + "deliverables/<int:deliverable_pk>/decide/",
        views.DeliverableDecideView.as_view(),
        name="deliverable_decide",
    ),
    path(ONE + "risks/", views.AgreementRisksView.as_view(), name="agreement_risks"),
    path(ONE + "risks/new/", views.AgreementRiskEditView.as_view(), name="agreement_risk_add"),
    path(ONE + "risks/<int:risk_pk>/edit/", views.AgreementRiskEditView.as_view(), name="agreement_risk_edit"),
    path(PROVIDER + "deliverables/", provider_views.ProviderDeliverablesView.as_view(), name="provider_deliverables"),
    path(
        PROVIDER + "deliverables/<int:deliverable_pk>/evidence/",
        provider_views.ProviderDeliverableEvidenceView.as_view(),
        name="provider_deliverable_evidence",
    ),
    path(
        PROVIDER_RETURN + "deliverables/<int:deliverable_pk>/report/",
        provider_views.ProviderDeliverableReportView.as_view(),
        name="provider_deliverable_report",
    ),
]
