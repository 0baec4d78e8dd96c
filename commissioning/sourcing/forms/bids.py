"""Crispy forms (GOV.UK template pack) for the sections of a bid.

The answers form is generated from the opportunity's questions: one textarea per question, with its
criterion and word limit, counted live by GOV.UK Frontend's character count in word mode. The
repeating parts (price lines, outcomes, partners) are formsets of small row forms. Section pages put
several of these inside one <form>, so the forms here render without their own <form> tag or button.
"""

from __future__ import annotations

from crispy_forms_gds.layout import Field, Layout
from django import forms
from django.core.exceptions import ValidationError
from django.forms import formset_factory

from commissioning.models import Bid, Lot, MatchFundingKind, SocialValueMeasure
from commissioning.sourcing.numbering import question_numbers
from councils.fields import MoneyField, WholeNumberField
from councils.forms import GovukFormMixin
from councils.govuk import QuantityField, govuk_input
from councils.uploads import UPLOAD_HINT, validate_upload
from providers.models import Organisation

ROWS_LIMIT = 60


class SectionFormMixin(GovukFormMixin):
    """A GOV.UK crispy form rendered inside the section page's own <form> (no tag, no button)."""

    def build_helper(self) -> None:
        super().build_helper()
        self.helper.form_tag = False
        self.helper.disable_csrf = True
        self.helper.layout = Layout(*self.layout_fields())

    def layout_fields(self) -> list:
        return list(self.fields)


class AnswersForm(SectionFormMixin, forms.Form):
    summary = forms.CharField(
        required=False,
        label="Summary of your bid (optional)",
        help_text="A few sentences the evaluation panel reads first.",
        widget=forms.Textarea(attrs={"rows": 4}),
    )

    def __init__(self, *args, bid: Bid, **kwargs):
        self.questions = list(bid.opportunity.questions.all())
        super().__init__(*args, **kwargs)
        numbers = question_numbers(self.questions)
        for question in self.questions:
            number = numbers[question.pk]
            guidance = f" {question.guidance}" if question.guidance else ""
            self.fields[self.field_name(question)] = forms.CharField(
                required=False,
                strip=False,
                label=f"{number}. {question.text}",
                help_text=(
                    f"Judged against ‘{question.criterion.title}’ ({question.criterion.weight}% of the score)."
                    f"{guidance} Up to {question.word_limit} words."
                ),
                widget=forms.Textarea(),
            )
        self.build_helper()

    @staticmethod
    def field_name(question) -> str:
        return f"answer_{question.pk}"

    def layout_fields(self) -> list:
        fields = [Field.textarea("summary", rows=4)]
        for question in getattr(self, "questions", []):
            fields.append(
                Field.textarea(self.field_name(question), label_size="s", rows=8, max_words=question.word_limit)
            )
        return fields

    def answers(self) -> dict[int, str]:
        return {q.pk: self.cleaned_data.get(self.field_name(q), "") for q in self.questions}


