from django.urls import path

from . import views

app_name = "monitoring"

C = "council/<slug:council_slug>/"
ONE = C + "agreements/<int:pk>/"
PROVIDER = "provider/agreements/"

urlpatterns = [
    # Public: the contract and grant register.
    path("register/", views.RegisterView.as_view(), name="register"),
    # Council officers, councillors and scrutiny: the council's agreements.
    path(C + "agreements/", views.AgreementListView.as_view(), name="agreement_list"),
    path(C + "commissions/<int:pk>/agreements/new/", views.AgreementCreateView.as_view(), name="agreement_create"),
    path(ONE, views.AgreementDetailView.as_view(), name="agreement_detail"),
    path(ONE + "document/", views.DocumentView.as_view(), name="agreement_document"),
    path(ONE + "edit/", views.AgreementEditView.as_view(), name="agreement_edit"),
    path(ONE + "instalments/", views.InstalmentsView.as_view(), name="agreement_instalments"),
    path(ONE + "kpis/<int:kpi_pk>/targets/", views.KpiTargetsView.as_view(), name="kpi_targets"),
    path(ONE + "<slug:kind>/new/", views.ItemEditView.as_view(), name="item_add"),
    path(ONE + "<slug:kind>/<int:item_pk>/edit/", views.ItemEditView.as_view(), name="item_edit"),
    path(ONE + "<slug:kind>/<int:item_pk>/remove/", views.ItemRemoveView.as_view(), name="item_remove"),
    path(ONE + "steps/<slug:action>/", views.AgreementActionView.as_view(), name="agreement_action"),
    # Provider staff: their own organisations' signed agreements, read-only.
    path(PROVIDER, views.ProviderAgreementListView.as_view(), name="provider_agreements"),
    path(PROVIDER + "<int:pk>/", views.ProviderAgreementDetailView.as_view(), name="provider_agreement"),
    path(PROVIDER + "<int:pk>/document/", views.ProviderDocumentView.as_view(), name="provider_agreement_document"),
]
