"""The meeting pack: chosen (or flagged) commissions with their stage, decisions, spend and
performance, as a printable page and a PDF; only what the person may read; exports audited."""

from __future__ import annotations

import base64
import re
import zlib
from decimal import Decimal
from urllib.parse import urlencode

import pytest
from django.urls import reverse
from django.utils import timezone

from commissioning.tests.factories import create_commission
from councils.models import AuditEvent, Role
from monitoring.dashboards import scrutiny as scrutiny_services
from monitoring.dashboards.tests.test_dashboards_world import dashboards_world
from tests.query_counts import assert_same_queries_between
from tests.worlds import shared_world

pytestmark = pytest.mark.django_db


# Built once for the module; each test has its own copy, in a savepoint.
shared, module_copy, council, other_council, people, world = shared_world(dashboards_world, "world")


def pack_url(council, name="meeting_pack", commissions=(), **params) -> str:
    query = [("commissions", c.pk) for c in commissions] + list(params.items())
    return f"{reverse(f'monitoring:{name}', args=[council.slug])}?{urlencode(query)}"


def pdf_text(content: bytes) -> str:
    """The text drawn on the PDF's pages: every stream, undone from reportlab's ASCII85 and Flate
    encodings where it has them."""
    text = []
    for filters, stream in re.findall(rb"<<([^>]*)>>\s*stream\r?\n(.*?)\s*endstream", content, re.DOTALL):
        if b"/ASCII85Decode" in filters:
            stream = base64.a85decode(stream.removeprefix(b"<~").removesuffix(b"~>"))
        if b"/FlateDecode" in filters:
            stream = zlib.decompress(stream)
        text.append(stream.decode("latin-1"))
    return "\n".join(text)


def test_the_chooser_offers_what_the_person_may_read(client_for, world):
    lead = client_for(world.people[Role.LEAD_COMMISSIONER]).get(pack_url(world.council))
    offered = {c.pk for c in lead.context["form"].fields["commissions"].queryset}
    assert offered == {
        world.key_decision.pk,
        world.elsewhere.pk,
        world.rated.commission_id,
        world.overdue.commission_id,
    }
    holder = client_for(world.people[Role.PORTFOLIO_HOLDER]).get(pack_url(world.council))
    assert {c.pk for c in holder.context["form"].fields["commissions"].queryset} == {
        world.key_decision.pk,
        world.rated.commission_id,
    }
    assert "Parks and open spaces" not in holder.content.decode()


def test_the_pack_shows_stage_decisions_spend_and_performance(client_for, world):
    chosen = [world.rated.commission, world.key_decision]
    response = client_for(world.people[Role.SCRUTINY_MEMBER]).get(
        pack_url(world.council, commissions=chosen, meeting="Overview and Scrutiny Committee")
    )
    body = response.content.decode()
    entries = {entry.commission.pk: entry for entry in response.context["entries"]}
    assert set(entries) == {c.pk for c in chosen}
    befriending = entries[world.rated.commission_id]
    (decision,) = befriending.decisions
    assert decision.decided_by == str(world.people[Role.LEAD_COMMISSIONER])
    assert decision.threshold == world.council.key_decision_threshold
    assert decision.maker.startswith("Delegated officer decision")
    (agreement,) = befriending.agreements
    today = timezone.localdate()
    due = sum((p.amount for p in world.rated.payments.filter(due_on__lte=today)), Decimal("0"))
    assert (agreement.value, agreement.paid_to_date) == (world.rated.value, due)
    assert due > 0
    assert agreement.rag in {"green", "amber", "red"}
    assert agreement.overdue_returns == 0
    assert entries[world.key_decision.pk].decisions == []  # still awaiting its key decision
    assert "Meeting pack: Overview and Scrutiny Committee" in body
    assert "Delivering" in body
    meeting = "Overview and Scrutiny Committee"
    pdf_link = pack_url(world.council, "meeting_pack_pdf", commissions=chosen, meeting=meeting)
    assert f'href="{pdf_link.replace("&", "&amp;")}"' in body
    assert 'class="govuk-button-group app-no-print"' in body  # the buttons stay off the printed page


def test_the_pack_can_be_everything_flagged_for_the_agenda(client_for, world):
    member = world.people[Role.SCRUTINY_MEMBER]
    scrutiny_services.agenda_flag_add(by=member, commission=world.overdue.commission, reason="Returns are late.")
    response = client_for(member).get(pack_url(world.council, flagged="on"))
    (entry,) = response.context["entries"]
    assert entry.commission == world.overdue.commission
    assert entry.flag_reasons == ["Returns are late."]
    assert entry.overdue_returns >= 1
    chooser = client_for(member).get(pack_url(world.council)).content.decode()
    assert "flagged for the scrutiny agenda" in chooser


def test_nothing_chosen_is_explained(client_for, world):
    response = client_for(world.people[Role.SCRUTINY_MEMBER]).get(pack_url(world.council, meeting="Cabinet"))
    body = response.content.decode()
    assert "govuk-error-summary" in body
    assert "Choose at least one commission, or every commission flagged for the agenda." in body


def test_a_portfolio_holder_cannot_put_another_portfolio_in_a_pack(client_for, world):
    client = client_for(world.people[Role.PORTFOLIO_HOLDER])
    response = client.get(pack_url(world.council, commissions=[world.elsewhere]))
    assert "govuk-error-summary" in response.content.decode()
    assert response.context["entries"] is None
    pdf = client.get(pack_url(world.council, "meeting_pack_pdf", commissions=[world.elsewhere]))
    assert pdf.status_code == 302
    assert pdf["Location"].startswith(reverse("monitoring:meeting_pack", args=[world.council.slug]))
    assert not AuditEvent.objects.filter(event_type="meeting_pack.exported").exists()


def test_the_pdf_carries_the_pack_and_its_export_is_audited(client_for, world):
    member = world.people[Role.SCRUTINY_MEMBER]
    chosen = [world.rated.commission, world.overdue.commission]
    response = client_for(member).get(
        pack_url(world.council, "meeting_pack_pdf", commissions=chosen, meeting="Overview and Scrutiny Committee")
    )
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == 'attachment; filename="meeting-pack-testshire.pdf"'
    content = response.content
    assert content.startswith(b"%PDF")
    text = pdf_text(content)
    for commission in chosen:
        assert commission.reference in text
    assert f"{world.overdue.commission.reference} Community transport" in text
    assert "Meeting pack: Overview and Scrutiny Committee" in text
    event = AuditEvent.objects.get(event_type="meeting_pack.exported")
    assert event.actor == member
    assert sorted(event.extra["commissions"]) == sorted(c.reference for c in chosen)


def test_the_pack_runs_in_a_fixed_number_of_queries(client_for, world):
    """One commission in the pack, then 25: the world's four (decisions, agreements, returns) and 21 more."""
    officer = world.people[Role.COMMISSIONING_OFFICER]
    more = [create_commission(world.council, title=f"Commission {n}", officer=officer) for n in range(21)]
    chosen = [world.rated.commission, world.overdue.commission, world.key_decision, world.elsewhere, *more]
    _, response = assert_same_queries_between(
        client_for(world.people[Role.LEAD_COMMISSIONER]),
        pack_url(world.council, commissions=chosen[:1]),
        pack_url(world.council, commissions=chosen),
    )
    assert len(response.context["entries"]) == 25


def test_outsiders_get_no_pack(client, client_for, world):
    url = pack_url(world.council, commissions=[world.rated.commission])
    assert client.get(url).status_code == 302
    for visitor in ("other_council_officer", "no_role", "provider_admin"):
        assert client_for(world.people[visitor]).get(url).status_code == 403
