"""Parts of pages kept by the families of data they show ({% fragment %}, councils.page_cache.fragment).

For every page that keeps a part, on the demo data:
- the page is byte for byte the same whether it is rendered afresh, put together from kept parts, or
  served whole from the page cache, and with the cache off (CSRF tokens aside: they are masked
  afresh on every rendering);
- every table a part reads while it renders belongs to a family the part depends on (or holds data
  shared between councils), so no change to what a part shows can leave it stale;
- a change in a family the part does not show keeps it; a change in one it shows renders it again.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import pytest
from django.apps import apps
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils.html import escape

from commissioning.models import (
    Bid,
    BidState,
    Commission,
    EvaluationCriterion,
    EvaluationState,
    Opportunity,
    PanelMember,
)
from councils import page_cache
from councils.models import Council, Membership, Role, User
from councils.services import audit_record
from monitoring.dashboards.selectors.officer import LIST_FAMILIES
from monitoring.dashboards.selectors.provider import LIST_FAMILIES as PROVIDER_LISTS
from monitoring.models import Agreement, AgreementKpi, AgreementState
from providers.models import Organisation, OrganisationMember

pytestmark = pytest.mark.django_db

_CSRF = re.compile(rb'(name="csrfmiddlewaretoken" value=")[^"]+"')
_FRESH = re.compile(rb"fresh=\d")
_TABLE = re.compile(r'(?:FROM|JOIN) "(\w+)"')


@dataclass(frozen=True)
class Page:
    name: str
    user: User | None  # None: someone not signed in
    url: str


def demo_pages() -> list[Page]:
    council = Council.objects.order_by("pk").first()

    def member(role: str) -> User:
        return Membership.objects.filter(council=council, role=role).order_by("pk").first().user

    dashboard = reverse("monitoring:dashboard", args=[council.slug])
    provider = OrganisationMember.objects.order_by("pk").first().user
    officer = member(Role.COMMISSIONING_OFFICER)
    commission = Commission.objects.filter(council=council, agreements__isnull=False).order_by("pk").first()
    agreement = Agreement.objects.filter(council=council, state=AgreementState.LIVE).order_by("pk").first()
    panellist = (
        PanelMember.objects.filter(
            evaluation__opportunity__council=council,
            evaluation__state=EvaluationState.SCORING,
            evaluation__opportunity__bids__state=BidState.SUBMITTED,
        )
        .select_related("evaluation__opportunity")
        .order_by("pk")
        .first()
    )
    opportunity = panellist.evaluation.opportunity
    bid = opportunity.bids.filter(state=BidState.SUBMITTED).order_by("pk").first()
    commissions = reverse("commissioning:list", args=[council.slug])
    sourcing = reverse("commissioning:detail", args=[council.slug, opportunity.commission_id])
    return [
        Page("public opportunities", None, f"{reverse('opportunities:list')}?include_closed=on"),
        Page("commission list (filtered)", officer, f"{commissions}?stage=do&value_band="),
        Page("commission list (all)", member(Role.LEAD_COMMISSIONER), f"{commissions}?page=1"),
        Page("commission detail", officer, reverse("commissioning:detail", args=[council.slug, commission.pk])),
        Page("commission sourcing", officer, sourcing),
        Page("agreement", officer, reverse("monitoring:agreement_detail", args=[council.slug, agreement.pk])),
        Page(
            "bid scoring page",
            panellist.user,
            reverse("commissioning:evaluation_bid", args=[council.slug, opportunity.pk, bid.pk]),
        ),
        Page("provider portal home", provider, reverse("providers:portal")),
        Page(
            "CSV export",
            member(Role.LEAD_COMMISSIONER),
            reverse("monitoring:export", args=[council.slug, "commissions", "csv"]) + "?stage=do",
        ),
        Page("officer dashboard", member(Role.COMMISSIONING_OFFICER), f"{dashboard}?view=officer"),
        # The lists only other roles are shown: decisions to take, bids to open, notices to publish.
        Page("officer dashboard (lead)", member(Role.LEAD_COMMISSIONER), f"{dashboard}?view=officer"),
        Page("officer dashboard (procurement)", member(Role.PROCUREMENT_OFFICER), f"{dashboard}?view=officer"),
        Page("officer dashboard (finance)", member(Role.FINANCE_OFFICER), f"{dashboard}?view=officer"),
        Page("lead dashboard", member(Role.LEAD_COMMISSIONER), f"{dashboard}?view=lead"),
        Page("portfolio dashboard", member(Role.PORTFOLIO_HOLDER), f"{dashboard}?view=portfolio"),
        Page("scrutiny dashboard", member(Role.SCRUTINY_MEMBER), f"{dashboard}?view=scrutiny"),
        Page("provider dashboard", provider, reverse("monitoring:provider_dashboard")),
    ]


@pytest.fixture
def pages(demo_data, settings) -> list[Page]:
    settings.COMMISSIONER_PAGE_CACHE_SECONDS = 60
    return demo_pages()


@pytest.fixture
def client_as(client, client_for):
    def login(user):
        if user is None:
            client.logout()
            return client
        return client_for(user)

    return login


def _body(response) -> bytes:
    assert response.status_code == 200, response.status_code
    # Pages link to themselves (signing out comes back here): the address differs from look to look.
    return _FRESH.sub(b"fresh=", _CSRF.sub(rb'\1-"', response.content))


def _again(url: str, n: int) -> str:
    return f"{url}{'&' if '?' in url else '?'}fresh={n}"


def test_a_page_is_the_same_rendered_afresh_from_kept_parts_or_kept_whole(pages, client_as, settings):
    for page in pages:
        client = client_as(page.user)
        client.get(page.url)  # the CSRF cookie: pages and parts are kept per cookie
        fresh = _body(client.get(_again(page.url, 1)))
        parts = client.get(_again(page.url, 2))
        assert parts["X-Page-Cache"] == "miss"
        whole = client.get(_again(page.url, 2))
        assert whole["X-Page-Cache"] == "hit"
        settings.COMMISSIONER_PAGE_CACHE_SECONDS = 0
        uncached = _body(client.get(_again(page.url, 3)))
        settings.COMMISSIONER_PAGE_CACHE_SECONDS = 60
        assert _body(parts) == fresh, page.name
        assert _body(whole) == fresh, page.name
        assert uncached == fresh, page.name


def _council_scoped(model) -> bool:
    fields = {field.name for field in model._meta.concrete_fields}
    return "council" in fields or bool(fields & set(page_cache.COUNCIL_VIA))


def _families_by_table() -> dict[str, str | None]:
    """Each of the project's tables: the family its rows bump, or None for data shared between councils."""
    tables = {}
    for model in apps.get_models(include_auto_created=True):
        if model._meta.app_label in page_cache.APPS:
            tables[model._meta.db_table] = page_cache.family_of(model) if _council_scoped(model) else None
    return tables


