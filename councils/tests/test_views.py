"""Council pages through HTTP: what each role sees, what they can change, and scoping."""

from __future__ import annotations

from django.urls import reverse

from councils.models import AuditEvent, Council, Membership, Outcome, Role
from councils.tests.factories import PASSWORD, MembershipFactory, OutcomeFactory, PriorityFactory, UserFactory
from tests.query_counts import assert_same_queries


def test_sign_in_with_email_and_password_then_land_on_your_dashboard(client, council, people):
    response = client.post(
        reverse("login"), {"username": people[Role.LEAD_COMMISSIONER].email.upper(), "password": PASSWORD}, follow=True
    )
    assert [url for url, _ in response.redirect_chain] == [
        reverse("home"),
        reverse("monitoring:dashboard", kwargs={"council_slug": council.slug}),
    ]
    assert "Testshire County Council" in response.content.decode()


def test_wrong_password_shows_an_error_summary(client, people):
    response = client.post(reverse("login"), {"username": people[Role.LEAD_COMMISSIONER].email, "password": "nope"})
    body = response.content.decode()
    assert response.status_code == 200
    assert "govuk-error-summary" in body
    assert "There is a problem" in body


def test_repeated_wrong_passwords_lock_the_account_for_a_while(client, people, settings):
    email = people[Role.LEAD_COMMISSIONER].email
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post(reverse("login"), {"username": email, "password": "wrong"})
    response = client.post(reverse("login"), {"username": email, "password": PASSWORD})
    assert response.status_code == 429
    assert "Too many sign-in attempts" in response.content.decode()


def test_the_header_shows_the_council_name(client_for, council, people):
    council.header_name = "Testshire"
    council.save()
    body = client_for(people[Role.SCRUTINY_MEMBER]).get(council.get_absolute_url()).content.decode()
    assert 'class="app-header__name">\n        Testshire\n' in body or ">Testshire<" in body.replace("\n", "").replace(
        "  ", ""
    )
    assert "govuk-header__logotype" not in body  # no crown


def test_councillors_read_the_framework_without_edit_links(client_for, council, people, outcome):
    body = client_for(people[Role.PORTFOLIO_HOLDER]).get(reverse("councils:framework", args=[council.slug])).content
    assert outcome.title in body.decode()
    assert b"Add outcome" not in body


def test_officer_adds_an_outcome_through_the_form(client_for, council, people):
    priority = PriorityFactory(plan__council=council)
    client = client_for(people[Role.COMMISSIONING_OFFICER])
    url = reverse("councils:framework_add", args=[council.slug, "outcomes"])
    response = client.post(url, {"priority": priority.pk, "title": "More trees planted", "description": ""})
    assert response.status_code == 302
    assert Outcome.objects.filter(priority=priority, title="More trees planted").exists()


def test_an_invalid_form_keeps_what_was_typed_and_summarises_the_errors(client_for, council, people):
    client = client_for(people[Role.COMMISSIONING_OFFICER])
    url = reverse("councils:framework_add", args=[council.slug, "outcomes"])
    response = client.post(url, {"title": "", "description": "Keep this text"})
    body = response.content.decode()
    assert response.status_code == 200
    assert "govuk-error-summary" in body
    assert "Keep this text" in body


def test_another_councils_outcome_is_not_found_not_editable(client_for, council, other_council, people):
    foreign = OutcomeFactory(priority__plan__council=other_council)
    client = client_for(people[Role.LEAD_COMMISSIONER])
    response = client.get(reverse("councils:framework_edit", args=[council.slug, "outcomes", foreign.pk]))
    assert response.status_code == 404
    response = client.post(
        reverse("councils:framework_edit", args=[council.slug, "outcomes", foreign.pk]), {"title": "Hijacked"}
    )
    assert response.status_code == 404
    foreign.refresh_from_db()
    assert foreign.title != "Hijacked"


def test_forms_only_offer_the_councils_own_choices(client_for, council, other_council, people):
    PriorityFactory(plan__council=other_council, title="Foreign priority")
    PriorityFactory(plan__council=council, title="Home priority")
    body = (
        client_for(people[Role.LEAD_COMMISSIONER])
        .get(reverse("councils:framework_add", args=[council.slug, "outcomes"]))
        .content.decode()
    )
    assert "Home priority" in body
    assert "Foreign priority" not in body


def test_unknown_framework_kind_is_not_found(client_for, council, people):
    response = client_for(people[Role.LEAD_COMMISSIONER]).get(f"/councils/{council.slug}/framework/bogus/new/")
    assert response.status_code == 404


def test_admin_changes_thresholds(client_for, council, people):
    client = client_for(people[Role.COUNCIL_ADMIN])
    response = client.post(
        reverse("councils:settings", args=[council.slug]),
        {
            "name": council.name,
            "key_decision_threshold": "£500,000",
            "quote_threshold": "10000",
            "tender_threshold": "£100,000",
        },
    )
    assert response.status_code == 302
    council.refresh_from_db()
    assert council.key_decision_threshold == 500000
    assert AuditEvent.objects.filter(event_type="council.updated", council=council).exists()


