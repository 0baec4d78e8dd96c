"""Pages for membership by consent: answering an invitation (public link; only the person it was
sent to, signed in, can answer), withdrawing one, leaving an organisation, and the council's review
of its staff's memberships made without their consent."""

from __future__ import annotations

from functools import cached_property

from django.contrib import messages
from django.contrib.auth import login
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.generic import FormView, TemplateView, View

from councils.backends import MODEL_BACKEND
from councils.models import User
from councils.views import CouncilPermissionMixin, apply_form_errors
from providers import forms, invitation_selectors, invitation_services
from providers.views import OrganisationMixin, ServiceFormMixin


class InvitationView(View):
    """The link in an invitation email. What it offers depends on who follows it: a visitor signs in
    (or creates the account for the invited address), someone signed in with another address is told
    so, and the invitee sees what accepting means (for council staff, the procurements it walls them
    out of) and accepts or declines."""

    template_name = "providers/invitation.html"

    def dispatch(self, request, *args, **kwargs):
        self.token = kwargs["token"]
        self.invitation = invitation_selectors.invitation_by_token(self.token)
        return super().dispatch(request, *args, **kwargs)

    @cached_property
    def mode(self) -> str:
        invitation, user = self.invitation, self.request.user
        if invitation is None or not invitation.is_pending:
            return "closed"
        if not user.is_authenticated:
            return "sign_in" if User.objects.filter(email__iexact=invitation.email).exists() else "register"
        return "answer" if user.email.lower() == invitation.email else "someone_else"

    def make_form(self, data=None):
        if self.mode == "register":
            return forms.InvitationRegisterForm(
                data, email=self.invitation.email, initial={"full_name": self.invitation.full_name}
            )
        if self.mode == "answer":
            return forms.InvitationAnswerForm(data)
        return None

    def render_page(self, form=None):
        invitation = self.invitation
        context = {"invitation": invitation, "mode": self.mode, "form": form}
        if self.mode == "closed":
            context["title"] = "This invitation cannot be answered"
        else:
            context["title"] = f"Invitation to act for {invitation.organisation}"
        if self.mode == "answer":
            context["walled"] = invitation_selectors.walled_procurements(self.request.user, invitation.organisation)
            context["works_for_a_council"] = self.request.user.memberships.exists()
        context["login_url"] = f"{reverse('login')}?next={self.request.path}"
        return render(self.request, self.template_name, context)

    def get(self, request, *args, **kwargs):
        return self.render_page(self.make_form())

    def post(self, request, *args, **kwargs):
        form = self.make_form(request.POST)
        if form is None or not form.is_valid():
            return self.render_page(form)
        try:
            if self.mode == "register":
                user = invitation_services.invitation_register(
                    token=self.token, full_name=form.cleaned_data["full_name"], password=form.cleaned_data["password1"]
                )
                login(request, user, backend=MODEL_BACKEND)
                messages.success(request, "Your account is created and you are signed in. Now answer the invitation.")
                return redirect(request.path)
            if form.cleaned_data["answer"] == "accept":
                member = invitation_services.invitation_accept(
                    by=request.user, token=self.token, build_url=request.build_absolute_uri
                )
                messages.success(
                    request, f"You now act for {member.organisation} as {member.get_role_display().lower()}."
                )
                return redirect("providers:organisation", pk=member.organisation_id)
            invitation_services.invitation_decline(by=request.user, token=self.token)
            messages.success(request, f"You have declined the invitation to act for {self.invitation.organisation}.")
            return redirect("home")
        except ValidationError as error:
            apply_form_errors(form, error)
            return self.render_page(form)


class InvitationWithdrawView(OrganisationMixin, ServiceFormMixin, FormView):
    permission_required = "providers.manage_people"
    form_class = forms.ConfirmForm

    @cached_property
    def invitation(self):
        return invitation_selectors.pending_invitation_of(self.organisation, self.kwargs["invitation_pk"])

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "submit_label": "Withdraw invitation"}

    def get_context_data(self, **kwargs):
        kwargs["title"] = f"Withdraw the invitation to {self.invitation.email}"
        kwargs["intro"] = "The link in the invitation email will stop working. You can invite them again later."
        return super().get_context_data(**kwargs)

    def perform(self, form):
        invitation_services.invitation_withdraw(by=self.request.user, invitation=self.invitation)
        return self.done(f"The invitation to {self.invitation.email} has been withdrawn.")


class LeaveView(OrganisationMixin, ServiceFormMixin, FormView):
    """Anyone who acts for an organisation may stop, unless they are its last administrator."""

    form_class = forms.ConfirmForm

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "submit_label": f"Leave {self.organisation}"}

    def get_context_data(self, **kwargs):
        kwargs["title"] = f"Leave {self.organisation}"
        kwargs["intro"] = (
            f"You will no longer act for {self.organisation}, in any role. Its administrators can invite you again."
        )
        return super().get_context_data(**kwargs)

    def perform(self, form):
        invitation_services.membership_leave(by=self.request.user, organisation=self.organisation)
        messages.success(self.request, f"You have left {self.organisation}.")
        return redirect("providers:portal")


class StaffMembershipsView(CouncilPermissionMixin, TemplateView):
    """The council's staff who were made members of provider organisations without being asked: each
    membership walls them out of that organisation's bids until they leave it."""

    permission_required = "providers.review_staff_memberships"
    template_name = "providers/staff_memberships.html"

    def get_context_data(self, **kwargs):
        kwargs["title"] = "Staff added to provider organisations without consent"
        kwargs["memberships"] = invitation_selectors.staff_memberships_without_consent(self.request.council)
        return super().get_context_data(**kwargs)
