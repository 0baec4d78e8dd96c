"""Forms for the dashboards (GOV.UK crispy forms): the filters, scrutiny's notes and agenda flags, and
choosing the commissions for a meeting pack. Forms only parse; selectors and services decide."""

from __future__ import annotations

from datetime import date

from crispy_forms_gds.helper import FormHelper
from crispy_forms_gds.layout import Button, Field, Size
from django import forms
from django.utils import timezone

from councils import page_cache
from councils.financial_year import financial_year_label, financial_year_of
from councils.forms import GovukFormMixin
from councils.govuk import govuk_input
from councils.inputs import BoundedInputsMixin
from councils.lean_forms import filters_helper
from councils.models import COUNCILLOR_ROLES, Council, Portfolio, Role, User
from councils.permissions import roles_in
from councils.selectors import outcomes_for_council
from councils.widgets import LeanSelect
from monitoring.dashboards.selectors.filters import Filters

# The dashboards each role lands on, in the order a person holding several roles sees them offered.
DASHBOARDS = {
    "lead": ("Council pipeline", frozenset({Role.LEAD_COMMISSIONER, Role.COUNCIL_ADMIN})),
    "portfolio": ("My portfolios", frozenset({Role.PORTFOLIO_HOLDER})),
    "scrutiny": ("Scrutiny and assurance", frozenset({Role.SCRUTINY_MEMBER})),
    "officer": (
        "My work",
        frozenset(
            {
                Role.LEAD_COMMISSIONER,
                Role.COMMISSIONING_OFFICER,
                Role.PROCUREMENT_OFFICER,
                Role.LEGAL_OFFICER,
                Role.FINANCE_OFFICER,
            }
        ),
    ),
    # Every councillor may sit on member working groups; a councillor with no other seat lands here.
    "groups": ("Working groups", COUNCILLOR_ROLES),
}


def dashboards_for(user: User, council: Council) -> list[tuple[str, str]]:
    """(slug, label) of each dashboard the user's roles in this council open to them."""
    roles = roles_in(user, council)
    return [(slug, label) for slug, (label, allowed) in DASHBOARDS.items() if not roles.isdisjoint(allowed)]


class DashboardFilterForm(BoundedInputsMixin, forms.Form):
    """Narrow an overview dashboard to a financial year, an outcome or a portfolio (a GET form).

    The outcome and portfolio choices are read once, as (id, name) pairs, so checking and showing
    the filters costs the same two queries whichever are chosen."""

    view = forms.CharField(required=False, widget=forms.HiddenInput)
    year = forms.TypedChoiceField(
        required=False, coerce=int, empty_value=None, label="Financial year", widget=LeanSelect
    )
    outcome = forms.TypedChoiceField(required=False, coerce=int, empty_value=None, widget=LeanSelect)
    portfolio = forms.TypedChoiceField(required=False, coerce=int, empty_value=None, widget=LeanSelect)

    def __init__(self, *args, council: Council, user: User, view: str, **kwargs):
        super().__init__(*args, **kwargs)
        this_year = financial_year_of(timezone.localdate())
        self.fields["year"].choices = [("", "Any year")] + [
            (year, financial_year_label(year)) for year in range(this_year - 2, this_year + 3)
        ]
        portfolios = Portfolio.objects.filter(council=council)
        holder = ""
        if view == "portfolio":
            # A cabinet member's dashboard covers the portfolios they hold, and only those.
            portfolios, holder = portfolios.filter(holder=user), str(user.pk)
        # The council's outcomes and portfolios (its framework: `councils` rows), kept until it changes.
        outcomes, portfolios = page_cache.shared_value(
            ["dashboard-choices", str(council.pk), holder],
            page_cache.family_scopes(council.pk, [page_cache.family_of(Portfolio)]),
            lambda: (
                list(outcomes_for_council(council).values_list("pk", "title")),
                list(portfolios.values_list("pk", "name")),
            ),
        )
        self.fields["outcome"].choices = [("", "Any outcome"), *outcomes]
        self.fields["portfolio"].choices = [("", "Any portfolio"), *portfolios]
        self.initial["view"] = view
        self.helper = filters_helper(self)

    def filters(self) -> Filters:
        if not self.is_bound or not self.is_valid():
            return Filters()
        data = self.cleaned_data
        names = {name: dict(self.fields[name].choices) for name in ("outcome", "portfolio")}
        return Filters(
            year=data.get("year"),
            outcome=data.get("outcome"),
            portfolio=data.get("portfolio"),
            outcome_label=names["outcome"].get(data.get("outcome"), ""),
            portfolio_label=names["portfolio"].get(data.get("portfolio"), ""),
        )


