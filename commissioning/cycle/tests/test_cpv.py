"""CPV codes: the vendored CPV 2008 list, its search, the light-touch services list, and the picker that
sets a commission's main code."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from commissioning import cpv
from commissioning.cycle import services
from commissioning.models import State
from commissioning.tests.factories import commission_in_state, create_commission
from councils.models import AuditEvent, Role


def test_the_vendored_list_holds_every_cpv_2008_code():
    vocabulary = cpv.vocabulary()
    assert len(vocabulary) == 9455
    assert vocabulary["85311100"].label == "Welfare services for the elderly"


def test_search_by_words_and_by_digits():
    labels = [entry.label for entry in cpv.search("Day care")]
    assert "Daycare services" in labels  # each word anywhere in the label, in any case
    assert "Welfare services for the elderly" not in labels
    assert [entry.code for entry in cpv.search("8531110")] == ["85311100"]
    assert [entry.code for entry in cpv.search("85311100-5")] == ["85311100"]  # with its check digit
    assert len(cpv.search("services", limit=7)) == 7
    assert cpv.search("   ") == []
    assert cpv.search("zzzz no such service") == []


def test_light_touch_services_are_recognised_by_code():
    every_code = cpv.vocabulary()
    for low, high in cpv.light_touch_ranges():
        assert low in every_code
        assert high in every_code
    assert cpv.is_light_touch("85311100")  # welfare services for the elderly
    assert cpv.is_light_touch("85323000")  # the range's upper end
    assert cpv.is_light_touch("98513000-2")
    assert not cpv.is_light_touch("85400000")  # past the health and social range
    assert not cpv.is_light_touch("45000000")  # construction work
    assert not cpv.is_light_touch("")


@pytest.mark.django_db
def test_an_officer_picks_the_main_code_from_a_search(council, people, client_for):
    commission = create_commission(council, officer=people[Role.COMMISSIONING_OFFICER])
    client = client_for(people[Role.COMMISSIONING_OFFICER])
    url = reverse("commissioning:cpv", kwargs={"council_slug": council.slug, "pk": commission.pk})
    page = client.get(url, {"q": "welfare elderly"}).content.decode()
    assert "85311100" in page
    assert "Welfare services for the elderly" in page
    assert client.post(url, {"code": "85311100"}).status_code == 302
    commission.refresh_from_db()
    assert commission.cpv_code == "85311100"
    assert "85311100 Welfare services for the elderly" in client.get(commission.get_absolute_url()).content.decode()
    assert AuditEvent.objects.filter(event_type="commission.cpv_code_set", object_id=str(commission.pk)).exists()
    # A made-up code is refused with a message, and nothing changes.
    response = client.post(url, {"code": "99999999"}, follow=True)
    assert "Choose a code from the list." in response.content.decode()
    commission.refresh_from_db()
    assert commission.cpv_code == "85311100"


@pytest.mark.django_db
def test_only_the_commissions_officers_set_the_code_while_its_details_are_open(council, people, client_for):
    commission = create_commission(council, officer=people[Role.COMMISSIONING_OFFICER])
    for who in (Role.PROCUREMENT_OFFICER, Role.SCRUTINY_MEMBER, "other_council_officer"):
        with pytest.raises(PermissionDenied):
            services.commission_set_cpv_code(by=people[who], commission=commission, code="85311100")
    url = reverse("commissioning:cpv", kwargs={"council_slug": council.slug, "pk": commission.pk})
    assert client_for(people[Role.PROCUREMENT_OFFICER]).post(url, {"code": "85311100"}).status_code == 403
    assert client_for(people["other_council_officer"]).get(url).status_code == 404
    sourcing = commission_in_state(council, State.SOURCING)
    with pytest.raises(ValidationError, match="cannot be changed"):
        services.commission_set_cpv_code(by=sourcing.lead_officer, commission=sourcing, code="85311100")
    commission.refresh_from_db()
    assert commission.cpv_code == ""
