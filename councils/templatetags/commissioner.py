"""Template helpers for council conventions: money as £20,000, permissions in templates."""

import html
import re

from crispy_forms.utils import render_crispy_form
from django import template
from django.forms import CheckboxSelectMultiple, RadioSelect
from django.utils.html import format_html, strip_tags
from django.utils.safestring import SafeString, mark_safe

from councils import page_cache
from councils.formatting import money, plain_number, quantity_in
from councils.list_pages import chosen

register = template.Library()


register.filter("money", money)
register.filter("number", plain_number)
# {{ kpi.target|in_unit:kpi.unit }}: whole numbers for counted things.
register.filter("in_unit", quantity_in)


@register.simple_tag(takes_context=True)
def has_perm(context, perm: str, obj=None) -> bool:
    user = context.get("user") or context["request"].user
    return user.has_perm(perm, obj)


@register.filter
def error_target(bound_field, field_id: str) -> str:
    """Radios and checkboxes have no element with the field's own id: point at the first option."""

    if isinstance(bound_field.field.widget, RadioSelect | CheckboxSelectMultiple):
        return f"id_{bound_field.html_name}_1"
    return field_id


@register.simple_tag
def shared_crispy(form):
    """`{% crispy form %}` for a GET filter form whose HTML depends only on the filters chosen and on
    data in the form's `shared_scopes` (its choices): one rendering serves everyone asking the same.
    A filter form's markup costs about a millisecond a field, and its choices a query each."""
    parts = [type(form).__module__, type(form).__qualname__, str(form.is_bound), repr(chosen(form))]
    # What is kept is the template pack's own output, escaped when it was rendered. A filter form shows
    # nothing that changes with the clock, only its choices and the filters chosen: it is kept until its
    # data changes or for `FORM_SECONDS`, not re-rendered every time the page cache's bound runs out
    # (the public list's, with an option for each of thousands of outcomes, takes a tenth of a second).
    return SafeString(
        page_cache.shared_fragment(
            parts, form.shared_scopes, lambda: render_crispy_form(form), seconds=page_cache.FORM_SECONDS
        )
    )


class FragmentNode(template.Node):
    def __init__(self, nodelist, name, families, vary):
        self.nodelist, self.name, self.families, self.vary = nodelist, name, families, vary

    def render(self, context) -> str:
        request = context["request"]
        if request.method != "GET":
            # A form sent back with its errors shows what was typed: never kept, never served from a kept part.
            return self.nodelist.render(context)
        families = self.families.resolve(context).split()
        vary = [repr(value.resolve(context)) for value in self.vary]
        # What is kept is the block's own rendering, escaped when it was rendered.
        return SafeString(
            page_cache.fragment(
                request, self.name.resolve(context), families, vary, lambda: self.nodelist.render(context)
            )
        )


class SharedFragmentNode(template.Node):
    def __init__(self, nodelist, name, scopes, vary):
        self.nodelist, self.name, self.scopes, self.vary = nodelist, name, scopes, vary

    def render(self, context) -> str:
        if context["request"].method != "GET":
            return self.nodelist.render(context)
        parts = [self.name.resolve(context), *(repr(value.resolve(context)) for value in self.vary)]
        scopes = self.scopes.resolve(context).split()
        return SafeString(page_cache.shared_fragment(parts, scopes, lambda: self.nodelist.render(context)))


@register.tag
def fragment(parser, token):
    """`{% fragment "name" "family family" [vary ...] %}…{% endfragment %}`: a part of one person's page
    kept until the council's data in those families changes (`councils.page_cache.fragment`). What the
    block shows must come only from those families (and data shared between councils); the context's
    lazy sections (`councils.lazy.section`) are not computed when the part is served from the cache."""
    bits = token.split_contents()
    if len(bits) < 3:
        raise template.TemplateSyntaxError("{% fragment %} needs a name and its families")
    nodelist = parser.parse(("endfragment",))
    parser.delete_first_token()
    return FragmentNode(
        nodelist,
        parser.compile_filter(bits[1]),
        parser.compile_filter(bits[2]),
        [parser.compile_filter(bit) for bit in bits[3:]],
    )