def test_thresholds_in_the_wrong_order_are_refused(client_for, council, people):
    client = client_for(people[Role.COUNCIL_ADMIN])
    response = client.post(
        reverse("councils:settings", args=[council.slug]),
        {
            "name": council.name,
            "key_decision_threshold": "1",
            "quote_threshold": "200000",
            "tender_threshold": "100000",
        },
    )
    assert response.status_code == 200
    assert "cannot be above the tender threshold" in response.content.decode()
    assert Council.objects.get(pk=council.pk).quote_threshold != 200000


def test_scrutiny_member_cannot_post_to_change_anything(client_for, council, people):
    client = client_for(people[Role.SCRUTINY_MEMBER])
    response = client.post(
        reverse("councils:settings", args=[council.slug]),
        {"name": "Renamed", "key_decision_threshold": "1", "quote_threshold": "1", "tender_threshold": "1"},
    )
    assert response.status_code == 403
    assert Council.objects.get(pk=council.pk).name != "Renamed"


def test_admin_gives_and_removes_a_role(client_for, council, people):
    client = client_for(people[Role.COUNCIL_ADMIN])
    response = client.post(
        reverse("councils:membership_add", args=[council.slug]),
        {"email": "newbie@testshire.example", "full_name": "New Bie", "role": Role.FINANCE_OFFICER},
    )
    assert response.status_code == 302
    membership = Membership.objects.get(user__email="newbie@testshire.example")
    response = client.post(
        reverse("councils:membership_remove", args=[council.slug, membership.pk]), {"reason": "Moved on"}
    )
    assert response.status_code == 302
    assert not Membership.objects.filter(pk=membership.pk).exists()


def test_membership_of_another_council_cannot_be_removed_through_this_one(client_for, council, other_council, people):
    foreign = Membership.objects.create(user=UserFactory(), council=other_council, role=Role.LEGAL_OFFICER)
    response = client_for(people[Role.COUNCIL_ADMIN]).post(
        reverse("councils:membership_remove", args=[council.slug, foreign.pk]), {"reason": "x"}
    )
    assert response.status_code == 404
    assert Membership.objects.filter(pk=foreign.pk).exists()


def test_audit_trail_shows_only_this_councils_events(client_for, council, other_council, people):
    from councils.services import audit_record

    audit_record(council=council, actor=None, event_type="home.event")
    audit_record(council=other_council, actor=None, event_type="foreign.event")
    body = client_for(people[Role.SCRUTINY_MEMBER]).get(reverse("councils:audit", args=[council.slug])).content
    assert b"Home event" in body
    assert b"Foreign event" not in body


def test_framework_page_query_count_does_not_grow_with_outcomes(client_for, council, people):
    OutcomeFactory(priority__plan__council=council)

    def add_rows(count):
        for _ in range(count):
            OutcomeFactory(priority__plan__council=council, priority__plan__is_current=False)

    assert_same_queries(
        client_for(people[Role.PORTFOLIO_HOLDER]), reverse("councils:framework", args=[council.slug]), add_rows
    )


def test_audit_trail_query_count_does_not_grow_with_events(client_for, council, people):
    from councils.services import audit_record

    def add_rows(count):
        for number in range(count):
            audit_record(council=council, actor=UserFactory(), event_type=f"home.event{number}", obj=people["no_role"])

    audit_record(council=council, actor=people[Role.LEAD_COMMISSIONER], event_type="home.event")
    _, response = assert_same_queries(
        client_for(people[Role.SCRUTINY_MEMBER]), reverse("councils:audit", args=[council.slug]), add_rows
    )
    assert len(response.context["page_obj"]) == 25


def test_people_page_query_count_does_not_grow_with_memberships(client_for, council):
    admin = MembershipFactory(council=council, role=Role.COUNCIL_ADMIN).user
    _, response = assert_same_queries(
        client_for(admin),
        reverse("councils:people", args=[council.slug]),
        lambda count: MembershipFactory.create_batch(count, council=council),
    )
    assert len(response.context["memberships"]) == 25


def test_someone_given_a_role_sets_their_password_through_the_reset_link(client, council, people, mailoutbox):
    import re

    from councils import services

    services.membership_grant(
        by=people[Role.COUNCIL_ADMIN],
        council=council,
        email="new.lead@testshire.example",
        full_name="New Lead",
        role="legal_officer",
    )
    response = client.post(reverse("password_reset"), {"email": "NEW.LEAD@testshire.example"})
    assert response.status_code == 302
    link = re.search(r"https?://[^/]+(/password/reset/\S+/)", mailoutbox[0].body).group(1)
    form_page = client.get(link, follow=True)
    set_url = form_page.redirect_chain[-1][0]
    client.post(set_url, {"new_password1": "a-long-memorable-phrase", "new_password2": "a-long-memorable-phrase"})
    signed_in = client.post(
        reverse("login"), {"username": "new.lead@testshire.example", "password": "a-long-memorable-phrase"}
    )
    assert signed_in.status_code == 302


def test_provider_staff_land_on_their_dashboard_after_signing_in(client, people):
    response = client.post(reverse("login"), {"username": "admin@moorside.example", "password": PASSWORD}, follow=True)
    assert response.redirect_chain[-1][0] == reverse("monitoring:provider_dashboard")
