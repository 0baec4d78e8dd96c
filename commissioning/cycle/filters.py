"""The commission list's filters: a GET form whose choices are the council's own records."""

from __future__ import annotations

from crispy_forms_gds.helper import FormHelper
from crispy_forms_gds.layout import Button
from django import forms
from django.db.models import CharField, Value
from django.db.models.functions import Coalesce, NullIf

from commissioning.cycle.selectors import VALUE_BANDS
from commissioning.models import Stage, State
from commissioning.permissions import COMMISSIONERS
from councils.inputs import BoundedInputsMixin
from councils.lean_forms import filters_helper
from councils.models import Council, Portfolio, User
from councils.page_cache import family_of, family_scopes
from councils.selectors import outcomes_for_council, priorities_for_council
from councils.widgets import LeanModelChoiceField, LeanSelect


class CommissionFilterForm(BoundedInputsMixin, forms.Form):
    q = forms.CharField(required=False, label="Search by title or reference")
    # Plain choices are written by `LeanSelect` too: Django's per-option template costs more than the rest of the field.
    stage = forms.ChoiceField(required=False, choices=[("", "Any stage"), *Stage.choices], widget=LeanSelect)
    state = forms.ChoiceField(required=False, choices=[("", "Any state"), *State.choices], widget=LeanSelect)
    outcome = LeanModelChoiceField(required=False, queryset=None, empty_label="Any outcome", label_field="title")
    priority = LeanModelChoiceField(required=False, queryset=None, empty_label="Any priority", label_field="title")
    portfolio = LeanModelChoiceField(required=False, queryset=None, empty_label="Any portfolio", label_field="name")
    lead_officer = LeanModelChoiceField(
        required=False, queryset=None, empty_label="Any lead officer", label_field="shown_as"
    )
    value_band = forms.ChoiceField(
        required=False, choices=[("", "Any value"), *VALUE_BANDS.items()], label="Value", widget=LeanSelect
    )

    def __init__(self, *args, council: Council, **kwargs):
        super().__init__(*args, **kwargs)

        # Built only if a filter is chosen or the form's kept markup has gone (`LeanModelChoiceField`).
        self.fields["outcome"].queryset = lambda: outcomes_for_council(council)
        self.fields["priority"].queryset = lambda: priorities_for_council(council)
        self.fields["portfolio"].queryset = lambda: Portfolio.objects.filter(council=council)
        self.fields["lead_officer"].queryset = lambda: (
            User.objects.filter(memberships__council=council, memberships__role__in=COMMISSIONERS)
            # As the person is named everywhere (`User.__str__`): their name, else their email.
            .annotate(shown_as=Coalesce(NullIf("full_name", Value("")), "email", output_field=CharField()))
            .distinct()
        )
        # Every choice is the council's framework and people (`councils` rows), or people themselves
        # (shared): the kept markup outlives the day's bids and returns.
        self.shared_scopes = family_scopes(council.pk, [family_of(Portfolio)])
        self.helper = filters_helper(self)

    def filters(self) -> dict:
        return self.cleaned_data if self.is_valid() else {}


class CpvSearchForm(BoundedInputsMixin, forms.Form):
    """The CPV picker's search box: a GET form, so a search can be bookmarked and works without script."""

    q = forms.CharField(
        required=False,
        max_length=100,
        label="Search the CPV list",
        help_text="Type words from the service (for example, day care) or the first digits of a code.",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper(self)
        self.helper.form_method = "get"
        self.helper.label_size = "s"
        self.helper.layout.append(Button.secondary("", "Search"))

    def query(self) -> str:
        return self.cleaned_data["q"] if self.is_valid() else ""
