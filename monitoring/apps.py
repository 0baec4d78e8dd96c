from django.apps import AppConfig


class MonitoringConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "monitoring"

    def ready(self):
        # Registers the export task with Celery (tasks outside tasks.py are not autodiscovered).
        from commissioning import ports
        from monitoring.agreements import services as agreements
        from monitoring.exports import services as exports  # noqa: F401
        from monitoring.returns import services as returns  # noqa: F401

        # Commissioning asks for agreements through its port: it never imports this app.
        ports.agreements.register(
            of_cycle=agreements.cycle_agreements,
            draft_for_award=agreements.draft_agreements_for_award,
            cancel_drafts_for_award=agreements.cancel_draft_agreements_for_award,
        )
