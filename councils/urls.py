from django.urls import path

from . import views

app_name = "councils"

urlpatterns = [
    path("<slug:council_slug>/", views.CouncilDetailView.as_view(), name="detail"),
    path("<slug:council_slug>/settings/", views.CouncilSettingsView.as_view(), name="settings"),
    path("<slug:council_slug>/framework/", views.FrameworkView.as_view(), name="framework"),
    path(
        "<slug:council_slug>/framework/<slug:kind>/new/",
        views.FrameworkRecordEditView.as_view(),
        name="framework_add",
    ),
    path(
        "<slug:council_slug>/framework/<slug:kind>/<int:pk>/edit/",
        views.FrameworkRecordEditView.as_view(),
        name="framework_edit",
    ),
    path("<slug:council_slug>/people/", views.PeopleView.as_view(), name="people"),
    path("<slug:council_slug>/people/new/", views.MembershipCreateView.as_view(), name="membership_add"),
    path(
        "<slug:council_slug>/people/<int:pk>/remove/",
        views.MembershipRevokeView.as_view(),
        name="membership_remove",
    ),
    path("<slug:council_slug>/audit/", views.AuditLogView.as_view(), name="audit"),
]
