"""Sections of a page worked out only when shown (`councils.lazy`)."""

from __future__ import annotations

from django.template import Context, Template

from councils.lazy import parts, section


def test_a_section_is_worked_out_once_and_only_when_shown():
    calls = []
    shown = section(lambda: calls.append(1) or {"title": "Pipeline"})
    hidden = section(lambda: calls.append(2) or {"title": "Savings"})
    html = Template("{% if show %}{{ shown.title }} {{ shown.title }}{% endif %}").render(
        Context({"show": True, "shown": shown, "hidden": hidden})
    )
    assert html == "Pipeline Pipeline"
    assert calls == [1]


def test_figures_one_query_gives_together_are_worked_out_together():
    calls = []
    figures = parts(lambda: calls.append(1) or {"waiting": 3, "shown": 2}, "waiting", "shown")
    assert Template("{{ waiting }} of {{ shown }}").render(Context(figures)) == "3 of 2"
    assert calls == [1]
