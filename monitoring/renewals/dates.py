"""Renewals: when the council must decide on an agreement's next extension option.

An agreement with extension options left, whose terms ask for notice to extend
(`Agreement.extension_notice_days`), has an extension notice date: its current end date less the
notice period, in calendar days as contracts count them. It moves with the end date, so each
extension taken brings a new notice date, until no option is left.

The dates are worked out in the database as well, so the reminder sweep and the dashboard's expiry
pipeline can filter and order on them in one query.
"""

from __future__ import annotations

from datetime import date, timedelta

from django.db.models import Case, Count, DateField, F, Func, IntegerField, OuterRef, Q, QuerySet, Subquery, When
from django.db.models.functions import Coalesce

from monitoring.models import Agreement, AgreementVariation, VariationKind


class DaysBefore(Func):
    """`day` less `days` whole days, in SQL: PostgreSQL subtracts an integer from a date; SQLite's
    date() takes a modifier."""

    arg_joiner = " - "
    template = "(%(expressions)s)"
    output_field = DateField()

    def __init__(self, day, days, **extra):
        super().__init__(day, days, **extra)

    def as_sqlite(self, compiler, connection, **extra):
        return super().as_sql(
            compiler, connection, arg_joiner=", '-' || ", template="date(%(expressions)s || ' days')", **extra
        )


def extensions_taken() -> Coalesce:
    """How many extensions the agreement has taken (each is a variation of its own)."""
    taken = (
        AgreementVariation.objects.filter(agreement=OuterRef("pk"), kind=VariationKind.EXTENSION)
        .order_by()
        .values("agreement")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Coalesce(Subquery(taken, output_field=IntegerField()), 0)


def with_extension_notice(agreements: QuerySet[Agreement]) -> QuerySet[Agreement]:
    """Annotate `extensions_taken` and `extension_notice_on`: the date notice to extend is due, or None
    when no notice is needed or no extension option is left."""
    pending = Q(extension_notice_days__gt=0, max_extensions__gt=F("extensions_taken"))
    return agreements.annotate(extensions_taken=extensions_taken()).annotate(
        extension_notice_on=Case(
            When(pending, then=DaysBefore(F("ends_on"), F("extension_notice_days"))), output_field=DateField()
        )
    )


def extension_notice_on(agreement: Agreement, taken: int) -> date | None:
    """The same date for one agreement in hand, given how many extensions it has taken."""
    if not agreement.extension_notice_days or taken >= agreement.max_extensions:
        return None
    return agreement.ends_on - timedelta(days=agreement.extension_notice_days)
