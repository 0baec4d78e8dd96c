"""Give councils the default social value themes and measures they do not have yet."""

from django.core.management.base import BaseCommand, CommandError

from commissioning.social_value.services import install_default_measures
from councils.models import Council


class Command(BaseCommand):
    help = "Add the default social value themes and measures to every council (or one), keeping their own."

    def add_arguments(self, parser):
        parser.add_argument("--council", help="The council's slug (all councils when left out).")

    def handle(self, *args, council=None, **options):
        councils = Council.objects.order_by("name")
        if council:
            councils = councils.filter(slug=council)
            if not councils.exists():
                raise CommandError(f"No council with the slug ‘{council}’.")
        for each in councils:
            added = install_default_measures(each)
            self.stdout.write(f"{each.name}: {added} measure{'s' if added != 1 else ''} added.")
