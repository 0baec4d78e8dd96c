from django.conf import settings


def council_branding(request):
    council = getattr(request, "council", None)
    return {
        "current_council": council,
        "service_name": settings.COMMISSIONER_SERVICE_NAME,
    }
