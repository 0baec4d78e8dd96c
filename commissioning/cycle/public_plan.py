"""What the public reads of a council's commissioning, once its administrator publishes it: the
framework (the current corporate plan, its priorities, outcomes and themes) and the commissioning
plan (the commissions it intends, by sector and financial year, and its forward plan of key decisions).

A sector is the CPV division of the commission's main CPV code (85 Health and social work services,
92 Recreational, cultural and sporting services, ...): the one classification every commission can
carry and that providers search by. A commission whose code is not set yet is listed as such.
Unpublished (or never published) answers None, and the page a 404.

Only what a council publishes in its papers is read here: no budget (an estimate before the market is
tested is not published), no officer's name.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Prefetch

from commissioning.award.selectors import forward_plan
from commissioning.cpv import lookup
from commissioning.models import Commission, State
from councils.financial_year import financial_year_label, financial_year_of
from councils.models import CorporatePlan, Council, Outcome, Priority

# Commissions still being understood or planned: the council's intentions, not yet decisions.
INTENDED_STATES = (State.UNDERSTANDING, State.PLANNING, State.AWAITING_APPROVAL)
NO_SECTOR = "Sector not decided yet"
NO_YEAR = "Start not set yet"


def published_framework(council: Council) -> CorporatePlan | None:
    """The current corporate plan (the latest when none is marked current), with its priorities,
    outcomes (and their portfolios) and themes in three queries after the plan's; None unless published."""
    if council.framework_published_at is None:
        return None
    outcomes = Outcome.objects.select_related("portfolio")
    priorities = Priority.objects.prefetch_related(Prefetch("outcomes", queryset=outcomes))
    return (
        CorporatePlan.objects.filter(council=council)
        .prefetch_related(Prefetch("priorities", queryset=priorities), "themes")
        .order_by("-is_current", "-start_year", "id")
        .first()
    )


@dataclass
class Sector:
    code: str
    label: str
    intentions: list[Commission] = field(default_factory=list)

    def count_in(self, year: int | None) -> int:
        return sum(1 for commission in self.intentions if commission.start_year == year)


def sector_of(commission: Commission) -> tuple[str, str]:
    """(division code, its name) of the commission's main CPV code; ("", NO_SECTOR) without one."""
    if not commission.cpv_code:
        return "", NO_SECTOR
    division = lookup(f"{commission.cpv_code[:2]}000000")
    return commission.cpv_code[:2], division.label if division else NO_SECTOR


def published_plan(council: Council) -> dict | None:
    """The commissioning plan: intentions by sector (sectors by name, the unclassified last), the
    financial years they are planned to start in, and the forward plan; None unless published."""
    if council.plan_published_at is None:
        return None
    commissions = (
        Commission.objects.filter(council=council, state__in=INTENDED_STATES)
        .select_related("portfolio")
        .prefetch_related("outcomes")
        .order_by("starts_on", "reference")
    )
    sectors: dict[str, Sector] = {}
    years: set[int] = set()
    for commission in commissions:
        commission.start_year = financial_year_of(commission.starts_on) if commission.starts_on else None
        commission.start_year_label = (
            financial_year_label(commission.start_year) if commission.start_year is not None else NO_YEAR
        )
        if commission.start_year is not None:
            years.add(commission.start_year)
        code, label = sector_of(commission)
        sectors.setdefault(code, Sector(code, label)).intentions.append(commission)
    ordered = sorted(sectors.values(), key=lambda s: (s.code == "", s.label))
    columns = [*sorted(years), None] if any(s.count_in(None) for s in ordered) else sorted(years)
    grid = defaultdict(dict)
    for sector in ordered:
        for year in columns:
            grid[sector.code][year] = sector.count_in(year)
    return {
        "sectors": ordered,
        "years": [(year, financial_year_label(year) if year is not None else NO_YEAR) for year in columns],
        "grid": [{"sector": sector, "counts": [grid[sector.code][year] for year in columns]} for sector in ordered],
        "count": sum(len(s.intentions) for s in ordered),
        "forward_plan": list(forward_plan(council)),
    }
