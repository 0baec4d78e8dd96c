"""Forms for notification preferences and a council's reminder rules (GOV.UK crispy forms)."""

from __future__ import annotations

from crispy_forms_gds.layout import Field, Size
from django import forms

from councils.fields import WholeNumberField
from councils.forms import GovukFormMixin
from councils.models import MAX_LEAD_TIME_DAYS, MAX_LEAD_TIMES, ReminderKind
from councils.notification_selectors import ReminderSettings

DIGEST_CHOICES = [
    ("individual", "Send each reminder by email as it happens"),
    ("digest", "Send one email a day, at 7am, with that day's reminders"),
]


# Every kind of notification, grouped as people think of their work, for choosing which are emailed.
EMAIL_GROUPS: list[tuple[str, str, tuple[str, ...]]] = [
    (
        "plans_and_awards",
        "Plans and award decisions",
        (
            ReminderKind.PLAN_TO_APPROVE,
            ReminderKind.PLAN_DECIDED,
            ReminderKind.REVIEW_PROGRESS,
            ReminderKind.AWARD_TO_DECIDE,
            ReminderKind.AWARD_DECIDED,
            ReminderKind.CALL_IN_ASKED,
            ReminderKind.AWARD_CALLED_IN,
        ),
    ),
    ("working_groups", "Member working groups", (ReminderKind.WORKING_GROUP_NAMED,)),
    (
        "opportunities",
        "Opportunities, bids and evaluation panels",
        (
            ReminderKind.OPPORTUNITY_DEADLINE,
            ReminderKind.BIDS_TO_OPEN,
            ReminderKind.BIDS_OPENED,
            ReminderKind.PANEL_APPOINTED,
            ReminderKind.PANEL_TASKS_DUE,
            ReminderKind.PANEL_STAGE_READY,
            ReminderKind.PARTNER_TO_CONFIRM,
            ReminderKind.OPPORTUNITY_ALERT,
            ReminderKind.ENGAGEMENT_COMMENTED,
        ),
    ),
    (
        "returns",
        "Monitoring returns",
        (
            ReminderKind.RETURN_DUE_SOON,
            ReminderKind.RETURN_DUE_TODAY,
            ReminderKind.RETURN_OVERDUE,
            ReminderKind.RETURN_ESCALATED,
            ReminderKind.RETURN_CHASED,
            ReminderKind.RETURN_TO_REVIEW,
            ReminderKind.RETURN_AWAITING_REVIEW,
            ReminderKind.RETURN_QUERIED,
            ReminderKind.RETURN_ACCEPTED,
        ),
    ),
    (
        "agreements",
        "Agreements, notices and documents",
        (
            ReminderKind.AGREEMENT_SIGNED,
            ReminderKind.AGREEMENT_ENDING,
            ReminderKind.EXTENSION_DECISION_DUE,
            ReminderKind.AGREEMENT_FLAGGED,
            ReminderKind.REMEDY_RECORDED,
            ReminderKind.REMEDY_RESPONDED,
            ReminderKind.KPI_ASSESSMENT_DUE,
            ReminderKind.NOTICE_TO_PUBLISH,
            ReminderKind.NOTICE_DUE_SOON,
            ReminderKind.NOTICE_OVERDUE,
            ReminderKind.COMPLIANCE_EXPIRING,
            ReminderKind.STAFF_JOINED_PROVIDER,
        ),
    ),
]


class RadiosMixin(GovukFormMixin):
    def build_helper(self) -> None:
        super().build_helper()
        for name, field in self.fields.items():
            if isinstance(field.widget, forms.RadioSelect):
                self.helper[name].wrap(Field.radios, legend_size=Size.SMALL)
            elif isinstance(field.widget, forms.CheckboxSelectMultiple):
                self.helper[name].wrap(Field.checkboxes, legend_size=Size.SMALL)


