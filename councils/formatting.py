"""Numbers as people write them, shared by templates, charts and dashboards."""

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from zoneinfo import ZoneInfo

from django.utils import dateformat, timezone
from django.utils.html import format_html

from councils.units import is_counted, rounded

LONDON = ZoneInfo("Europe/London")


def govuk_tag(colour: str, label) -> str:
    """A GOV.UK tag: `label` (escaped) in `colour`; the word is always there, so colour is never the
    only signal. Written in Python for the lists that draw one or two a row."""
    return format_html('<strong class="govuk-tag govuk-tag--{}">{}</strong>', colour, label)


def quantity_in(value, unit: str) -> str:
    """A target or figure in its unit: whole for counted things (people, sessions), rounded half up,
    so a share of a total worked out before targets were whole never shows as 3.32 sessions."""
    if value is None or value == "":
        return ""
    try:
        number = Decimal(str(value))
    except (InvalidOperation, ValueError):
        return str(value)
    return plain_number(rounded(number, unit) if is_counted(unit) else number)


def plain_number(value) -> str:
    """A quantity as people write it: 100, 2.5, 1,250 (never 1E+2, never trailing zeros)."""
    if value is None or value == "":
        return ""
    try:
        number = Decimal(str(value))
    except (InvalidOperation, ValueError):
        return str(value)
    return f"{number.normalize():,f}"


def money(value) -> str:
    """Pounds with thousands separators; pence only when there are any (£20,000 / £1,250.50)."""
    if value is None or value == "":
        return ""
    try:
        amount = Decimal(str(value)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    except (InvalidOperation, ValueError):
        return str(value)
    sign = "-" if amount < 0 else ""
    amount = abs(amount)
    if amount == amount.to_integral_value():
        return f"{sign}£{amount:,.0f}"
    return f"{sign}£{amount:,.2f}"


def london_time(value) -> str:
    """24 November 2026, 12:00pm — always in London time, whatever the server's zone."""
    local = timezone.localtime(value, LONDON)
    hour = local.hour % 12 or 12
    return f"{dateformat.format(local, 'j F Y')}, {hour}:{local:%M}{'am' if local.hour < 12 else 'pm'}"
