from django.core.management.base import BaseCommand

from demo.agreements import seed_agreements
from demo.awards import seed_awards
from demo.bids import seed_bids
from demo.commissions import seed_commissions
from demo.continuity import seed_continuity
from demo.councils import DEMO_PASSWORD, DEMO_TOTP_SECRET, seed_councils
from demo.engagement import seed_engagement
from demo.evaluations import seed_evaluations
from demo.groups import seed_working_groups
from demo.invoices import seed_invoices
from demo.opportunities import seed_opportunities
from demo.programmes import seed_programmes
from demo.providers import seed_providers
from demo.publication import seed_publication
from demo.regimes import seed_notices, seed_regimes
from demo.remedies import seed_remedies
from demo.reviews import seed_reviews
from demo.savings import seed_savings
from monitoring.reminders.services import sweep


class Command(BaseCommand):
    help = (
        "Load the demo councils, people, frameworks, providers, commissions, opportunities, bids, "
        "evaluations, awards, agreements, a remedies log, invoices, reviews of existing services, prioritised "
        "programmes and savings. Safe to run repeatedly."
    )

    def handle(self, *args, **options):
        councils = seed_councils()
        providers = seed_providers()
        commissions = seed_commissions()
        opportunities = seed_opportunities()
        bids = seed_bids()
        evaluations = seed_evaluations()
        awards = seed_awards()
        agreements = seed_agreements()
        regimes = seed_regimes()
        # Before the invoices: the invoice for the payment a deduction was taken from is paid net of it.
        remedies = seed_remedies()
        invoices = seed_invoices()
        seed_notices()
        reviews = seed_reviews()
        savings = seed_savings()
        continuity = seed_continuity()
        notes = seed_publication()
        # After the reviews: the ones still running are put forward with the commissions.
        programmes = seed_programmes()
        groups = seed_working_groups()
        consultations = seed_engagement()
        self.stdout.write(
            self.style.SUCCESS(
                f"Demo data ready: {len(councils)} councils, {len(providers)} provider organisations, "
                f"{commissions} new commissions, {opportunities} new opportunities, {bids} new bids, "
                f"{evaluations} new evaluations, {awards} new awards, {agreements} new agreements, "
                f"{invoices} new invoices, {remedies} new remedies log entries, {regimes} new procurements under each "
                f"regime, {reviews} new reviews of "
                f"existing services, {programmes} new programmes, savings on {savings} commissions and reviews, "
                f"{groups} new member working groups, {consultations} new consultation on drafts, {notes} new "
                f"scrutiny notes, {continuity} new continuity records; every council's framework and "
                "commissioning plan published. "
                f"Every demo login uses the password '{DEMO_PASSWORD}'."
            )
        )
        self.stdout.write(
            f"Demo council staff sign in with two-factor codes from the demo key {DEMO_TOTP_SECRET} "
            "(add it to an authenticator app as a time-based key, or run `python manage.py demo_code`)."
        )
        # Today's reminders, so the demo opens with notifications (the worker emails them; nothing twice).

        self.stdout.write(f"Reminders: {sweep().summary()}.")
