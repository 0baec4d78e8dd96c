from django.apps import AppConfig


class ProvidersConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "providers"

    def ready(self):
        # Erasure holds and subject access sections (councils.erasure, councils.subject_access).
        from providers import records

        records.register()
