"""Bar, funnel and stacked charts for the dashboards, drawn on the server as inline SVG: no JavaScript,
nothing from a CDN. Line charts (KPI trends) come from `monitoring.charts`, shared with the returns.

Python works out the geometry; `templates/dashboards/_*_chart.html` draw it with SVG attributes only
(the Content-Security-Policy refuses inline styles). Every chart is a `<figure>` whose SVG has a
title and description, and carries the same figures as a table, so nobody needs to see the picture:
the chart is for people who would rather look than read, the table is the record.
"""

from __future__ import annotations

import textwrap
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from decimal import Decimal

from councils.formatting import money
from monitoring.charts import BLUE, GREEN, RED

# GOV.UK Design System colours (amber darkened from GOV.UK orange): each has at least 3:1 contrast
# with the white page and 4.5:1 with the white text drawn on it, and every bar or segment is also
# labelled in words.
AMBER = "#b35a00"
RAG_COLOURS = {"red": RED, "amber": AMBER, "green": GREEN}
RAG_LABELS = {"red": "Red", "amber": "Amber", "green": "Green"}
RAG_ORDER = ("green", "amber", "red")

WIDTH = 640
ROW_HEIGHT = 34
BAR_HEIGHT = 22
LABEL_WIDTH = 230
VALUE_ROOM = 110
# About as many 13px Arial characters as fit in LABEL_WIDTH; a longer label wraps onto more lines.
LABEL_CHARACTERS = 34
LINE_HEIGHT = 16


def wrap(label: str, limit: int = LABEL_CHARACTERS) -> list[str]:
    """A label's lines in the picture: whole words, never cut off (a word longer than a line breaks)."""
    return textwrap.wrap(label, limit) or [""]


def as_count(value) -> str:
    return f"{int(value or 0):,}"


def as_money(value) -> str:
    return money(value or Decimal("0"))


@dataclass(frozen=True)
class Bar:
    label: str
    lines: list[tuple[str, int]]  # the label's lines, each with its baseline
    value: Decimal
    display: str
    y: int
    text_y: int
    width: float
    x: float = LABEL_WIDTH
    value_x: float = 0
    extra: str = ""


@dataclass(frozen=True)
class BarChart:
    """Horizontal bars, one per row: investment by outcome, overdue returns by provider."""

    id: str
    title: str
    description: str
    label_heading: str
    value_heading: str
    bars: list[Bar]
    height: int
    width: int = WIDTH
    extra_heading: str = ""
    empty_text: str = "Nothing to show yet."
    colour: str = BLUE

    @property
    def is_empty(self) -> bool:
        return not self.bars or all(bar.value == 0 for bar in self.bars)


def bar_chart(
    *,
    id: str,
    title: str,
    description: str,
    rows: Iterable[tuple[str, Decimal | int]],
    label_heading: str,
    value_heading: str,
    formatter: Callable = as_money,
    extras: dict[str, str] | None = None,
    extra_heading: str = "",
    empty_text: str = "Nothing to show yet.",
) -> BarChart:
    """Rows of (label, value) as horizontal bars scaled to the largest value."""
    rows = list(rows)
    largest = max((Decimal(value or 0) for _, value in rows), default=Decimal("0"))
    room = WIDTH - LABEL_WIDTH - VALUE_ROOM
    bars = []
    top = 0
    for label, value in rows:
        value = Decimal(value or 0)
        length = float(value / largest * room) if largest else 0.0
        lines = wrap(label)
        # A row grows with its label; the bar and the label's lines are centred in it.
        row_height = max(ROW_HEIGHT, len(lines) * LINE_HEIGHT + 12)
        middle = top + row_height // 2
        y = middle - BAR_HEIGHT // 2
        first_baseline = middle - (len(lines) * LINE_HEIGHT) // 2 + 12
        top += row_height
        bars.append(
            Bar(
                label=label,
                lines=[(line, first_baseline + i * LINE_HEIGHT) for i, line in enumerate(lines)],
                value=value,
                display=formatter(value),
                y=y,
                text_y=y + BAR_HEIGHT // 2 + 5,
                width=round(max(length, 2.0 if value else 0.0), 1),
                value_x=round(LABEL_WIDTH + length + 6, 1),
                extra=(extras or {}).get(label, ""),
            )
        )
    return BarChart(
        id=id,
        title=title,
        description=description,
        label_heading=label_heading,
        value_heading=value_heading,
        bars=bars,
        height=max(top, ROW_HEIGHT),
        extra_heading=extra_heading,
        empty_text=empty_text,
    )


