"""Forms for opportunities (GOV.UK patterns through crispy-forms-gds): the officer's draft, its key
dates typed as a date and a UK time, lots, questions, documents, answering clarifications and
confirming the opening; and, for providers and the public, asking, following and filtering."""

from __future__ import annotations

import datetime
import re

from django import forms
from django.db.models import Max, Q
from django.utils import timezone

from commissioning.cycle.forms import CommissionerModelForm
from commissioning.models import (
    ClarificationVisibility,
    EvaluationCriterion,
    Lot,
    Opportunity,
    OpportunityDocument,
    OpportunityQuestion,
    OpportunitySocialValueAsk,
    SocialValueMeasure,
)
from commissioning.sourcing.selectors.opportunities import (
    VALUE_BANDS,
    councils_with_opportunities,
    outcomes_with_opportunities,
)
from councils.clock import TimeOfYearChoice, format_clock, is_ambiguous, local_moment, which_of_two
from councils.forms import GovukFormMixin
from councils.govuk import govuk_input
from councils.inputs import BoundedInputsMixin
from councils.lean_forms import filters_helper
from councils.uploads import UPLOAD_HINT
from councils.widgets import LeanModelChoiceField, LeanSelect

TIME_HINT = "For example, 12pm or 5:30pm (UK time)."
CLOCK = re.compile(r"^(?P<hour>\d{1,2})(?:[:.](?P<minute>\d{2}))?\s*(?P<half>am|pm)?$")


def parse_clock(value: str) -> datetime.time | None:
    """12pm, 5:30pm, 17:30, 09.15, midday and midnight, as people write times."""
    text = value.strip().lower().replace(" ", "").replace("a.m.", "am").replace("p.m.", "pm")
    if text in ("midday", "noon"):
        return datetime.time(12, 0)
    if text == "midnight":
        return datetime.time(0, 0)
    match = CLOCK.match(text)
    if not match:
        return None
    hour, minute, half = int(match["hour"]), int(match["minute"] or 0), match["half"]
    if half:
        if not 1 <= hour <= 12:
            return None
        hour = hour % 12 + (12 if half == "pm" else 0)
    if hour > 23 or minute > 59:
        return None
    return datetime.time(hour, minute)


class ClockTimeField(forms.CharField):
    def __init__(self, **kwargs):
        kwargs.setdefault("help_text", TIME_HINT)
        super().__init__(**kwargs)
        self.widget.attrs.update({"class": "govuk-input--width-5", "autocomplete": "off", "spellcheck": "false"})

    def prepare_value(self, value):
        return format_clock(value) if isinstance(value, datetime.time) else value

    def to_python(self, value):
        value = super().to_python(value)
        if value in self.empty_values:
            return None
        moment = parse_clock(value)
        if moment is None:
            raise forms.ValidationError(f"{self.label} must be a real time, like 12pm or 5:30pm.")
        return moment


class OpportunityRecordForm(CommissionerModelForm):
    """A record of one opportunity (lot, question, document): the view passes the opportunity."""

    def __init__(self, *args, opportunity: Opportunity, **kwargs):
        self.opportunity = opportunity
        super().__init__(*args, council=opportunity.council, **kwargs)


class OpportunityDetailsForm(CommissionerModelForm):
    money_fields = ("budget_envelope",)

    class Meta:
        model = Opportunity
        fields = ("title", "summary", "outcomes_sought", "eligibility", "budget_envelope")
        labels = {"outcomes_sought": "Outcomes sought", "budget_envelope": "Budget envelope"}
        help_texts = {
            "summary": "What the council wants to buy or fund, in plain words, for anyone to read.",
            "budget_envelope": "The most the council will pay. A grant below the tender threshold uses the short "
            "application form; contracts at or above it need two officers to open the bids.",
        }
        widgets = {
            "summary": forms.Textarea(attrs={"rows": 5}),
            "outcomes_sought": forms.Textarea(attrs={"rows": 5}),
            "eligibility": forms.Textarea(attrs={"rows": 3}),
        }


