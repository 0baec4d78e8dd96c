"""Crispy forms (GOV.UK template pack) for commissions and the work of each stage."""

from __future__ import annotations

from crispy_forms_gds.layout import Field, Size
from django import forms
from django.db.models import Max

from commissioning.models import (
    Commission,
    DecisionMaker,
    DecommissioningRecord,
    DeliveryOption,
    EngagementActivity,
    EngagementKind,
    EvaluationCriterion,
    Evidence,
    ExistingProvision,
    FundingCommitment,
    FundingPot,
    FundingRound,
    GapAnalysis,
    NeedsAssessment,
    OutcomeSought,
    ReviewReport,
    Risk,
    SuccessMeasure,
)
from commissioning.permissions import COMMISSIONERS
from councils.fields import MoneyField
from councils.forms import CouncilScopedModelForm, GovukFormMixin
from councils.govuk import QuantityField, govuk_input
from councils.models import Portfolio, User
from councils.selectors import outcomes_for_council


class CommissionCreateForm(GovukFormMixin, forms.Form):
    submit_label = "Start commission"

    title = forms.CharField(
        max_length=200, help_text="Name it by what it achieves, e.g. 'Tackling loneliness in later life'."
    )
    summary = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 4}))
    lead_officer = forms.ModelChoiceField(queryset=None, empty_label="Choose an officer")
    portfolio = forms.ModelChoiceField(queryset=None, required=False, empty_label="Not decided yet")
    outcomes = forms.ModelMultipleChoiceField(
        queryset=None,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label="Council outcomes this commission contributes to",
    )

    def __init__(self, *args, council, **kwargs):
        super().__init__(*args, **kwargs)

        self.fields["lead_officer"].queryset = User.objects.filter(
            memberships__council=council, memberships__role__in=COMMISSIONERS
        ).distinct()
        self.fields["portfolio"].queryset = Portfolio.objects.filter(council=council)
        self.fields["outcomes"].queryset = outcomes_for_council(council)


class TransitionForm(GovukFormMixin, forms.Form):
    """A step round the cycle; the reason is required for back-steps and cancellations."""

    # The state the officer saw: if it has moved since, someone else acted first.
    from_state = forms.CharField(widget=forms.HiddenInput)
    reason = forms.CharField(
        required=False,
        label="Reason or comment",
        help_text="Kept in the audit trail.",
        widget=forms.Textarea(attrs={"rows": 4}),
    )

    def __init__(self, *args, step: dict, **kwargs):
        self.submit_label = step["label"]
        super().__init__(*args, **kwargs)
        if step["needs_reason"]:
            self.fields["reason"].required = True
            self.fields["reason"].label = "Reason"
            self.fields["reason"].error_messages["required"] = "Give a reason: it is kept in the audit trail."


class ApprovalForm(TransitionForm):
    """The decision to commission: delegated officer below the key-decision threshold, cabinet or
    portfolio holder at or above it (with the published decision's reference and minutes)."""

    decision_maker = forms.ChoiceField(choices=DecisionMaker.choices, widget=forms.RadioSelect, label="Who decided")
    reference = forms.CharField(
        required=False, max_length=60, label="Decision reference", help_text="For example CAB/2026/041."
    )
    decided_on = forms.DateField(label="Date of the decision")
    minute_url = forms.URLField(
        required=False, assume_scheme="https", label="Link to the published decision or minutes"
    )

    def __init__(self, *args, key_decision: bool, **kwargs):
        super().__init__(*args, **kwargs)
        if key_decision:
            self.fields["decision_maker"].choices = [
                c for c in DecisionMaker.choices if c[0] != DecisionMaker.DELEGATED_OFFICER
            ]
            self.fields["reference"].required = True
            self.fields["minute_url"].required = True
        else:
            self.fields["decision_maker"].choices = [
                c for c in DecisionMaker.choices if c[0] == DecisionMaker.DELEGATED_OFFICER
            ]
            self.fields["decision_maker"].initial = DecisionMaker.DELEGATED_OFFICER
        # Reason first reads oddly on a decision form: put it last.
        govuk_input(self.fields["decided_on"])
        self.order_fields(["decision_maker", "reference", "decided_on", "minute_url", "reason", "from_state"])
        self.build_helper()


# ---- Stage work forms below ----
# Stage work forms: one model form per kind of record, plus the commission's own details and funding
# pots. They share `CommissionerModelForm`, which swaps Django's default inputs for GOV.UK ones: money
# as text (£20,000), whole numbers and decimals in text boxes with a numeric keyboard (never
# type=number), dates typed as dd/mm/yyyy, scores 1 to 5 as radios, and no blank radio option on a
# required question.

SCORE_CHOICES = [(score, str(score)) for score in range(1, 6)]