@dataclass(frozen=True)
class FunnelStep:
    label: str
    count: int
    value: Decimal
    display_value: str
    y: int
    text_y: int
    x: float
    width: float


@dataclass(frozen=True)
class FunnelChart:
    """The pipeline: commissions at each stage of the cycle, as bars centred on one axis."""

    id: str
    title: str
    description: str
    steps: list[FunnelStep]
    height: int
    width: int = WIDTH
    centre: float = (LABEL_WIDTH + WIDTH) / 2
    colour: str = BLUE

    @property
    def is_empty(self) -> bool:
        return all(step.count == 0 for step in self.steps)


def funnel_chart(*, id: str, title: str, description: str, rows: Iterable[tuple[str, int, Decimal]]) -> FunnelChart:
    """Rows of (stage, number of commissions, value) in the order of the cycle."""
    rows = list(rows)
    largest = max((count for _, count, _ in rows), default=0)
    room = WIDTH - LABEL_WIDTH - 10
    centre = LABEL_WIDTH + room / 2
    steps = []
    for index, (label, count, value) in enumerate(rows):
        length = room * count / largest if largest else 0
        # A stage with commissions is always wide enough to read its number.
        length = max(length, 44) if count else 2
        y = index * (ROW_HEIGHT + 6) + 3
        steps.append(
            FunnelStep(
                label=label,
                count=count,
                value=Decimal(value or 0),
                display_value=as_money(value),
                y=y,
                text_y=y + ROW_HEIGHT // 2 + 5,
                x=round(centre - length / 2, 1),
                width=round(length, 1),
            )
        )
    return FunnelChart(
        id=id,
        title=title,
        description=description,
        steps=steps,
        height=max(len(steps), 1) * (ROW_HEIGHT + 6),
        centre=round(centre, 1),
    )


@dataclass(frozen=True)
class Segment:
    rag: str
    label: str
    count: int
    colour: str
    y: float
    height: float
    text_y: float


@dataclass(frozen=True)
class Column:
    label: str
    x: float
    width: float
    total: int
    segments: list[Segment]
    counts: dict[str, int] = field(default_factory=dict)

    @property
    def centre(self) -> float:
        return round(self.x + self.width / 2, 1)


@dataclass(frozen=True)
class StackedChart:
    """RAG ratings over time: one column per period, green, amber and red stacked."""

    id: str
    title: str
    description: str
    columns: list[Column]
    plot_top: int
    plot_bottom: int
    label_y: int
    height: int
    width: int = WIDTH
    legend: list[tuple[str, str, float]] = field(default_factory=list)

    @property
    def is_empty(self) -> bool:
        return not self.columns

    @property
    def rag_labels(self) -> list[str]:
        return [RAG_LABELS[rag] for rag in RAG_ORDER]


def stacked_rag_chart(*, id: str, title: str, description: str, periods: list[tuple[str, dict[str, int]]]):
    """`periods`: (label, {"red": n, "amber": n, "green": n}) in time order."""
    plot_top, plot_bottom = 30, 210
    plot_height = plot_bottom - plot_top
    largest = max((sum(counts.values()) for _, counts in periods), default=0)
    slot = (WIDTH - 40) / max(len(periods), 1)
    column_width = min(64.0, slot * 0.7)
    columns = []
    for index, (label, counts) in enumerate(periods):
        x = 20 + index * slot + (slot - column_width) / 2
        bottom = float(plot_bottom)
        segments = []
        for rag in RAG_ORDER:
            count = int(counts.get(rag, 0))
            if not count:
                continue
            height = plot_height * count / largest
            bottom -= height
            segments.append(
                Segment(
                    rag=rag,
                    label=RAG_LABELS[rag],
                    count=count,
                    colour=RAG_COLOURS[rag],
                    y=round(bottom, 1),
                    height=round(height, 1),
                    text_y=round(bottom + height / 2 + 5, 1),
                )
            )
        columns.append(
            Column(
                label=label,
                x=round(x, 1),
                width=round(column_width, 1),
                total=sum(int(counts.get(rag, 0)) for rag in RAG_ORDER),
                segments=segments,
                counts={rag: int(counts.get(rag, 0)) for rag in RAG_ORDER},
            )
        )
    legend = [(RAG_LABELS[rag], RAG_COLOURS[rag], 20 + i * 110) for i, rag in enumerate(RAG_ORDER)]
    return StackedChart(
        id=id,
        title=title,
        description=description,
        columns=columns,
        plot_top=plot_top,
        plot_bottom=plot_bottom,
        label_y=plot_bottom + 20,
        height=plot_bottom + 30,
        legend=legend,
    )
