from django.conf import settings
from django.shortcuts import get_object_or_404, render

from councils.models import Council


class CurrentCouncilMiddleware:
    """Resolve the council named in the URL once, so views, permissions and the header share it."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.council = None
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        slug = view_kwargs.get("council_slug")
        if slug:
            request.council = get_object_or_404(Council.objects.select_related("partnership"), slug=slug)
        return None


class RequestSizeLimitMiddleware:
    """Refuse a request body larger than any form needs (COMMISSIONER_MAX_REQUEST_MB) before it is
    read, with a page that says what to do. Smaller requests with a file over the upload limit
    get the form's own message (councils.upload_handlers)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        if length > settings.COMMISSIONER_MAX_REQUEST_MB * 1024 * 1024:
            return render(
                request,
                "request_too_large.html",
                {"max_upload_mb": settings.COMMISSIONER_MAX_UPLOAD_MB},
                status=413,
            )
        return self.get_response(request)
