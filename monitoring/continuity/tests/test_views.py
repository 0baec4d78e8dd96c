"""The continuity pages: what each person may do, refusals shown on the form with nothing changed, and
another council's or an unreadable agreement's records answering 404."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from commissioning.models import State
from commissioning.tests.factories import staff
from councils.models import Notification, ReminderKind, Role
from monitoring.continuity.tests.factories import complete_plan, flag, terminate_for_failure
from monitoring.models import AgreementState, FlagLevel, Intervention, RiskFlag
from monitoring.tests.factories import agreeing_commission, draft_agreement, live_agreement, sign
from providers.tests.factories import OrganisationFactory
from tests.query_counts import assert_same_queries
from tests.worlds import shared_world, world_with

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()


def build_agreement(council, people):
    return live_agreement(council, provider=OrganisationFactory(legal_name="Sunrise Meals Ltd"))


# Built once for the module; each test has its own copy, in a savepoint.
shared, module_copy, council, other_council, people, agreement = shared_world(
    world_with(agreement=build_agreement), "agreement"
)


def url(name, council, *args, **query):
    path = reverse(f"monitoring:{name}", args=[council.slug, *args])
    return path + ("?" + "&".join(f"{k}={v}" for k, v in query.items()) if query else "")


def test_a_commissioner_flags_an_agreement_and_lands_on_its_intervention(client_for, council, people, agreement):
    client = client_for(people[Role.COMMISSIONING_OFFICER])
    response = client.post(
        url("flag_agreement", council, agreement.pk), {"level": "at_risk", "reason": "Staff shortages since May."}
    )
    intervention = Intervention.objects.get()
    assert response.status_code == 302
    assert response.url == url("intervention", council, intervention.pk)
    page = client.get(response.url).content.decode()
    assert "Staff shortages since May." in page
    assert "Add an action" in page
    assert (
        Notification.objects.filter(kind=ReminderKind.AGREEMENT_FLAGGED, user=people[Role.LEAD_COMMISSIONER]).count()
        == 1
    )


def test_a_flag_without_a_reason_is_refused_on_the_form(client_for, council, people, agreement):
    client = client_for(people[Role.COMMISSIONING_OFFICER])
    response = client.post(url("flag_agreement", council, agreement.pk), {"level": "failed", "reason": " "})
    assert response.status_code == 200
    assert "Enter reason" in response.content.decode()
    assert not RiskFlag.objects.exists()


def test_flagging_a_provider_from_the_continuity_page(client_for, council, people, agreement):
    client = client_for(people[Role.LEAD_COMMISSIONER])
    response = client.post(
        url("flag_provider", council),
        {"provider": agreement.provider_id, "level": "failed", "reason": "Administrators appointed."},
    )
    assert response.status_code == 302
    index = client.get(url("continuity", council)).content.decode()
    assert "Sunrise Meals Ltd (every agreement with the council)" in index
    # The lead's dashboard and scrutiny's show it.
    dashboard = reverse("monitoring:dashboard", args=[council.slug])
    assert "Administrators appointed." in client.get(dashboard + "?view=lead").content.decode()
    scrutiny = client_for(people[Role.SCRUTINY_MEMBER]).get(dashboard + "?view=scrutiny").content.decode()
    assert "Sunrise Meals Ltd (every agreement with the council)" in scrutiny


def test_scrutiny_reads_but_cannot_flag_or_act(client_for, council, people, agreement):
    flag(agreement)
    intervention = Intervention.objects.get()
    client = client_for(people[Role.SCRUTINY_MEMBER])
    page = client.get(url("intervention", council, intervention.pk)).content.decode()
    assert "Lost its chef" in page
    assert "Add an action" not in page
    assert client.get(url("flag_agreement", council, agreement.pk)).status_code == 403
    assert client.post(url("intervention_edit", council, intervention.pk, "action"), {}).status_code == 403
    assert client.get(url("flag_provider", council)).status_code == 403


def test_another_councils_intervention_is_404(client_for, council, other_council, people, agreement):
    flag(agreement)
    intervention = Intervention.objects.get()
    outsider = staff(other_council, Role.LEAD_COMMISSIONER)
    client = client_for(outsider)
    assert client.get(url("intervention", other_council, intervention.pk)).status_code == 404
    assert client.get(url("flag_clear", other_council, RiskFlag.objects.get().pk)).status_code == 404


def test_a_portfolio_holder_reads_only_their_portfolios_interventions(client_for, council, people, agreement):
    flag(agreement)
    intervention = Intervention.objects.get()
    client = client_for(people[Role.PORTFOLIO_HOLDER])
    assert client.get(url("intervention", council, intervention.pk)).status_code == 404
    assert "Lost its chef" not in client.get(url("continuity", council)).content.decode()


def test_providers_never_see_the_flag(client_for, council, people, agreement):
    flag(agreement, reason="Confidential: cash-flow warning from the bank.")
    # The provider's own pages never show flags or their reasons.
    provider_page = client_for(people["provider_admin"]).get(reverse("monitoring:provider_agreements"))
    assert "cash-flow" not in provider_page.content.decode()
    assert client_for(people["provider_admin"]).get(url("continuity", council)).status_code == 403


def test_an_action_due_in_the_past_is_refused_on_the_form(client_for, council, people, agreement):
    flag(agreement)
    intervention = Intervention.objects.get()
    client = client_for(people[Role.COMMISSIONING_OFFICER])
    response = client.post(
        url("intervention_edit", council, intervention.pk, "action"),
        {
            "what": "Visit",
            "owner": people[Role.COMMISSIONING_OFFICER].pk,
            "due_on": (TODAY - timedelta(days=2)).strftime("%d/%m/%Y"),
        },
    )
    assert response.status_code == 200
    assert "The due date cannot be in the past." in response.content.decode()
    assert not intervention.actions.exists()


def test_closing_with_open_actions_is_refused_on_the_form_then_works(client_for, council, people, agreement):
    flag(agreement)
    intervention = Intervention.objects.get()
    client = client_for(people[Role.COMMISSIONING_OFFICER])
    client.post(
        url("intervention_edit", council, intervention.pk, "action"),
        {"what": "Visit", "owner": people[Role.COMMISSIONING_OFFICER].pk, "due_on": TODAY.strftime("%d/%m/%Y")},
    )
    action = intervention.actions.get()
    response = client.post(url("intervention_edit", council, intervention.pk, "close"), {"outcome": "Recovered."})
    assert "Finish its actions first: 1 still open (Visit)" in response.content.decode()
    client.post(
        url("intervention_action_done", council, intervention.pk, action.pk), {"done_on": TODAY.strftime("%d/%m/%Y")}
    )
    response = client.post(url("intervention_edit", council, intervention.pk, "close"), {"outcome": "Recovered."})
    assert response.status_code == 302
    intervention.refresh_from_db()
    assert intervention.outcome == "Recovered."
    # Closed: its forms send people back.
    assert client.get(url("intervention_edit", council, intervention.pk, "action")).status_code == 302


def test_an_unknown_part_is_404(client_for, council, people, agreement):
    flag(agreement)
    intervention = Intervention.objects.get()
    client = client_for(people[Role.COMMISSIONING_OFFICER])
    assert client.get(url("intervention_edit", council, intervention.pk, "delete")).status_code == 404


def test_a_vital_agreement_without_a_plan_is_refused_going_live_on_the_page(client_for, council, people):
    signed = sign(draft_agreement(council))
    client = client_for(people[Role.COMMISSIONING_OFFICER])
    client.post(url("continuity_plan", council, signed.pk), {"vital": "on", "why_vital": "Hot meals."})
    response = client.post(
        url("agreement_action", council, signed.pk, "go-live"),
        {"from_state": "signed", "live_on": signed.starts_on.strftime("%d/%m/%Y")},
    )
    assert "Complete the continuity plan of this vital service" in response.content.decode()
    signed.refresh_from_db()
    assert signed.state == AgreementState.SIGNED


def test_terminating_for_failure_leads_the_lead_to_the_next_step_and_recommissions(client_for, council, people):
    agreement = live_agreement(council, commission=agreeing_commission(council))
    client = client_for(people[Role.LEAD_COMMISSIONER])
    response = client.post(
        url("agreement_action", council, agreement.pk, "terminate"),
        {
            "from_state": "live",
            "terminated_on": TODAY.strftime("%d/%m/%Y"),
            "ground": "failure",
            "reason": "Insolvent.",
        },
    )
    assert response.status_code == 302
    assert response.url == url("after_failure", council, agreement.pk)
    response = client.post(response.url, {"next_step": "recommission", "reason": "Other providers are ready."})
    agreement.commission.refresh_from_db()
    assert response.url == agreement.commission.get_absolute_url()
    assert (agreement.commission.state, agreement.commission.cycle) == (State.UNDERSTANDING, 2)
    # Taken: the page sends the lead back to the agreement.
    assert client.get(url("after_failure", council, agreement.pk)).status_code == 302


def test_the_next_step_is_refused_to_a_commissioning_officer(client_for, council, people):
    agreement = live_agreement(council)
    terminate_for_failure(agreement)
    assert (
        client_for(people[Role.COMMISSIONING_OFFICER]).get(url("after_failure", council, agreement.pk)).status_code
        == 403
    )


def test_clearing_a_flag_on_the_page(client_for, council, people, agreement):
    raised = flag(agreement, level=FlagLevel.FAILED)
    client = client_for(people[Role.COMMISSIONING_OFFICER])
    response = client.post(url("flag_clear", council, raised.pk), {"reason": ""})
    assert "Enter why the flag is cleared" in response.content.decode()
    client.post(url("flag_clear", council, raised.pk), {"reason": "New owners funded it."})
    raised.refresh_from_db()
    assert raised.clear_reason == "New owners funded it."
    assert "New owners funded it." in client.get(url("continuity", council)).content.decode()


def test_the_continuity_page_runs_in_a_fixed_number_of_queries(client_for, council, people, agreement):
    flag(agreement)
    complete_plan(agreement)

    def more(count):
        for _ in range(count):
            other = live_agreement(council)
            flag(other, level=FlagLevel.FAILED)
            complete_plan(other)

    assert_same_queries(client_for(people[Role.LEAD_COMMISSIONER]), url("continuity", council), more, rows=3)
