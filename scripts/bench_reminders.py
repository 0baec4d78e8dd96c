"""Time one reminder sweep over 400,000 due monitoring returns on PostgreSQL.

    make bench-reminders                       # throwaway PostgreSQL from scripts/services.sh
    make bench-reminders BENCH_REMINDER_RETURNS=100000
    scripts/services.sh .venv/bin/python scripts/bench_reminders.py --returns 20000

Builds, with bulk inserts, one council with 8,000 provider organisations (a monitoring contact each),
40,000 live monthly agreements and their returns — all still due, with due dates from 30 days ago to a
week ahead, so that every kind of return reminder is in play (due soon, due today, overdue, escalated).
Then runs one sweep, and a second one (which must add nothing), and prints the time, the queries and
the queries per return and the process's peak RSS; the figures are also written to var/bench/reminders.json.

The schema is built from the models in a separate database that is dropped afterwards, as the test
suite does with --nomigrations.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import time
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
TARGET_SECONDS = 60


def build(returns: int, *, per_agreement: int = 10, agreements_per_provider: int = 5) -> dict:
    from django.contrib.auth.hashers import make_password
    from django.utils import timezone

    from commissioning.models import Commission, State
    from councils.models import Council, Membership, Portfolio, Role, User
    from monitoring.models import Agreement, AgreementState, AgreementType, MonitoringFrequency, MonitoringReturn
    from providers.models import Organisation, OrganisationMember, OrganisationType, ProviderRole, Sector

    today = timezone.localdate()
    agreements_needed = -(-returns // per_agreement)
    providers_needed = -(-agreements_needed // agreements_per_provider)
    unusable = make_password(None)

    council = Council.objects.create(name="Benchmark City Council", slug="benchmark", short_code="BCC")
    lead, holder = User.objects.bulk_create(
        [
            User(email="lead@benchmark.example", full_name="Lead Commissioner", password=unusable),
            User(email="cabinet@benchmark.example", full_name="Cabinet Member", password=unusable),
        ]
    )
    Membership.objects.bulk_create(
        [
            Membership(user=lead, council=council, role=Role.LEAD_COMMISSIONER),
            Membership(user=holder, council=council, role=Role.PORTFOLIO_HOLDER),
        ]
    )
    portfolio = Portfolio.objects.create(council=council, name="Communities", holder=holder)
    commissions = Commission.objects.bulk_create(
        [
            Commission(
                council=council,
                reference=f"BCC-{n:04d}",
                title=f"Community services {n}",
                state=State.DELIVERING,
                lead_officer=lead,
                portfolio=portfolio,
            )
            for n in range(100)
        ]
    )
    organisations = Organisation.objects.bulk_create(
        [
            Organisation(
                legal_name=f"Benchmark Provider {n}",
                slug=f"benchmark-provider-{n}",
                organisation_type=OrganisationType.COMMUNITY_GROUP,
                sector=Sector.VCFS,
            )
            for n in range(providers_needed)
        ],
        batch_size=2000,
    )
    contacts = User.objects.bulk_create(
        [
            User(email=f"returns@provider-{n}.example", full_name=f"Returns Contact {n}", password=unusable)
            for n in range(providers_needed)
        ],
        batch_size=2000,
    )
    # Each contact is the founder of its organisation, so a member by its own registration (consent).
    OrganisationMember.objects.bulk_create(
        [
            OrganisationMember(
                organisation=organisation, user=user, role=ProviderRole.MONITORING_CONTACT, consented_at=timezone.now()
            )
            for organisation, user in zip(organisations, contacts, strict=True)
        ],
        batch_size=2000,
    )
    starts_on = today.replace(day=1) - timedelta(days=365)
    agreements = Agreement.objects.bulk_create(
        [
            Agreement(
                council=council,
                commission=commissions[n % len(commissions)],
                reference=f"BCC-A{n:06d}",
                title=f"Community service agreement {n}",
                agreement_type=AgreementType.CONTRACT,
                provider=organisations[n // agreements_per_provider],
                value=Decimal("12000"),
                starts_on=starts_on,
                ends_on=starts_on + timedelta(days=365 * 3),
                monitoring_frequency=MonitoringFrequency.MONTHLY,
                council_contact=lead,
                state=AgreementState.LIVE,
                live_on=starts_on,
                created_by=lead,
            )
            for n in range(agreements_needed)
        ],
        batch_size=2000,
    )

    def rows():
        made = 0
        for agreement in agreements:
            for period in range(per_agreement):
                if made == returns:
                    return
                first = starts_on + timedelta(days=31 * period)
                yield MonitoringReturn(
                    agreement=agreement,
                    period_start=first,
                    period_end=first + timedelta(days=27),
                    due_on=today + timedelta(days=(made % 38) - 30),
                )
                made += 1

    batch = []
    for row in rows():
        batch.append(row)
        if len(batch) == 5000:
            MonitoringReturn.objects.bulk_create(batch)
            batch = []
    MonitoringReturn.objects.bulk_create(batch)
    return {"providers": providers_needed, "agreements": agreements_needed, "returns": returns}


def measure(function):
    """Run `function`, timing it and counting its statements (each COPY of a batch included) on every
    connection: the sweep writes its batches on a second one."""
    import threading

    from django.db.backends.utils import CursorWrapper

    from monitoring.reminders import outbox

    queries = 0
    lock = threading.Lock()

    def counted(original):
        def wrapper(*args, **kwargs):
            nonlocal queries
            with lock:
                queries += 1
            return original(*args, **kwargs)

        return wrapper

    copy, execute, executemany = outbox.WRITERS["copy"], CursorWrapper.execute, CursorWrapper.executemany
    # COPY goes straight to the driver, past Django's cursor wrapper.
    outbox.WRITERS["copy"] = counted(copy)
    CursorWrapper.execute, CursorWrapper.executemany = counted(execute), counted(executemany)
    try:
        started = time.perf_counter()
        result = function()
        seconds = time.perf_counter() - started
    finally:
        outbox.WRITERS["copy"] = copy
        CursorWrapper.execute, CursorWrapper.executemany = execute, executemany
    return result, seconds, queries


def sweeps(database: str) -> dict:
    """In a fresh process (so its peak RSS is the sweep's, not the fixture build's): two sweeps over the
    database the parent built."""
    import django
    from django.conf import settings

    django.setup()
    from django.db import connection

    connection.settings_dict["NAME"] = database
    settings.DEBUG = False
    from councils.models import SentReminder
    from monitoring.reminders import services as reminders

    first, seconds, queries = measure(reminders.sweep)
    second, rerun_seconds, rerun_queries = measure(reminders.sweep)
    return {
        "reminders_created": first.total,
        "reminders_by_kind": dict(sorted(first.created.items())),
        "seconds": round(seconds, 2),
        "queries": queries,
        "rerun_seconds": round(rerun_seconds, 2),
        "rerun_queries": rerun_queries,
        "rerun_reminders_created": second.total,
        "outbox_rows": SentReminder.objects.count(),
        # Linux reports kilobytes.
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--returns", type=int, default=int(os.environ.get("BENCH_REMINDER_RETURNS") or 400_000))
    parser.add_argument("--profile", metavar="PATH", help="Record the sweeps with py-spy (collapsed stacks) to PATH.")
    parser.add_argument("--sweep-database", help=argparse.SUPPRESS)  # internal: the child process
    args = parser.parse_args()
    if args.sweep_database:
        print(json.dumps(sweeps(args.sweep_database)))
        return 0

    import django
    from django.conf import settings

    django.setup()
    from django.db import connection

    if connection.vendor != "postgresql":
        print("bench_reminders: needs PostgreSQL (run it through scripts/services.sh, or set DATABASE_URL)")
        return 2
    connection.settings_dict["TEST"].update(NAME="commissioner_bench_reminders", MIGRATE=False)
    old_name = connection.creation.create_test_db(verbosity=0, autoclobber=True, keepdb=False)
    # Not the debug cursor: it would format every 1,000-row INSERT for a query log nobody reads.
    settings.DEBUG = False
    try:
        started = time.perf_counter()
        sizes = build(args.returns)
        build_seconds = time.perf_counter() - started
        print(f"bench_reminders: built {sizes} in {build_seconds:.1f}s")
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
        database = connection.settings_dict["NAME"]
        connection.close()
        command = [sys.executable, __file__, "--sweep-database", database]
        if args.profile:
            spy = str(Path(sys.executable).with_name("py-spy"))
            command = [
                spy,
                "record",
                "--idle",
                "--format",
                "raw",
                "--rate",
                "50",
                "--output",
                args.profile,
                "--",
                *command,
            ]
        # This script (or py-spy around it), with a database name it made itself.
        child = subprocess.run(command, capture_output=True, text=True, check=False)  # noqa: S603
        if child.returncode:
            print(child.stdout + child.stderr)
            return child.returncode
        swept = json.loads(next(line for line in reversed(child.stdout.splitlines()) if line.startswith("{")))
        figures = {
            "returns": sizes["returns"],
            "agreements": sizes["agreements"],
            "providers": sizes["providers"],
            "build_seconds": round(build_seconds, 1),
            **swept,
            "queries_per_return": round(swept["queries"] / sizes["returns"], 5),
            "target_seconds": TARGET_SECONDS,
            "postgresql": connection.cursor().connection.server_version,
            "cpus": os.cpu_count(),
            "load_average": [round(n, 2) for n in os.getloadavg()],
        }
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)

    out = ROOT / "var" / "bench"
    out.mkdir(parents=True, exist_ok=True)
    (out / "reminders.json").write_text(json.dumps(figures, indent=2) + "\n")
    print(
        f"bench_reminders: one sweep over {figures['returns']:,} due returns: {figures['seconds']}s, "
        f"{figures['queries']} queries ({figures['queries_per_return']} per return), "
        f"{figures['reminders_created']:,} reminders and notifications written, peak RSS {figures['peak_rss_mb']} MB"
    )
    print(
        f"bench_reminders: the same sweep again: {figures['rerun_seconds']}s, {figures['rerun_queries']} queries, "
        f"{figures['rerun_reminders_created']} new (must be 0)"
    )
    print(f"bench_reminders: figures in {out / 'reminders.json'}")
    ok = figures["seconds"] < TARGET_SECONDS and figures["rerun_reminders_created"] == 0
    if not ok:
        print(f"bench_reminders: FAILED: the target is under {TARGET_SECONDS}s and nothing new on a second run")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
