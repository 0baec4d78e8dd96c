from django.apps import AppConfig


class CommissioningConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "commissioning"

    def ready(self):
        # Each area registers its machines and effects with the workflow engine when its services
        # load; load them all now, so no step can be taken before its effects are known.
        from commissioning import handoffs, records
        from commissioning.award import forward_plan  # noqa: F401
        from commissioning.award import services as award  # noqa: F401
        from commissioning.cycle import services as cycle  # noqa: F401
        from commissioning.evaluation import services as evaluation  # noqa: F401
        from commissioning.procurement_record import sources as procurement_record
        from commissioning.reviews import services as reviews  # noqa: F401
        from commissioning.sourcing import sealing
        from commissioning.sourcing.selectors.bids import procurements_walled_by
        from commissioning.sourcing.services import bids, opportunities  # noqa: F401
        from providers.ports import procurements

        # What each hand-off of the commissioning machines tells, and to whom (councils.handoffs).
        handoffs.register()
        # Erasure holds and subject access sections (councils.erasure, councils.subject_access).
        records.register()
        # Audit events about a bid stay sealed until its opportunity's bids are opened.
        sealing.register()
        # The procurement record (s.98) lists the cycle's decisions and what passed between the council and bidders.
        procurement_record.register_sources()
        # The invitation page names the procurements joining an organisation would wall someone out of.
        procurements.register(walled_by=procurements_walled_by)
