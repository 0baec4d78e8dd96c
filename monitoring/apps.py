from django.apps import AppConfig


class MonitoringConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "monitoring"

    def ready(self):
        # Registers the export task with Celery (tasks outside tasks.py are not autodiscovered).
        from monitoring.exports import services as exports  # noqa: F401