def test_a_kept_part_reads_only_the_families_it_depends_on(pages, client_as, monkeypatch, settings):
    settings.COMMISSIONER_PAGE_CACHE_SECONDS = 0
    tables = _families_by_table()
    rendered = []

    def watching(real):
        def watched(request, name, families, vary, render):
            with CaptureQueriesContext(connection) as queries:
                kept = real(request, name, families, vary, render)
            rendered.append((name, set(families), [query["sql"] for query in queries]))
            return kept

        return watched

    # Kept parts, and the values kept by their families that pages add up (the officer's lists).
    monkeypatch.setattr(page_cache, "fragment", watching(page_cache.fragment))
    monkeypatch.setattr(page_cache, "personal_value", watching(page_cache.personal_value))
    for page in pages:
        client_as(page.user).get(page.url)
    assert {name for name, _, _ in rendered} >= {
        "dashboard:officer",
        *(f"dashboard:officer:{name}" for name in LIST_FAMILIES),
        "dashboard:portfolio:commissions",
        "dashboard:portfolio:decisions",
        "dashboard:portfolio:reviewed",
        "dashboard:scrutiny:awards",
        "dashboard:scrutiny:forward_plan",
        *(f"dashboard:provider:{name}" for name in PROVIDER_LISTS),
        "dashboard:lead",
        "dashboard:provider",
    }
    unkept = {}
    for name, families, queries in rendered:
        read = {tables[table] for sql in queries for table in _TABLE.findall(sql) if table in tables}
        # A part of a page with no council (the provider's) depends on every write: nothing to check.
        if families and read - families - {None}:
            unkept[name] = sorted(read - families - {None})
    assert unkept == {}, "; ".join(f"{name}: {families}" for name, families in sorted(unkept.items()))


def test_a_change_elsewhere_keeps_the_part_and_a_change_it_shows_renders_it_again(pages, client_for):
    page = next(page for page in pages if page.name == "lead dashboard")
    council = Council.objects.order_by("pk").first()
    client = client_for(page.user)
    client.get(page.url)
    client.get(_again(page.url, 1))

    def queries_for(n: int) -> int:
        with CaptureQueriesContext(connection) as queries:
            assert client.get(_again(page.url, n)).status_code == 200
        return len(queries)

    kept = queries_for(2)
    audit_record(council=council, actor=page.user, event_type="council.settings_viewed", obj=council)
    assert queries_for(3) == kept
    page_cache.bump_council(council.pk, "monitoring.returns")
    assert queries_for(4) > kept