DEADLINES = (
    ("clarification_deadline", "clarification_time", "clarification_clock"),
    ("submission_deadline", "submission_time", "submission_clock"),
)


class OpportunityDatesForm(GovukFormMixin, forms.Form):
    """Key dates. Deadlines are a date and a time in UK time; the others are dates.

    A deadline in the hour the clocks go back happens twice: only then is the officer asked which
    (`*_clock`, BST or GMT); one in the hour the clocks go forward does not exist and is refused."""

    clarification_deadline = forms.DateField(label="Deadline for clarification questions: date")
    clarification_time = ClockTimeField(label="Deadline for clarification questions: time")
    clarification_clock = TimeOfYearChoice(label="Which time do you mean for the clarification deadline?")
    submission_deadline = forms.DateField(label="Deadline for bids: date")
    submission_time = ClockTimeField(label="Deadline for bids: time")
    submission_clock = TimeOfYearChoice(label="Which time do you mean for the bid deadline?")
    expected_award_on = forms.DateField(label="Expected award date")
    service_starts_on = forms.DateField(label="Expected service start date")

    def __init__(self, *args, opportunity: Opportunity, **kwargs):
        self.opportunity = opportunity
        clarification = timezone.localtime(opportunity.clarification_deadline)
        submission = timezone.localtime(opportunity.submission_deadline)
        kwargs["initial"] = {
            "clarification_deadline": clarification.date(),
            "clarification_time": clarification.time(),
            "clarification_clock": which_of_two(opportunity.clarification_deadline),
            "submission_deadline": submission.date(),
            "submission_time": submission.time(),
            "submission_clock": which_of_two(opportunity.submission_deadline),
            "expected_award_on": opportunity.expected_award_on,
            "service_starts_on": opportunity.service_starts_on,
            **kwargs.get("initial", {}),
        }
        super().__init__(*args, **kwargs)
        for day, time, clock in DEADLINES:
            if not self._happens_twice(day, time):
                del self.fields[clock]
        for field in self.fields.values():
            govuk_input(field)
        self.build_helper()

    def _happens_twice(self, day: str, time: str) -> bool:
        """Whether the deadline typed (or, unbound, the one saved) is in the hour that happens twice."""
        values = []
        for name in (day, time):
            field = self.fields[name]
            raw = self[name].data if self.is_bound else self.get_initial_for_field(field, name)
            try:
                values.append(raw if not isinstance(raw, str) else field.clean(raw))
            except forms.ValidationError:
                return False
        try:
            return all(values) and is_ambiguous(*values)
        except OverflowError:  # a date at the edge of the calendar: the field refuses it
            return False

    def clean(self):
        cleaned = super().clean()
        for day, time, clock in DEADLINES:
            if cleaned.get(day) and cleaned.get(time):
                try:
                    cleaned[day] = local_moment(cleaned[day], cleaned[time], cleaned.get(clock, ""))
                except forms.ValidationError as error:
                    self.add_error(clock if clock in self.fields else time, error)
        return cleaned

    def apply(self) -> Opportunity:
        """The opportunity with the typed dates (unsaved: the service validates and saves it)."""
        for name in ("clarification_deadline", "submission_deadline", "expected_award_on", "service_starts_on"):
            setattr(self.opportunity, name, self.cleaned_data[name])
        return self.opportunity


class LotForm(OpportunityRecordForm):
    money_fields = ("budget",)

    class Meta:
        model = Lot
        fields = ("title", "description", "budget")
        labels = {"budget": "Budget for this lot (optional)", "description": "Description (optional)"}


