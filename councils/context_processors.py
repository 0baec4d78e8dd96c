from django.conf import settings
from django.utils.functional import SimpleLazyObject

from councils import page_cache
from councils.notification_selectors import unread_count


def council_branding(request):
    council = getattr(request, "council", None)
    return {
        "current_council": council,
        "service_name": settings.COMMISSIONER_SERVICE_NAME,
    }


_FACTS = "_commissioner_header_facts"


def _header_facts(user) -> dict:
    return {"unread": unread_count(user), "acts_for_an_organisation": user.organisation_memberships.exists()}


def notifications(request):
    """What the header and menu show of the signed-in person: their unread notifications (an indexed
    COUNT) and whether they act for a provider organisation. Worked out once per request, only when a
    page shows them, and on a page-cache miss read from the cache by the person's generations
    (`page_cache.personal`)."""

    def facts() -> dict:
        if not hasattr(request, _FACTS):
            user = getattr(request, "user", None)
            if user is None or not user.is_authenticated:
                found = {"unread": 0, "acts_for_an_organisation": False}
            else:
                found = page_cache.personal(request, "header", lambda: _header_facts(user))
            setattr(request, _FACTS, found)
        return getattr(request, _FACTS)

    return {
        "unread_notification_count": SimpleLazyObject(lambda: facts()["unread"]),
        "acts_for_an_organisation": SimpleLazyObject(lambda: facts()["acts_for_an_organisation"]),
    }
