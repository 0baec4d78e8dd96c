"""The browser journeys' own checks must be able to fail: a page with a known WCAG failure is refused."""

from __future__ import annotations

import pytest

from .browser import assert_accessible

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_accessibility_check_names_what_fails(page):
    page.goto("/")
    assert_accessible(page)
    page.evaluate("""() => {
        const image = document.createElement('img');
        image.src = '/static/missing.png';
        document.querySelector('main').appendChild(image);
    }""")
    with pytest.raises(AssertionError, match='"id": "image-alt"'):
        assert_accessible(page)