@register.tag
def shared_fragment(parser, token):
    """`{% shared_fragment "name" "scope scope" [vary ...] %}…{% endshared_fragment %}`: a part of a page
    that is the same for everyone (signed in or not) asking with the same `vary` (the parsed filters and
    page), kept until data in the page-cache `scopes` changes (`councils.page_cache.shared_fragment`).
    Nothing personal may go in it."""
    bits = token.split_contents()
    if len(bits) < 3:
        raise template.TemplateSyntaxError("{% shared_fragment %} needs a name and its scopes")
    nodelist = parser.parse(("endshared_fragment",))
    parser.delete_first_token()
    return SharedFragmentNode(
        nodelist,
        parser.compile_filter(bits[1]),
        parser.compile_filter(bits[2]),
        [parser.compile_filter(bit) for bit in bits[3:]],
    )


class ShellNode(template.Node):
    def __init__(self, nodelist):
        self.nodelist = nodelist

    def render(self, context) -> str:
        request = context.get("request")
        if request is None or request.method != "GET":
            return self.nodelist.render(context)
        return SafeString(page_cache.shell(request, lambda: self.nodelist.render(context)))


@register.tag
def shell(parser, token):
    """`{% shell %}…{% endshell %}`: the page's header and service menu, kept per person and path
    (`councils.page_cache.shell`). Only the person, their own things, their roles and the current
    council may show in it."""
    nodelist = parser.parse(("endshell",))
    parser.delete_first_token()
    return ShellNode(nodelist)


_CAPTION = re.compile(r"<caption\b[^>]*>(.*?)</caption>", re.DOTALL | re.IGNORECASE)


class ScrollRegionNode(template.Node):
    def __init__(self, nodelist, label):
        self.nodelist = nodelist
        self.label = label

    def render(self, context) -> str:
        content = self.nodelist.render(context)
        label = self.label.resolve(context) if self.label else ""
        if not label and (caption := _CAPTION.search(content)):
            label = " ".join(strip_tags(caption.group(1)).split())
        return format_html(
            '<div class="app-table-region" role="region" aria-label="{}" tabindex="0">{}</div>',
            # The caption is already escaped HTML: unescape it so format_html escapes it once.
            html.unescape(label) or "Table",
            mark_safe(content),  # noqa: S308 (the block's own rendering, escaped as it was rendered)
        )


@register.tag
def scroll_region(parser, token):
    """`{% scroll_region %}<table>…</table>{% endscroll_region %}`: a wide table scrolls sideways inside
    its own keyboard-focusable region instead of making the whole page scroll at 320px (WCAG 1.4.10).
    The region is named after the table's caption, or after the label given: {% scroll_region "Bids" %}."""
    bits = token.split_contents()
    if len(bits) > 2:
        raise template.TemplateSyntaxError("scroll_region takes at most one argument, the region's label")
    nodelist = parser.parse(("endscroll_region",))
    parser.delete_first_token()
    return ScrollRegionNode(nodelist, parser.compile_filter(bits[1]) if len(bits) == 2 else None)


@register.simple_tag(takes_context=True)
def nav_item(context, url: str, label: str, exact: bool = False) -> SafeString:
    """One link of the service navigation, marked as the GOV.UK component marks where you are: the page
    itself (aria-current="page") or, unless `exact`, a page within its section (aria-current="true"),
    with the active style and a bold fallback for when the styles do not load."""
    request = context.get("request")
    path = request.path if request is not None else ""
    if path == url:
        current = "page"
    elif not exact and url != "/" and path.startswith(url):
        current = "true"
    else:
        return format_html(
            '<li class="govuk-service-navigation__item">'
            '<a class="govuk-service-navigation__link" href="{}">{}</a></li>',
            url,
            label,
        )
    return format_html(
        '<li class="govuk-service-navigation__item govuk-service-navigation__item--active">'
        '<a class="govuk-service-navigation__link" href="{}" aria-current="{}">'
        '<strong class="govuk-service-navigation__active-fallback">{}</strong></a></li>',
        url,
        current,
        label,
    )
