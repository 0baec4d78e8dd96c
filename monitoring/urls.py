from django.urls import path

from monitoring.agreements import provider_views, register_views, views
from monitoring.continuity import urls as continuity_urls
from monitoring.dashboards import outcome_views, report_views
from monitoring.dashboards import views as dashboard_views
from monitoring.delivery import urls as delivery_urls
from monitoring.exports import views as export_views
from monitoring.invoices import views as invoice_views
from monitoring.notices import council_views as council_notice_views
from monitoring.notices import views as notice_views
from monitoring.remedies import urls as remedies_urls
from monitoring.returns import views as returns_views
from monitoring.savings import views as savings_views
from monitoring.terms import urls as terms_urls

app_name = "monitoring"

C = "council/<slug:council_slug>/"
ONE = C + "agreements/<int:pk>/"
PROVIDER = "provider/agreements/"

urlpatterns = [
    # Public: the contract and grant register.
    path("register/", register_views.RegisterView.as_view(), name="register"),
    # Council officers, councillors and scrutiny: the council's agreements.
    path(C + "agreements/", views.AgreementListView.as_view(), name="agreement_list"),
    path(C + "commissions/<int:pk>/agreements/new/", views.AgreementCreateView.as_view(), name="agreement_create"),
    path(ONE, views.AgreementDetailView.as_view(), name="agreement_detail"),
    path(ONE + "document/", views.DocumentView.as_view(), name="agreement_document"),
    path(ONE + "edit/", views.AgreementEditView.as_view(), name="agreement_edit"),
    path(ONE + "instalments/", views.InstalmentsView.as_view(), name="agreement_instalments"),
    # The remedies log: deductions, default notices and remedy plans, and the provider's responses.
    *remedies_urls.urlpatterns,
    # Invoices under the agreement and their payment: officers read them, finance and commissioners record
    # (before the KPI and payment items' patterns, which would take "invoices/new/").
    path(ONE + "invoices/", invoice_views.InvoiceListView.as_view(), name="invoices"),
    path(ONE + "invoices/new/", invoice_views.InvoiceRecordView.as_view(), name="invoice_record"),
    path(ONE + "invoices/<int:invoice_pk>/paid/", invoice_views.InvoicePayView.as_view(), name="invoice_pay"),
    path(
        ONE + "invoices/<int:invoice_pk>/withdraw/",
        invoice_views.InvoiceWithdrawView.as_view(),
        name="invoice_withdraw",
    ),
    # Savings realised under the agreement: commissioners and finance officers record, finance officers confirm.
    path(ONE + "savings/", savings_views.AgreementSavingsView.as_view(), name="agreement_savings"),
    path(ONE + "savings/record/", savings_views.SavingsRealisedRecordView.as_view(), name="agreement_saving_record"),
    path(
        ONE + "savings/<int:saving_pk>/confirm/",
        savings_views.SavingsRealisedConfirmView.as_view(),
        name="agreement_saving_confirm",
    ),
    path(ONE + "kpis/<int:kpi_pk>/targets/", views.KpiTargetsView.as_view(), name="kpi_targets"),
    path(ONE + "<slug:kind>/new/", views.ItemEditView.as_view(), name="item_add"),
    path(ONE + "<slug:kind>/<int:item_pk>/edit/", views.ItemEditView.as_view(), name="item_edit"),
    path(ONE + "<slug:kind>/<int:item_pk>/remove/", views.ItemRemoveView.as_view(), name="item_remove"),
    path(ONE + "steps/<slug:action>/", views.AgreementActionView.as_view(), name="agreement_action"),
    # Provider staff: their own organisations' signed agreements, read-only.
    path(PROVIDER, provider_views.ProviderAgreementListView.as_view(), name="provider_agreements"),
    path(PROVIDER + "<int:pk>/", provider_views.ProviderAgreementDetailView.as_view(), name="provider_agreement"),
    path(
        PROVIDER + "<int:pk>/document/",
        provider_views.ProviderDocumentView.as_view(),
        name="provider_agreement_document",
    ),
    # Downloads of council lists, with the list's filters (queued when large; only the requester sees the job).
    path(C + "exports/<slug:kind>.<str:fmt>", export_views.ExportView.as_view(), name="export"),
    path(
        C + "exports/opportunities/<int:opportunity_pk>/<slug:kind>.<str:fmt>",
        export_views.ExportView.as_view(),
        name="export_opportunity",
    ),
    path(C + "exports/jobs/<int:pk>/", export_views.ExportJobView.as_view(), name="export_job"),
    path(C + "exports/jobs/<int:pk>/download/", export_views.ExportDownloadView.as_view(), name="export_download"),
]

# The council's periodic notices: the quarter's payments over £30,000 as Find a Tender's upload.
urlpatterns += [
    path(
        C + "notices/payments-over-30000/<str:quarter>.csv",
        council_notice_views.PaymentsOver30000CsvView.as_view(),
        name="payments_over_30000_csv",
    ),
]

