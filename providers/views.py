"""Provider pages. Thin: each view parses input and calls one service or selector.

Provider staff reach an organisation only through their own `OrganisationMember` rows: another
organisation, its people and its documents are a 404 for them (and for council staff, who see
organisations through their council's provider directory instead). Officer pages live under
`/providers/council/<council_slug>/` and check the council permission first (403).
"""

from __future__ import annotations

from functools import cached_property
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.generic import FormView, TemplateView, View
from rules.contrib.views import PermissionRequiredMixin

from councils.backends import MODEL_BACKEND
from councils.lazy import section
from councils.page_cache import CachedPageMixin
from councils.uploads import download_response
from councils.views import CouncilPermissionMixin, apply_form_errors
from providers import forms, invitation_services, selectors, services
from providers.models import Organisation

REGISTERED_EMAIL = "providers_registered_email"
PAGE_SIZE = 25


class ServiceFormMixin:
    """`perform(form)` calls the service; its validation errors go back on the form with what was typed."""

    template_name = "providers/form_page.html"

    def perform(self, form):
        raise NotImplementedError

    def form_valid(self, form):
        try:
            return self.perform(form)
        except ValidationError as error:
            apply_form_errors(form, error)
            return self.form_invalid(form)


def interests_of(form) -> dict:
    """What the organisation form says the organisation is interested in, as the services take it."""
    data = form.cleaned_data
    return {
        "outcomes": data["outcomes_of_interest"],
        "alert_councils": data["alert_councils"],
        "cpv_codes": data["cpv_codes"],
    }


# ---- Registration, email verification and invitations (public) ----


class RegisterView(ServiceFormMixin, FormView):
    """Anyone may register an organisation. Visitors create their account with it (confirmed by email);
    signed-in people register it under their own account and become its administrator."""

    template_name = "providers/register.html"
    extra_context = {"title": "Register your organisation"}

    def get_form_class(self):
        if self.request.user.is_authenticated:
            return forms.OrganisationRegistrationForm
        return forms.AccountRegistrationForm

    def perform(self, form):
        organisation = form.save(commit=False)
        interests = interests_of(form)
        if self.request.user.is_authenticated:
            services.organisation_register(by=self.request.user, organisation=organisation, **interests)
            messages.success(self.request, f"{organisation} is registered. You are its organisation administrator.")
            return redirect("providers:organisation", pk=organisation.pk)
        data = form.cleaned_data
        services.organisation_register_with_account(
            organisation=organisation,
            **interests,
            full_name=data["full_name"],
            email=data["email"],
            password=data["password1"],
            build_url=self.request.build_absolute_uri,
        )
        self.request.session[REGISTERED_EMAIL] = data["email"]
        return redirect("providers:register_done")


class RegisterDoneView(TemplateView):
    template_name = "providers/register_done.html"

    def get_context_data(self, **kwargs):
        kwargs["email"] = self.request.session.get(REGISTERED_EMAIL, "")
        return super().get_context_data(**kwargs)


class ResendVerificationView(ServiceFormMixin, FormView):
    form_class = forms.ResendVerificationForm
    extra_context = {
        "title": "Get a new confirmation link",
        "intro": "Enter the email address you registered with. If it is waiting to be confirmed, we will "
        "send a new link.",
    }

    def perform(self, form):
        email = form.cleaned_data["email"]
        services.verification_resend(email=email, build_url=self.request.build_absolute_uri)
        self.request.session[REGISTERED_EMAIL] = email.strip().lower()
        return redirect("providers:register_done")


class VerifyEmailView(View):
    """Following the emailed link activates the account and signs the person in."""

    def get(self, request, uidb64: str, token: str):
        user = services.email_verify(uidb64=uidb64, token=token)
        if user is None:
            return render(request, "providers/verify_failed.html", {"title": "This link does not work"})
        login(request, user, backend=MODEL_BACKEND)
        messages.success(request, "Your email address is confirmed. You are signed in.")
        return redirect("providers:portal")


# ---- The provider portal: one's own organisations ----


class PortalView(LoginRequiredMixin, CachedPageMixin, TemplateView):
    template_name = "providers/portal.html"
    about_own_organisations = True

    def get_context_data(self, **kwargs):
        user = self.request.user
        # Worked out only when the page's kept body ({% fragment %}) has gone.
        kwargs["organisations"] = section(lambda: selectors.organisations_with_details(user))
        return super().get_context_data(**kwargs)


class OrganisationPageMixin:
    """A page about one organisation (`self.organisation`), which leads back to `organisation_url()`."""

    def organisation_url(self) -> str:
        raise NotImplementedError

    def caption(self) -> str:
        return str(self.organisation)

    def get_context_data(self, **kwargs):
        kwargs.setdefault("organisation", self.organisation)
        kwargs.setdefault("caption", self.caption())
        kwargs.setdefault("back_url", self.organisation_url())
        return super().get_context_data(**kwargs)

    def done(self, message: str):
        messages.success(self.request, message)
        return redirect(self.organisation_url())