class NotificationPreferenceForm(RadiosMixin, forms.Form):
    """How emails come (one at a time or a daily digest) and, per kind of notification, whether it is
    emailed at all. Every notification stays in the app whatever is chosen here."""

    submit_label = "Save your choices"

    emails = forms.ChoiceField(
        label="How do you want emails?",
        help_text="Notifications always appear in Commissioner as well.",
        choices=DIGEST_CHOICES,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose how you want emails"},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for slug, legend, kinds in EMAIL_GROUPS:
            # Unticking every box of a group is a choice, not a missing answer.
            self.fields[f"email_{slug}"] = forms.MultipleChoiceField(
                label=f"{legend}: which do you want by email?",
                help_text="Untick what you do not want emailed. You will still see it in your notifications.",
                choices=[(kind, ReminderKind(kind).label) for kind in kinds],
                widget=forms.CheckboxSelectMultiple,
                required=False,
            )
        self.build_helper()

    @property
    def daily_digest(self) -> bool:
        return self.cleaned_data["emails"] == "digest"

    @property
    def not_emailed(self) -> set[str]:
        wanted = {kind for slug, _, _ in EMAIL_GROUPS for kind in self.cleaned_data[f"email_{slug}"]}
        return {kind for _, _, kinds in EMAIL_GROUPS for kind in kinds} - wanted

    @staticmethod
    def initial_for(daily_digest: bool, not_emailed: set[str]) -> dict:
        initial = {"emails": "digest" if daily_digest else "individual"}
        for slug, _, kinds in EMAIL_GROUPS:
            initial[f"email_{slug}"] = [kind for kind in kinds if kind not in not_emailed]
        return initial


# What each kind asks for: (field, label, hint). Fields not listed keep their value.
RULE_QUESTIONS: dict[str, list[tuple[str, str, str]]] = {
    ReminderKind.RETURN_DUE_SOON: [
        ("enabled", "Remind providers before a return is due", ""),
        ("days_before", "How many days before the due date", "The reminder is sent once, this many days before."),
        ("working_days", "", ""),
    ],
    ReminderKind.RETURN_DUE_TODAY: [
        ("enabled", "Remind providers on the day a return is due", ""),
    ],
    ReminderKind.RETURN_OVERDUE: [
        ("enabled", "Remind providers while a return is overdue", "The first reminder is sent the day after."),
        ("repeat_every_days", "Remind them again every", "Enter 0 to remind them only once."),
        (
            "escalate_after_days",
            "Tell the lead officer and the portfolio holder once a return is this many days overdue",
            "Only for returns never submitted. Enter 0 never to escalate.",
        ),
        ("working_days", "", ""),
    ],
    ReminderKind.RETURN_AWAITING_REVIEW: [
        ("enabled", "Remind the council contact when a submitted return waits for review", ""),
        ("days_before", "After how many days waiting", ""),
        ("repeat_every_days", "Remind them again every", "Enter 0 to remind them only once."),
        ("working_days", "", ""),
    ],
    ReminderKind.AGREEMENT_ENDING: [
        ("enabled", "Warn the contract manager and the lead officer before a live agreement ends", ""),
        (
            "lead_times",
            "How many days before it ends",
            "Each is a warning of its own. Leave time to review the commission and decide what happens next: "
            "274, 183 and 91 calendar days are about nine, six and three months (about 189, 126 and 63 working days).",
        ),
        ("working_days", "", ""),
    ],
    ReminderKind.EXTENSION_DECISION_DUE: [
        (
            "enabled",
            "Warn the contract manager and the lead officer before the notice date of an extension option",
            "Only while the agreement has extensions left, and only when its terms ask for notice to extend.",
        ),
        (
            "lead_times",
            "How many days before the notice date",
            "Each is a warning of its own: 274, 183 and 91 calendar days are about nine, six and three months.",
        ),
        ("working_days", "", ""),
    ],
    ReminderKind.OPPORTUNITY_DEADLINE: [
        ("enabled", "Remind providers following an opportunity before its deadline for bids", ""),
        ("days_before", "How many days before the deadline", "Organisations that have already bid are not reminded."),
        ("working_days", "", ""),
    ],
    ReminderKind.NOTICE_DUE_SOON: [
        ("enabled", "Remind the procurement officers before a notice is due on Find a Tender", ""),
        ("days_before", "How many days before it is due", "The reminder is sent once, this many days before."),
        ("working_days", "", ""),
    ],
    ReminderKind.NOTICE_OVERDUE: [
        ("enabled", "Remind the procurement officers when a notice is overdue", "The reminder is sent the day after."),
        ("repeat_every_days", "Remind them again every", "Enter 0 to remind them only once."),
        ("working_days", "", ""),
    ],
}

LIMITS = {"days_before": (0, 366), "repeat_every_days": (0, 90), "escalate_after_days": (0, 120)}
# Zero would mean "on the day itself" for these, which the due-today reminder already does.
AT_LEAST_ONE = {
    (ReminderKind.RETURN_DUE_SOON, "days_before"),
    (ReminderKind.AGREEMENT_ENDING, "days_before"),
    (ReminderKind.NOTICE_DUE_SOON, "days_before"),
}


class LeadTimesField(forms.CharField):
    """Several numbers of days, typed as "274, 183, 91": each a warning of its own, furthest first."""

    def __init__(self, **kwargs):
        problem = f"Enter up to {MAX_LEAD_TIMES} numbers of days from 1 to {MAX_LEAD_TIME_DAYS}, separated by commas"
        kwargs.setdefault("error_messages", {"required": problem})
        self.problem = problem
        super().__init__(**kwargs)

    def prepare_value(self, value):
        if isinstance(value, list | tuple):
            return ", ".join(str(days) for days in value)
        return value

    def to_python(self, value) -> list[int]:
        text = super().to_python(value)
        if not text:
            return []
        parts = [part.strip() for part in text.replace(";", ",").split(",") if part.strip()]
        if not all(part.isdigit() for part in parts):
            raise forms.ValidationError(f"{self.problem}, for example 274, 183, 91")
        days = [int(part) for part in parts]
        if len(days) > MAX_LEAD_TIMES or any(not 1 <= n <= MAX_LEAD_TIME_DAYS for n in days):
            raise forms.ValidationError(self.problem)
        if len(set(days)) != len(days):
            raise forms.ValidationError("Enter each number of days once")
        return sorted(days, reverse=True)


class ReminderRuleForm(RadiosMixin, forms.Form):
    """The questions for one kind of reminder, with the council's current settings filled in."""

    submit_label = "Save the reminder settings"

    def __init__(self, *args, kind: str, current: ReminderSettings, **kwargs):
        self.kind = kind
        initial = {**current.as_dict(), "working_days": "working" if current.working_days else "calendar"}
        initial["enabled"] = "yes" if current.enabled else "no"
        initial["lead_times"] = list(current.leads)
        kwargs["initial"] = {**initial, **(kwargs.get("initial") or {})}
        super().__init__(*args, **kwargs)

    def build_helper(self) -> None:
        self.fields.clear()
        for name, label, hint in RULE_QUESTIONS[self.kind]:
            self.fields[name] = self._field(name, label, hint)
        super().build_helper()

    def _field(self, name: str, label: str, hint: str) -> forms.Field:
        if name == "enabled":
            return forms.ChoiceField(
                label=label,
                help_text=hint,
                choices=[("yes", "Yes"), ("no", "No")],
                widget=forms.RadioSelect,
                error_messages={"required": "Choose yes or no"},
            )
        if name == "working_days":
            return forms.ChoiceField(
                label="How are the days counted?",
                choices=[
                    ("working", "Working days (weekends and bank holidays in England and Wales are skipped)"),
                    ("calendar", "Calendar days"),
                ],
                widget=forms.RadioSelect,
                error_messages={"required": "Choose how the days are counted"},
            )
        if name == "lead_times":
            return LeadTimesField(label=f"{label} (days)", help_text=hint)
        low, high = LIMITS[name]
        if (self.kind, name) in AT_LEAST_ONE:
            low = 1
        return WholeNumberField(
            label=f"{label} (days)",
            help_text=hint,
            min_value=low,
            max_value=high,
            error_messages={
                "required": f"Enter a number of days from {low} to {high}",
                "invalid": f"Enter a whole number of days from {low} to {high}",
                "min_value": f"Enter a number of days from {low} to {high}",
                "max_value": f"Enter a number of days from {low} to {high}",
            },
        )

    def rule_values(self) -> dict:
        values = dict(self.cleaned_data)
        if "enabled" in values:
            values["enabled"] = values["enabled"] == "yes"
        if "working_days" in values:
            values["working_days"] = values["working_days"] == "working"
        return values
