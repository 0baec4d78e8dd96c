from django.core.management.base import BaseCommand

from commissioning.demo import seed_commissions
from councils.demo import DEMO_PASSWORD, seed_councils
from providers.demo import seed_providers


class Command(BaseCommand):
    help = "Load the demo councils, people, frameworks, providers and commissions. Safe to run repeatedly."

    def handle(self, *args, **options):
        councils = seed_councils()
        providers = seed_providers()
        commissions = seed_commissions()
        self.stdout.write(
            self.style.SUCCESS(
                f"Demo data ready: {len(councils)} councils, {len(providers)} provider organisations, "
                f"{commissions} new commissions. Every demo login uses the password '{DEMO_PASSWORD}'."
            )
        )
