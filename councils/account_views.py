"""A person's own account: who the service thinks they are, two-factor sign-in (set up, enter a code,
recovery codes, turn off), signing out everywhere, and a copy of their
personal data. Thin: each view parses input, calls one service, renders.

Recovery codes are shown once: the service returns them, the view keeps them in the session only
until the next page has shown them.
"""

from __future__ import annotations

import segno
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, resolve_url
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.views.generic import FormView, TemplateView, View
from django_otp import login as otp_login
from rules.contrib.views import PermissionRequiredMixin

from councils import account_services as services
from councils import sessions
from councils.account_forms import AppCodeForm, ConfirmForm, SignInCodeForm
from councils.models import Membership
from councils.subject_access import subject_access_export
from councils.views import apply_form_errors

NEW_RECOVERY_CODES = "_new_recovery_codes"


class OwnAccountMixin(LoginRequiredMixin, PermissionRequiredMixin):
    permission_required = "councils.manage_own_account"

    def next_url(self) -> str:
        """Where to go once done: the page the person asked for, if it is on this site."""
        target = self.request.POST.get("next") or self.request.GET.get("next") or ""
        allowed = url_has_allowed_host_and_scheme(
            target, allowed_hosts={self.request.get_host()}, require_https=self.request.is_secure()
        )
        return target if allowed else resolve_url("home")

    def get_context_data(self, **kwargs):
        kwargs.setdefault("next", self.request.GET.get("next", ""))
        return super().get_context_data(**kwargs)


def _verified(request, device) -> None:
    """The session is now two-factor verified: a new key, as for any rise in what it may do."""
    request.session.cycle_key()
    otp_login(request, device)


class AccountView(OwnAccountMixin, TemplateView):
    template_name = "account/account.html"

    def get_context_data(self, **kwargs):
        user = self.request.user
        kwargs.update(
            title="Your account",
            memberships=Membership.objects.filter(user=user).select_related("council"),
            organisations=[str(m.organisation) for m in user.organisation_memberships.select_related("organisation")],
            enrolled=services.is_enrolled(user),
            required=bool(self.request.session.get(sessions.TWO_FACTOR_REQUIRED)),
            may_turn_off=user.has_perm("councils.turn_off_two_factor"),
            recovery_codes_left=services.recovery_codes_left(user),
        )
        return super().get_context_data(**kwargs)


class AccountDataView(OwnAccountMixin, View):
    """Download your data: the same subject access export the data protection officer can make."""

    def get(self, request, *args, **kwargs):
        data = subject_access_export(user=request.user, by=request.user)
        response = HttpResponse(data, content_type="application/zip")
        name = f"your-data-{timezone.localdate():%Y-%m-%d}.zip"
        response["Content-Disposition"] = f'attachment; filename="{name}"'
        return response


class TwoFactorSetupView(OwnAccountMixin, FormView):
    """Add the key to an authenticator app (QR code, or typed in), then enter a code from it."""

    template_name = "account/two_factor_setup.html"
    form_class = AppCodeForm

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and services.is_enrolled(request.user):
            return redirect("account:account")
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        device = services.two_factor_start(user=self.request.user)
        kwargs.update(
            title="Set up two-factor sign-in",
            required=bool(self.request.session.get(sessions.TWO_FACTOR_REQUIRED)),
            # Drawn at 200 pixels square by the page (it scales: SVG), so it fits a 320-pixel screen.
            qr_code=segno.make(device.config_url, error="l").svg_data_uri(border=2),
            secret=services.readable_secret(device),
        )
        return super().get_context_data(**kwargs)

    def form_valid(self, form):
        try:
            device, codes = services.two_factor_confirm(user=self.request.user, code=form.cleaned_data["code"])
        except ValidationError as error:
            apply_form_errors(form, error)
            return self.form_invalid(form)
        _verified(self.request, device)
        self.request.session[NEW_RECOVERY_CODES] = codes
        messages.success(self.request, "Two-factor sign-in is set up.")
        return redirect(f"{reverse('account:recovery_codes')}?{urlencode({'next': self.next_url()})}")


