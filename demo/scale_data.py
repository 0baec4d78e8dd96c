"""A council-scale data set for performance work: many councils, providers, commissions, bids and returns.

`python manage.py generate_scale_data` builds it with bulk inserts (never one save per row: PostgreSQL's
`COPY`, bulk_create on SQLite), spread across every state, stage, role and council, so that list pages,
dashboards and the reminder sweep can be measured against years of data; `--national` builds eight times
as much (400 councils, a million bids). It writes rows directly — the one place outside the services that does — because
replaying each record's history through the services would take hours at this size. Nothing here runs in
production: it refuses to run unless asked to (`--yes` or an empty database).

Every generated user's password is `SCALE_PASSWORD`; the first council's people are listed by `bench_logins()`.

The rows are built family by family (`demo.scale_people`, `demo.scale_cycle`, `demo.scale_monitoring`,
with their shared helpers in `demo.scale_base`); this module combines them and is what the management
command, the tests and the load benchmark call.
"""

from __future__ import annotations

import gc
import random
import time
from dataclasses import dataclass

from django.contrib.auth.hashers import make_password
from django.db import connection, transaction
from django.utils import timezone

from councils.models import Council, Membership, Role
from demo.scale_base import PREFIX
from demo.scale_cycle import CycleFamily
from demo.scale_monitoring import MonitoringFamily
from demo.scale_people import PeopleFamily
from providers.models import OrganisationMember

SCALE_PASSWORD = "commissioner-scale"  # noqa: S105  (generated test data only)


@dataclass(frozen=True)
class Sizes:
    councils: int = 50
    providers: int = 5000
    commissions: int = 20000
    bids: int = 100000
    returns: int = 500000

    @classmethod
    def small(cls) -> Sizes:
        return cls(councils=2, providers=30, commissions=40, bids=120, returns=400)

    @classmethod
    def national(cls) -> Sizes:
        """Every council in the country on one deployment: eight times the council-scale set."""
        return cls(councils=400, providers=50000, commissions=100000, bids=1000000, returns=2000000)


@dataclass
class Report:
    sizes: Sizes
    counts: dict
    seconds: float


def already_generated() -> bool:
    return Council.objects.filter(slug__startswith=f"{PREFIX}-").exists()


def bench_logins() -> dict[str, str]:
    """One email per kind of user in the first generated council, for the load benchmark."""
    council = Council.objects.filter(slug__startswith=f"{PREFIX}-").order_by("slug").first()
    if council is None:
        return {}
    logins = {}
    for role in Role.values:
        membership = (
            Membership.objects.filter(council=council, role=role).select_related("user").order_by("user_id").first()
        )
        if membership:
            logins[role] = membership.user.email
    member = (
        OrganisationMember.objects.filter(organisation__bids__opportunity__council=council)
        .select_related("user")
        .order_by("user_id")
        .first()
    )
    if member:
        logins["provider"] = member.user.email
    logins["council_slug"] = council.slug
    return logins


class Generator(PeopleFamily, CycleFamily, MonitoringFamily):
    def __init__(self, sizes: Sizes, seed: int = 2026, progress=None, copy: bool | None = None):
        self.sizes = sizes
        # None: COPY on PostgreSQL, bulk_create elsewhere; False forces bulk_create (to compare the two).
        self.copy = copy
        self.rng = random.Random(seed)  # noqa: S311  (reproducible data, not secrets)
        self.progress = progress or (lambda message: None)
        self.today = timezone.localdate()
        self.password = make_password(SCALE_PASSWORD)
        self.counts: dict[str, int] = {}

    def run(self) -> Report:
        started = time.monotonic()
        # Millions of rows pass through here, and the cyclic garbage collector's full passes over the ever larger
        # heap (the councils, commissions and agreements kept for later families) cost more than the rows: none
        # of what is built here is cyclic garbage worth collecting while it runs.
        collecting = gc.isenabled()
        gc.disable()
        try:
            self.build()
        finally:
            if collecting:
                gc.enable()
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE")
        return Report(sizes=self.sizes, counts=self.counts, seconds=time.monotonic() - started)

    def build(self) -> None:
        with transaction.atomic():
            self.councils()
            self.providers()
            self.commissions()
            self.opportunities()
            self.bids()
            self.evaluations()
            self.agreements()
            self.returns()
            self.progress("checking the foreign keys (PostgreSQL checks them on commit)")
        self.progress("analysing the tables")


def generate(sizes: Sizes, *, seed: int = 2026, progress=None, copy: bool | None = None) -> Report:
    return Generator(sizes, seed=seed, progress=progress, copy=copy).run()
