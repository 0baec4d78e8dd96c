import factory
from factory.django import DjangoModelFactory

from councils.models import (
    CorporatePlan,
    Council,
    CrossCuttingTheme,
    Membership,
    Outcome,
    Portfolio,
    Priority,
    Role,
    User,
)

PASSWORD = "correct-horse-battery-staple"


class UserFactory(DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ["email"]
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"person{n}@example.org")
    full_name = factory.Faker("name", locale="en_GB")

    @factory.post_generation
    def password(self, create, extracted, **kwargs):
        self.set_password(extracted or PASSWORD)
        if create:
            self.save(update_fields=["password"])


class CouncilFactory(DjangoModelFactory):
    class Meta:
        model = Council

    name = factory.Sequence(lambda n: f"Testshire Council {n}")
    slug = factory.Sequence(lambda n: f"testshire-{n}")
    short_code = factory.Sequence(lambda n: f"TC{n}")
    contact_email = "commissioning@testshire.example"
    # Off in test councils, so that tests can sign staff in with `force_login`; tests of two-factor
    # sign-in turn it on (councils/tests/test_two_factor.py) or sign in verified (tests/accounts.py).
    require_two_factor = False


class MembershipFactory(DjangoModelFactory):
    class Meta:
        model = Membership

    user = factory.SubFactory(UserFactory)
    council = factory.SubFactory(CouncilFactory)
    role = Role.COMMISSIONING_OFFICER


class PortfolioFactory(DjangoModelFactory):
    class Meta:
        model = Portfolio

    council = factory.SubFactory(CouncilFactory)
    name = factory.Sequence(lambda n: f"Portfolio {n}")


class CorporatePlanFactory(DjangoModelFactory):
    class Meta:
        model = CorporatePlan

    council = factory.SubFactory(CouncilFactory)
    title = "Corporate Plan"
    start_year = 2025
    end_year = 2028
    is_current = False


class PriorityFactory(DjangoModelFactory):
    class Meta:
        model = Priority

    plan = factory.SubFactory(CorporatePlanFactory)
    title = factory.Sequence(lambda n: f"Priority {n}")


class OutcomeFactory(DjangoModelFactory):
    class Meta:
        model = Outcome

    priority = factory.SubFactory(PriorityFactory)
    title = factory.Sequence(lambda n: f"Outcome {n}")
    portfolio = factory.SubFactory(PortfolioFactory, council=factory.SelfAttribute("..priority.plan.council"))


class CrossCuttingThemeFactory(DjangoModelFactory):
    class Meta:
        model = CrossCuttingTheme

    plan = factory.SubFactory(CorporatePlanFactory)
    title = factory.Sequence(lambda n: f"Theme {n}")
