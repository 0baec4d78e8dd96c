"""Member working group pages: the group of one review or commission (its members, working documents
and the members' comments), naming and removing members, commenting, and the groups a person sits on.

Thin: each view resolves the review or commission, its *subject* (404 for anyone who neither reads it
nor sits on its group), checks its named permission (403), then calls one selector or service. The
same views serve both: the URL says which (`kind`)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import ValidationError
from django.shortcuts import redirect
from django.views.generic import FormView, TemplateView

from commissioning.groups import selectors, services
from commissioning.groups.forms import CommentForm, NameMemberForm, RemoveMemberForm
from councils.views import CouncilPermissionMixin, apply_form_errors


class WorkingGroupMixin(CouncilPermissionMixin):
    permission_required = "commissioning.read_working_group"
    kind = "commission"

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and request.council is not None:
            self.subject = selectors.subject_for_group(request.user, request.council, self.kind, kwargs["pk"])
        return super().dispatch(request, *args, **kwargs)

    def get_permission_object(self):
        return self.subject

    def group_url(self) -> str:
        return selectors.group_url(self.subject)

    def get_context_data(self, **kwargs):
        kwargs.setdefault("subject", self.subject)
        kwargs.setdefault(self.kind, self.subject)
        kwargs.setdefault("kind", selectors.KINDS[self.kind])
        kwargs.setdefault("back_url", self.group_url())
        return super().get_context_data(**kwargs)


class WorkingGroupView(WorkingGroupMixin, TemplateView):
    """The group's page: who is on it, the working documents to read, and the members' comments."""

    template_name = "commissioning/groups/group.html"

    def get_context_data(self, **kwargs):
        user, subject = self.request.user, self.subject
        closed = selectors.is_closed(subject)
        kwargs.update(
            title="Member working group",
            members=selectors.members(subject),
            work=selectors.documents_of(subject),
            comments=selectors.comments(subject),
            is_closed=closed,
            can_manage=not closed and user.has_perm("commissioning.manage_working_group", subject),
            can_comment=not closed and user.has_perm("commissioning.comment_in_working_group", subject),
            reads_subject=selectors.KINDS[self.kind].reads(user, subject),
        )
        return super().get_context_data(**kwargs)


class OpenGroupMixin(WorkingGroupMixin):
    """Pages that change the group: once its review or commission has ended, back to the group's page."""

    def handle_closed(self):
        if selectors.is_closed(self.subject):
            messages.info(self.request, f"This {self.kind} has ended: its working group is closed.")
            return redirect(self.group_url())
        return None

    def get(self, request, *args, **kwargs):
        return self.handle_closed() or super().get(request, *args, **kwargs)

    def post(self, request, *args, **kwargs):
        return self.handle_closed() or super().post(request, *args, **kwargs)


class NameMemberView(OpenGroupMixin, FormView):
    permission_required = "commissioning.manage_working_group"
    template_name = "commissioning/groups/form_page.html"
    form_class = NameMemberForm

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "councillors": selectors.eligible_councillors(self.subject)}

    def get_context_data(self, **kwargs):
        kwargs.update(title="Name a councillor to the working group")
        return super().get_context_data(**kwargs)

    def form_valid(self, form):
        user = form.cleaned_data["user"]
        try:
            services.working_group_add(by=self.request.user, subject=self.subject, user=user)
        except ValidationError as error:
            apply_form_errors(form, error)
            return self.form_invalid(form)
        messages.success(self.request, f"{user.full_name} is on the working group and has been told.")
        return redirect(self.group_url())


class RemoveMemberView(OpenGroupMixin, FormView):
    permission_required = "commissioning.manage_working_group"
    template_name = "commissioning/groups/form_page.html"
    form_class = RemoveMemberForm

    def member(self):
        if not hasattr(self, "_member"):
            self._member = selectors.member_for(self.subject, self.kwargs["member_pk"])
        return self._member

    def get_context_data(self, **kwargs):
        member = self.member()
        kwargs.update(
            title=f"Remove {member.user.full_name} from the working group",
            intro="Their comments stay in the engagement log. They will no longer read the group's documents.",
        )
        return super().get_context_data(**kwargs)

    def form_valid(self, form):
        member = self.member()
        services.working_group_remove(by=self.request.user, subject=self.subject, member=member)
        messages.success(self.request, f"{member.user.full_name} is no longer on the working group.")
        return redirect(self.group_url())


class CommentView(OpenGroupMixin, FormView):
    permission_required = "commissioning.comment_in_working_group"
    template_name = "commissioning/groups/form_page.html"
    form_class = CommentForm

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "documents": selectors.KINDS[self.kind].documents}

    def get_context_data(self, **kwargs):
        kwargs.update(title="Comment on the working documents")
        return super().get_context_data(**kwargs)

    def form_valid(self, form):
        try:
            services.working_group_comment(
                by=self.request.user,
                subject=self.subject,
                about=form.cleaned_data["about"],
                text=form.cleaned_data["text"],
            )
        except ValidationError as error:
            apply_form_errors(form, error)
            return self.form_invalid(form)
        messages.success(self.request, f"Your comment is in the {self.kind}'s engagement log.")
        return redirect(f"{self.group_url()}#comments")


class MyWorkingGroupsView(LoginRequiredMixin, TemplateView):
    """The working groups a person sits on, in every council: a councillor's way in. Anyone signed in
    may open it (someone on no group is told so); it names only their own groups."""

    template_name = "commissioning/groups/my_groups.html"

    def get_context_data(self, **kwargs):
        kwargs.update(title="Your working groups", groups=selectors.my_groups(self.request.user))
        return super().get_context_data(**kwargs)
