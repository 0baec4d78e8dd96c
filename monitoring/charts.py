"""Line charts drawn on the server as inline SVG.

No script and no CDN, and no inline styles either (the Content-Security-Policy forbids them): the
template `monitoring/returns/_line_chart.html` draws the chart with SVG presentation attributes
only (`stroke`, `fill`, `stroke-dasharray`, …). Every chart carries the same figures as a table, which
the template shows with it for people who cannot see the chart.

    chart = line_chart(
        chart_id="kpi-12",
        title="Sessions delivered",
        description="Actual against target for each quarter.",
        categories=["Apr 2026", "Jul 2026"],
        series=[Series("Target", [Decimal(60), Decimal(60)], colour=BLACK, dashed=True),
                Series("Actual", [Decimal(55), None])],
        value_format=lambda value: f"{value:,.0f}",
    )
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal

# GOV.UK Design System colours, each with at least 3:1 contrast against white.
BLUE = "#1d70b8"
BLACK = "#0b0c0c"
GREEN = "#00703c"
RED = "#d4351c"
PURPLE = "#4c2c92"
GREY = "#505a5f"
GRID = "#b1b4b6"

WIDTH, HEIGHT = 640, 300
LEFT, RIGHT, TOP, BOTTOM = 80, 20, 48, 48
MAX_X_LABELS = 8


@dataclass(frozen=True)
class Series:
    label: str
    values: Sequence[Decimal | float | int | None]
    colour: str = BLUE
    dashed: bool = False
    markers: bool = True


@dataclass
class DrawnSeries:
    label: str
    colour: str
    dashed: bool
    # One polyline per run of consecutive values (a missing value breaks the line).
    segments: list[str] = field(default_factory=list)
    markers: list[tuple[float, float]] = field(default_factory=list)


@dataclass
class LineChart:
    chart_id: str
    title: str
    description: str
    width: int
    height: int
    plot_left: int
    plot_right: int
    plot_top: int
    plot_bottom: int
    y_ticks: list[tuple[float, str]]
    x_labels: list[tuple[float, str, str]]
    series: list[DrawnSeries]
    legend: list[tuple[float, DrawnSeries]]
    table_headers: list[str]
    table_rows: list[tuple[str, list[str]]]

    @property
    def view_box(self) -> str:
        return f"0 0 {self.width} {self.height}"


def nice_step(span: float, ticks: int = 4) -> float:
    """A round step (1, 2, 2.5 or 5 times a power of ten) that covers `span` in about `ticks` steps."""
    if span <= 0:
        return 1.0
    raw = span / ticks
    magnitude = 10 ** math.floor(math.log10(raw))
    for multiple in (1, 2, 2.5, 5, 10):
        if multiple * magnitude >= raw:
            return multiple * magnitude
    return 10 * magnitude  # pragma: no cover (the loop always returns)


def chart_number(value) -> str:
    """Whole numbers plainly (1,200), others to two places (51.10): chart labels line up."""
    number = Decimal(str(value))
    return f"{number.normalize():,f}" if number == number.to_integral_value() else f"{number:,.2f}"


def line_chart(
    *,
    chart_id: str,
    title: str,
    description: str,
    categories: Sequence[str],
    series: Sequence[Series],
    value_format: Callable = chart_number,
    missing: str = "–",
) -> LineChart:
    """Lay out a line chart: one x position per category, a y axis from 0 (or the lowest value when
    it is negative) to a round number above the highest value."""
    values = [float(v) for s in series for v in s.values if v is not None]
    low = min([0.0, *values])
    high = max([0.0, *values])
    step = nice_step(high - low)
    bottom_value = math.floor(low / step) * step
    top_value = max(math.ceil(high / step) * step, bottom_value + step)

    plot_left, plot_right = LEFT, WIDTH - RIGHT
    plot_top, plot_bottom = TOP, HEIGHT - BOTTOM

    def y_of(value: float) -> float:
        share = (value - bottom_value) / (top_value - bottom_value)
        return round(plot_bottom - share * (plot_bottom - plot_top), 1)

    count = len(categories)

    def x_of(index: int) -> float:
        if count == 1:
            return round((plot_left + plot_right) / 2, 1)
        return round(plot_left + index * (plot_right - plot_left) / (count - 1), 1)

    y_ticks = []
    tick = bottom_value
    while tick <= top_value + step / 1000:
        y_ticks.append((y_of(tick), value_format(Decimal(str(round(tick, 6))))))
        tick += step
    # Every so many categories, ending on the last (in place of one that would crowd it).
    every = max(1, math.ceil(count / MAX_X_LABELS))
    shown = list(range(0, count, every))
    if shown:
        shown[-1] = count - 1
    x_labels = [
        # The last label ends at the right edge rather than running off it.
        (x_of(i), categories[i], "end" if i == count - 1 and count > 1 else "middle")
        for i in shown
    ]

    drawn = []
    for one in series:
        line = DrawnSeries(label=one.label, colour=one.colour, dashed=one.dashed)
        run: list[str] = []
        for index, value in enumerate(one.values):
            if value is None:
                if run:
                    line.segments.append(" ".join(run))
                run = []
                continue
            x, y = x_of(index), y_of(float(value))
            run.append(f"{x},{y}")
            if one.markers:
                line.markers.append((x, y))
        if run:
            line.segments.append(" ".join(run))
        drawn.append(line)

    legend, offset = [], float(plot_left)
    for line in drawn:
        legend.append((offset, line))
        offset += 40 + 7.5 * len(line.label)

    rows = [
        (category, [value_format(s.values[i]) if s.values[i] is not None else missing for s in series])
        for i, category in enumerate(categories)
    ]
    return LineChart(
        chart_id=chart_id,
        title=title,
        description=description,
        width=WIDTH,
        height=HEIGHT,
        plot_left=plot_left,
        plot_right=plot_right,
        plot_top=plot_top,
        plot_bottom=plot_bottom,
        y_ticks=y_ticks,
        x_labels=x_labels,
        series=drawn,
        legend=legend,
        table_headers=[s.label for s in series],
        table_rows=rows,
    )
