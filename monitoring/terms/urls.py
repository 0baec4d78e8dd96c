"""An agreement's payment terms and clauses, and its payment-by-results tariff (wired from monitoring.urls)."""

from django.urls import path

from monitoring.terms import views

TERMS = "council/<slug:council_slug>/agreements/<int:pk>/terms/"

urlpatterns = [
    path(TERMS, views.TermsView.as_view(), name="agreement_terms"),
    path(TERMS + "edit/", views.TermsEditView.as_view(), name="agreement_terms_edit"),
    path(TERMS + "results/new/", views.ResultEditView.as_view(), name="agreement_result_add"),
    path(TERMS + "results/<int:result_pk>/edit/", views.ResultEditView.as_view(), name="agreement_result_edit"),
    path(TERMS + "results/<int:result_pk>/remove/", views.ResultRemoveView.as_view(), name="agreement_result_remove"),
]
