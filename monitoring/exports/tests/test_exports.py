"""List exports: the same rows as the list page, safe cells, and long exports queued for their requester only."""

import csv
import io
from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from openpyxl import load_workbook

from commissioning.cycle import selectors as commission_selectors
from commissioning.models import State
from commissioning.tests.bid_factories import bid_writer, clock, close_and_open, open_opportunity, submitted_bid
from commissioning.tests.factories import commission_in_state, create_commission
from councils import tabular
from councils.tests.factories import PortfolioFactory
from monitoring.exports.services import KINDS, run_export
from monitoring.models import ExportJob, ExportState
from tests.query_counts import assert_same_queries

pytestmark = pytest.mark.django_db


def _export(client, council, kind="commissions", fmt="csv", query=""):
    url = reverse("monitoring:export", kwargs={"council_slug": council.slug, "kind": kind, "fmt": fmt})
    return client.get(url + query)


def _csv(response) -> list[list[str]]:
    body = response.content.decode("utf-8-sig")
    return list(csv.reader(io.StringIO(body)))


def test_commission_csv_has_the_filtered_rows_and_neutralises_formulas(council, people, client_for):
    create_commission(council, title='=HYPERLINK("https://evil.example")')
    create_commission(council, title="Warm spaces")
    client = client_for(people["lead_commissioner"])

    rows = _csv(_export(client, council))
    assert rows[0][:3] == ["Reference", "Title", "Stage"]
    titles = {row[1] for row in rows[1:]}
    assert titles == {'\'=HYPERLINK("https://evil.example")', "Warm spaces"}

    filtered = _csv(_export(client, council, query="?q=warm"))
    assert [row[1] for row in filtered[1:]] == ["Warm spaces"]


def test_commission_csv_rows_read_only_the_listed_columns_and_write_what_whole_rows_would(council, people, client_for):
    """The list's rows are narrowed to what the list and the export show (`LISTED_COMMISSION_FIELDS`);
    every cell must be what whole rows give, with a portfolio, outcomes, budget and dates among them
    (`test_export_queries_do_not_grow_with_rows` finds a column read but not loaded)."""
    commission_in_state(council, State.DELIVERING, portfolio=PortfolioFactory(council=council))
    create_commission(council, title="Warm spaces")
    lead = people["lead_commissioner"]
    columns = KINDS["commissions"].columns
    listed = commission_selectors.commission_list(lead, council, {})

    written = list(tabular.rows(listed, columns))
    assert written == list(tabular.rows(listed.defer(None), columns))
    assert len(written) == 2
    delivering = next(row for row in written if row[3] == "Delivering")
    assert all(delivering[index] not in ("", None) for index in range(len(columns)))
    assert _csv(_export(client_for(lead), council))[1:] == [[tabular._text(cell) for cell in row] for row in written]


def test_a_kept_commission_csv_follows_the_filters_chosen_and_the_persons_portfolios(
    settings, council, people, client_for
):
    settings.COMMISSIONER_PAGE_CACHE_SECONDS = 60
    holder = people["portfolio_holder"]
    mine = PortfolioFactory(council=council, holder=holder)
    create_commission(council, title="Warm spaces", portfolio=mine)
    create_commission(council, title="Warm homes")
    lead, holders = client_for(people["lead_commissioner"]), Client()
    holders.force_login(holder)

    def titles(client, query):
        return sorted(row[1] for row in _csv(_export(client, council, query=query))[1:])

    assert titles(lead, "?q=warm") == ["Warm homes", "Warm spaces"]
    assert titles(lead, "?q=warm&look=again") == ["Warm homes", "Warm spaces"]  # kept: the same filters
    assert titles(lead, "?q=homes") == ["Warm homes"]
    assert titles(holders, "?q=warm") == ["Warm spaces"]  # another person's rows, never the lead's kept ones


def test_bad_filters_are_a_clear_400(council, people, client_for):
    response = _export(client_for(people["lead_commissioner"]), council, query="?state=not-a-state")
    assert response.status_code == 400
    assert b"not valid" in response.content


def test_xlsx_keeps_money_as_numbers(council, people, client_for):
    commission_in_state(council, State.SOURCING)
    response = _export(client_for(people["lead_commissioner"]), council, fmt="xlsx")
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    sheet = load_workbook(io.BytesIO(response.content)).active
    header = [cell.value for cell in sheet[1]]
    budget = sheet.cell(row=2, column=header.index("Budget (£)") + 1).value
    assert isinstance(budget, int | float)
    assert budget == 60000