class ScrutinyNoteForm(GovukFormMixin, forms.Form):
    submit_label = "Add the note"

    text = forms.CharField(
        label="Note",
        help_text="What scrutiny asked, found or wants followed up. It is kept with the commission and cannot "
        "be changed afterwards.",
        widget=forms.Textarea(attrs={"rows": 6}),
        error_messages={"required": "Enter the note."},
    )


class AgendaFlagForm(GovukFormMixin, forms.Form):
    submit_label = "Flag for the committee's agenda"

    reason = forms.CharField(
        label="Why should the committee look at this commission?",
        widget=forms.Textarea(attrs={"rows": 5}),
        error_messages={"required": "Say why the committee should look at this commission."},
    )
    meeting_on = forms.DateField(required=False, label="Committee meeting (optional)")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        govuk_input(self.fields["meeting_on"])
        self.build_helper()


class AgendaFlagResolveForm(GovukFormMixin, forms.Form):
    submit_label = "Record what the committee did"

    resolve = forms.IntegerField(widget=forms.HiddenInput)
    resolution = forms.CharField(
        label="What did the committee do about it?",
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={"required": "Say what the committee did about it."},
    )


class CommissionChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj) -> str:
        flagged = " — flagged for the scrutiny agenda" if getattr(obj, "flagged", False) else ""
        return f"{obj.reference} {obj.title} ({obj.get_state_display().lower()}){flagged}"


class MeetingPackForm(BoundedInputsMixin, forms.Form):
    """Choose the commissions for a cabinet or scrutiny meeting pack (a GET form: the pack's address
    can be bookmarked and its PDF has the same one)."""

    flagged = forms.BooleanField(required=False, label="Every commission flagged for the scrutiny committee's agenda")
    commissions = CommissionChoiceField(
        required=False,
        queryset=None,
        widget=forms.CheckboxSelectMultiple,
        label="And these commissions",
    )
    meeting = forms.CharField(
        required=False,
        max_length=200,
        label="Meeting (optional)",
        help_text="For example: Overview and Scrutiny Committee, 8 December 2026.",
    )
    scrutiny_report = forms.BooleanField(
        required=False,
        label="End the pack with the scrutiny progress report for the last six months",
    )

    def __init__(self, *args, choices, offer_report: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        if not offer_report:
            # Only those who read the progress report may put it in a pack.
            del self.fields["scrutiny_report"]
        self.fields["commissions"].queryset = choices
        self.helper = FormHelper(self)
        self.helper.form_method = "get"
        self.helper.label_size = "s"
        self.helper.legend_size = "s"
        self.helper["commissions"].wrap(Field.checkboxes, legend_size=Size.MEDIUM, small=True)
        self.helper["flagged"].wrap(Field.checkbox)
        if offer_report:
            self.helper["scrutiny_report"].wrap(Field.checkbox)
        self.helper.layout.append(Button.primary("", "Make the meeting pack"))

    def clean(self):
        data = super().clean()
        data.setdefault("scrutiny_report", False)
        if not data.get("flagged") and not data.get("commissions") and not data["scrutiny_report"]:
            raise forms.ValidationError(
                "Choose at least one commission, or every commission flagged for the agenda.", code="nothing_chosen"
            )
        return data


class ScrutinyReportForm(BoundedInputsMixin, forms.Form):
    """The period of a scrutiny progress report (a GET form: the report's address, and its PDF's and
    workbook's, can be bookmarked). Empty means the last six months."""

    start = forms.DateField(required=False, label="From")
    end = forms.DateField(required=False, label="To")

    MAX_DAYS = 5 * 366

    def __init__(self, *args, default_period: tuple[date, date], **kwargs):
        super().__init__(*args, **kwargs)
        self.default_period = default_period
        for name in ("start", "end"):
            govuk_input(self.fields[name])
        self.helper = FormHelper(self)
        self.helper.form_method = "get"
        self.helper.label_size = "s"
        self.helper.layout.append(Button.secondary("", "Show the report"))

    def clean(self):
        data = super().clean()
        start, end = data.get("start") or self.default_period[0], data.get("end") or self.default_period[1]
        if start > end:
            raise forms.ValidationError({"end": "The end of the period must be the same as or after its start."})
        if (end - start).days > self.MAX_DAYS:
            raise forms.ValidationError({"start": "Choose a period of five years or less."})
        data["start"], data["end"] = start, end
        return data

    def period(self) -> tuple[date, date]:
        if self.is_bound and self.is_valid():
            return self.cleaned_data["start"], self.cleaned_data["end"]
        return self.default_period
