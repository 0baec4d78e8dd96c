"""Work out who signs in and which URLs `make bench` measures, from the generated scale data.

Prints JSON: {"password": ..., "users": {kind: email}, "pages": [{"name", "user", "url"}]}.
A page whose URL name does not exist in this version is left out (and listed under "missing").
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings_bench")

import django  # noqa: E402

django.setup()

from django.db.models import Count  # noqa: E402
from django.urls import NoReverseMatch, reverse  # noqa: E402

from commissioning.models import Commission, Evaluation, EvaluationState, State  # noqa: E402
from councils.models import Council  # noqa: E402
from demo.scale_data import SCALE_PASSWORD, bench_logins  # noqa: E402
from monitoring.models import Agreement, AgreementState  # noqa: E402


def first_url(candidates: list[tuple[str, dict]], query: str = "") -> str | None:
    for name, kwargs in candidates:
        try:
            return reverse(name, kwargs=kwargs) + query
        except NoReverseMatch:
            continue
    return None


def main() -> None:
    logins = bench_logins()
    if not logins:
        sys.exit("No scale data: run `manage.py generate_scale_data` first.")
    slug = logins.pop("council_slug")
    council = Council.objects.get(slug=slug)
    c = {"council_slug": slug}
    commission = (
        Commission.objects.filter(council=council, state=State.DELIVERING)
        .annotate(n=Count("agreements"))
        .filter(n__gt=0)
        .order_by("pk")
        .first()
    )
    agreement = (
        Agreement.objects.filter(council=council, state=AgreementState.LIVE)
        .annotate(n=Count("returns"))
        .order_by("-n", "pk")
        .first()
    )
    evaluation = (
        Evaluation.objects.filter(opportunity__council=council, state=EvaluationState.SCORING)
        .select_related("opportunity")
        .order_by("pk")
        .first()
    )
    bid = evaluation.opportunity.bids.filter(state="submitted").order_by("pk").first() if evaluation else None
    officer, lead = "commissioning_officer", "lead_commissioner"
    pages = [
        ("floor (bare view)", "anonymous", first_url([("healthz", {})])),
        ("floor (signed in)", officer, first_url([("healthz", {})])),
        ("public opportunities", "anonymous", first_url([("opportunities:list", {})])),
        ("commission list (filtered)", officer, first_url([("commissioning:list", c)], "?stage=do&value_band=")),
        ("commission list (all)", lead, first_url([("commissioning:list", c)])),
        ("commission detail", officer, first_url([("commissioning:detail", {**c, "pk": commission.pk})])),
        ("agreement with KPI charts", officer, first_url([("monitoring:agreement_detail", {**c, "pk": agreement.pk})])),
        (
            "bid scoring page",
            officer,
            first_url(
                [("commissioning:evaluation_bid", {**c, "opportunity_pk": evaluation.opportunity_id, "bid_pk": bid.pk})]
            )
            if bid
            else None,
        ),
        ("provider portal home", "provider", first_url([("providers:portal", {})])),
        (
            "CSV export (commissions)",
            lead,
            first_url([("monitoring:export", {**c, "kind": "commissions", "fmt": "csv"})], "?stage=do"),
        ),
    ]
    for role, view in (
        (officer, "officer"),
        (lead, "lead"),
        ("portfolio_holder", "portfolio"),
        ("scrutiny_member", "scrutiny"),
    ):
        pages.append(
            (f"dashboard: {role.replace('_', ' ')}", role, first_url([("monitoring:dashboard", c)], f"?view={view}"))
        )
    pages.append(("dashboard: provider", "provider", first_url([("monitoring:provider_dashboard", {})])))
    found = [{"name": name, "user": user, "url": url} for name, user, url in pages if url]
    missing = [name for name, _, url in pages if not url]
    print(
        json.dumps(
            {"password": SCALE_PASSWORD, "council": council.pk, "users": logins, "pages": found, "missing": missing},
            indent=2,
        )
    )


if __name__ == "__main__":
    main()