class CommissionerModelForm(CouncilScopedModelForm):
    money_fields: tuple[str, ...] = ()
    score_fields: tuple[str, ...] = ()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in self.money_fields:
            old = self.fields[name]
            self.fields[name] = MoneyField(label=old.label, required=old.required, help_text=old.help_text)
        for name in self.score_fields:
            old = self.fields[name]
            self.fields[name] = forms.TypedChoiceField(
                label=old.label,
                help_text=old.help_text,
                choices=SCORE_CHOICES,
                coerce=int,
                widget=forms.RadioSelect,
            )
        for field in self.fields.values():
            govuk_input(field)

    def build_helper(self) -> None:
        super().build_helper()
        for name in self.score_fields:
            self.helper[name].wrap(Field.radios, legend_size=Size.SMALL, inline=True)

    def clean(self):
        cleaned = super().clean()
        starts_on, ends_on = cleaned.get("starts_on"), cleaned.get("ends_on")
        if starts_on and ends_on and ends_on < starts_on:
            self.add_error("ends_on", "The end date must be the same as or after the start date.")
        return cleaned


class StageRecordForm(CommissionerModelForm):
    """One stage record of one commission: the view sets the commission, the service the cycle."""

    def __init__(self, *args, commission: Commission, **kwargs):
        self.commission = commission
        super().__init__(*args, council=commission.council, **kwargs)


class NeedsAssessmentForm(StageRecordForm):
    class Meta:
        model = NeedsAssessment
        fields = (
            "population_and_demand",
            "desktop_research",
            "service_user_feedback",
            "summary_of_need",
        )


class EvidenceForm(StageRecordForm):
    link = forms.URLField(required=False, assume_scheme="https", help_text="A web address, if it is published.")

    class Meta:
        model = Evidence
        fields = ("kind", "title", "source", "link", "summary")
        labels = {"kind": "Kind of evidence"}
        widgets = {"kind": forms.RadioSelect, "summary": forms.Textarea(attrs={"rows": 4})}


class EngagementActivityForm(StageRecordForm):
    class Meta:
        model = EngagementActivity
        fields = (
            "stage",
            "kind",
            "held_on",
            "participants",
            "number_of_participants",
            "what_we_heard",
        )
        labels = {
            "stage": "Stage of the cycle",
            "kind": "Kind of engagement",
            "held_on": "Date held",
            "number_of_participants": "Number of participants (optional)",
        }
        widgets = {"stage": forms.RadioSelect, "kind": forms.RadioSelect}

    def limit_choices(self) -> None:
        # A member working group's comments are written by its members (commissioning.groups), never here.
        kinds = self.fields["kind"].choices
        self.fields["kind"].choices = [
            (value, label) for value, label in kinds if value != EngagementKind.WORKING_GROUP
        ]


class ExistingProvisionForm(StageRecordForm):
    money_fields = ("annual_funding",)

    class Meta:
        model = ExistingProvision
        fields = (
            "service_name",
            "provider_name",
            "funding_source",
            "annual_funding",
            "quality",
            "notes",
        )
        labels = {
            "annual_funding": "Annual funding (optional)",
            "quality": "Quality of the service",
        }
        widgets = {"quality": forms.RadioSelect}


class GapAnalysisForm(StageRecordForm):
    class Meta:
        model = GapAnalysis
        fields = ("gaps", "opportunities")


class DeliveryOptionForm(StageRecordForm):
    money_fields = ("estimated_annual_cost",)
    score_fields = ("cost_score", "risk_score", "outcomes_score", "social_value_score")

    class Meta:
        model = DeliveryOption
        fields = (
            "route",
            "description",
            "estimated_annual_cost",
            "cost_score",
            "risk_score",
            "outcomes_score",
            "social_value_score",
            "advantages",
            "disadvantages",
        )
        labels = {
            "route": "Delivery route",
            "estimated_annual_cost": "Estimated annual cost (optional)",
        }
        widgets = {"route": forms.RadioSelect}


class OutcomeSoughtForm(StageRecordForm):
    class Meta:
        model = OutcomeSought
        fields = ("council_outcome", "description")
        labels = {
            "council_outcome": "Council outcome it contributes to",
            "description": "Outcome sought",
        }

    def limit_choices(self) -> None:
        self.fields["council_outcome"].queryset = outcomes_for_council(self.council)


class SuccessMeasureForm(StageRecordForm):
    baseline = QuantityField(required=False, label="Baseline (optional)", help_text="Where things stand now, if known.")
    target = QuantityField(label="Target")

    class Meta:
        model = SuccessMeasure
        fields = ("outcome_sought", "description", "baseline", "target", "unit")
        labels = {"outcome_sought": "Outcome sought"}
        help_texts = {"description": "For example: befriending sessions delivered."}
        widgets = {"outcome_sought": forms.RadioSelect}

    def limit_choices(self) -> None:
        self.fields["outcome_sought"].queryset = OutcomeSought.objects.filter(
            commission=self.commission, cycle=self.commission.cycle
        )