def test_a_portfolio_holder_exports_only_their_portfolios(council, people, client_for):
    holder = people["portfolio_holder"]
    mine = PortfolioFactory(council=council, holder=holder)
    create_commission(council, title="In my portfolio", portfolio=mine)
    create_commission(council, title="Someone else's", portfolio=PortfolioFactory(council=council))

    rows = _csv(_export(client_for(holder), council))
    assert [row[1] for row in rows[1:]] == ["In my portfolio"]


@pytest.mark.parametrize("visitor", ["no_role", "provider_admin", "other_council_officer"])
def test_people_without_the_list_cannot_export_it(council, people, client_for, visitor):
    assert _export(client_for(people[visitor]), council).status_code == 403


def test_unknown_kind_or_format_is_not_found(council, people, client_for):
    client = client_for(people["lead_commissioner"])
    assert _export(client, council, kind="secrets").status_code == 404
    assert _export(client, council, fmt="pdf").status_code == 404
    # Bids are exported per opportunity, never across the council.
    assert _export(client, council, kind="bids").status_code == 404


def test_export_queries_do_not_grow_with_rows(council, people, client_for):
    client = client_for(people["lead_commissioner"])
    create_commission(council, title="One")
    url = reverse("monitoring:export", kwargs={"council_slug": council.slug, "kind": "commissions", "fmt": "csv"})

    def add_rows(count):
        for n in range(count):
            create_commission(council, title=f"More {n}", portfolio=PortfolioFactory(council=council))

    _, response = assert_same_queries(client, url, add_rows)
    assert len(list(csv.reader(io.StringIO(response.body.decode("utf-8-sig"))))) == 26


def test_bids_are_not_exported_before_they_are_opened(council, people, client_for):
    opportunity = open_opportunity(council)
    submitted_bid(opportunity, bid_writer())
    client = client_for(people["procurement_officer"])
    url = reverse(
        "monitoring:export_opportunity",
        kwargs={"council_slug": council.slug, "opportunity_pk": opportunity.pk, "kind": "bids", "fmt": "csv"},
    )
    assert len(_csv(client.get(url))) == 1  # the header only: sealed

    with clock(opportunity.submission_deadline + timedelta(minutes=1)):
        close_and_open(opportunity)
    rows = _csv(client.get(url))
    assert len(rows) == 2


def test_a_long_export_is_queued_and_only_its_requester_sees_it(
    council, people, client_for, settings, django_capture_on_commit_callbacks, client
):
    settings.EXPORT_SYNC_LIMIT = 1
    create_commission(council, title="One")
    create_commission(council, title="Two")
    lead = people["lead_commissioner"]
    with django_capture_on_commit_callbacks() as callbacks:
        response = _export(client_for(lead), council, fmt="xlsx")
    job = ExportJob.objects.get()
    assert response.status_code == 302
    assert response["Location"].endswith(f"/exports/jobs/{job.pk}/")
    queued = [c for c in callbacks if c.__module__ != "councils.page_cache"]  # not the cache's generations
    assert len(queued) == 1
    assert b"of" in client.get(response["Location"]).content  # progress shown while queued

    assert run_export(job.pk) == "done"
    assert run_export(job.pk) == "skipped"  # idempotent when the task is delivered again
    job.refresh_from_db()
    assert job.state == ExportState.DONE
    assert job.rows_done == 2

    page = client.get(response["Location"])
    assert b"Your export is ready" in page.content
    download = client.get(reverse("monitoring:export_download", kwargs={"council_slug": council.slug, "pk": job.pk}))
    assert download.status_code == 200
    sheet = load_workbook(io.BytesIO(b"".join(download.streaming_content))).active
    assert sheet.max_row == 3

    client.force_login(people["commissioning_officer"])
    assert client.get(response["Location"]).status_code == 404


def test_opportunities_export_counts_bids_without_naming_bidders(council, people, client_for):
    opportunity = open_opportunity(council)
    submitted_bid(opportunity, bid_writer())
    rows = _csv(_export(client_for(people["lead_commissioner"]), council, kind="opportunities"))
    header, row = rows[0], rows[1]
    assert row[header.index("Reference")] == opportunity.reference
    assert row[header.index("Bids submitted")] == "1"
    assert all("Moorside" not in cell for cell in row)
    assert (
        _export(client_for(people["lead_commissioner"]), council, "opportunities", query="?state=x").status_code == 400
    )


def test_returns_export_follows_the_returns_list(council, people, client_for):
    from monitoring.tests.returns_factories import recent_live_agreement, returns_of

    agreement = recent_live_agreement(council)
    rows = _csv(_export(client_for(people["lead_commissioner"]), council, kind="returns"))
    assert rows[0][:3] == ["Agreement", "Provider", "Period from"]
    started = [r for r in returns_of(agreement) if r.period_start <= agreement.starts_on.today()]
    assert len(rows) - 1 == len(started)
    assert _export(client_for(people["provider_admin"]), council, kind="returns").status_code == 403
