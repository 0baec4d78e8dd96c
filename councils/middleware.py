import time

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import BACKEND_SESSION_KEY, logout
from django.contrib.auth.views import redirect_to_login
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.cache import patch_cache_control
from django.utils.http import urlencode

from councils import page_cache, sessions
from councils.backends import FORMER_MODEL_BACKEND, MODEL_BACKEND


class CurrentCouncilMiddleware:
    """Resolve the council named in the URL once, so views, permissions and the header share it."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.council = None
        if request.method not in ("GET", "HEAD"):
            return self.get_response(request)
        # A page reads the generations of what it shows once (`page_cache.reading`), from the council's
        # lookup on.
        with page_cache.reading():
            return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        slug = view_kwargs.get("council_slug")
        if slug:
            request.council = page_cache.council_named(request, slug)
            if request.council is None:
                raise Http404("No such council.")
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


class SessionTimeoutMiddleware:
    """End a session that has been idle, or signed in, too long (and say why on the sign-in page), and
    give a session a new key when its person's roles have changed (councils.sessions).

    It runs before any view, so before the page cache (which lives in the views) can serve a page."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.session.get(BACKEND_SESSION_KEY) == FORMER_MODEL_BACKEND:
            # Signed in before the backend was renamed: the same backend under its new name.
            request.session[BACKEND_SESSION_KEY] = MODEL_BACKEND
        user = request.user
        if user.is_authenticated:
            session = request.session
            now = int(time.time())
            if sessions.SIGNED_IN_AT not in session:
                # Signed in before time-outs existed: the clock starts now.
                sessions.start(session, user)
            reason = sessions.expired(session, now)
            if reason:
                logout(request)
                messages.info(request, sessions.ENDED_MESSAGES[reason])
                return redirect_to_login(request.get_full_path())
            if sessions.access_changed(session, user):
                session.cycle_key()
                sessions.refresh_access(session, user)
            sessions.touch(session, now)
        return self.get_response(request)


class TwoFactorMiddleware:
    """The one place two-factor sign-in is enforced: someone who must use it and has not entered a code
    in this session sees only the pages to set it up, enter a code, or sign out."""

    # The accessibility statement and privacy notice are for everyone, before any sign-in step too.
    OPEN_URL_NAMES = ("account:two_factor_setup", "account:two_factor_verify", "logout", "accessibility", "privacy")

    def __init__(self, get_response):
        self.get_response = get_response
        self._open_paths: frozenset[str] | None = None

    def open_paths(self) -> frozenset[str]:
        if self._open_paths is None:
            self._open_paths = frozenset(reverse(name) for name in self.OPEN_URL_NAMES)
        return self._open_paths

    def __call__(self, request):
        user = request.user
        if (
            user.is_authenticated
            and request.session.get(sessions.TWO_FACTOR_REQUIRED)
            and not user.is_verified()
            and request.path not in self.open_paths()
        ):
            target = reverse("account:two_factor_verify")
            if request.method == "GET":
                target += "?" + urlencode({"next": request.get_full_path()})
            return redirect(target)
        return self.get_response(request)


class PrivatePagesMiddleware:
    """A signed-in person's pages are theirs: no shared cache (proxy, CDN) may keep them, and the
    browser does not keep them on disk. Public pages keep whatever caching their views set."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            patch_cache_control(response, private=True, no_store=True)
        return response
