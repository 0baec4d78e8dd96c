from django.apps import AppConfig


class ProvidersConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "providers"

    def ready(self):
        from councils import sessions
        from providers import records
        from providers.models import OrganisationMember

        # A provider role given, changed or taken away: the person's sessions get a new key.
        sessions.watch_roles(OrganisationMember)
        # Erasure holds and subject access sections (councils.erasure, councils.subject_access).
        records.register()
