"""Forms for evaluation (GOV.UK crispy forms): set-up, the panel, declarations, compliance checks,
score sheets, moderation and the steps. Forms only parse; the services decide."""

from __future__ import annotations

from crispy_forms_gds.layout import Field, Size
from django import forms
from django.utils.html import escape

from commissioning.models import PriceMethod
from councils.forms import GovukFormMixin
from councils.govuk import govuk_input
from councils.models import OFFICER_ROLES, User

YES_NO_CONFLICT = [("no", "No, I have no conflict of interest"), ("yes", "Yes, I have a conflict of interest")]
PASS_FAIL = [("pass", "Pass"), ("fail", "Fail")]


class EvaluationForm(GovukFormMixin, forms.Form):
    """A GOV.UK form whose text boxes, radios and required messages follow the house patterns."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.limit_choices()
        for field in self.fields.values():
            govuk_input(field)
        self.build_helper()

    def limit_choices(self) -> None:
        """Give choice fields their querysets (before the GOV.UK widgets read the choices)."""

    def build_helper(self) -> None:
        super().build_helper()
        for name, field in self.fields.items():
            if isinstance(field.widget, forms.RadioSelect):
                self.helper[name].wrap(Field.radios, legend_size=Size.SMALL)
            elif isinstance(field.widget, forms.CheckboxSelectMultiple):
                self.helper[name].wrap(Field.checkboxes, legend_size=Size.SMALL)


class SetUpForm(EvaluationForm):
    submit_label = "Save the set-up"

    price_method = forms.ChoiceField(
        choices=PriceMethod.choices, widget=forms.RadioSelect, label="How is price scored?"
    )
    price_criterion = forms.ModelChoiceField(
        queryset=None,
        required=False,
        label="Criterion scored on price (only if price is scored)",
        help_text="Its weight goes to the lowest price; other prices score lowest price ÷ their price × weight.",
        empty_label="Not scored on price",
    )
    compliance_checks = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 6}),
        label="Compliance and eligibility checks",
        help_text="One check on each line. Every bid is passed or failed on each, with a reason for a fail.",
    )

    def __init__(self, *args, criteria, **kwargs):
        self.criteria = criteria
        super().__init__(*args, **kwargs)

    def limit_choices(self) -> None:
        self.fields["price_criterion"].queryset = self.criteria

    def clean_compliance_checks(self) -> list[str]:
        return [line.strip() for line in self.cleaned_data["compliance_checks"].splitlines() if line.strip()]


def _account(form: forms.Form, email: str) -> User | None:
    """The existing account for an independent member's email address (they are not created here)."""
    user = User.objects.filter(email__iexact=email).first()
    if user is None:
        form.add_error(
            "independent_email",
            "Nobody has an account with this email address: ask the council administrator to create one",
        )
    return user


class AppointForm(EvaluationForm):
    submit_label = "Appoint to the panel"

    officer = forms.ModelChoiceField(
        queryset=None,
        required=False,
        label="Officer",
        help_text="An officer of the council. Leave empty to appoint an independent member instead.",
        empty_label="Choose an officer",
    )
    chair = forms.BooleanField(required=False, label="Make this officer the chair of the panel")
    independent_email = forms.EmailField(
        required=False,
        label="Or: an independent or service-user representative's email address",
        help_text="They must already have an account and must not hold a role in the council.",
    )
    questions = forms.ModelMultipleChoiceField(
        queryset=None,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label="Questions the independent member will see and score",
    )

    def __init__(self, *args, officers, questions, **kwargs):
        self.officers, self.questions = officers, questions
        super().__init__(*args, **kwargs)

    def limit_choices(self) -> None:
        self.fields["officer"].queryset = self.officers
        self.fields["questions"].queryset = self.questions
        self.fields["questions"].label_from_instance = lambda q: f"{q.text[:90]} ({q.criterion.title})"

    def clean(self):
        cleaned = super().clean()
        officer, email = cleaned.get("officer"), cleaned.get("independent_email")
        if self.errors:
            return cleaned
        if bool(officer) == bool(email):
            self.add_error("officer", "Choose an officer, or enter an independent member's email address (not both)")
            return cleaned
        cleaned["user"] = _account(self, email) if email else officer
        return cleaned


