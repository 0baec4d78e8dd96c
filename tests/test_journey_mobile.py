"""The service on a phone: at 320 CSS px wide (WCAG 2.2 reflow, 1.4.10) no key page of any role
scrolls sideways, and the service navigation folds into a "Menu" button that opens on a click.

One browser, one sign-in per role, on the demo data. A page that is too wide is reported with the
elements that stick out past the viewport's right edge, outermost first, so the fix is findable."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from commissioning.models import Bid, Commission, Opportunity, OpportunityState, Programme
from demo.councils import DEMO_PASSWORD
from monitoring.models import Agreement, MonitoringReturn

from .browser import assert_accessible, sign_in, sign_out

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 320, "height": 640}
COUNCIL = "kirkby-moor"
PROVIDER = "admin@kirkby-moor-age-concern.example"

# What sticks out: elements reaching (themselves, or with content overflowing them) past the viewport's
# right edge, not inside a box that scrolls or clips them within the viewport (a table in its scrolling
# region is fine); the innermost of them are named, the element to fix or to let wrap.
OVERFLOW = """() => {
    const width = document.documentElement.clientWidth;
    const reach = (el) => {
        const box = el.getBoundingClientRect();
        if (box.width === 0) return 0;
        const overflows = getComputedStyle(el).overflowX === 'visible';
        return overflows ? Math.max(box.right, box.left + el.scrollWidth) : box.right;
    };
    const clipped = (el) => {
        for (let p = el.parentElement; p && p !== document.body; p = p.parentElement) {
            const clips = ['auto', 'scroll', 'hidden', 'clip'].includes(getComputedStyle(p).overflowX);
            if (clips && p.getBoundingClientRect().right <= width + 0.5) return true;
        }
        return false;
    };
    const describe = (el) => {
        const id = el.id ? '#' + el.id : '';
        const cls = el.classList.length ? '.' + [...el.classList].join('.') : '';
        const text = (el.textContent || '').trim().replace(/\\s+/g, ' ').slice(0, 60);
        return `${el.tagName.toLowerCase()}${id}${cls} (reaches ${Math.round(reach(el))}px) "${text}"`;
    };
    const wide = [...document.body.querySelectorAll('*')].filter((el) => reach(el) > width + 0.5 && !clipped(el));
    const innermost = wide.filter((el) => !wide.some((other) => other !== el && el.contains(other)));
    return {scrollWidth: document.documentElement.scrollWidth, offenders: innermost.slice(0, 5).map(describe)};
}"""


# Pages also checked with axe-core here: the dashboards, and the public framework and plan and the
# scrutiny report (long pages of tables that no other browser test opens).
AXE_CHECKED = ("/dashboard/", "/framework/", "/plan/", "/scrutiny-report/")


def measure(page, path: str, *, check_axe: bool = False) -> dict:
    page.goto(path)
    page.wait_for_load_state("load")
    result = page.evaluate(OVERFLOW)
    if check_axe:
        assert_accessible(page)
    return result


def key_pages():
    """The paths each role visits, from the demo data."""
    commission = Commission.objects.filter(council__slug=COUNCIL).order_by("pk").first()
    agreement = Agreement.objects.filter(council__slug=COUNCIL).order_by("pk").first()
    programme = Programme.objects.filter(council__slug=COUNCIL).order_by("-financial_year").first()
    opportunity = Opportunity.objects.filter(state=OpportunityState.PUBLISHED).order_by("pk").first()
    bid = Bid.objects.filter(organisation__members__user__email=PROVIDER).order_by("pk").first()
    council_return = MonitoringReturn.objects.filter(agreement__council__slug=COUNCIL).order_by("pk").first()
    provider_return = (
        MonitoringReturn.objects.filter(agreement__provider__members__user__email=PROVIDER).order_by("pk").first()
    )
    council = {"council_slug": COUNCIL}
    dashboard = reverse("monitoring:dashboard", kwargs=council)
    return {
        None: [
            reverse("home"),
            reverse("login"),
            reverse("opportunities:list"),
            opportunity.get_absolute_url(),
            reverse("opportunities:framework", kwargs=council),
            reverse("opportunities:plan", kwargs=council),
        ],
        f"lead@{COUNCIL}.example": [
            dashboard,
            reverse("commissioning:list", kwargs=council),
            commission.get_absolute_url(),
            reverse("monitoring:agreement_list", kwargs=council),
            agreement.get_absolute_url(),
            reverse("monitoring:return_list", kwargs=council),
            reverse("monitoring:return_detail", kwargs={**council, "pk": council_return.pk}),
            reverse("councils:notifications"),
            reverse("home"),
            programme.get_absolute_url(),
            reverse("commissioning:programme_criteria", kwargs=council),
        ],
        f"officer@{COUNCIL}.example": [dashboard],
        f"cabinet@{COUNCIL}.example": [dashboard],
        f"scrutiny@{COUNCIL}.example": [dashboard, reverse("monitoring:scrutiny_report", kwargs=council)],
        PROVIDER: [
            reverse("providers:portal"),
            reverse("monitoring:provider_dashboard"),
            reverse("bids:mine"),
            reverse("bids:detail", kwargs={"pk": bid.pk}),
            reverse("monitoring:provider_returns"),
            reverse("monitoring:provider_return", kwargs={"pk": provider_return.pk}),
            reverse("councils:notifications"),
        ],
    }


def test_no_key_page_scrolls_sideways_at_320_px(demo_data, page):
    page.set_viewport_size(PHONE)
    widths: dict[str, dict] = {}
    for email, paths in key_pages().items():
        if email:
            sign_in(page, email, DEMO_PASSWORD)
        for path in paths:
            widths[f"{email or 'signed out'} {path}"] = measure(page, path, check_axe=path.endswith(AXE_CHECKED))
        if email:
            sign_out(page)
    for path, result in widths.items():
        print(f"{result['scrollWidth']:5d}px  {path}")
    too_wide = {path: result for path, result in widths.items() if result["scrollWidth"] > PHONE["width"]}
    assert too_wide == {}, "\n".join(
        f"{path}: {result['scrollWidth']}px wide; sticking out: {result['offenders']}"
        for path, result in too_wide.items()
    )


def test_the_navigation_folds_into_a_menu_button_on_a_phone(demo_data, page):
    page.set_viewport_size(PHONE)
    sign_in(page, f"lead@{COUNCIL}.example", DEMO_PASSWORD)
    page.goto(reverse("commissioning:list", kwargs={"council_slug": COUNCIL}))
    navigation = page.get_by_role("navigation", name="Menu")
    menu = page.get_by_role("button", name="Menu")
    commissions = navigation.get_by_role("link", name="Commissions")
    expect(menu).to_be_visible()
    expect(menu).to_have_attribute("aria-expanded", "false")
    expect(commissions).to_be_hidden()
    assert_accessible(page)

    menu.click()
    expect(menu).to_have_attribute("aria-expanded", "true")
    expect(commissions).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    assert_accessible(page)
    commissions.click()
    expect(page).to_have_url(re.compile(r"/commissioning/kirkby-moor/$"))

    # On a wide screen there is no button: the links show in a row.
    page.set_viewport_size({"width": 1280, "height": 900})
    expect(page.get_by_role("button", name="Menu")).to_be_hidden()
    expect(navigation.get_by_role("link", name="Commissions")).to_be_visible()
