from django.urls import path

from monitoring.open_data import views

app_name = "open_data"

C = "<slug:council_slug>/"

# Public, no sign-in: every council's open data pages and files.
urlpatterns = [
    path("", views.OpenDataHomeView.as_view(), name="home"),
    path(C, views.CouncilOpenDataView.as_view(), name="council"),
    path(C + "awards/", views.AwardsView.as_view(), name="awards"),
    path(C + "grants/", views.GrantsView.as_view(), name="grants"),
    path(C + "ocds.json", views.OcdsPackageView.as_view(), name="ocds"),
    path(C + "ocds/<str:key>.json", views.CommissionOcdsView.as_view(), name="ocds_commission"),
    path(C + "360giving.json", views.GrantsJsonView.as_view(), name="360giving_json"),
    path(C + "360giving.csv", views.GrantsCsvView.as_view(), name="360giving_csv"),
    path(C + "transparency/<slug:kind>.csv", views.TransparencyCsvView.as_view(), name="transparency"),
]