class FundingCommitmentForm(StageRecordForm):
    money_fields = ("amount",)

    class Meta:
        model = FundingCommitment
        fields = ("pot", "amount", "is_match_funding")
        labels = {"pot": "Funding pot", "is_match_funding": "This is match funding"}

    def limit_choices(self) -> None:
        self.fields["pot"].queryset = FundingPot.objects.filter(council=self.council)

    def clean_pot(self):
        pot = self.cleaned_data["pot"]
        others = FundingCommitment.objects.filter(commission=self.commission, pot=pot).exclude(pk=self.instance.pk)
        if others.exists():
            raise forms.ValidationError("This commission already draws from that pot: change that commitment instead.")
        return pot

    def clean_amount(self):
        amount = self.cleaned_data["amount"]
        if amount is not None and amount <= 0:
            raise forms.ValidationError("Enter an amount more than £0.")
        return amount


class EvaluationCriterionForm(StageRecordForm):
    class Meta:
        model = EvaluationCriterion
        fields = ("title", "description", "weight", "position", "scored_on_whole_bid")
        labels = {
            "weight": "Weight (%)",
            "position": "Position in the list (optional)",
            "scored_on_whole_bid": "Scored on the whole bid",
        }
        help_texts = {
            "weight": "A whole number from 0 to 100. Weights total 100 for a grant or contract.",
            "scored_on_whole_bid": (
                "Tick this if the panel judges this criterion on the bid as a whole, for example the price, "
                "rather than on answers to questions. Otherwise the opportunity cannot be published until at "
                "least one question is marked against it."
            ),
        }

    def limit_choices(self) -> None:
        self.fields["position"].required = False
        self.fields["position"].help_text = "Lower numbers are listed first. Leave empty to add it at the end."

    def clean_position(self):
        position = self.cleaned_data.get("position")
        if position is not None:
            return position
        if self.instance.pk:
            return self.instance.position
        last = self.commission.criteria.filter(cycle=self.commission.cycle).aggregate(last=Max("position"))["last"]
        return (last or 0) + 1


class RiskForm(StageRecordForm):
    score_fields = ("likelihood", "impact")

    class Meta:
        model = Risk
        fields = ("description", "likelihood", "impact", "mitigation", "owner")
        labels = {"owner": "Risk owner (optional)"}


class ReviewReportForm(StageRecordForm):
    class Meta:
        model = ReviewReport
        fields = (
            "outcomes_achieved",
            "value_for_money",
            "lessons_learned",
            "user_feedback",
            "recommendation",
            "rationale",
        )
        labels = {"user_feedback": "What service users told us (optional)"}
        widgets = {"recommendation": forms.RadioSelect}


class DecommissioningRecordForm(StageRecordForm):
    class Meta:
        model = DecommissioningRecord
        fields = (
            "rationale",
            "impact_on_service_users",
            "providers_notified_on",
            "notification_details",
        )
        labels = {"providers_notified_on": "Date providers and partners were told"}


class CommissionDetailsForm(CommissionerModelForm):
    """The commission's own plan: never its state, which only the cycle's steps change."""

    money_fields = ("budget",)

    class Meta:
        model = Commission
        fields = (
            "title",
            "summary",
            "lead_officer",
            "portfolio",
            "outcomes",
            "delivery_route",
            "budget",
            "starts_on",
            "ends_on",
            "equality_impact_assessment_needed",
            "equality_impact_summary",
            "social_value",
        )
        labels = {
            "portfolio": "Cabinet portfolio",
            "outcomes": "Council outcomes this commission contributes to",
            "delivery_route": "Chosen delivery route",
            "budget": "Budget (optional)",
            "starts_on": "Start date (optional)",
            "ends_on": "End date (optional)",
            "equality_impact_assessment_needed": "An equality impact assessment is needed",
            "equality_impact_summary": "Equality impact summary (optional)",
            "social_value": "Social value (optional)",
        }
        help_texts = {"social_value": "The wider social, economic and environmental benefits sought."}
        widgets = {"outcomes": forms.CheckboxSelectMultiple, "delivery_route": forms.RadioSelect}

    def limit_choices(self) -> None:
        self.fields["lead_officer"].queryset = commissioners_for_council(self.council)
        self.fields["portfolio"].queryset = Portfolio.objects.filter(council=self.council)
        self.fields["portfolio"].empty_label = "Not decided yet"
        self.fields["outcomes"].queryset = outcomes_for_council(self.council)


class FundingPotForm(CommissionerModelForm):
    money_fields = ("amount",)

    class Meta:
        model = FundingPot
        fields = ("name", "source", "amount", "starts_on", "ends_on", "notes")
        labels = {
            "source": "Where the money comes from",
            "starts_on": "Start date",
            "ends_on": "End date",
        }
        widgets = {"source": forms.RadioSelect}

    def clean_name(self):
        name = self.cleaned_data["name"]
        others = FundingPot.objects.filter(council=self.council, name__iexact=name).exclude(pk=self.instance.pk)
        if others.exists():
            raise forms.ValidationError("There is already a funding pot with this name.")
        return name


def commissioners_for_council(council):

    return User.objects.filter(memberships__council=council, memberships__role__in=COMMISSIONERS).distinct()


class FundingRoundForm(CommissionerModelForm):
    money_fields = ("allocation",)

    class Meta:
        model = FundingRound
        fields = ("name", "opens_on", "closes_on", "allocation")
        labels = {"opens_on": "Opens on", "closes_on": "Closes on", "allocation": "Allocation for this round"}
