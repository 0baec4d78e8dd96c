"""Opportunity alerts, the provider's side: choosing what to hear about when registering and on the
profile (with clear errors, and nobody else's organisation), and the matching rule, which must hold
for every combination of interests (hypothesis against a plain oracle)."""

from __future__ import annotations

import pytest
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from councils.models import AuditEvent
from councils.tests.factories import OutcomeFactory
from providers.alert_selectors import OpportunityTraits, organisations_to_alert, people_to_alert
from providers.models import CpvInterest, Organisation, ProviderRole, cpv_codes_matching, cpv_interest_code
from providers.tests.factories import OrganisationFactory, OrganisationMemberFactory
from providers.tests.test_registration import registration

pytestmark = pytest.mark.django_db

BID_WRITERS = (ProviderRole.ORGANISATION_ADMIN, ProviderRole.BID_WRITER)
# Divisions and groups, some nested (85 holds 853), some apart.
CPV_INTERESTS = ["85000000", "85300000", "85100000", "80000000", "79400000"]
# Opportunities' codes: in 853 (so in 85), in 851, in 80, in 794, in none of them, and none given.
CPV_CODES = ["85311000", "85121000", "80100000", "79410000", "45000000", ""]


def test_cpv_codes_are_read_as_divisions_and_groups():
    assert [cpv_interest_code(t) for t in ("85", "853", "85300000", "85300000-2", " 850 ")] == [
        "85000000",
        "85300000",
        "85300000",
        "85300000",
        "85000000",
    ]
    assert [cpv_interest_code(t) for t in ("8", "8531", "85311000", "social", "")] == ["", "", "", "", ""]
    assert cpv_codes_matching("85311000") == ["85000000", "85300000"]
    assert cpv_codes_matching("") == cpv_codes_matching("853") == []


# ---- The rule: alerted iff alerts are on and at least one interest matches ----


def _interest_matches(interest: str, code: str) -> bool:
    # Written apart from the selector: a division is its first two digits, a group its first three.
    prefix = interest[:2] if interest.endswith("000000") else interest[:3]
    return bool(code) and code.startswith(prefix)


organisation_specs = st.lists(
    st.fixed_dictionaries(
        {
            "on": st.booleans(),
            "outcomes": st.sets(st.integers(0, 2), max_size=3),
            "cpv": st.sets(st.sampled_from(CPV_INTERESTS), max_size=3),
            "councils": st.sets(st.integers(0, 1), max_size=2),
            "every": st.booleans(),
        }
    ),
    min_size=1,
    max_size=6,
)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    specs=organisation_specs,
    in_other_council=st.booleans(),
    sought=st.sets(st.integers(0, 2), max_size=3),
    code=st.sampled_from(CPV_CODES),
)
def test_an_organisation_is_alerted_iff_alerts_are_on_and_one_interest_matches(
    council, other_council, specs, in_other_council, sought, code
):
    Organisation.objects.filter(legal_name__startswith="Alerted ").delete()
    outcomes = [OutcomeFactory(priority__plan__council=council, title=f"Outcome {n}") for n in range(3)]
    councils = [council, other_council]
    publishing = councils[in_other_council]
    expected = set()
    for n, spec in enumerate(specs):
        organisation = OrganisationFactory(
            legal_name=f"Alerted {n}", opportunity_alerts=spec["on"], alert_every_council=spec["every"]
        )
        organisation.outcomes_of_interest.set(outcomes[i] for i in spec["outcomes"])
        organisation.alert_councils.set(councils[i] for i in spec["councils"])
        CpvInterest.objects.bulk_create(CpvInterest(organisation=organisation, code=c) for c in spec["cpv"])
        OrganisationMemberFactory(organisation=organisation, role=ProviderRole.BID_WRITER)
        matches = (
            spec["outcomes"] & sought
            or any(_interest_matches(interest, code) for interest in spec["cpv"])
            or publishing in [councils[i] for i in spec["councils"]]
            or spec["every"]
        )
        if spec["on"] and matches:
            expected.add(organisation.pk)
    traits = OpportunityTraits(council=publishing, outcome_ids=tuple(outcomes[i].pk for i in sought), cpv_code=code)

    assert set(organisations_to_alert(traits).values_list("pk", flat=True)) == expected
    alerted = people_to_alert(traits, BID_WRITERS)
    assert {a.user.organisation_memberships.get().organisation_id for a in alerted} == expected
    # Each person is told why: every organisation they are told for has at least one reason.
    assert all(reasons for a in alerted for reasons in a.reasons.values())


def test_the_reasons_name_each_matching_interest(council, other_council):
    outcome = OutcomeFactory(priority__plan__council=council, title="Fewer people lonely")
    organisation = OrganisationFactory(legal_name="Reasons Trust", opportunity_alerts=True)
    organisation.outcomes_of_interest.add(outcome)
    organisation.alert_councils.add(council)
    CpvInterest.objects.create(organisation=organisation, code="85300000")
    admin = OrganisationMemberFactory(organisation=organisation).user
    OrganisationMemberFactory(organisation=organisation, role=ProviderRole.MONITORING_CONTACT)

    [alerted] = people_to_alert(
        OpportunityTraits(council=council, outcome_ids=(outcome.pk,), cpv_code="85311000"), BID_WRITERS
    )
    assert alerted.user == admin  # the monitoring contact does not bid: not told
    assert alerted.reasons == {
        "Reasons Trust": [
            "the outcome ‘Fewer people lonely’",
            "CPV 85300000 Social work and related services",
            f"opportunities from {council.name}",
        ]
    }
    assert people_to_alert(OpportunityTraits(council=other_council, cpv_code="45000000"), BID_WRITERS) == []