# Dashboards: each role's landing page, scrutiny's notes and agenda flags, and the meeting pack.
urlpatterns += [
    path(C + "dashboard/", dashboard_views.DashboardView.as_view(), name="dashboard"),
    path(C + "dashboard/meeting-pack/", dashboard_views.MeetingPackView.as_view(), name="meeting_pack"),
    path(C + "dashboard/meeting-pack.pdf", dashboard_views.MeetingPackPdfView.as_view(), name="meeting_pack_pdf"),
    path(C + "scrutiny-report/", report_views.ScrutinyReportView.as_view(), name="scrutiny_report"),
    path(
        C + "scrutiny-report.pdf",
        report_views.ScrutinyReportDownloadView.as_view(fmt="pdf"),
        name="scrutiny_report_pdf",
    ),
    path(
        C + "scrutiny-report.xlsx",
        report_views.ScrutinyReportDownloadView.as_view(fmt="xlsx"),
        name="scrutiny_report_xlsx",
    ),
    path(
        C + "commissions/<int:pk>/scrutiny-notes/new/",
        dashboard_views.ScrutinyNoteView.as_view(),
        name="scrutiny_note_add",
    ),
    path(C + "commissions/<int:pk>/agenda-flag/", dashboard_views.AgendaFlagView.as_view(), name="agenda_flag"),
    path("provider/dashboard/", dashboard_views.ProviderDashboardView.as_view(), name="provider_dashboard"),
    # Reporting by corporate outcome: every outcome the person answers for, and one outcome's roll-up.
    path(C + "outcomes/", outcome_views.OutcomeIndexView.as_view(), name="outcome_index"),
    path(C + "outcomes/<int:pk>/", outcome_views.OutcomeReportView.as_view(), name="outcome_report"),
]

# Monitoring returns: officers review them (query or accept with RAG ratings) and assess performance;
# provider staff file them, answer queries and upload evidence.
RETURN = C + "returns/<int:pk>/"
PROVIDER_RETURN = "provider/returns/<int:pk>/"
urlpatterns += [
    path(C + "returns/", returns_views.ReturnListView.as_view(), name="return_list"),
    path(RETURN, returns_views.ReturnDetailView.as_view(), name="return_detail"),
    path(RETURN + "query/", returns_views.ReturnQueryView.as_view(), name="return_query"),
    path(RETURN + "accept/", returns_views.ReturnAcceptView.as_view(), name="return_accept"),
    path(RETURN + "chase/", returns_views.ReturnChaseView.as_view(), name="return_chase"),
    path(RETURN + "evidence/<int:evidence_pk>/", returns_views.ReturnEvidenceView.as_view(), name="return_evidence"),
    path(ONE + "assessment/", returns_views.AssessmentRecordView.as_view(), name="assessment_record"),
    path(C + "monitoring-settings/", returns_views.MonitoringSettingsView.as_view(), name="monitoring_settings"),
    path("provider/returns/", returns_views.ProviderReturnListView.as_view(), name="provider_returns"),
    path(PROVIDER_RETURN, returns_views.ProviderReturnView.as_view(), name="provider_return"),
    path(
        PROVIDER_RETURN + "evidence/new/",
        returns_views.ProviderEvidenceAddView.as_view(),
        name="provider_evidence_add",
    ),
    path(
        PROVIDER_RETURN + "evidence/<int:evidence_pk>/",
        returns_views.ProviderEvidenceView.as_view(),
        name="provider_evidence",
    ),
    path(
        PROVIDER_RETURN + "evidence/<int:evidence_pk>/remove/",
        returns_views.ProviderEvidenceRemoveView.as_view(),
        name="provider_evidence_remove",
    ),
]

# Procurement Act notices: the council's notices page, one notice with its steps, recording its
# publication on Find a Tender (or sending it there), and its OCDS release package.
NOTICE = C + "notices/<int:pk>/"
urlpatterns += [
    path(C + "notices/", notice_views.NoticeListView.as_view(), name="notice_list"),
    path(NOTICE, notice_views.NoticeDetailView.as_view(), name="notice_detail"),
    path(NOTICE + "steps/<slug:name>/", notice_views.NoticeStepView.as_view(), name="notice_step"),
    path(NOTICE + "publish/", notice_views.NoticePublishView.as_view(), name="notice_publish"),
    path(NOTICE + "send/", notice_views.NoticeSendView.as_view(), name="notice_send"),
    path(NOTICE + "release-package.json", notice_views.NoticeDownloadView.as_view(), name="notice_download"),
]

# An agreement's payment terms and clauses (issue 21): the page, recording them, and the results tariff.
urlpatterns += terms_urls.urlpatterns
# Deliverables (set by commissioners, reported in returns, accepted or refused in review) and each
# agreement's own risk register: first, since the KPI and payment items' patterns would take
# "deliverables/new/" and "risks/<pk>/edit/".
urlpatterns = delivery_urls.urlpatterns + urlpatterns
# Provider risk, failure and continuity: continuity plans, flags, interventions, the step after a failure.
urlpatterns += continuity_urls.urlpatterns