@pytest.mark.parametrize("name", ["lead dashboard", "portfolio dashboard", "scrutiny dashboard"])
def test_a_draft_bid_saved_renders_only_the_page_around_parts_that_show_no_bids(name, pages, client_for):
    """A provider's draft is saved every few seconds: it changes the bids family alone, so pages that
    show opportunities, decisions and performance but no bids keep their parts."""
    page = next(page for page in pages if page.name == name)
    client = client_for(page.user)
    client.get(page.url)
    client.get(_again(page.url, 1))
    with CaptureQueriesContext(connection) as kept:
        assert client.get(_again(page.url, 2)).status_code == 200
    bid = Bid.objects.filter(state=BidState.DRAFT, opportunity__council__slug=page.url.split("/")[3]).first()
    bid = bid or Bid.objects.filter(state=BidState.DRAFT).order_by("pk").first()
    bid.summary = f"{bid.summary} (saved again)"
    bid.save(update_fields=["summary"])
    with CaptureQueriesContext(connection) as queries:
        response = client.get(_again(page.url, 3))
    assert response["X-Page-Cache"] == "miss"
    assert len(queries) == len(kept)


# What each page shows from a family its kept part depends on: (the rows to look among, the field). One of
# those rows whose field is on the page, saved with a new value, shows at once.
def _url_pk(page: Page, position: int = -1) -> int:
    return int([part for part in page.url.split("?")[0].split("/") if part.isdigit()][position])


SHOWN = {
    "public opportunities": (lambda page: Opportunity.objects.all(), "title"),
    "commission list (filtered)": (lambda page: Commission.objects.all(), "title"),
    "commission list (all)": (lambda page: Commission.objects.all(), "title"),
    "commission detail": (lambda page: Commission.objects.filter(pk=_url_pk(page)), "summary"),
    "commission sourcing": (lambda page: Opportunity.objects.filter(commission=_url_pk(page)), "title"),
    "agreement": (lambda page: AgreementKpi.objects.filter(agreement=_url_pk(page)), "description"),
    "bid scoring page": (
        lambda page: EvaluationCriterion.objects.filter(commission__opportunities=_url_pk(page, 0)),
        "title",
    ),
    "provider portal home": (lambda page: Organisation.objects.filter(members__user=page.user), "trading_name"),
    "CSV export": (lambda page: Commission.objects.all(), "title"),
}


@pytest.mark.parametrize("name", sorted(SHOWN))
def test_a_change_a_kept_part_shows_appears_at_once(name, pages, client_as):
    page = next(page for page in pages if page.name == name)
    client = client_as(page.user)
    client.get(page.url)
    before = client.get(page.url).content.decode()
    rows, field = SHOWN[name]
    row = next(row for row in rows(page).order_by("pk") if escape(getattr(row, field) or "-") in before)
    new = f"Renamed {row.pk} for the fragment test"
    assert new not in before
    setattr(row, field, new)
    row.save(update_fields=[field])
    assert new in client.get(page.url).content.decode()


@pytest.mark.parametrize(
    ("name", "family", "table", "not_read"),
    [
        # A return sent: the lead commissioner's overdue returns, not the pipeline or the decisions.
        ("lead dashboard", "monitoring.returns", "monitoring_monitoringreturn", "commissioning_award"),
        # A bid saved: the portfolio holder's key decisions (awards name their opportunity), not the
        # savings realised.
        ("portfolio dashboard", "commissioning.sourcing", "commissioning_award", "monitoring_savingsrealised"),
        # A return sent: the portfolio's performance, not its key decisions (kept for the headline figures).
        ("portfolio dashboard", "monitoring.returns", "monitoring_monitoringreturn", "commissioning_award"),
        # A return sent: scrutiny's agreements overdue or rated red, not the forward plan.
        ("scrutiny dashboard", "monitoring.returns", "monitoring_monitoringreturn", "commissioning_forwardplanentry"),
        # A return sent: the agreement's monitoring, not its terms.
        ("agreement", "monitoring.returns", "monitoring_monitoringreturn", "monitoring_agreementterms"),
        # A draft bid saved: the commission's sourcing and next steps, not its recent history.
        ("commission detail", "commissioning.bids", "commissioning_bid", "councils_auditevent"),
        # A return sent: the officer's returns to review, not the bids waiting to be opened.
        ("officer dashboard", "monitoring.returns", "monitoring_monitoringreturn", "commissioning_opportunity"),
    ],
)
def test_after_a_change_only_the_sections_showing_it_run_their_queries(
    name, family, table, not_read, pages, client_for
):
    page = next(page for page in pages if page.name == name)
    council = Council.objects.order_by("pk").first()
    client = client_for(page.user)
    client.get(page.url)
    client.get(_again(page.url, 1))
    page_cache.bump_council(council.pk, family)
    with CaptureQueriesContext(connection) as queries:
        assert client.get(_again(page.url, 2)).status_code == 200
    read = {found for query in queries.captured_queries for found in _TABLE.findall(query["sql"])}
    assert table in read
    assert not_read not in read, sorted(read)
