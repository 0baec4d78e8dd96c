"""Council model rules."""

import pytest
from django.core.exceptions import ValidationError

from councils.models import Council


def test_a_council_cannot_take_the_short_name_of_a_service_page(db):
    council = Council(name="Notifications District Council", slug="notifications", short_code="NDC")
    with pytest.raises(ValidationError) as error:
        council.full_clean()
    assert "slug" in error.value.message_dict
