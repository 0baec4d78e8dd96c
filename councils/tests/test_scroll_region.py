"""`{% scroll_region %}`: a wide table scrolls inside its own focusable, named region (WCAG 1.4.10), and
every table in the service's pages is wrapped in one."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.conf import settings
from django.template import Context, Template, TemplateSyntaxError

TABLE = '<table class="govuk-table"><caption class="govuk-table__caption">{{ caption }}</caption></table>'


def render(source: str, **context) -> str:
    return Template(source).render(Context(context))


def test_the_region_is_focusable_and_named_after_the_tables_caption():
    html = render("{% scroll_region %}" + TABLE + "{% endscroll_region %}", caption="Bids & partners <2026>")
    assert html.startswith(
        '<div class="app-table-region" role="region" aria-label="Bids &amp; partners &lt;2026&gt;" tabindex="0">'
    )
    assert html.endswith("</table></div>")
    assert '<caption class="govuk-table__caption">Bids &amp; partners &lt;2026&gt;</caption>' in html


def test_a_label_given_names_the_region_and_one_is_always_there():
    assert 'aria-label="Agreements"' in render('{% scroll_region "Agreements" %}' + TABLE + "{% endscroll_region %}")
    assert 'aria-label="Table"' in render("{% scroll_region %}<table></table>{% endscroll_region %}")


def test_the_tag_takes_at_most_one_label():
    with pytest.raises(TemplateSyntaxError):
        Template('{% scroll_region "a" "b" %}{% endscroll_region %}')


def test_every_table_in_the_service_pages_scrolls_in_its_own_region():
    # E-mails are read in mail programs, which need no region (and may not keep the markup).
    templates = Path(settings.BASE_DIR) / "templates"
    unwrapped = [
        str(path.relative_to(templates))
        for path in templates.rglob("*.html")
        if "email" not in path.parts and path.read_text().count("<table") != path.read_text().count("{% scroll_region")
    ]
    assert unwrapped == []
