from django.apps import AppConfig


class CouncilsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "councils"

    def ready(self):
        from councils import page_cache, retention_kinds, services, sessions, uploads

        page_cache.connect_signals()
        sessions.connect_signals()
        uploads.upload_infected.connect(services.record_infected_upload, dispatch_uid="audit-infected-upload")
        retention_kinds.register()
