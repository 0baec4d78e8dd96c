"""What a filtered, paged list page's content depends on, parsed: the filters chosen and the page
number. A kept part of a list page (`{% fragment %}`) varies on these, never on the raw query string
(which carries whatever else was in the address)."""

from __future__ import annotations

from urllib.parse import urlencode


def chosen(form) -> list[tuple[str, str]]:
    """The filters chosen, in a fixed order: everything a bound filter form's markup varies with."""
    data = form.data
    values = data.getlist if hasattr(data, "getlist") else lambda key: [data.get(key)]
    return sorted(
        (name, value) for name in form.fields for value in values(form.add_prefix(name)) if value not in (None, "")
    )


def filter_query(form) -> str:
    """The query string of the filters chosen, for the list's page links and downloads."""
    return urlencode(chosen(form))


def page_number(request) -> str:
    """The page asked for, as the paginator will read it (`2` and `02` are the same page)."""
    raw = request.GET.get("page", "")
    return str(int(raw)) if raw.isdigit() else raw
