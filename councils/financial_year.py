"""The council's financial year, 1 April to 31 March, named by the year it starts in (2026 is 2026/27).

Savings, budgets and the dashboards' year filter all count in these years; kept in the base app so
every app names them the same way.
"""

from __future__ import annotations

from datetime import date

# Years a figure may be recorded against: wide enough for any medium-term plan, narrow enough to
# catch a typing slip (20226).
EARLIEST_YEAR = 2000
LATEST_YEAR = 2099


def financial_year_of(day: date) -> int:
    """24 November 2026 is in 2026/27 (→ 2026); 31 March 2027 still is."""
    return day.year if day.month >= 4 else day.year - 1


def financial_year_label(start_year: int) -> str:
    return f"{start_year}/{str(start_year + 1)[-2:]}"


def financial_year_bounds(start_year: int) -> tuple[date, date]:
    return date(start_year, 4, 1), date(start_year + 1, 3, 31)


def financial_year_choices(first: int, last: int) -> list[tuple[int, str]]:
    return [(year, financial_year_label(year)) for year in range(first, last + 1)]
