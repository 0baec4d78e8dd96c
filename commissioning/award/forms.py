"""Forms for the award (GOV.UK crispy forms): the recommendation's items, the forward plan, and the
confirmations. The decision and the steps reuse the commission's `ApprovalForm` and `TransitionForm`.
Forms only parse; the services decide."""

from __future__ import annotations

from dataclasses import dataclass

from crispy_forms_gds.layout import Field, Size
from django import forms
from django.utils.html import escape

from commissioning.award.summaries import FREE_TEXT
from commissioning.models import AwardItem, Bid, DecisionMaker, Lot
from councils.fields import MoneyField
from councils.forms import GovukFormMixin
from councils.govuk import govuk_input


@dataclass
class Option:
    """A bid that may be awarded a lot (or the whole opportunity), with its place in the ranking."""

    bid: Bid
    lot: Lot | None
    rank: int
    total: object
    price: object

    @property
    def key(self) -> str:
        return f"{self.lot.pk if self.lot else 0}_{self.bid.pk}"


class ItemsForm(GovukFormMixin, forms.Form):
    """For each lot (or the whole opportunity), which of the eligible bids covering it win and for how
    much: one bid for a straightforward award, several for shared delivery. Then the recommendation."""

    submit_label = "Save the recommendation"

    recommendation = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 8}),
        required=False,
        label="Recommendation to the decision-maker",
        help_text="What you recommend and why. The evaluation summary is attached to it.",
    )

    def __init__(self, *args, options: list[Option], items: list[AwardItem], **kwargs):
        super().__init__(*args, **kwargs)
        self.options = options
        chosen = {(item.lot_id or 0, item.bid_id): item for item in items}
        for option in options:
            item = chosen.get((option.lot.pk if option.lot else 0, option.bid.pk))
            who = f"{option.bid.organisation}" + (f" for lot {option.lot.number}" if option.lot else "")
            award = forms.BooleanField(required=False, initial=item is not None)
            award.label = escape(f"Award to {who}")
            value = MoneyField(required=False, initial=item.value if item else option.price)
            value.label = escape(f"Value awarded to {who}")
            note = forms.CharField(
                required=False,
                widget=forms.Textarea(attrs={"rows": 2}),
                initial=item.note if item else "",
                help_text="For shared delivery: who does what.",
            )
            note.label = escape(f"Note on the award to {who} (optional)")
            for field in (award, value, note):
                govuk_input(field)
            self.fields[f"award_{option.key}"] = award
            self.fields[f"value_{option.key}"] = value
            self.fields[f"note_{option.key}"] = note
        self.build_helper()

    def rows(self) -> list[dict]:
        """The options grouped for the page: each lot (or the whole opportunity) with its bids' fields."""
        groups: list[dict] = []
        for option in self.options:
            if not groups or groups[-1]["lot"] != option.lot:
                groups.append({"lot": option.lot, "options": []})
            groups[-1]["options"].append(
                {
                    "option": option,
                    "award": self[f"award_{option.key}"],
                    "value": self[f"value_{option.key}"],
                    "note": self[f"note_{option.key}"],
                }
            )
        return groups

    def clean(self):
        cleaned = super().clean()
        for option in self.options:
            if cleaned.get(f"award_{option.key}") and cleaned.get(f"value_{option.key}") is None:
                self.add_error(f"value_{option.key}", f"Enter the value awarded to {option.bid.organisation}")
        return cleaned

    def items(self) -> list[dict]:
        return [
            {
                "bid": option.bid,
                "lot": option.lot,
                "value": self.cleaned_data.get(f"value_{option.key}"),
                "note": self.cleaned_data.get(f"note_{option.key}", ""),
            }
            for option in self.options
            if self.cleaned_data.get(f"award_{option.key}")
        ]


