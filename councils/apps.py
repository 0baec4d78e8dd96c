from django.apps import AppConfig
from django.contrib.admin import apps as admin_apps
from django.db.models.signals import post_migrate


class CouncilsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "councils"

    def ready(self):
        from councils import page_cache, retention_kinds, services, sessions, thresholds, uploads

        page_cache.connect_signals()
        sessions.connect_signals()
        uploads.upload_infected.connect(services.record_infected_upload, dispatch_uid="audit-infected-upload")
        retention_kinds.register()
        post_migrate.connect(thresholds.ensure_national_thresholds, sender=self, dispatch_uid="national-thresholds")


class CommissionerAdminConfig(admin_apps.AdminConfig):
    """Django's admin on the project's site: superusers only, filters it declares only."""

    default = False  # `councils` itself is CouncilsConfig; this one is named in INSTALLED_APPS
    default_site = "councils.admin_site.CommissionerAdminSite"