class ReplaceForm(EvaluationForm):
    submit_label = "Replace the panellist"

    officer = forms.ModelChoiceField(queryset=None, label="New panellist", empty_label="Choose an officer")
    independent_email = forms.EmailField(
        label="The new member's email address",
        help_text="They must already have an account and must not hold a role in the council.",
    )
    reason = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}),
        label="Reason for the replacement",
        help_text="For example a declared conflict of interest. Kept on the record.",
    )

    def __init__(self, *args, officers, independent: bool, **kwargs):
        self.officers, self.independent = officers, independent
        super().__init__(*args, **kwargs)

    def limit_choices(self) -> None:
        if self.independent:
            del self.fields["officer"]
        else:
            del self.fields["independent_email"]
            self.fields["officer"].queryset = self.officers

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("independent_email"):
            cleaned["user"] = _account(self, cleaned["independent_email"])
        elif cleaned.get("officer"):
            cleaned["user"] = cleaned["officer"]
        return cleaned


class ConfirmForm(EvaluationForm):
    """A button, and optionally a comment for the audit trail; `seen_state` catches stale pages."""

    seen_state = forms.CharField(widget=forms.HiddenInput)
    reason = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        label="Comment (optional)",
        help_text="Kept in the audit trail.",
    )

    def __init__(self, *args, submit_label: str, with_reason: bool = True, **kwargs):
        self.submit_label = submit_label
        super().__init__(*args, **kwargs)
        if not with_reason:
            del self.fields["reason"]
            self.build_helper()


def _dynamic(field: forms.Field, label: str, required_message: str = "") -> forms.Field:
    """A field made per bid, check or criterion. Crispy's GOV.UK templates print labels unescaped,
    so the label (which carries names people typed) is escaped here; the error message is not,
    because the error summary escapes it."""
    field.label = escape(label)
    govuk_input(field)
    if required_message:
        field.error_messages["required"] = required_message
    return field


class DeclarationsForm(EvaluationForm):
    """One question per bid: a conflict of interest with the organisation or its partners, or none."""

    submit_label = "Save my declarations"

    def __init__(self, *args, bids, declarations, **kwargs):
        self.rows = list(bids)
        super().__init__(*args, **kwargs)
        for bid in self.rows:
            declared = declarations.get(bid.pk)
            partners = ", ".join(p.shown_name for p in bid.partners.all()) or "none"
            conflict = _dynamic(
                forms.ChoiceField(
                    choices=YES_NO_CONFLICT,
                    widget=forms.RadioSelect,
                    help_text=escape(f"Partners in this bid: {partners}"),
                    initial=None if declared is None else ("yes" if declared.has_conflict else "no"),
                ),
                f"Do you have a conflict of interest with {bid.organisation} or its partners?",
                f"Say whether you have a conflict of interest with {bid.organisation}",
            )
            nature = _dynamic(
                forms.CharField(
                    required=False,
                    widget=forms.Textarea(attrs={"rows": 3}),
                    help_text="For example: a trustee, a relative works there, a recent employer.",
                    initial="" if declared is None else declared.nature,
                ),
                f"If you have a conflict with {bid.organisation}, describe its nature",
            )
            if declared is not None and declared.has_conflict:
                # A declared conflict stands: the lead commissioner replaces the panellist instead.
                conflict.disabled = nature.disabled = True
            self.fields[f"conflict_{bid.pk}"] = conflict
            self.fields[f"nature_{bid.pk}"] = nature
        self.build_helper()

    def answers(self) -> dict[int, tuple[bool, str]]:
        return {
            bid.pk: (self.cleaned_data[f"conflict_{bid.pk}"] == "yes", self.cleaned_data.get(f"nature_{bid.pk}", ""))
            for bid in self.rows
            if not self.fields[f"conflict_{bid.pk}"].disabled
        }


