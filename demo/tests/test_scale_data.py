"""The scale data generator builds a valid, varied data set with bulk inserts."""

import pytest
from django.core.management import CommandError, call_command
from django.db.models import Count

from commissioning.models import Bid, Commission, Evaluation, Opportunity, State
from councils.models import Membership, Role
from demo.scale_data import Sizes, bench_logins, generate
from monitoring.models import Agreement, MonitoringReturn

pytestmark = pytest.mark.django_db


def test_small_preset_spreads_over_every_state_and_role():
    report = generate(Sizes(councils=2, providers=40, commissions=200, bids=600, returns=3000))

    assert report.counts["commissions"] == 200
    states = set(Commission.objects.values_list("state", flat=True))
    assert states == set(State.values)
    assert set(Membership.objects.values_list("role", flat=True)) == set(Role.values)
    assert MonitoringReturn.objects.count() == 3000
    assert set(MonitoringReturn.objects.values_list("state", flat=True)) >= {"due", "submitted", "accepted"}
    assert Evaluation.objects.exists()
    # One bid per organisation per opportunity, as the constraint demands.
    assert not Bid.objects.values("opportunity", "organisation").annotate(n=Count("id")).filter(n__gt=1).exists()
    assert Opportunity.objects.count()
    assert Agreement.objects.count()


def test_bench_logins_name_a_person_for_every_page():
    generate(Sizes.small())
    logins = bench_logins()
    assert {"commissioning_officer", "lead_commissioner", "portfolio_holder", "scrutiny_member", "provider"} <= set(
        logins
    )


def test_refuses_to_load_twice(capsys):
    call_command("generate_scale_data", "--small")
    assert "Generated in" in capsys.readouterr().out
    with pytest.raises(CommandError, match="already loaded"):
        call_command("generate_scale_data", "--small")