class OrganisationMixin(LoginRequiredMixin, PermissionRequiredMixin, OrganisationPageMixin):
    """Pages of one of the user's organisations: another organisation is a 404, then the named
    permission applies (403)."""

    permission_required = "providers.view_organisation"

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated:
            self.organisation = selectors.organisation_for_user(request.user, kwargs["pk"])
        return super().dispatch(request, *args, **kwargs)

    def get_permission_object(self):
        return self.organisation

    def organisation_url(self) -> str:
        return reverse("providers:organisation", kwargs={"pk": self.organisation.pk})


class OrganisationView(OrganisationMixin, TemplateView):
    template_name = "providers/organisation.html"

    def get_context_data(self, **kwargs):
        kwargs["organisation"] = selectors.organisations_with_details(self.request.user).get(pk=self.organisation.pk)
        return super().get_context_data(**kwargs)


class OrganisationEditView(OrganisationMixin, ServiceFormMixin, FormView):
    permission_required = "providers.edit_organisation"
    form_class = forms.OrganisationForm
    extra_context = {"title": "Change the organisation's details"}

    def get_form_kwargs(self):
        # A separate copy: the page keeps showing the stored name while the form holds what was typed.
        return {**super().get_form_kwargs(), "instance": Organisation.objects.get(pk=self.organisation.pk)}

    def perform(self, form):
        organisation = services.organisation_update(
            by=self.request.user,
            organisation=form.save(commit=False),
            **interests_of(form),
        )
        if organisation.verified_at is None and self.organisation.verified_at is not None:
            return self.done("Details saved. A council officer needs to verify the changed details again.")
        return self.done("Details saved.")


class PersonInviteView(OrganisationMixin, ServiceFormMixin, FormView):
    permission_required = "providers.manage_people"
    form_class = forms.InvitePersonForm
    extra_context = {
        "title": "Invite a colleague",
        "intro": "We email them an invitation. Nobody acts for the organisation until they accept it, "
        "signed in with the email address you give here.",
    }

    def perform(self, form):
        invitation = invitation_services.invitation_send(
            by=self.request.user,
            organisation=self.organisation,
            build_url=self.request.build_absolute_uri,
            **form.cleaned_data,
        )
        return self.done(
            f"Invitation sent to {invitation.email}. They act for {self.organisation} once they accept it."
        )


class MemberMixin(OrganisationMixin):
    permission_required = "providers.manage_people"

    @cached_property
    def member(self):
        return selectors.member_of(self.organisation, self.kwargs["member_pk"])

    def get_context_data(self, **kwargs):
        kwargs.setdefault("member", self.member)
        return super().get_context_data(**kwargs)


class PersonRoleView(MemberMixin, ServiceFormMixin, FormView):
    form_class = forms.ChangeRoleForm

    def get_initial(self):
        return {"role": self.member.role}

    def get_context_data(self, **kwargs):
        kwargs["title"] = f"Change {self.member.user.full_name}'s role"
        return super().get_context_data(**kwargs)

    def perform(self, form):
        services.person_change_role(by=self.request.user, member=self.member, role=form.cleaned_data["role"])
        return self.done(f"{self.member.user.full_name} is now {self.member.get_role_display().lower()}.")


class PersonRemoveView(MemberMixin, ServiceFormMixin, FormView):
    form_class = forms.RemovePersonForm

    def get_context_data(self, **kwargs):
        kwargs["title"] = f"Remove {self.member.user.full_name} from {self.organisation}"
        kwargs["intro"] = f"They will no longer be able to act for {self.organisation}."
        return super().get_context_data(**kwargs)

    def perform(self, form):
        services.person_remove(by=self.request.user, member=self.member, reason=form.cleaned_data["reason"])
        if self.member.user_id == self.request.user.pk:
            messages.success(self.request, f"You have left {self.organisation}.")
            return redirect("providers:portal")
        return self.done(f"{self.member.user.full_name} has been removed.")


class DocumentAddView(OrganisationMixin, ServiceFormMixin, FormView):
    permission_required = "providers.manage_documents"
    form_class = forms.ComplianceDocumentForm
    extra_context = {"title": "Upload a compliance document"}

    def perform(self, form):
        document = services.document_add(
            by=self.request.user, organisation=self.organisation, document=form.save(commit=False)
        )
        return self.done(f"{document.get_kind_display()} uploaded.")


class DocumentMixin(OrganisationMixin):
    @cached_property
    def document(self):
        return selectors.document_of(self.organisation, self.kwargs["document_pk"])


def document_download(document):
    """Send the file under the name it was uploaded with (the view has checked who is asking)."""
    return download_response(document.file, document.original_name)


class DocumentDownloadView(DocumentMixin, View):
    def get(self, request, *args, **kwargs):
        return document_download(self.document)


