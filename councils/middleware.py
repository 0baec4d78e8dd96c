from django.shortcuts import get_object_or_404

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
