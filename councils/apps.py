from django.apps import AppConfig


class CouncilsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "councils"

    def ready(self):
        from councils import page_cache, sessions

        page_cache.connect_signals()
        sessions.connect_signals()