class DocumentRemoveView(DocumentMixin, ServiceFormMixin, FormView):
    permission_required = "providers.manage_documents"
    form_class = forms.ConfirmForm

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "submit_label": "Remove document"}

    def get_context_data(self, **kwargs):
        kwargs["title"] = f"Remove the {self.document.get_kind_display().lower()} ({self.document.original_name})"
        kwargs["intro"] = "The file will be deleted. Upload a new one when you have it."
        return super().get_context_data(**kwargs)

    def perform(self, form):
        services.document_remove(by=self.request.user, document=self.document)
        return self.done(f"{self.document.get_kind_display()} removed.")


# ---- Council officers: the provider directory, verification and approved suppliers ----


class DirectoryView(CouncilPermissionMixin, TemplateView):
    permission_required = "providers.view_directory"
    template_name = "providers/directory.html"

    def get_context_data(self, **kwargs):
        query = self.request.GET.get("q", "").strip()[:100]
        organisations = selectors.provider_directory(self.request.council, query)
        kwargs["page_obj"] = Paginator(organisations, PAGE_SIZE).get_page(self.request.GET.get("page"))
        kwargs["query"] = query
        kwargs["query_string"] = urlencode({"q": query}) if query else ""
        return super().get_context_data(**kwargs)


class ApprovedSuppliersView(CouncilPermissionMixin, TemplateView):
    permission_required = "providers.view_directory"
    template_name = "providers/approved_suppliers.html"

    def get_context_data(self, **kwargs):
        kwargs["approvals"] = selectors.approved_suppliers(self.request.council)
        return super().get_context_data(**kwargs)


class OfficerOrganisationMixin(CouncilPermissionMixin, OrganisationPageMixin):
    """One organisation in the council's directory, fetched once the council permission is checked."""

    permission_required = "providers.view_directory"

    @cached_property
    def organisation(self) -> Organisation:
        return selectors.directory_organisation(self.request.council, self.kwargs["pk"])

    def organisation_url(self) -> str:
        return reverse(
            "providers:officer_organisation",
            kwargs={"council_slug": self.request.council.slug, "pk": self.organisation.pk},
        )

    def caption(self) -> str:
        return self.request.council.name


class OfficerOrganisationView(OfficerOrganisationMixin, TemplateView):
    template_name = "providers/officer_organisation.html"

    def get_context_data(self, **kwargs):
        council = self.request.council
        kwargs["documents"] = selectors.documents_of(self.organisation)
        kwargs["history"] = selectors.approval_history(council, self.organisation)
        kwargs["back_url"] = reverse("providers:directory", kwargs={"council_slug": council.slug})
        return super().get_context_data(**kwargs)


class OrganisationVerifyView(OfficerOrganisationMixin, ServiceFormMixin, FormView):
    permission_required = "providers.verify_organisation"
    form_class = forms.ConfirmForm
    template_name = "providers/verify_organisation.html"

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "submit_label": "Mark as verified"}

    def get_context_data(self, **kwargs):
        kwargs["title"] = f"Verify {self.organisation}"
        kwargs["intro"] = (
            "Check the legal name, type and charity or Companies House number against the public registers "
            "before you mark the organisation as verified. Every council sees that it has been verified."
        )
        return super().get_context_data(**kwargs)

    def perform(self, form):
        try:
            services.organisation_verify(
                by=self.request.user, council=self.request.council, organisation=self.organisation
            )
        except ValidationError as error:  # verified meanwhile: the form has no field to show it on
            messages.error(self.request, " ".join(error.messages))
            return redirect(self.organisation_url())
        return self.done(f"{self.organisation} is verified.")


class SupplierListChangeView(OfficerOrganisationMixin, ServiceFormMixin, FormView):
    """Add the organisation to (`adding=True`) or remove it from the council's approved suppliers list,
    with a reason."""

    permission_required = "providers.manage_approved_suppliers"
    form_class = forms.SupplierReasonForm
    adding = True

    def get_form_kwargs(self):
        if self.adding:
            words = {
                "question": "Why is this organisation being approved?",
                "submit_label": "Add to approved suppliers",
            }
        else:
            words = {
                "question": "Why is this organisation being removed?",
                "submit_label": "Remove from approved suppliers",
            }
        return {**super().get_form_kwargs(), **words}

    def get_context_data(self, **kwargs):
        where = "to" if self.adding else "from"
        kwargs["title"] = (
            f"{'Add' if self.adding else 'Remove'} {self.organisation} {where} the approved suppliers list"
        )
        return super().get_context_data(**kwargs)

    def perform(self, form):
        by, council, reason = self.request.user, self.request.council, form.cleaned_data["reason"]
        if self.adding:
            services.approved_supplier_add(by=by, council=council, organisation=self.organisation, notes=reason)
            return self.done(f"{self.organisation} is on the approved suppliers list.")
        services.approved_supplier_remove(by=by, council=council, organisation=self.organisation, reason=reason)
        return self.done(f"{self.organisation} has been removed from the approved suppliers list.")


class OfficerDocumentDownloadView(OfficerOrganisationMixin, View):
    def get(self, request, *args, **kwargs):
        return document_download(selectors.document_of(self.organisation, kwargs["document_pk"]))
