"""Forms for the prioritised programme: a criterion and its weight, starting a year's programme,
putting a commission forward, and scoring a candidate against every criterion with a short reason."""

from __future__ import annotations

from django import forms

from commissioning.models import MAX_PRIORITY_SCORE, MAX_WEIGHT, PrioritisationCriterion
from commissioning.programme.selectors import year_label
from councils.fields import WholeNumberField
from councils.forms import GovukFormMixin
from councils.govuk import govuk_input

SCORES = [(score, str(score)) for score in range(0, MAX_PRIORITY_SCORE + 1)]


class CriterionForm(GovukFormMixin, forms.Form):
    name = forms.CharField(max_length=100, label="Criterion", help_text="For example, Prevention.")
    description = forms.CharField(
        required=False,
        label="What a high score means",
        help_text="So that everyone who scores reads it the same way.",
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    weight = WholeNumberField(
        min_value=1,
        max_value=MAX_WEIGHT,
        label="Weight",
        help_text=f"A whole number from 1 to {MAX_WEIGHT}. Only how the weights compare matters: 2 counts twice 1.",
    )

    def __init__(self, *args, submit_label: str = "Save the criterion", **kwargs):
        self.submit_label = submit_label
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            govuk_input(field)
        self.fields["weight"].widget.attrs["class"] = "govuk-input--width-4"
        self.fields["weight"].error_messages.update(
            min_value="The weight must be 1 or more.", max_value=f"The weight must be {MAX_WEIGHT} or less."
        )
        self.build_helper()


class ProgrammeStartForm(GovukFormMixin, forms.Form):
    submit_label = "Start the programme"
    financial_year = forms.TypedChoiceField(coerce=int, widget=forms.RadioSelect, label="Financial year")

    def __init__(self, *args, years: list[int], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["financial_year"].choices = [(year, year_label(year)) for year in years]
        govuk_input(self.fields["financial_year"])
        self.build_helper()


class CandidateAddForm(GovukFormMixin, forms.Form):
    """One review still running or one commission not ended, chosen from a list grouped by kind."""

    submit_label = "Put it forward"
    subject = forms.ChoiceField(label="Review or commission")

    def __init__(self, *args, reviews, commissions, **kwargs):
        super().__init__(*args, **kwargs)
        self.subjects = {f"review-{r.pk}": ("review", r) for r in reviews}
        self.subjects.update({f"commission-{c.pk}": ("commission", c) for c in commissions})
        groups = [
            (name, [(key, f"{obj.reference} {obj.title}") for key, (kind, obj) in self.subjects.items() if kind == k])
            for name, k in (("Reviews of existing services", "review"), ("Commissions", "commission"))
        ]
        self.fields["subject"].choices = [("", "Choose a review or a commission"), *[g for g in groups if g[1]]]
        govuk_input(self.fields["subject"])
        self.build_helper()

    def chosen(self) -> dict:
        """The service's keyword: {"review": ...} or {"commission": ...}."""
        kind, obj = self.subjects[self.cleaned_data["subject"]]
        return {kind: obj}


class ScoreForm(GovukFormMixin, forms.Form):
    """One score (0 to 5) and a short reason for each of the council's criteria."""

    submit_label = "Save the scores"

    def __init__(self, *args, criteria: list[PrioritisationCriterion], scores: dict, **kwargs):
        super().__init__(*args, **kwargs)
        self.criteria = criteria
        for criterion in criteria:
            given = scores.get(criterion.pk)
            hint = f"Weight {criterion.weight}. " + (criterion.description or "")
            self.fields[f"score_{criterion.pk}"] = forms.TypedChoiceField(
                choices=SCORES,
                coerce=int,
                widget=forms.RadioSelect,
                label=f"{criterion.name}: score",
                help_text=f"{hint.strip()} 0 means it does nothing for this; 5 the most.",
                initial=None if given is None else given.score,
            )
            self.fields[f"reason_{criterion.pk}"] = forms.CharField(
                max_length=300,
                label=f"{criterion.name}: why",
                widget=forms.Textarea(attrs={"rows": 2}),
                initial="" if given is None else given.reason,
            )
        for field in self.fields.values():
            govuk_input(field)
        self.build_helper()

    def scores(self) -> dict[int, tuple[int, str]]:
        data = self.cleaned_data
        return {c.pk: (data[f"score_{c.pk}"], data[f"reason_{c.pk}"]) for c in self.criteria}
