from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from councils import views as council_views

urlpatterns = [
    path("", council_views.HomeView.as_view(), name="home"),
    path("sign-in/", council_views.SignInView.as_view(), name="login"),
    path("sign-out/", auth_views.LogoutView.as_view(), name="logout"),
    path("healthz/", council_views.healthz, name="healthz"),
    path("councils/", include("councils.urls")),
    path("commissioning/", include("commissioning.urls")),
    path("providers/", include("providers.urls")),
    path("monitoring/", include("monitoring.urls")),
    path("admin/", admin.site.urls),
]
