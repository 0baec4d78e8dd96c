"""The national procurement thresholds that ship with the app (VAT included), kept in the table at
every migrate: like content types, they are made again after a test flushes the database, so no
procurement ever finds the table empty. Migration 0011 shipped the same figures first."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from django.apps import apps as global_apps

from councils.models import ThresholdKind

FROM_2024 = "The thresholds in force from 1 January 2024 until 31 December 2025 (VAT included)"
NEW_2026 = (
    "New thresholds from 1 January 2026 for procurements started on or after that date "
    "(https://www.lupc.ac.uk/news-events/newsarticle/new-financial-thresholds-from-1-january-2026)"
)
NATIONAL_THRESHOLDS = [
    (ThresholdKind.SUB_CENTRAL, date(2024, 1, 1), Decimal("214904"), FROM_2024),
    (ThresholdKind.LIGHT_TOUCH, date(2024, 1, 1), Decimal("663540"), FROM_2024),
    (ThresholdKind.WORKS, date(2024, 1, 1), Decimal("5372609"), FROM_2024),
    (ThresholdKind.SUB_CENTRAL, date(2026, 1, 1), Decimal("207720"), NEW_2026),
    (ThresholdKind.LIGHT_TOUCH, date(2026, 1, 1), Decimal("663540"), NEW_2026),
    (ThresholdKind.WORKS, date(2026, 1, 1), Decimal("5193000"), NEW_2026),
]


def ensure_national_thresholds(using: str = "default", apps=global_apps, **kwargs) -> None:
    """Connected to post_migrate: add any shipped national row that is missing (never changes one).
    Uses the migrated state's model, so a database migrated back before the table is left alone."""
    try:
        model = apps.get_model("councils", "ProcurementThreshold")
    except LookupError:
        return
    for kind, valid_from, amount, source in NATIONAL_THRESHOLDS:
        model.objects.using(using).get_or_create(
            council=None, kind=kind, valid_from=valid_from, defaults={"amount": amount, "source": source}
        )
