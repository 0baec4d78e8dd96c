from django.urls import path

from councils import legal_views, notification_views, publication_views, views

app_name = "councils"

urlpatterns = [
    # Everyone's own notifications (before the council pages, whose first part is any slug).
    path("notifications/", notification_views.NotificationListView.as_view(), name="notifications"),
    path(
        "notifications/read-all/", notification_views.NotificationReadAllView.as_view(), name="notifications_read_all"
    ),
    path(
        "notifications/reminder-emails/",
        notification_views.NotificationPreferenceView.as_view(),
        name="notification_preferences",
    ),
    path("notifications/<int:pk>/", notification_views.NotificationOpenView.as_view(), name="notification_open"),
    path("notifications/<int:pk>/read/", notification_views.NotificationReadView.as_view(), name="notification_read"),
    path("<slug:council_slug>/", views.CouncilDetailView.as_view(), name="detail"),
    path("<slug:council_slug>/settings/", views.CouncilSettingsView.as_view(), name="settings"),
    # Public, no sign-in: the council's accessibility statement and privacy notice.
    path("<slug:council_slug>/accessibility/", legal_views.AccessibilityStatementView.as_view(), name="accessibility"),
    path("<slug:council_slug>/privacy/", legal_views.PrivacyNoticeView.as_view(), name="privacy"),
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
    # The council administrator publishes the framework and the commissioning plan (public pages under
    # opportunities:framework and opportunities:plan).
    path("<slug:council_slug>/publication/", publication_views.PublicationView.as_view(), name="publication"),
    path("<slug:council_slug>/people/", views.PeopleView.as_view(), name="people"),
    path("<slug:council_slug>/people/new/", views.MembershipCreateView.as_view(), name="membership_add"),
    path(
        "<slug:council_slug>/people/<int:pk>/remove/",
        views.MembershipRevokeView.as_view(),
        name="membership_remove",
    ),
    path("<slug:council_slug>/thresholds/", views.ThresholdListView.as_view(), name="thresholds"),
    path("<slug:council_slug>/thresholds/new/", views.ThresholdCreateView.as_view(), name="threshold_add"),
    path("<slug:council_slug>/audit/", views.AuditLogView.as_view(), name="audit"),
    path("<slug:council_slug>/reminders/", notification_views.ReminderRulesView.as_view(), name="reminder_rules"),
    path(
        "<slug:council_slug>/reminders/<slug:kind>/",
        notification_views.ReminderRuleEditView.as_view(),
        name="reminder_rule_edit",
    ),
]