# ---- Registering with alert preferences ----


def test_registering_chooses_outcomes_kinds_of_work_and_councils(
    client, council, outcome, django_capture_on_commit_callbacks
):
    form = client.get(reverse("providers:register")).context["form"]
    assert form.initial["opportunity_alerts"] is True  # offered ticked
    data = registration(
        opportunity_alerts="on",
        outcomes_of_interest=[outcome.pk],
        cpv_divisions=["85000000"],
        cpv_groups="794, 80100000-9 ",
        alert_councils=[council.pk],
    )
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("providers:register"), data)
    assert response.status_code == 302, response.context["form"].errors
    organisation = Organisation.objects.get(legal_name="Harbour Lights Community Trust")
    assert organisation.opportunity_alerts
    assert list(organisation.outcomes_of_interest.all()) == [outcome]
    assert sorted(organisation.cpv_interests.values_list("code", flat=True)) == ["79400000", "80100000", "85000000"]
    assert list(organisation.alert_councils.all()) == [council]
    event = AuditEvent.objects.get(event_type="organisation.registered")
    assert event.extra["cpv_interests"] == ["79400000", "80100000", "85000000"]
    assert event.extra["alert_councils"] == [council.slug]


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"opportunity_alerts": "on"}, "opportunity_alerts", "Choose at least one outcome, kind of work or council"),
        ({"cpv_groups": "853, 99, 85311000"}, "cpv_groups", "99, 85311000 are not CPV groups"),
        ({"cpv_groups": "social work"}, "cpv_groups", "social work is not a CPV group"),
        ({"cpv_divisions": ["12345678"]}, "cpv_divisions", "Select a valid choice"),
    ],
)
def test_registration_refuses_unclear_alert_preferences_and_registers_nothing(client, overrides, field, message):
    response = client.post(reverse("providers:register"), registration(**overrides))
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert list(errors) == [field]
    assert message in errors[field][0]
    assert message.split(" ")[0] in response.content.decode()  # shown on the page
    assert not Organisation.objects.filter(legal_name="Harbour Lights Community Trust").exists()


def test_no_alerts_needs_no_interests(client, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("providers:register"), registration())
    assert response.status_code == 302
    assert not Organisation.objects.get(legal_name="Harbour Lights Community Trust").opportunity_alerts


# ---- Changing them on the profile ----


def _profile(organisation, **overrides) -> dict:
    data = {
        "legal_name": organisation.legal_name,
        "organisation_type": organisation.organisation_type,
        "charity_number": organisation.charity_number,
        "registered_address": "1 Quay Street",
        "postcode": "LA1 1AA",
        "sector": organisation.sector,
        "income_band": "under_10k",
    }
    return {**data, **overrides}


def test_an_administrator_changes_the_alerts_on_the_profile(client_for, people, organisation, council):
    CpvInterest.objects.create(organisation=organisation, code="80000000")
    url = reverse("providers:organisation_edit", args=[organisation.pk])
    client = client_for(people["provider_admin"])
    form = client.get(url).context["form"]
    assert form.initial["cpv_divisions"] == ["80000000"]
    data = _profile(
        organisation, opportunity_alerts="on", cpv_divisions=["85000000"], cpv_groups="853", alert_every_council="on"
    )
    assert client.post(url, data).status_code == 302
    organisation.refresh_from_db()
    assert organisation.opportunity_alerts
    assert organisation.alert_every_council
    assert sorted(organisation.cpv_interests.values_list("code", flat=True)) == ["85000000", "85300000"]
    page = client.get(reverse("providers:organisation", args=[organisation.pk])).content.decode()
    assert "85300000 Social work and related services" in page
    assert "Every council" in page
    # Turned off again: nobody is told, whatever the interests.
    assert client.post(url, _profile(organisation, cpv_groups="853")).status_code == 302
    organisation.refresh_from_db()
    assert not organisation.opportunity_alerts
    assert list(organisation.cpv_interests.values_list("code", flat=True)) == ["85300000"]


def test_others_cannot_change_an_organisations_alerts(client_for, people, organisation, other_organisation):
    writer = OrganisationMemberFactory(organisation=organisation, role=ProviderRole.BID_WRITER).user
    url = reverse("providers:organisation_edit", args=[organisation.pk])
    data = _profile(organisation, opportunity_alerts="on", alert_every_council="on")
    assert client_for(writer).post(url, data).status_code == 403
    # Another organisation's administrator, and a council officer: not even told it exists.
    assert client_for(people["other_provider_admin"]).post(url, data).status_code == 404
    assert client_for(people["other_provider_admin"]).get(url).status_code == 404
    assert client_for(people["lead_commissioner"]).post(url, data).status_code == 404
    organisation.refresh_from_db()
    assert not organisation.opportunity_alerts
    assert not organisation.alert_every_council
