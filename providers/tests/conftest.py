"""Provider fixtures on top of the project's `people`: the two provider administrators' organisations."""

from __future__ import annotations

import re

import pytest

from providers.models import Organisation


@pytest.fixture
def organisation(people):
    """The organisation `people["provider_admin"]` administers."""
    return Organisation.objects.get(members__user=people["provider_admin"])


@pytest.fixture
def other_organisation(people):
    """The organisation `people["other_provider_admin"]` administers."""
    return Organisation.objects.get(members__user=people["other_provider_admin"])


def link_in(message) -> str:
    """The path of the first link in an email (the test client wants paths, not absolute URLs)."""
    match = re.search(r"https?://[^/\s]+(/\S*)", message.body)
    assert match, message.body
    return match.group(1)