class LotsForm(SectionFormMixin, forms.Form):
    lots = forms.ModelMultipleChoiceField(
        queryset=Lot.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label="Which lots are you bidding for?",
        help_text="Select all that apply.",
    )

    def __init__(self, *args, bid: Bid, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["lots"].queryset = bid.opportunity.lots.all()
        self.fields["lots"].label_from_instance = lambda lot: str(lot)
        self.build_helper()


class RowForm(SectionFormMixin, forms.Form):
    """One line of a repeating part; `id` is the saved row's id (blank for a new line)."""

    id = forms.IntegerField(required=False, widget=forms.HiddenInput)

    def row_values(self) -> dict:
        return dict(self.cleaned_data)


class PriceLineForm(RowForm):
    lot = forms.ModelChoiceField(queryset=Lot.objects.none(), required=True, empty_label="Choose a lot")
    year = WholeNumberField(min_value=1, max_value=10, label="Year of the contract", help_text="1 to 10.")
    description = forms.CharField(max_length=200, help_text="For example, staff costs or venue hire.")
    amount = MoneyField(label="Amount")

    def __init__(self, *args, bid: Bid, **kwargs):
        super().__init__(*args, **kwargs)
        lots = bid.opportunity.lots.all()
        if lots:
            self.fields["lot"].queryset = lots
            self.fields["lot"].error_messages["required"] = "Choose the lot this line is for."
        else:
            del self.fields["lot"]
        self.fields["year"].widget.attrs["class"] = "govuk-input--width-2"
        self.fields["year"].error_messages["required"] = "Enter the year of the contract, from 1 to 10."
        self.fields["description"].error_messages["required"] = "Enter what this line is for."
        self.fields["amount"].error_messages["required"] = "Enter the amount in pounds."
        self.build_helper()

    def row_values(self) -> dict:
        values = dict(self.cleaned_data)
        values.setdefault("lot", None)
        return values


class BudgetLineForm(RowForm):
    """A short grant's simple budget: what the money is for and how much, with no lot or year split."""

    description = forms.CharField(max_length=200, help_text="For example, sessional staff or hall hire.")
    amount = MoneyField(label="Amount")

    def __init__(self, *args, bid: Bid, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["description"].error_messages["required"] = "Enter what this line is for."
        self.fields["amount"].error_messages["required"] = "Enter the amount in pounds."

    def row_values(self) -> dict:
        return {**self.cleaned_data, "lot": None, "year": 1}


class OutcomeForm(RowForm):
    description = forms.CharField(
        label="Outcome",
        help_text="An end result for people, not an activity.",
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    measure = forms.CharField(
        max_length=200, label="Success measure", help_text="For example, people who say they feel less lonely."
    )
    target = forms.DecimalField(max_digits=14, decimal_places=2, label="Target")
    unit = forms.CharField(max_length=60, label="Unit", help_text="For example, people or sessions.")

    def __init__(self, *args, bid: Bid, **kwargs):
        super().__init__(*args, **kwargs)
        govuk_input(self.fields["target"])
        self.fields["target"].widget.attrs["class"] = "govuk-input--width-10"
        self.fields["target"].error_messages.update(
            required="Enter the target, as a number.", invalid="Enter the target as a number, like 40."
        )
        self.fields["description"].error_messages["required"] = "Enter the outcome."
        self.fields["measure"].error_messages["required"] = "Enter how success will be measured."
        self.fields["unit"].error_messages["required"] = "Enter the unit of the target."
        self.build_helper()


class SocialValueCommitmentForm(RowForm):
    """A commitment against one of the opportunity's social value asks: how much, by when, and how."""

    measure = forms.ModelChoiceField(
        queryset=SocialValueMeasure.objects.none(), label="Social value measure", empty_label="Choose a measure"
    )
    quantity = QuantityField(label="Quantity committed", help_text="In the measure's unit, over the agreement.")
    by_when = forms.DateField(label="Delivered by")
    how = forms.CharField(
        required=False,
        label="How you will deliver and evidence it (optional)",
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args, bid: Bid, **kwargs):
        super().__init__(*args, **kwargs)
        measures = SocialValueMeasure.objects.filter(asks__opportunity=bid.opportunity_id).select_related("theme")
        field = self.fields["measure"]
        field.queryset = measures
        field.label_from_instance = lambda measure: f"{measure.code} {measure.title} (in {measure.unit})"
        field.error_messages.update(
            required="Choose the social value measure.",
            invalid_choice="Choose one of the social value measures this opportunity asks for.",
        )
        govuk_input(self.fields["quantity"])
        govuk_input(self.fields["by_when"])
        self.fields["quantity"].widget.attrs["class"] = "govuk-input--width-10"
        self.fields["quantity"].error_messages.update(
            required="Enter the quantity you commit to, as a number.",
            invalid="Enter the quantity as a number, like 40.",
        )
        self.fields["by_when"].error_messages["required"] = "Enter the date it will be delivered by."
        self.build_helper()

    def clean_quantity(self):
        quantity = self.cleaned_data["quantity"]
        if quantity is not None and quantity <= 0:
            raise forms.ValidationError("The quantity must be more than 0.")
        return quantity


class MatchFundingForm(RowForm):
    """Money or help in kind from elsewhere that the bid brings, and whether it is confirmed yet."""

    kind = forms.ChoiceField(choices=MatchFundingKind.choices, widget=forms.RadioSelect, label="Kind")
    source = forms.CharField(
        max_length=200, label="Source", help_text="Who provides it, for example a charitable trust or a lottery fund."
    )
    amount = MoneyField(label="Amount or value in pounds", min_value=None)
    confirmed = forms.BooleanField(required=False, label="It is confirmed (agreed in writing by the source)")

    def __init__(self, *args, bid: Bid, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kind"].error_messages["required"] = "Choose whether it is cash or help in kind."
        self.fields["source"].error_messages["required"] = "Enter who provides it."
        self.fields["amount"].error_messages["required"] = "Enter the amount or value in pounds."
        self.build_helper()

    def clean_amount(self):
        amount = self.cleaned_data["amount"]
        if amount is not None and amount <= 0:
            raise forms.ValidationError("The amount must be more than £0.")
        return amount


class PartnerForm(RowForm):
    """A partner is chosen from the registered organisations: its administrators are asked to confirm,
    and until they do its name is not on the bid and the bid cannot be submitted."""

    organisation = forms.ModelChoiceField(
        queryset=Organisation.objects.none(),
        label="Partner organisation",
        help_text="Partners must be registered on this service. We will ask its administrators to confirm.",
    )
    role = forms.CharField(label="What the partner will deliver", widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, bid: Bid, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organisation"].queryset = Organisation.objects.exclude(pk=bid.organisation_id)
        self.fields["organisation"].error_messages.update(
            required="Choose the partner organisation.", invalid_choice="Choose the partner organisation."
        )
        self.fields["role"].error_messages["required"] = "Enter what the partner will deliver."
        self.build_helper()


class DeclarationsForm(SectionFormMixin, forms.Form):
    conflicts_declared = forms.CharField(
        required=False,
        label="Conflicts of interest",
        help_text=(
            "Describe any relationship with the council, its officers or councillors that could be seen as a "
            "conflict of interest. Leave this empty if there are none."
        ),
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    no_conflicts = forms.BooleanField(required=False, label="There are no conflicts of interest to declare")
    accuracy_confirmed = forms.BooleanField(
        required=False,
        label="I confirm that the information in this bid is accurate and complete",
    )

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("no_conflicts") and (cleaned.get("conflicts_declared") or "").strip():
            self.add_error(
                "no_conflicts", "Either describe your conflicts of interest or confirm that there are none, not both."
            )
        return cleaned


class DocumentForm(SectionFormMixin, forms.Form):
    title = forms.CharField(max_length=200, help_text="For example, safeguarding policy or delivery plan.")
    file = forms.FileField(label="Upload a file", help_text=UPLOAD_HINT)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["title"].error_messages["required"] = "Enter a title for the document."
        self.fields["file"].error_messages["required"] = "Select a file to upload."

    def clean_file(self):
        upload = self.cleaned_data["file"]
        try:
            validate_upload(upload)
        except ValidationError as error:
            raise forms.ValidationError(error.messages) from error
        return upload


class TransitionForm(GovukFormMixin, forms.Form):
    """Submit or withdraw: the state the bidder saw travels with the button."""

    from_state = forms.CharField(widget=forms.HiddenInput)

    def __init__(self, *args, label: str, **kwargs):
        self.submit_label = label
        super().__init__(*args, **kwargs)


class StartBidForm(GovukFormMixin, forms.Form):
    submit_label = "Start your bid"

    organisation = forms.ModelChoiceField(
        queryset=Organisation.objects.none(),
        widget=forms.RadioSelect,
        empty_label=None,
        label="Which organisation is bidding?",
        help_text="The organisation that leads the bid. You can add partners for a joint bid later.",
    )

    def __init__(self, *args, organisations, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organisation"].queryset = organisations
        self.fields["organisation"].error_messages["required"] = "Choose the organisation that is bidding."
        if organisations.count() == 1:
            self.fields["organisation"].widget = forms.HiddenInput()
            self.fields["organisation"].initial = organisations.first().pk
        self.build_helper()


def row_formset(form_class: type[RowForm], extra: int = 0):
    # Blank rows may be left empty (they are skipped); a row that has anything typed is validated.
    return formset_factory(form_class, extra=extra, max_num=ROWS_LIMIT, absolute_max=ROWS_LIMIT, validate_max=True)
