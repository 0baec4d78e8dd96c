"""The remedies log's URLs, included by `monitoring.urls` (before the agreement items' patterns)."""

from django.urls import path

from monitoring.remedies import views

ONE = "council/<slug:council_slug>/agreements/<int:pk>/remedies/"
PROVIDER = "provider/agreements/<int:pk>/remedies/"

urlpatterns = [
    path(ONE, views.RemediesView.as_view(), name="remedies"),
    path(ONE + "<slug:kind>/new/", views.RemedyRecordView.as_view(), name="remedy_record"),
    path(ONE + "<slug:kind>/<int:item_pk>/withdraw/", views.RemedyWithdrawView.as_view(), name="remedy_withdraw"),
    path(ONE + "remedy-plans/<int:item_pk>/close/", views.RemedyPlanCloseView.as_view(), name="remedy_plan_close"),
    path(
        PROVIDER + "<slug:kind>/<int:item_pk>/respond/",
        views.ProviderRespondView.as_view(),
        name="provider_remedy_respond",
    ),
]