class TwoFactorVerifyView(OwnAccountMixin, FormView):
    """The code after the password."""

    template_name = "account/two_factor_verify.html"
    form_class = SignInCodeForm

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated:
            if request.user.is_verified():
                return redirect(self.next_url())
            if not services.is_enrolled(request.user):
                query = urlencode({"next": request.GET["next"]}) if request.GET.get("next") else ""
                return redirect(reverse("account:two_factor_setup") + (f"?{query}" if query else ""))
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        kwargs["title"] = "Enter the code from your authenticator app"
        return super().get_context_data(**kwargs)

    def form_valid(self, form):
        try:
            device = services.two_factor_verify(user=self.request.user, code=form.cleaned_data["code"])
        except ValidationError as error:
            apply_form_errors(form, error)
            return self.form_invalid(form)
        _verified(self.request, device)
        if services.recovery_codes_left(self.request.user) <= 2:
            messages.warning(self.request, "You have few recovery codes left. Make new ones from your account page.")
        return redirect(self.next_url())


class RecoveryCodesView(OwnAccountMixin, FormView):
    """New recovery codes are shown once, straight after they are made; the page can make new ones."""

    template_name = "account/recovery_codes.html"

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and not services.is_enrolled(request.user):
            return redirect("account:two_factor_setup")
        return super().dispatch(request, *args, **kwargs)

    def get_form(self, form_class=None):
        return ConfirmForm(**self.get_form_kwargs(), submit_label="Make new recovery codes")

    def get_context_data(self, **kwargs):
        kwargs.update(
            title="Recovery codes",
            codes=self.request.session.pop(NEW_RECOVERY_CODES, None),
            codes_left=services.recovery_codes_left(self.request.user),
            continue_url=self.next_url(),
        )
        return super().get_context_data(**kwargs)

    def form_valid(self, form):
        try:
            codes = services.recovery_codes_regenerate(user=self.request.user)
        except ValidationError as error:
            apply_form_errors(form, error)
            return self.form_invalid(form)
        self.request.session[NEW_RECOVERY_CODES] = codes
        return redirect("account:recovery_codes")


class TwoFactorTurnOffView(OwnAccountMixin, FormView):
    """Providers (and staff of a council that does not require it) may stop using two-factor sign-in."""

    permission_required = "councils.turn_off_two_factor"
    template_name = "account/confirm.html"

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and not services.is_enrolled(request.user):
            return redirect("account:account")
        return super().dispatch(request, *args, **kwargs)

    def get_form(self, form_class=None):
        return ConfirmForm(**self.get_form_kwargs(), submit_label="Turn off two-factor sign-in", warning=True)

    def get_context_data(self, **kwargs):
        kwargs.update(
            title="Turn off two-factor sign-in",
            intro="You will sign in with your password only. Your authenticator app and recovery codes "
            "will stop working; you can set it up again at any time.",
        )
        return super().get_context_data(**kwargs)

    def form_valid(self, form):
        services.two_factor_turn_off(user=self.request.user)
        messages.success(self.request, "Two-factor sign-in is turned off.")
        return redirect("account:account")


class SignOutEverywhereView(OwnAccountMixin, FormView):
    template_name = "account/confirm.html"

    def get_form(self, form_class=None):
        return ConfirmForm(**self.get_form_kwargs(), submit_label="Sign out everywhere", warning=True)

    def get_context_data(self, **kwargs):
        kwargs.update(
            title="Sign out everywhere",
            intro="This signs you out on every computer, phone and browser, including this one. Do it if "
            "you signed in on a shared computer, or think someone else may be using your account.",
        )
        return super().get_context_data(**kwargs)

    def form_valid(self, form):
        services.sign_out_everywhere(user=self.request.user)
        logout(self.request)
        messages.info(self.request, sessions.ENDED_MESSAGES["everywhere"])
        return redirect("login")