class QuestionForm(OpportunityRecordForm):
    class Meta:
        model = OpportunityQuestion
        fields = ("criterion", "text", "guidance", "word_limit", "position")
        labels = {
            "criterion": "Evaluation criterion it is judged against",
            "text": "Question",
            "guidance": "Guidance for bidders (optional)",
            "word_limit": "Word limit",
            "position": "Position in the list (optional)",
        }
        help_texts = {"word_limit": "A whole number from 10 to 5,000."}
        widgets = {"criterion": forms.RadioSelect, "text": forms.Textarea(attrs={"rows": 3})}

    def limit_choices(self) -> None:
        commission = self.opportunity.commission
        self.fields["criterion"].queryset = EvaluationCriterion.objects.filter(
            commission=commission, cycle=self.opportunity.cycle
        )
        self.fields["position"].required = False
        self.fields["position"].help_text = "Lower numbers are listed first. Leave empty to add it at the end."

    def clean_position(self):
        position = self.cleaned_data.get("position")
        if position is not None:
            return position
        if self.instance.pk:
            return self.instance.position
        return (self.opportunity.questions.aggregate(last=Max("position"))["last"] or 0) + 1


class SocialValueAskForm(OpportunityRecordForm):
    """One of the council's social value measures that bidders are asked to commit to."""

    class Meta:
        model = OpportunitySocialValueAsk
        fields = ("measure", "hoped_for", "guidance")
        labels = {
            "measure": "Social value measure",
            "hoped_for": "Quantity the council hopes for (optional)",
            "guidance": "Guidance for bidders (optional)",
        }
        help_texts = {"hoped_for": "Over the whole agreement, in the measure's unit."}
        widgets = {"measure": forms.RadioSelect, "guidance": forms.Textarea(attrs={"rows": 3})}

    def limit_choices(self) -> None:
        asked = self.opportunity.social_value_asks.exclude(pk=self.instance.pk).values("measure_id")
        measures = SocialValueMeasure.objects.filter(council=self.council).select_related("theme")
        # A measure the council has since retired stays on an ask that already uses it.
        measures = measures.filter(Q(is_active=True) | Q(pk=self.instance.measure_id)).exclude(pk__in=asked)
        field = self.fields["measure"]
        field.queryset = measures
        field.empty_label = None
        field.label_from_instance = measure_label
        field.error_messages.update(
            required="Choose a social value measure.",
            invalid_choice="Choose one of the council's social value measures not already asked for.",
        )
        self.fields["hoped_for"].error_messages["invalid"] = "Enter the quantity as a number, like 40."

    def clean_hoped_for(self):
        value = self.cleaned_data.get("hoped_for")
        if value is not None and value < 0:
            raise forms.ValidationError("The quantity hoped for cannot be negative.")
        return value


def measure_label(measure: SocialValueMeasure) -> str:
    proxy = f", valued at £{measure.proxy_value:,.2f} a unit" if measure.proxy_value is not None else ""
    return f"{measure.theme}: {measure.code} {measure.title} (in {measure.unit}{proxy})"


class DocumentForm(OpportunityRecordForm):
    class Meta:
        model = OpportunityDocument
        fields = ("kind", "title", "file")
        labels = {"kind": "Kind of document", "file": "Upload a file"}
        help_texts = {"file": UPLOAD_HINT}
        widgets = {"kind": forms.RadioSelect, "file": forms.FileInput}


class OpeningForm(GovukFormMixin, forms.Form):
    submit_label = "Confirm the opening"

    from_state = forms.CharField(widget=forms.HiddenInput)
    declaration = forms.BooleanField(
        label="I confirm that I do not act for, and have no conflict of interest with, any organisation that has bid",
        error_messages={"required": "Confirm that you have no conflict of interest with any bidder"},
    )


