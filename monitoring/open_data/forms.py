"""The query strings the downloads take: a period (`?from=2026-04-01&to=2027-03-31`, either end optional)
and a financial quarter (`?year=2026&quarter=3`, the current quarter when both are left out). Bad input
is refused with a message that says what to send instead (the views answer 400 with it)."""

from __future__ import annotations

from datetime import date, datetime

from monitoring.open_data.common import Period, financial_quarter, financial_year_of

EARLIEST_YEAR, LATEST_YEAR = 2000, 2100


class BadQuery(ValueError):
    """The query string cannot be used; the message says why, in words a data user can act on."""


def _day(query, key: str):
    raw = query.get(key, "").strip()
    if not raw:
        return None
    try:
        day = datetime.strptime(raw, "%Y-%m-%d").date()  # noqa: DTZ007 (a calendar date, no time)
    except ValueError:
        raise BadQuery(f"‘{key}’ must be a date written as YYYY-MM-DD, for example 2026-04-01.") from None
    if not EARLIEST_YEAR <= day.year <= LATEST_YEAR:
        raise BadQuery(f"‘{key}’ must be a date between {EARLIEST_YEAR} and {LATEST_YEAR}.")
    return day


def parse_period(query) -> Period:
    starts_on, ends_on = _day(query, "from"), _day(query, "to")
    if starts_on and ends_on and starts_on > ends_on:
        raise BadQuery("‘from’ must be the same as or before ‘to’.")
    return Period(starts_on, ends_on)


def parse_quarter(query, today: date) -> tuple[int, int, Period]:
    """(year, quarter, period) of a financial quarter: quarter 1 of 2026 is April to June 2026."""
    year, quarter = query.get("year", "").strip(), query.get("quarter", "").strip()
    if not year and not quarter:
        year, quarter = str(financial_year_of(today)), str((today.month - 4) % 12 // 3 + 1)
    if not year.isdigit() or not EARLIEST_YEAR <= int(year) <= LATEST_YEAR:
        raise BadQuery(
            f"‘year’ must be the year the council's financial year starts in, from {EARLIEST_YEAR} to "
            f"{LATEST_YEAR}: 2026 for April 2026 to March 2027."
        )
    if quarter not in {"1", "2", "3", "4"}:
        raise BadQuery("‘quarter’ must be 1, 2, 3 or 4: quarter 1 is April to June, quarter 4 January to March.")
    return int(year), int(quarter), financial_quarter(int(year), int(quarter))
