"""What every evaluation and award page does first: resolve the opportunity of the council in the URL
and the visitor's part in it (`resolve`), settle access (`allow`, else 403 for council people without
that part and 404 for anyone else), then fetch what the page is about (`prepare`)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.shortcuts import redirect


class OpportunityPartMixin(LoginRequiredMixin):
    """One opportunity and the visitor's part in its evaluation or award (`self.access`, which has
    `opportunity` and `deny()`). Subclasses say how to `resolve` the access, what `page_url` is home,
    and may stop early in `before_allow` (a redirect, say) or `prepare` (a response ends the request)."""

    def resolve(self, request, kwargs):
        raise NotImplementedError

    def page_url(self) -> str:
        raise NotImplementedError

    def allow(self, access) -> bool:
        raise NotImplementedError

    def before_allow(self):
        return None

    def prepare(self):
        """Once access is settled: fetch what the page is about (404s here); a response stops there."""
        return None

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        self.access = self.resolve(request, kwargs)
        self.opportunity = self.access.opportunity
        early = self.before_allow()
        if early is not None:
            return early
        if not self.allow(self.access):
            self.access.deny()
        return self.prepare() or super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        kwargs.setdefault("council", self.request.council)
        kwargs.update(access=self.access, opportunity=self.opportunity, back_url=self.page_url())
        return super().get_context_data(**kwargs)

    def back(self):
        return redirect(self.page_url())

    def refuse(self, message: str):
        messages.error(self.request, message)
        return self.back()
