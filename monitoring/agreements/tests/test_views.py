"""Agreement pages: drafting and signing through the browser's forms, what each person may see and
do, the provider's own view, and the public contract and grant register."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from commissioning.models import DeliveryRoute, State
from councils.models import Role
from demo.providers import tiny_pdf
from monitoring.agreements import variations
from monitoring.models import Agreement, AgreementState, AgreementType, TerminationGround
from monitoring.tests.factories import agreeing_commission, approval, draft_agreement, live_agreement, sign
from providers.models import Organisation
from tests.query_counts import assert_same_queries

pytestmark = pytest.mark.django_db


def url(name, agreement, **kwargs):
    return reverse(f"monitoring:{name}", kwargs={"council_slug": agreement.council.slug, "pk": agreement.pk, **kwargs})


def provider_of(people, key="provider_admin") -> Organisation:
    return people[key].organisation_memberships.get().organisation


def test_officer_drafts_an_agreement_for_an_in_house_commission(client_for, council, people):
    commission = agreeing_commission(council, route=DeliveryRoute.IN_HOUSE)
    client = client_for(people[Role.COMMISSIONING_OFFICER])
    create = reverse("monitoring:agreement_create", kwargs={"council_slug": council.slug, "pk": commission.pk})
    page = client.get(create)
    assert page.status_code == 200
    assert page.context["form"]["title"].value() == commission.title
    data = {
        "title": "Leisure centre SLA",
        "agreement_type": AgreementType.SERVICE_LEVEL_AGREEMENT,
        "provider": "",
        "internal_team_name": "Leisure Services",
        "value": "£60,000",
        "starts_on": "01/04/2026",
        "ends_on": "31/03/2027",
        "max_extensions": "2",
        "extension_period_months": "12",
        "monitoring_frequency": "quarterly",
        "council_contact": people[Role.COMMISSIONING_OFFICER].pk,
    }
    response = client.post(create, {**data, "internal_team_name": ""})
    assert response.status_code == 200
    assert "Choose the provider organisation, or name the council" in response.content.decode()
    assert "govuk-error-summary" in response.content.decode()
    response = client.post(create, data)
    agreement = Agreement.objects.get()
    assert response.url == agreement.get_absolute_url()
    assert agreement.value == Decimal("60000")
    body = client.get(agreement.get_absolute_url()).content.decode()
    assert "Leisure Services (in-house team)" in body
    assert "Sessions delivered" in body  # KPI from the specification
    assert "Up to 2 × 12 months" in body
    # The commission page lists it.
    assert agreement.reference in client.get(commission.get_absolute_url()).content.decode()


def test_competitive_commissions_wait_for_the_award(client_for, council, people):
    from commissioning.tests.factories import commission_in_state

    commission = commission_in_state(council, State.SOURCING, route=DeliveryRoute.GRANT)
    client = client_for(people[Role.COMMISSIONING_OFFICER])
    create = reverse("monitoring:agreement_create", kwargs={"council_slug": council.slug, "pk": commission.pk})
    response = client.get(create)
    assert response.status_code == 302
    body = client.get(commission.get_absolute_url()).content.decode()
    assert "drafted when the award is recorded" in body
    assert create not in body


def test_signing_and_going_live_through_the_pages(client_for, council, people):
    commission = agreeing_commission(council)
    agreement = draft_agreement(council, commission=commission)
    legal = client_for(people[Role.LEGAL_OFFICER])
    sign_url = url("agreement_action", agreement, action="sign")
    assert "Record the signed agreement" in legal.get(agreement.get_absolute_url()).content.decode()
    response = legal.post(
        sign_url,
        {
            "from_state": "draft",
            "signed_on": "20/03/2026",
            "signed_document": SimpleUploadedFile("signed.pdf", tiny_pdf("Signed"), content_type="application/pdf"),
        },
    )
    assert response.status_code == 302
    agreement.refresh_from_db()
    assert agreement.state == AgreementState.SIGNED
    # The legal officer may sign but not put it live; the officer may.
    go_live = url("agreement_action", agreement, action="go-live")
    assert legal.post(go_live, {"from_state": "signed", "live_on": "01/04/2026"}).status_code == 403
    officer = client_for(people[Role.COMMISSIONING_OFFICER])
    response = officer.post(go_live, {"from_state": "signed", "live_on": "01/04/2026"}, follow=True)
    assert "the commission is now delivering" in response.content.decode()
    commission.refresh_from_db()
    assert commission.state == State.DELIVERING
    # The signed copy downloads for readers.
    download = officer.get(url("agreement_document", agreement))
    assert download["Content-Disposition"].startswith("attachment")
    assert b"".join(download.streaming_content).startswith(b"%PDF-")


def test_a_stale_page_cannot_move_the_agreement(client_for, council, people):
    agreement = sign(draft_agreement(council))
    client = client_for(people[Role.COMMISSIONING_OFFICER])
    response = client.post(
        url("agreement_action", agreement, action="go-live"), {"from_state": "draft", "live_on": "01/04/2026"}
    )
    assert response.status_code == 302
    agreement.refresh_from_db()
    assert agreement.state == AgreementState.SIGNED


def test_a_value_variation_shows_the_old_value_in_the_history(client_for, council, people):
    agreement = live_agreement(council)
    client = client_for(people[Role.COMMISSIONING_OFFICER])
    response = client.post(
        url("agreement_action", agreement, action="vary-value"),
        {
            "from_state": "live",
            "value": "65,000",
            "effective_on": "01/07/2026",
            "approved_by": people[Role.LEAD_COMMISSIONER].pk,
            "approved_on": "01/06/2026",
            "approval_reference": "DEL/2026/014",
            "reason": "Demand is higher than forecast.",
        },
    )
    assert response.status_code == 302
    body = client.get(agreement.get_absolute_url()).content.decode()
    assert "Value: £60,000 → £65,000" in body
    assert "Demand is higher than forecast." in body
    assert "DEL/2026/014" in body
    # Scrutiny reads the history but cannot vary.
    scrutiny = client_for(people[Role.SCRUTINY_MEMBER])
    assert "£60,000 → £65,000" in scrutiny.get(agreement.get_absolute_url()).content.decode()
    assert scrutiny.get(url("agreement_action", agreement, action="vary-value")).status_code == 403


def test_an_extension_beyond_the_options_is_refused_on_the_form(client_for, council, people):
    agreement = live_agreement(council, max_extensions=2, extension_period_months=12)
    client = client_for(people[Role.COMMISSIONING_OFFICER])
    response = client.post(
        url("agreement_action", agreement, action="extend"),
        {
            "from_state": "live",
            "ends_on": "30/06/2028",
            "approved_by": people[Role.LEAD_COMMISSIONER].pk,
            "approved_on": "01/06/2026",
            "reason": "Good results.",
        },
    )
    assert response.status_code == 200
    assert "31/03/2028 at the latest" in response.content.decode()
    agreement.refresh_from_db()
    assert agreement.ends_on == date(2027, 3, 31)


def test_termination_is_the_lead_commissioners(client_for, council, people):
    agreement = live_agreement(council)
    terminate = url("agreement_action", agreement, action="terminate")
    assert client_for(people[Role.COMMISSIONING_OFFICER]).get(terminate).status_code == 403
    lead = client_for(people[Role.LEAD_COMMISSIONER])
    closing = {"from_state": "live", "terminated_on": "30/09/2026", "reason": "Closing."}
    response = lead.post(terminate, closing)
    assert response.status_code == 200
    assert "Choose why the agreement is ending" in response.content.decode()
    response = lead.post(terminate, {**closing, "ground": TerminationGround.MUTUAL})
    assert response.status_code == 302
    agreement.refresh_from_db()
    assert (agreement.state, agreement.termination_ground) == (AgreementState.TERMINATED, TerminationGround.MUTUAL)


def test_draft_items_are_for_commissioners_and_only_while_drafting(client_for, council, people):
    agreement = draft_agreement(council)
    kpi = agreement.kpis.get()
    officer = client_for(people[Role.COMMISSIONING_OFFICER])
    targets = url("kpi_targets", agreement, kpi_pk=kpi.pk)
    page = officer.get(targets)
    assert page.status_code == 200
    assert "1 April 2026 to 30 June 2026" in page.content.decode()
    fields = {f"period_{i}": value for i, value in enumerate(["5", "15", "10", "10"])}
    assert officer.post(targets, fields).status_code == 302
    assert [t.target for t in kpi.targets.all()] == [5, 15, 10, 10]
    # The legal officer reads but does not draft.
    legal = client_for(people[Role.LEGAL_OFFICER])
    assert legal.get(url("item_add", agreement, kind="kpis")).status_code == 403
    sign(agreement)
    officer = client_for(people[Role.COMMISSIONING_OFFICER])
    response = officer.get(url("item_add", agreement, kind="payments"))
    assert response.status_code == 302
    assert officer.get(url("item_add", agreement, kind="nonsense")).status_code == 404


def test_readers_and_outsiders(client_for, council, people):
    agreement = live_agreement(council)
    detail = agreement.get_absolute_url()
    for role in (Role.SCRUTINY_MEMBER, Role.FINANCE_OFFICER, Role.COUNCIL_ADMIN, Role.LEGAL_OFFICER):
        assert client_for(people[role]).get(detail).status_code == 200, role
    # Not in their portfolio; another council; no role; provider staff: never a hint it exists.
    for key in (Role.PORTFOLIO_HOLDER, "other_council_officer", "no_role", "provider_admin"):
        assert client_for(people[key]).get(detail).status_code == 404, key


def test_portfolio_holders_read_agreements_in_their_portfolio(client_for, council, people):
    from councils.tests.factories import PortfolioFactory

    holder = people[Role.PORTFOLIO_HOLDER]
    commission = agreeing_commission(council, portfolio=PortfolioFactory(council=council, holder=holder))
    agreement = draft_agreement(council, commission=commission)
    client = client_for(holder)
    assert client.get(agreement.get_absolute_url()).status_code == 200
    listing = client.get(reverse("monitoring:agreement_list", args=[council.slug])).content.decode()
    assert agreement.reference in listing
    assert client.get(url("agreement_edit", agreement)).status_code == 403


def test_providers_see_only_their_own_signed_agreements(client_for, council, people):
    own = draft_agreement(council, provider=provider_of(people))
    client = client_for(people["provider_admin"])
    mine = reverse("monitoring:provider_agreement", args=[own.pk])
    # A draft is the council's until signed.
    assert client.get(mine).status_code == 404
    sign(own)
    assert client.get(mine).status_code == 200
    assert own.reference in client.get(reverse("monitoring:provider_agreements")).content.decode()
    assert client.get(reverse("monitoring:provider_agreement_document", args=[own.pk])).status_code == 200
    other = client_for(people["other_provider_admin"])
    assert other.get(mine).status_code == 404
    assert other.get(reverse("monitoring:provider_agreement_document", args=[own.pk])).status_code == 404
    assert own.reference not in other.get(reverse("monitoring:provider_agreements")).content.decode()
    # Provider staff never reach the council's pages for it.
    assert client_for(people["provider_admin"]).get(own.get_absolute_url()).status_code == 404


def test_register_publishes_live_and_ended_agreements_to_anyone(client, council, people, other_council):
    live = live_agreement(council, provider=provider_of(people))
    in_house = live_agreement(
        council,
        commission=agreeing_commission(council, route=DeliveryRoute.IN_HOUSE),
        provider=None,
        internal_team_name="Leisure Services",
    )
    draft = draft_agreement(council, title="Not yet signed")
    register = reverse("monitoring:register")
    body = client.get(register).content.decode()
    assert live.title in body
    assert "Moorside Youth Trust" in body
    assert "£60,000" in body
    assert "Leisure Services (in-house team)" in body
    assert in_house.reference in body
    assert draft.title not in body
    assert live.commission.title in body
    # Filters by council and type.
    assert live.reference not in client.get(register, {"council": other_council.pk}).content.decode()
    by_type = client.get(register, {"agreement_type": AgreementType.SERVICE_LEVEL_AGREEMENT}).content.decode()
    assert in_house.reference in by_type
    assert live.reference not in by_type


def test_register_query_count_does_not_grow_with_rows(client, council, people):
    commission = agreeing_commission(council)
    first = live_agreement(council, commission=commission, provider=provider_of(people))

    def add_rows(count):
        # Live agreements, with other providers and in-house teams, through the real signing services.
        for n in range(count):
            if n % 3:
                live_agreement(council, commission=commission)
            else:
                live_agreement(council, commission=commission, provider=None, internal_team_name=f"Team {n}")

    _, response = assert_same_queries(client, reverse("monitoring:register"), add_rows)
    assert response.context["page_obj"].paginator.count == 25
    assert response.body.decode().count(first.title) == 25


def test_agreement_list_query_count_does_not_grow_with_rows(client_for, council, people):
    commission = agreeing_commission(council)
    live_agreement(council, commission=commission, provider=provider_of(people))
    client = client_for(people[Role.LEAD_COMMISSIONER])
    listing = reverse("monitoring:agreement_list", args=[council.slug])

    def add_rows(count):
        for n in range(count):
            agreement = draft_agreement(council, commission=commission)
            if n % 2:
                sign(agreement)

    _, response = assert_same_queries(client, listing, add_rows)
    assert len(response.context["page_obj"]) == 25
    assert len(client.get(listing, {"state": "draft", "q": "Befriending"}).context["page_obj"]) == 12


def test_variation_approver_must_be_real(client_for, council, people):
    agreement = live_agreement(council)
    client = client_for(people[Role.COMMISSIONING_OFFICER])
    response = client.post(
        url("agreement_action", agreement, action="vary-kpi"),
        {
            "from_state": "live",
            "kpi": agreement.kpis.get().pk,
            "target": "60",
            "effective_on": "01/10/2026",
            "approved_by": people[Role.SCRUTINY_MEMBER].pk,
            "approved_on": "01/06/2026",
            "reason": "More sessions.",
        },
    )
    assert response.status_code == 200
    assert not agreement.variations.exists()
    variations.agreement_vary_kpi(
        by=people[Role.COMMISSIONING_OFFICER],
        agreement=agreement,
        kpi=agreement.kpis.get(),
        target=Decimal("60"),
        reason="More sessions.",
        approval=approval(council),
        effective_on=date(2026, 10, 1),
    )
    assert agreement.variations.count() == 1
