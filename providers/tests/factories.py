import datetime

import factory
from django.core.files.base import ContentFile
from django.utils import timezone
from django.utils.text import slugify
from factory.django import DjangoModelFactory

from councils.tests.factories import UserFactory
from demo.providers import tiny_pdf
from providers.models import (
    ComplianceDocument,
    ComplianceDocumentKind,
    Organisation,
    OrganisationMember,
    OrganisationType,
    ProviderRole,
    Sector,
)


class OrganisationFactory(DjangoModelFactory):
    class Meta:
        model = Organisation
        django_get_or_create = ["legal_name"]

    legal_name = factory.Sequence(lambda n: f"Community Organisation {n}")
    slug = factory.LazyAttribute(lambda o: slugify(o.legal_name)[:120])
    organisation_type = OrganisationType.REGISTERED_CHARITY
    sector = Sector.VCFS
    charity_number = "1098765"
    postcode = "LA1 1AA"


class OrganisationMemberFactory(DjangoModelFactory):
    """A person who agreed to act for the organisation (its founder, or someone who accepted an
    invitation: `providers.invitation_services` has the path, tested on its own). `consented_at=None`
    makes a membership from before consent was asked."""

    class Meta:
        model = OrganisationMember

    organisation = factory.SubFactory(OrganisationFactory)
    user = factory.SubFactory(UserFactory)
    role = ProviderRole.ORGANISATION_ADMIN
    consented_at = factory.LazyFunction(timezone.now)


class ComplianceDocumentFactory(DjangoModelFactory):
    """A real (tiny) PDF, stored privately like an upload."""

    class Meta:
        model = ComplianceDocument

    organisation = factory.SubFactory(OrganisationFactory)
    kind = ComplianceDocumentKind.SAFEGUARDING_POLICY
    expires_on = factory.LazyFunction(lambda: timezone.localdate() + datetime.timedelta(days=365))
    original_name = "safeguarding-policy.pdf"
    file = factory.LazyAttribute(lambda d: ContentFile(tiny_pdf(d.kind), name=d.original_name))
