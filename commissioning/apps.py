from django.apps import AppConfig


class CommissioningConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "commissioning"

    def ready(self):
        # Each area registers its machines and effects with the workflow engine when its services
        # load; load them all now, so no step can be taken before its effects are known.
        from commissioning.award import forward_plan  # noqa: F401
        from commissioning.award import services as award  # noqa: F401
        from commissioning.cycle import services as cycle  # noqa: F401
        from commissioning.evaluation import services as evaluation  # noqa: F401

        # The invitation page names the procurements joining an organisation would wall someone out of.
        from commissioning.sourcing.selectors.bids import procurements_walled_by
        from commissioning.sourcing.services import bids, opportunities  # noqa: F401
        from providers.ports import procurements

        procurements.register(walled_by=procurements_walled_by)
