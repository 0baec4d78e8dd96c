from django.conf import settings
from django.utils.functional import SimpleLazyObject

from councils.notification_selectors import unread_count


def council_branding(request):
    council = getattr(request, "council", None)
    return {
        "current_council": council,
        "service_name": settings.COMMISSIONER_SERVICE_NAME,
    }


_UNREAD = "_commissioner_unread_notifications"


def notifications(request):
    """The unread count in the header: one indexed COUNT, only when a page shows it, once per request."""

    def unread() -> int:
        if not hasattr(request, _UNREAD):
            user = getattr(request, "user", None)
            count = 0
            if user is not None and user.is_authenticated:
                count = unread_count(user)
            setattr(request, _UNREAD, count)
        return getattr(request, _UNREAD)

    return {"unread_notification_count": SimpleLazyObject(unread)}
