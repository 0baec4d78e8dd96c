"""Server-drawn line charts: round axis steps, every point inside the plot, gaps where a value is
missing, and the same figures as a table."""

from __future__ import annotations

from decimal import Decimal

from django.template.loader import render_to_string
from hypothesis import given, settings
from hypothesis import strategies as st

from monitoring.charts import Series, line_chart, nice_step


def test_nice_steps():
    assert nice_step(0) == 1
    assert nice_step(37) == 10
    assert nice_step(100) == 25
    assert nice_step(0.3) == 0.1
    assert nice_step(60000) == 20000


def test_a_missing_value_breaks_the_line_and_shows_as_a_dash_in_the_table():
    chart = line_chart(
        chart_id="kpi-1",
        title="Sessions delivered (sessions)",
        description="Actual against target.",
        categories=["Apr 2026", "Jul 2026", "Oct 2026", "Jan 2027"],
        series=[
            Series("Target", [Decimal(10), Decimal(10), Decimal(10), Decimal(10)], dashed=True, markers=False),
            Series("Actual", [Decimal(8), None, Decimal(12), Decimal("11.5")]),
        ],
    )
    target, actual = chart.series
    assert len(target.segments) == 1
    assert target.markers == []
    assert len(actual.segments) == 2
    assert len(actual.markers) == 3
    assert chart.y_ticks[0][1] == "0"
    assert chart.y_ticks[-1][1] == "15"
    assert chart.x_labels[-1] == (chart.plot_right, "Jan 2027", "end")  # kept inside the picture
    assert chart.table_headers == ["Target", "Actual"]
    assert chart.table_rows[1] == ("Jul 2026", ["10", "–"])
    assert chart.table_rows[3] == ("Jan 2027", ["10", "11.50"])

    html = render_to_string("monitoring/returns/_line_chart.html", {"chart": chart})
    assert 'aria-labelledby="kpi-1-title kpi-1-desc"' in html
    assert "style" not in html  # presentation attributes only: the CSP forbids inline styles
    assert html.count("<polyline") == 3
    assert 'stroke-dasharray="8 5"' in html
    assert '<th scope="row" class="govuk-table__header">Jul 2026</th>' in html


def test_a_single_period_sits_in_the_middle():
    chart = line_chart(
        chart_id="one", title="One", description="One period.", categories=["Apr 2026"], series=[Series("A", [5])]
    )
    ((x, _y),) = chart.series[0].markers
    assert x == (chart.plot_left + chart.plot_right) / 2


@settings(max_examples=60, deadline=None)
@given(values=st.lists(st.one_of(st.none(), st.integers(min_value=-(10**6), max_value=10**9)), min_size=1, max_size=36))
def test_every_point_is_inside_the_plot(values):
    chart = line_chart(
        chart_id="any",
        title="Any",
        description="Any values.",
        categories=[str(i) for i in range(len(values))],
        series=[Series("Values", values)],
    )
    for x, y in chart.series[0].markers:
        assert chart.plot_left <= x <= chart.plot_right
        assert chart.plot_top <= y <= chart.plot_bottom
    assert len(chart.x_labels) <= 8
    assert chart.x_labels[-1][1] == str(len(values) - 1)
    tick_values = [y for y, _label in chart.y_ticks]
    assert tick_values == sorted(tick_values, reverse=True)  # drawn from the bottom up
