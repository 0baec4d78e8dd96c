"""The procurement record's pages, under a commission (added to `commissioning.urls`)."""

from django.urls import path

from commissioning.procurement_record import views

ONE = "<slug:council_slug>/<int:pk>/"

urlpatterns = [
    path(ONE + "procurement-record/", views.ProcurementRecordView.as_view(), name="procurement_record"),
    path(ONE + "procurement-record.csv", views.ProcurementRecordCsvView.as_view(), name="procurement_record_csv"),
]
