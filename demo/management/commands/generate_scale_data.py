import json
import time

from django.core.management.base import BaseCommand, CommandError

from demo.scale_data import Sizes, already_generated, generate


class Command(BaseCommand):
    help = (
        "Build a council-scale (or, with --national, country-scale) data set with bulk inserts (councils, people "
        "in every role, providers, commissions in every state, opportunities, bids, agreements, KPIs, payments and "
        "monitoring returns), for performance work."
    )

    def add_arguments(self, parser):
        defaults = Sizes()
        for name in ("councils", "providers", "commissions", "bids", "returns"):
            parser.add_argument(f"--{name}", type=int, default=getattr(defaults, name))
        presets = parser.add_mutually_exclusive_group()
        presets.add_argument("--small", action="store_true", help="A small preset for tests and trying it out.")
        presets.add_argument(
            "--national",
            action="store_true",
            help="Every council in the country: 400 councils, 50,000 providers, 100,000 commissions, "
            "1,000,000 bids and 2,000,000 returns (PostgreSQL: about 7 minutes on 2 cores).",
        )
        parser.add_argument("--seed", type=int, default=2026)
        parser.add_argument("--json", action="store_true", help="Print the counts as JSON.")

    @staticmethod
    def sizes(options: dict) -> Sizes:
        """The presets win over the single counts."""
        if options["small"]:
            sizes = Sizes.small()
        elif options["national"]:
            sizes = Sizes.national()
        else:
            sizes = Sizes(
                **{name: options[name] for name in ("councils", "providers", "commissions", "bids", "returns")}
            )
        if min(sizes.councils, sizes.providers, sizes.commissions) < 1:
            raise CommandError("Councils, providers and commissions must each be at least 1.")
        return sizes

    def handle(self, *args, **options):
        sizes = self.sizes(options)
        if already_generated():
            raise CommandError("Scale data is already loaded in this database: start from an empty database.")
        started = time.monotonic()
        report = generate(
            sizes,
            seed=options["seed"],
            progress=lambda message: self.stderr.write(f"… {time.monotonic() - started:6.1f} s: {message}"),
        )
        if options["json"]:
            self.stdout.write(json.dumps({"seconds": round(report.seconds, 1), "counts": report.counts}))
        else:
            counts = ", ".join(f"{value:,} {name.replace('_', ' ')}" for name, value in report.counts.items())
            self.stdout.write(self.style.SUCCESS(f"Generated in {report.seconds:.1f} s: {counts}."))
