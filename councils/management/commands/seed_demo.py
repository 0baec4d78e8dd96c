from django.core.management.base import BaseCommand

from commissioning.bid_demo import seed_bids
from commissioning.demo import seed_commissions
from commissioning.opportunity_demo import seed_opportunities
from councils.demo import DEMO_PASSWORD, seed_councils
from monitoring.demo import seed_agreements
from providers.demo import seed_providers


class Command(BaseCommand):
    help = (
        "Load the demo councils, people, frameworks, providers, commissions, opportunities, bids and "
        "agreements. Safe to run repeatedly."
    )

    def handle(self, *args, **options):
        councils = seed_councils()
        providers = seed_providers()
        commissions = seed_commissions()
        opportunities = seed_opportunities()
        bids = seed_bids()
        agreements = seed_agreements()
        self.stdout.write(
            self.style.SUCCESS(
                f"Demo data ready: {len(councils)} councils, {len(providers)} provider organisations, "
                f"{commissions} new commissions, {opportunities} new opportunities, {bids} new bids, "
                f"{agreements} new agreements. Every demo login uses the password '{DEMO_PASSWORD}'."
            )
        )
