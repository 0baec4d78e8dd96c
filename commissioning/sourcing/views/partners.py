"""Joint-bid partnerships, for the partner organisation's administrators: the bids their organisation
is named in, and confirming or declining each. The page shows only what the partner needs (the lead
organisation, the opportunity and the role described), never the bid's contents."""

from __future__ import annotations

from functools import cached_property

from django import forms
from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import ValidationError
from django.shortcuts import redirect
from django.views.generic import FormView, TemplateView
from rules.contrib.views import PermissionRequiredMixin

from commissioning.sourcing.selectors import bids as selectors
from commissioning.sourcing.services import partners as services
from councils.forms import GovukFormMixin
from councils.views import apply_form_errors


class PartnershipAnswerForm(GovukFormMixin, forms.Form):
    submit_label = "Send answer"

    answer = forms.ChoiceField(
        label="Is your organisation a partner in this bid?",
        choices=[("confirm", "Yes, confirm we are a partner"), ("decline", "No, decline")],
        widget=forms.RadioSelect,
        error_messages={"required": "Choose whether to confirm or decline"},
    )


class PartnershipListView(LoginRequiredMixin, TemplateView):
    """Every joint bid the user's organisations (where they are an administrator) are named in."""

    template_name = "bids/partnerships.html"

    def get_context_data(self, **kwargs):
        kwargs["partnerships"] = selectors.partnerships_for(self.request.user)
        return super().get_context_data(**kwargs)


class PartnershipView(LoginRequiredMixin, PermissionRequiredMixin, FormView):
    permission_required = "bids.answer_partnership"
    template_name = "bids/partnership.html"
    form_class = PartnershipAnswerForm

    @cached_property
    def partner(self):
        return selectors.partnership_for(self.request.user, self.kwargs["pk"])

    def get_permission_object(self):
        return self.partner

    def get_context_data(self, **kwargs):
        kwargs["partner"] = self.partner
        kwargs["bid"] = self.partner.bid
        kwargs["opportunity"] = self.partner.bid.opportunity
        kwargs["pending"] = not (self.partner.confirmed_at or self.partner.declined_at)
        return super().get_context_data(**kwargs)

    def form_valid(self, form):
        confirming = form.cleaned_data["answer"] == "confirm"
        try:
            if confirming:
                services.partner_confirm(by=self.request.user, partner=self.partner)
            else:
                services.partner_decline(by=self.request.user, partner=self.partner)
        except ValidationError as error:
            apply_form_errors(form, error)
            return self.form_invalid(form)
        lead = self.partner.bid.organisation
        messages.success(
            self.request,
            f"You have confirmed that {self.partner.organisation} is a partner in {lead}'s bid."
            if confirming
            else f"You have declined to be a partner in {lead}'s bid.",
        )
        return redirect("bids:partnerships")
