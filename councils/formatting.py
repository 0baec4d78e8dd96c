"""Numbers as people write them, shared by templates, charts and dashboards."""

from decimal import Decimal, InvalidOperation


def plain_number(value) -> str:
    """A quantity as people write it: 100, 2.5, 1,250 (never 1E+2, never trailing zeros)."""
    if value is None or value == "":
        return ""
    try:
        number = Decimal(str(value))
    except (InvalidOperation, ValueError):
        return str(value)
    return f"{number.normalize():,f}"