class ForwardPlanForm(GovukFormMixin, forms.Form):
    """A key decision published on the forward plan."""

    submit_label = "Publish on the forward plan"

    commission = forms.ModelChoiceField(queryset=None, label="Commission")
    matter = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}),
        label="The decision to be taken",
        help_text="In plain words, as it will be published: for example, award of the debt advice contract.",
    )
    decision_maker = forms.ChoiceField(
        choices=[c for c in DecisionMaker.choices if c[0] != DecisionMaker.DELEGATED_OFFICER],
        widget=forms.RadioSelect,
        label="Who will decide",
    )
    expected_on = forms.DateField(label="When the decision is expected")

    def __init__(self, *args, commissions, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["commission"].queryset = commissions
        for field in self.fields.values():
            govuk_input(field)
        self.build_helper()
        self.helper["decision_maker"].wrap(Field.radios, legend_size=Size.SMALL)


class ReasonForm(GovukFormMixin, forms.Form):
    """A reason that is published or kept in the audit trail, and a button."""

    reason = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), label="Reason")

    def __init__(self, *args, submit_label: str, label: str = "Reason", **kwargs):
        self.submit_label = submit_label
        super().__init__(*args, **kwargs)
        self.fields["reason"].label = label
        govuk_input(self.fields["reason"])
        self.build_helper()


class ConfirmForm(GovukFormMixin, forms.Form):
    """Just the button."""

    def __init__(self, *args, submit_label: str, **kwargs):
        self.submit_label = submit_label
        super().__init__(*args, **kwargs)


class SummaryCorrectionForm(GovukFormMixin, forms.Form):
    """A draft assessment summary's explanations, one per award criterion, and for a bid that did not win
    the reasons why: what the scores gave, for the officer to correct."""

    submit_label = "Save the draft"
    FREE_TEXT_HINTS = {
        "opening": "Optional. Shown after ‘Dear …’, before the outcome. Leave a blank line between paragraphs.",
        "feedback": (
            "Optional. Your own feedback to this bidder, shown under ‘Our feedback’. The scores, points, rank "
            "and dates come from the evaluation and cannot be changed here."
        ),
        "closing": "Optional. Shown before ‘Yours faithfully’.",
    }

    def __init__(self, *args, content: dict, **kwargs):
        super().__init__(*args, **kwargs)
        for part, label in FREE_TEXT.items():
            field = forms.CharField(
                required=False,
                widget=forms.Textarea(attrs={"rows": 4}),
                initial=content.get(part, ""),
                help_text=self.FREE_TEXT_HINTS[part],
                max_length=5000,
            )
            field.label = label
            govuk_input(field)
            self.fields[part] = field
        for row in content["criteria"]:
            field = forms.CharField(
                widget=forms.Textarea(attrs={"rows": 4}),
                initial=row["explanation"],
                help_text=f"Score: {row['score_text']}, {row['points']} points of {row['weight']}.",
            )
            field.label = escape(f"Why {row['title']} scored as it did")
            govuk_input(field)
            self.fields[f"explanation_{row['criterion_id']}"] = field
        if content["kind"] != "successful":
            field = forms.CharField(
                widget=forms.Textarea(attrs={"rows": 4}),
                initial="\n".join(content["reasons"]),
                help_text="One reason a line. Include any exclusion or disqualification.",
            )
            field.label = "Why the bid was not successful"
            govuk_input(field)
            self.fields["reasons"] = field
        # In the order the bidder reads them.
        self.order_fields(["opening", *(n for n in self.fields if n.startswith("explanation_")), "reasons"])
        self.build_helper()

    def free_text(self) -> dict[str, str]:
        return {part: self.cleaned_data.get(part, "") for part in FREE_TEXT}

    def explanations(self) -> dict[int, str]:
        return {
            int(name.removeprefix("explanation_")): value
            for name, value in self.cleaned_data.items()
            if name.startswith("explanation_")
        }


class VoluntaryStandstillForm(GovukFormMixin, forms.Form):
    """Whether a light-touch contract or a direct award observes a standstill all the same."""

    submit_label = "Save the choice"

    voluntary_standstill = forms.TypedChoiceField(
        choices=[("yes", "Yes, observe a standstill"), ("no", "No standstill")],
        coerce=lambda value: value == "yes",
        widget=forms.RadioSelect,
        label="Observe a voluntary standstill after the contract award notice?",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        govuk_input(self.fields["voluntary_standstill"])
        self.build_helper()
        self.helper["voluntary_standstill"].wrap(Field.radios, legend_size=Size.SMALL)