class ComplianceForm(EvaluationForm):
    submit_label = "Save the compliance checks"

    def __init__(self, *args, checks: list[str], results: dict, **kwargs):
        self.checks = checks
        super().__init__(*args, **kwargs)
        for position, check in enumerate(checks):
            result = results.get(check)
            self.fields[f"passed_{position}"] = _dynamic(
                forms.ChoiceField(
                    choices=PASS_FAIL,
                    widget=forms.RadioSelect,
                    initial=None if result is None else ("pass" if result.passed else "fail"),
                ),
                check,
                f"Say whether the bid passes: {check}",
            )
            self.fields[f"reason_{position}"] = _dynamic(
                forms.CharField(
                    required=False,
                    widget=forms.Textarea(attrs={"rows": 2}),
                    initial="" if result is None else result.reason,
                ),
                f"Reason (needed if the bid fails): {check}",
            )
        self.build_helper()

    def results(self) -> dict[str, tuple[bool, str]]:
        return {
            check: (self.cleaned_data[f"passed_{i}"] == "pass", self.cleaned_data.get(f"reason_{i}", ""))
            for i, check in enumerate(self.checks)
        }


def score_choices(scale: list[str]) -> list[tuple[int, str]]:
    return [(score, f"{score} – {label}") for score, label in enumerate(scale)]


class ScoresForm(GovukFormMixin, forms.Form):
    """A panellist's scores, each with a written justification, one pair of fields per criterion.
    The page lays them out beside the bid's answers. Drafts may be partial; submitting needs all."""

    text_name = "justification"
    score_label = "Your score for {}"
    text_label = "Justification for your score on {}"
    score_required = "Choose a score for {}"
    text_required = "Write the justification for your score on {}"

    def __init__(self, *args, criteria, scale: list[str], initial_scores: dict, required: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.criteria = criteria
        for criterion in criteria:
            score, text = initial_scores.get(criterion.pk, (None, ""))
            title = criterion.title
            self.fields[f"score_{criterion.pk}"] = _dynamic(
                forms.TypedChoiceField(
                    choices=score_choices(scale),
                    coerce=int,
                    empty_value=None,
                    required=required,
                    widget=forms.RadioSelect,
                    initial=score,
                ),
                self.score_label.format(title),
                self.score_required.format(title),
            )
            self.fields[f"{self.text_name}_{criterion.pk}"] = _dynamic(
                forms.CharField(required=required, widget=forms.Textarea(attrs={"rows": 4}), initial=text),
                self.text_label.format(title),
                self.text_required.format(title),
            )

    def scores(self) -> dict[int, tuple[int | None, str]]:
        return {
            c.pk: (self.cleaned_data.get(f"score_{c.pk}"), self.cleaned_data.get(f"{self.text_name}_{c.pk}", ""))
            for c in self.criteria
        }


class ModerationForm(ScoresForm):
    """The chair's moderated score and rationale for every quality criterion of one bid."""

    text_name = "rationale"
    score_label = "Moderated score for {}"
    text_label = "Rationale for the moderated score on {}"
    score_required = "Choose the moderated score for {}"
    text_required = "Give the rationale for the moderated score on {}"

    def __init__(self, *args, **kwargs):
        super().__init__(*args, required=True, **kwargs)


def officers_for_panel(council, evaluation):
    """Officers of the council who are not on the panel now."""
    current = evaluation.members.filter(ended_at__isnull=True).values("user_id")
    return (
        User.objects.filter(memberships__council=council, memberships__role__in=OFFICER_ROLES)
        .exclude(pk__in=current)
        .distinct()
        .order_by("full_name", "email")
    )
