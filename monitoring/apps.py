from django.apps import AppConfig


class MonitoringConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "monitoring"

    def ready(self):
        # Registers the export task with Celery (tasks outside tasks.py are not autodiscovered).
        from commissioning import ports
        from councils import handoffs, page_cache, workflow
        from monitoring import records, tasks
        from monitoring.agreements import handoffs as agreement_handoffs
        from monitoring.agreements import procurement_record as agreement_record
        from monitoring.agreements import selectors as agreement_selectors
        from monitoring.agreements import steps as agreements
        from monitoring.agreements import variations  # noqa: F401
        from monitoring.dashboards.selectors import provider as provider_dashboard
        from monitoring.delivery import deliverables  # noqa: F401 (registers the deliverables' machine)
        from monitoring.exports import services as exports  # noqa: F401
        from monitoring.notices import changes as change_notices  # noqa: F401
        from monitoring.notices import contract as contract_notices  # noqa: F401
        from monitoring.notices import council as council_notices  # noqa: F401
        from monitoring.notices import handoffs as notice_handoffs
        from monitoring.notices import performance as performance_notices  # noqa: F401
        from monitoring.notices import procurement as procurement_notices  # noqa: F401
        from monitoring.notices import procurement_record as notice_record
        from monitoring.notices import selectors as notice_selectors
        from monitoring.notices import services as notices  # noqa: F401
        from monitoring.notices import upkeep as notice_upkeep
        from monitoring.returns import handoffs as return_handoffs
        from monitoring.returns import services as returns  # noqa: F401
        from monitoring.reviews import ports as reviewed_agreements
        from monitoring.savings import selectors as savings_selectors

        # Commissioning asks for agreements through its port: it never imports this app.
        ports.agreements.register(
            of_cycle=agreements.cycle_agreements,
            of_award=agreements.agreements_of_award,
            page_section=agreement_selectors.commission_agreements_section,
            draft_for_award=agreements.draft_agreements_for_award,
            cancel_drafts_for_award=agreements.cancel_draft_agreements_for_award,
        )
        # The procurement record lists each agreement signed (the contract entered into) and what followed.
        agreement_record.register_source()
        notice_record.register_source()
        ports.notices.register(page_section=notice_selectors.commission_notices_section)
        ports.savings.register(realised_by_year=savings_selectors.realised_by_year)
        # The agreements a review of existing services covers are kept here.
        ports.reviewed_agreements.register(
            choices=reviewed_agreements.choices,
            of_review=reviewed_agreements.of_review,
            cover=reviewed_agreements.cover,
        )
        # The provider portal and dashboard are kept until a council their organisations deal with changes.
        page_cache.organisation_councils_from(provider_dashboard.organisation_council_ids)
        # Every step of every machine, and the changes announced outside it, keep the notices up to date.
        workflow.listen(notice_upkeep.refresh_after_step)
        # What councils.handoffs records goes out by email from the outbox, promptly.
        handoffs.on_commit_deliver(tasks.deliver_soon)
        return_handoffs.register()
        notice_handoffs.register()
        agreement_handoffs.register()
        # Retention, erasure holds and subject access for agreements, returns and bids (councils.retention).
        records.register()
