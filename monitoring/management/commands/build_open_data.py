"""Build the open data files now, for every council or one (``--council SLUG``): what the nightly
Celery task does (`monitoring.open_data.nightly`), for deployments that schedule with cron, e.g.
``0 3 * * * python manage.py build_open_data``, and to publish at once after a correction."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from councils.models import Council
from monitoring.open_data.nightly import Build, build_all


class Command(BaseCommand):
    help = "Write every council's open data files (OCDS, 360Giving, Transparency Code) to the file storage."

    def add_arguments(self, parser):
        parser.add_argument("--council", metavar="SLUG", help="Only this council's files.")

    def handle(self, *args, council=None, **options):
        councils = None
        if council:
            found = Council.objects.filter(slug=council).first()
            if found is None:
                raise CommandError(f"No council with the slug ‘{council}’.")
            councils = [found]

        def report(build: Build) -> None:
            self.stdout.write(
                f"{build.council}: {len(build.files)} files, {build.rows:,} rows, {build.bytes:,} bytes "
                f"in {build.seconds:.1f}s"
            )

        builds = build_all(councils=councils, report=report)
        self.stdout.write(f"Open data built for {len(builds)} council{'s' if len(builds) != 1 else ''}.")
