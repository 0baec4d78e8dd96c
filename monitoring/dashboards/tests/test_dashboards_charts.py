"""The dashboards' charts: bars scale to the largest value, the funnel is centred, RAG columns stack
in order, and every chart's picture and table carry the same figures."""

from __future__ import annotations

from decimal import Decimal

from django.template.loader import render_to_string

from monitoring.dashboards import charts


def test_bars_scale_to_the_largest_value_and_keep_their_labels():
    chart = charts.bar_chart(
        id="t",
        title="Investment by outcome",
        description="Budgets.",
        rows=[("Fewer older people isolated and lonely, and more of them in touch", 200000), ("Parks", 50000)],
        label_heading="Outcome",
        value_heading="Investment",
    )
    big, small = chart.bars
    room = charts.WIDTH - charts.LABEL_WIDTH - charts.VALUE_ROOM
    assert (big.width, small.width) == (room, room / 4)
    assert (big.display, small.display) == ("£200,000", "£50,000")
    # The long label wraps onto lines, every word of it kept; its row grows to hold them.
    assert [line for line, _ in big.lines] == [
        "Fewer older people isolated and",
        "lonely, and more of them in touch",
    ]
    assert all(len(line) <= charts.LABEL_CHARACTERS for line, _ in big.lines)
    assert [line for line, _ in small.lines] == ["Parks"]
    assert chart.height == (2 * charts.LINE_HEIGHT + 12) + charts.ROW_HEIGHT
    html = render_to_string("dashboards/_bar_chart.html", {"chart": chart})
    assert "lonely, and more of them in touch</tspan>" in html
    assert "…" not in html
    assert not chart.is_empty


def test_a_chart_of_nothing_says_so():
    chart = charts.bar_chart(
        id="t", title="T", description="D", rows=[], label_heading="L", value_heading="V", empty_text="None yet."
    )
    assert chart.is_empty
    html = render_to_string("dashboards/_bar_chart.html", {"chart": chart})
    assert "None yet." in html
    assert "<svg" not in html


def test_the_picture_and_its_table_carry_the_same_figures():
    chart = charts.bar_chart(
        id="overdue",
        title="Overdue returns",
        description="Returns not sent.",
        rows=[("Moorside Youth Trust", 3), ("Brightwork & Co", 1)],
        label_heading="Provider",
        value_heading="Overdue",
        formatter=charts.as_count,
    )
    html = render_to_string("dashboards/_bar_chart.html", {"chart": chart})
    assert 'role="img"' in html
    assert 'aria-labelledby="overdue-title overdue-desc"' in html
    assert "style=" not in html  # the CSP allows no inline style
    assert html.count("Brightwork &amp; Co") == 3  # the bar's label, its tooltip and its table row
    assert '<th scope="row" class="govuk-table__header">Moorside Youth Trust</th>' in html
    full = float(charts.WIDTH - charts.LABEL_WIDTH - charts.VALUE_ROOM)
    assert f'width="{full}"' in html  # the longest bar, with no localised decimal comma


def test_the_funnel_centres_each_stage_and_never_hides_a_small_one():
    chart = charts.funnel_chart(
        id="pipeline",
        title="Pipeline",
        description="Commissions at each stage.",
        rows=[("Understand", 20, Decimal(100)), ("Plan", 1, Decimal(5)), ("Do", 0, Decimal(0))],
    )
    understand, plan, do = chart.steps
    for step in chart.steps:
        assert abs(step.x + step.width / 2 - chart.centre) < 0.1
    assert understand.width > plan.width >= 44
    assert do.width == 2
    html = render_to_string("dashboards/_funnel_chart.html", {"chart": chart})
    assert ">20<" in html
    assert "style=" not in html


def test_rag_columns_stack_green_amber_red_and_are_labelled_in_words():
    chart = charts.stacked_rag_chart(
        id="rag",
        title="Ratings",
        description="By quarter.",
        periods=[("Jan to Mar 2026", {"red": 1, "green": 3}), ("Apr to Jun 2026", {"amber": 2, "green": 2})],
    )
    first, second = chart.columns
    assert [s.rag for s in first.segments] == ["green", "red"]
    assert first.counts == {"green": 3, "amber": 0, "red": 1}
    bottom_segment = first.segments[0]
    assert bottom_segment.y + bottom_segment.height == chart.plot_bottom
    assert sum(s.height for s in second.segments) == chart.plot_bottom - chart.plot_top
    html = render_to_string("dashboards/_rag_chart.html", {"chart": chart})
    assert "G 3" in html  # the rating in words too, not colour alone
    assert "style=" not in html
