"""The sign-in backend reads the signed-in person with a kept statement, and sessions started under
Django's own backend name carry on under the new one."""

from __future__ import annotations

import pytest
from django.contrib.auth import BACKEND_SESSION_KEY
from django.test import Client
from django.urls import reverse

from councils.backends import FORMER_MODEL_BACKEND, MODEL_BACKEND, ModelBackend
from councils.tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db


def test_the_person_is_read_and_an_inactive_or_missing_one_is_not():
    person, gone = UserFactory(), UserFactory(is_active=False)
    backend = ModelBackend()
    assert backend.get_user(person.pk) == person
    assert backend.get_user(gone.pk) is None
    assert backend.get_user(person.pk + gone.pk + 1000) is None


def test_signing_in_names_this_backend(client):
    person = UserFactory()
    response = client.post(reverse("login"), {"username": person.email, "password": PASSWORD})
    assert response.status_code == 302
    assert client.session[BACKEND_SESSION_KEY] == MODEL_BACKEND


def test_a_session_under_the_former_name_stays_signed_in_under_the_new_one():
    person = UserFactory()
    client = Client()
    client.force_login(person, backend=MODEL_BACKEND)
    session = client.session
    session[BACKEND_SESSION_KEY] = FORMER_MODEL_BACKEND
    session.save()
    response = client.get(reverse("account:account"))
    assert response.status_code == 200, "a session from before the rename must not be signed out"
    assert client.session[BACKEND_SESSION_KEY] == MODEL_BACKEND