class ClarificationAnswerForm(GovukFormMixin, forms.Form):
    submit_label = "Send the answer"

    visibility = forms.ChoiceField(
        label="Who should see the answer?",
        widget=forms.RadioSelect,
        choices=[
            (ClarificationVisibility.PUBLISHED, "Publish it: everyone following is emailed and it is shown publicly"),
            (ClarificationVisibility.PRIVATE, "Reply privately: only the organisation that asked sees it"),
        ],
        error_messages={"required": "Choose whether to publish the answer or reply privately"},
    )
    published_question = forms.CharField(
        required=False,
        label="The question as it will be published",
        help_text="Remove anything that identifies the organisation that asked.",
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    answer = forms.CharField(widget=forms.Textarea(attrs={"rows": 6}), error_messages={"required": "Enter the answer"})


class ClarificationAskForm(GovukFormMixin, forms.Form):
    submit_label = "Send your question"

    organisation = forms.ModelChoiceField(
        queryset=None,
        widget=forms.RadioSelect,
        label="Which organisation are you asking for?",
        empty_label=None,
        error_messages={"required": "Choose the organisation you are asking for"},
    )
    question = forms.CharField(
        label="Your question",
        help_text="The council may publish your question, without your name, with its answer to everyone bidding.",
        widget=forms.Textarea(attrs={"rows": 6}),
        error_messages={"required": "Enter your question"},
    )

    def __init__(self, *args, organisations, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organisation"].queryset = organisations
        only = list(organisations[:2])
        self.single = only[0] if len(only) == 1 else None
        if self.single is not None:
            # One organisation: nothing to choose, so no question to answer.
            self.fields["organisation"].widget = forms.HiddenInput()
            self.fields["organisation"].required = False
        self.build_helper()

    def clean_organisation(self):
        return self.cleaned_data.get("organisation") or self.single


class InterestForm(BoundedInputsMixin, forms.Form):
    """Follow or stop following, for one of the person's organisations (the page renders the buttons)."""

    organisation = forms.ModelChoiceField(queryset=None)
    action = forms.ChoiceField(choices=[("follow", "Follow"), ("stop", "Stop following")])

    def __init__(self, *args, organisations, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organisation"].queryset = organisations


class OutcomeChoiceField(LeanModelChoiceField):
    """One of the chosen council's outcomes. An outcome no longer among them (the council filter was
    changed after it was chosen) lapses, rather than failing the whole filter."""

    def to_python(self, value):
        try:
            return super().to_python(value)
        except forms.ValidationError:
            return None


class OpportunityFilterForm(BoundedInputsMixin, forms.Form):
    q = forms.CharField(required=False, label="Search titles and summaries")
    council = LeanModelChoiceField(required=False, queryset=None, empty_label="Any council", label_field="name")
    outcome = OutcomeChoiceField(required=False, queryset=None, empty_label="Any outcome", label_field="title")
    value_band = forms.ChoiceField(
        required=False,
        label="Value",
        choices=[("", "Any value"), *((k, v[0]) for k, v in VALUE_BANDS.items())],
        widget=LeanSelect,
    )
    closes_after = forms.DateField(required=False, label="Closing on or after")
    closes_before = forms.DateField(required=False, label="Closing on or before")
    include_closed = forms.BooleanField(required=False, label="Include closed and awarded opportunities")
    # The choices are what the public list shows: they change with its own generation.
    shared_scopes = ("listing",)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["council"].queryset = councils_with_opportunities
        self.offer_outcomes()
        for name in ("closes_after", "closes_before"):
            govuk_input(self.fields[name])
        self.helper = filters_helper(self)

    def offer_outcomes(self) -> None:
        """Outcomes belong to one council (400 councils have thousands between them), so they are
        offered once a council is chosen. An outcome in a link without its council is still applied."""
        raw_council = str(self.data.get(self.add_prefix("council")) or "")
        if raw_council.isdigit():
            council_id = int(raw_council)
            self.fields["outcome"].queryset = lambda: outcomes_with_opportunities(council_id)
        elif self.data.get(self.add_prefix("outcome")):
            self.fields["outcome"].queryset = outcomes_with_opportunities
            self.fields["outcome"].widget = forms.HiddenInput()
        else:
            del self.fields["outcome"]
            self.fields["council"].help_text = "Choose a council and apply the filters to filter by its outcomes too."

    def filters(self) -> dict:
        return self.cleaned_data if self.is_valid() else {}
