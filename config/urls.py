from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from councils import legal_views
from councils import views as council_views

urlpatterns = [
    path("", council_views.HomeView.as_view(), name="home"),
    path("sign-in/", council_views.SignInView.as_view(), name="login"),
    path("sign-out/", auth_views.LogoutView.as_view(), name="logout"),
    path("password/reset/", council_views.PasswordResetView.as_view(), name="password_reset"),
    path(
        "password/reset/sent/",
        auth_views.PasswordResetDoneView.as_view(template_name="registration/password_reset_done.html"),
        name="password_reset_done",
    ),
    path(
        "password/reset/<uidb64>/<token>/",
        council_views.PasswordResetConfirmView.as_view(),
        name="password_reset_confirm",
    ),
    path(
        "password/reset/done/",
        auth_views.PasswordResetCompleteView.as_view(template_name="registration/password_reset_complete.html"),
        name="password_reset_complete",
    ),
    path("healthz/", council_views.healthz, name="healthz"),
    # The service's own accessibility statement and privacy notice (each council has its own as well).
    path("accessibility/", legal_views.AccessibilityStatementView.as_view(), name="accessibility"),
    path("privacy/", legal_views.PrivacyNoticeView.as_view(), name="privacy"),
    path("account/", include("councils.account_urls")),
    path("councils/", include("councils.urls")),
    path("commissioning/", include("commissioning.urls")),
    path("opportunities/", include("commissioning.public_urls")),
    path("bids/", include("commissioning.sourcing.bid_urls")),
    path("providers/", include("providers.urls")),
    path("monitoring/", include("monitoring.urls")),
    path("open-data/", include("monitoring.open_data.urls")),
    path("admin/", admin.site.urls),
]
