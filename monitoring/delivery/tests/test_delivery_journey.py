"""In the browser: a commissioner sets a deliverable that triggers a milestone payment; the provider
reports it achieved in a monitoring return with evidence; the commissioner accepts it in review and
the payment shows as payable. The agreement's risk register starts from the commission's. Every page
is checked with axe-core against WCAG 2.2 AA."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from councils.models import Role
from councils.tests.factories import PASSWORD
from monitoring.delivery.tests.factories import commission_risk, milestone_agreement
from monitoring.models import Deliverable, DeliverableState
from monitoring.tests.factories import agreeing_commission
from monitoring.tests.returns_factories import returns_of, submit
from providers.models import Organisation
from tests.browser import assert_accessible, end_session, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_deliverable_triggers_its_payment_once_accepted(page, council, people):
    commission = agreeing_commission(council, title="Community hubs")
    commission_risk(commission, description="Volunteers drop out over winter")
    provider = Organisation.objects.get(members__user=people["provider_admin"])
    agreement = milestone_agreement(council, provider=provider, commission=commission)
    first = returns_of(agreement)[0]
    officer = people[Role.COMMISSIONING_OFFICER]

    sign_in(page, officer.email, PASSWORD)
    page.goto(agreement.get_absolute_url())
    page.get_by_role("link", name="Risk register").click()
    page.get_by_role("heading", name="Risk register", level=1).wait_for()
    expect(page.get_by_text("Volunteers drop out over winter")).to_be_visible()
    expect(
        page.get_by_text(
            re.compile(f"Carried over from the Commission {commission.reference} .*owner there: Jo Bloggs")
        )
    ).to_be_visible()
    assert_accessible(page)

    page.goto(agreement.get_absolute_url())
    page.get_by_role("link", name="Deliverables", exact=True).click()
    page.get_by_role("link", name="Add a deliverable").click()
    page.get_by_label("What is to be delivered").fill("Community hub opened")
    page.get_by_label("Due date").fill(first.period_end.strftime("%d/%m/%Y"))
    page.get_by_label("Milestone payment it triggers (optional)").select_option(
        label=str(agreement.payments.get(kind="milestone"))
    )
    assert_accessible(page)
    page.get_by_role("button", name="Save the deliverable").click()
    page.get_by_text("Deliverable ‘Community hub opened’ saved.").wait_for()
    assert_accessible(page)
    page.goto(agreement.get_absolute_url())
    expect(page.get_by_text("Payable once accepted")).to_be_visible()
    end_session(page)

    sign_in(page, people["provider_admin"].email, PASSWORD)
    page.goto(f"/monitoring/provider/returns/{first.pk}/")
    page.get_by_role("link", name=re.compile("Report as achieved")).click()
    page.get_by_label("Date it was achieved").fill(first.period_end.strftime("%d/%m/%Y"))
    page.get_by_label("Evidence that it was achieved").fill("Opened by the mayor on the day; photographs attached.")
    page.get_by_label("Evidence file (optional)").set_input_files(
        {"name": "opening.pdf", "mimeType": "application/pdf", "buffer": b"%PDF-1.4\n%%EOF\n"}
    )
    assert_accessible(page)
    page.get_by_role("button", name="Report it as achieved").click()
    page.get_by_text("‘Community hub opened’ reported as achieved").wait_for()
    assert_accessible(page)
    end_session(page)
    # The rest of the return is filed as before.
    submit(first, by=people["provider_admin"])

    sign_in(page, officer.email, PASSWORD)
    page.goto(f"/monitoring/council/{council.slug}/returns/{first.pk}/")
    page.get_by_role("link", name=re.compile("Accept or refuse")).click()
    page.get_by_role("heading", name="Deliverable: Community hub opened").wait_for()
    assert_accessible(page)
    page.get_by_label("Yes: accept it").check()
    page.get_by_role("button", name="Record the decision").click()
    page.get_by_text("‘Community hub opened’ accepted. ‘Community hub opened’ is now payable.").wait_for()
    page.goto(agreement.get_absolute_url())
    expect(page.locator("strong.govuk-tag", has_text=re.compile("^Payable$"))).to_be_visible()
    assert Deliverable.objects.get().state == DeliverableState.ACCEPTED
