from django.apps import AppConfig
from django.db.models.signals import post_save


class CommissioningConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "commissioning"

    def ready(self):
        # Each area registers its machines and effects with the workflow engine when its services
        # load; load them all now, so no step can be taken before its effects are known.
        from commissioning import cpv, handoffs, records
        from commissioning.award import forward_plan  # noqa: F401
        from commissioning.award import services as award  # noqa: F401
        from commissioning.cycle import services as cycle  # noqa: F401
        from commissioning.evaluation import services as evaluation  # noqa: F401
        from commissioning.procurement_record import sources as procurement_record
        from commissioning.programme import services as programme  # noqa: F401
        from commissioning.reviews import services as reviews  # noqa: F401
        from commissioning.social_value.services import install_for_new_council
        from commissioning.sourcing import alerts, sealing
        from commissioning.sourcing.selectors.bids import procurements_walled_by
        from commissioning.sourcing.services import bids, opportunities  # noqa: F401
        from councils.models import Council
        from providers.ports import cpv as cpv_port
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
        # Providers choose the CPV divisions and groups they want to hear about from commissioning's list.
        cpv_port.register(divisions_and_groups=cpv.divisions_and_groups)
        # Publishing an opportunity tells the organisations it matches (commissioning.sourcing.alerts).
        alerts.register()
        # Each new council starts with the default social value measures (existing ones got theirs by migration).
        post_save.connect(install_for_new_council, sender=Council, dispatch_uid="social_value_defaults")
