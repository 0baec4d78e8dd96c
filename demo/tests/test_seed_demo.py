"""`seed_demo`: the whole demo, loaded once per test process (see `demo.tests.snapshot`) and put back
for each test here; running the command again on top of it adds nothing."""

from django.core.management import call_command

from commissioning.models import BidPartner, Commission, ProcurementRegime, Regime, State
from councils.models import Council, Membership, Outcome, Partnership, Role, User
from demo.commissions import DEMO_CPV_CODES
from demo.councils import DEMO_PASSWORD
from demo.tests import snapshot
from providers.models import Organisation, OrganisationMember


def counts():
    return (
        Council.objects.count(),
        Partnership.objects.count(),
        User.objects.count(),
        Membership.objects.count(),
        Outcome.objects.count(),
        Organisation.objects.count(),
    )


def test_seed_demo_is_idempotent(demo_data):
    first = counts()
    assert first == tuple(
        demo_data.count(model) for model in (Council, Partnership, User, Membership, Outcome, Organisation)
    )
    call_command("seed_demo", verbosity=0)
    assert counts() == first


def test_seed_demo_gives_every_council_a_person_in_every_role(demo_data):
    for council in Council.objects.all():
        held = set(Membership.objects.filter(council=council).values_list("role", flat=True))
        assert held == set(Role.values), council


def test_partnership_councils_share_their_officers(demo_data):
    partnership = Partnership.objects.get()
    first, second = partnership.councils.all()
    lead = User.objects.get(email="lead@vale-partnership.example")
    assert Membership.objects.filter(user=lead, role=Role.LEAD_COMMISSIONER).count() == 2
    assert {m.council for m in lead.memberships.all()} == {first, second}


def test_demo_logins_use_the_documented_password(demo_data):
    assert User.objects.get(email="lead@kirkby-moor.example").check_password(DEMO_PASSWORD)
    assert Organisation.objects.count() >= 12
    assert Organisation.objects.filter(owning_council__isnull=False).exists()


def test_the_demo_is_put_back_as_the_seed_left_it(demo_data):
    """The shared demo data is row for row what `seed_demo` made (see `demo.tests.snapshot`)."""
    assert snapshot.read() == demo_data.tables


def test_every_demo_membership_and_partnership_was_consented_to(demo_data):
    """Nobody in the demo acts for an organisation, or is named as a partner in a bid, because
    someone else said so: founders registered their organisations, partners confirmed."""
    members = demo_data.count(OrganisationMember)
    assert members > 0
    assert OrganisationMember.objects.count() == members
    assert not OrganisationMember.objects.filter(consented_at__isnull=True).exists()
    partners = BidPartner.objects.all()
    assert partners.exists()
    assert not partners.filter(confirmed_at__isnull=True).exists()
    assert not partners.filter(organisation__isnull=True).exists()


def test_demo_commissions_have_a_cpv_code_and_a_confirmed_regime_once_planned(demo_data):
    """The commissions of the demo's cycle (the other demo modules' commissions have no code yet)."""
    commissions = list(Commission.objects.filter(title__in=DEMO_CPV_CODES))
    assert len(commissions) == len(DEMO_CPV_CODES)
    assert all(commission.cpv is not None for commission in commissions)
    open_states = (State.PLANNING, State.AWAITING_APPROVAL, State.SOURCING)
    planned = [c for c in commissions if c.state in open_states]
    regimes = dict(ProcurementRegime.objects.values_list("commission_id", "regime"))
    assert planned
    assert all(c.pk in regimes for c in planned)
    advice = Commission.objects.get(title="Independent advice services")  # £300,000 of counselling
    assert regimes[advice.pk] == Regime.BELOW_THRESHOLD  # a light-touch service, below £663,540
