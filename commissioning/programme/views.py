"""Prioritised programme pages: the council's criteria and weights, its programmes by year, the
ranked programme for a year (with its next steps), putting a commission forward, scoring a candidate,
and the programme's steps (sent to cabinet, referred back, reopened) and cabinet's decision.

Thin: each view parses input, calls one service or selector and renders. A year or a candidate that
is not the council's in the URL is a 404; then the page's named permission applies.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.views.generic import FormView, TemplateView

from commissioning.cycle.forms import ApprovalForm, TransitionForm
from commissioning.cycle.services import Decision
from commissioning.models import DecisionMaker, ProgrammeState
from commissioning.programme import forms, selectors, services
from commissioning.programme.next_steps import programme_next_steps
from councils.views import CouncilPermissionMixin, apply_form_errors
from councils.workflow import TransitionConflict, TransitionRefused


def posted(request):
    return request.POST if request.method == "POST" else None


def index_url(council) -> str:
    return reverse("commissioning:programmes", kwargs={"council_slug": council.slug})


def criteria_url(council) -> str:
    return reverse("commissioning:programme_criteria", kwargs={"council_slug": council.slug})


class ProgrammeListView(CouncilPermissionMixin, FormView):
    """The council's programmes by financial year, and starting the next one (commissioners)."""

    permission_required = "commissioning.read_programme"
    template_name = "programme/list.html"

    def years_open(self) -> list[int]:
        this_year = selectors.financial_year_of(timezone.localdate())
        taken = set(selectors.programmes(self.request.council).values_list("financial_year", flat=True))
        return [year for year in range(this_year - 1, this_year + 3) if year not in taken]

    def may_start(self) -> bool:
        return self.request.user.has_perm("commissioning.score_programme", self.request.council)

    def get_form(self, form_class=None):
        return forms.ProgrammeStartForm(posted(self.request), years=self.years_open())

    def post(self, request, *args, **kwargs):
        if not self.may_start():
            raise PermissionDenied
        return super().post(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        council = self.request.council
        kwargs.update(
            title="Prioritised programme",
            programmes=list(selectors.programmes(council)),
            criteria=selectors.criteria(council),
            may_start=self.may_start() and bool(self.years_open()),
            may_set_criteria=self.request.user.has_perm("commissioning.set_prioritisation_criteria", council),
        )
        return super().get_context_data(**kwargs)

    def form_valid(self, form):
        try:
            programme = services.programme_start(
                by=self.request.user, council=self.request.council, financial_year=form.cleaned_data["financial_year"]
            )
        except ValidationError as error:
            apply_form_errors(form, error)
            return self.form_invalid(form)
        messages.success(self.request, f"The programme for {programme.year_label} is started: put commissions forward.")
        return redirect(programme.get_absolute_url())


class CriteriaView(CouncilPermissionMixin, FormView):
    """The council's prioritisation criteria and weights, and adding one."""

    permission_required = "commissioning.set_prioritisation_criteria"
    template_name = "programme/criteria.html"

    def get_form(self, form_class=None):
        return forms.CriterionForm(posted(self.request), submit_label="Add the criterion")

    def get_context_data(self, **kwargs):
        council_criteria = selectors.criteria(self.request.council)
        kwargs.update(
            title="Prioritisation criteria and weights",
            criteria=council_criteria,
            total_weight=sum(c.weight for c in council_criteria),
            back_url=index_url(self.request.council),
        )
        return super().get_context_data(**kwargs)

    def form_valid(self, form):
        data = form.cleaned_data
        try:
            criterion = services.criterion_save(
                by=self.request.user,
                council=self.request.council,
                name=data["name"],
                weight=data["weight"],
                description=data["description"],
            )
        except ValidationError as error:
            apply_form_errors(form, error)
            return self.form_invalid(form)
        messages.success(self.request, f"‘{criterion.name}’ added with weight {criterion.weight}.")
        return redirect(criteria_url(self.request.council))


class CriterionEditView(CouncilPermissionMixin, FormView):
    """Change a criterion's name, meaning or weight, or remove it."""

    permission_required = "commissioning.set_prioritisation_criteria"
    template_name = "programme/criterion.html"

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and request.council is not None:
            self.criterion = selectors.criterion(request.council, kwargs["criterion_pk"])
        return super().dispatch(request, *args, **kwargs)

    def get_form(self, form_class=None):
        c = self.criterion
        return forms.CriterionForm(
            posted(self.request), initial={"name": c.name, "description": c.description, "weight": c.weight}
        )

    def get_context_data(self, **kwargs):
        kwargs.update(
            title=f"Change ‘{self.criterion.name}’",
            criterion=self.criterion,
            back_url=criteria_url(self.request.council),
        )
        return super().get_context_data(**kwargs)

    def post(self, request, *args, **kwargs):
        if "remove" in request.POST:
            services.criterion_remove(by=request.user, criterion=self.criterion)
            messages.success(request, f"‘{self.criterion.name}’ removed.")
            return redirect(criteria_url(request.council))
        return super().post(request, *args, **kwargs)

    def form_valid(self, form):
        data = form.cleaned_data
        try:
            services.criterion_save(
                by=self.request.user,
                council=self.request.council,
                criterion=self.criterion,
                name=data["name"],
                weight=data["weight"],
                description=data["description"],
            )
        except ValidationError as error:
            apply_form_errors(form, error)
            return self.form_invalid(form)
        messages.success(self.request, "Criterion saved.")
        return redirect(criteria_url(self.request.council))


class ProgrammeMixin(CouncilPermissionMixin):
    """A page of one year's programme: a year the council has no programme for is a 404."""

    permission_required = "commissioning.read_programme"

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and request.council is not None:
            self.programme = selectors.programme(request.council, kwargs["year"])
            self.resolve(kwargs)
        return super().dispatch(request, *args, **kwargs)

    def resolve(self, kwargs) -> None:
        """Fetch what else the URL names, within the programme (404 otherwise), before the permission."""

    def back(self, message: str = ""):
        if message:
            messages.error(self.request, message)
        return redirect(self.programme.get_absolute_url())

    def get_context_data(self, **kwargs):
        kwargs.setdefault("programme", self.programme)
        kwargs.setdefault("back_url", self.programme.get_absolute_url())
        kwargs.setdefault("reads_all", selectors.reads_every_subject(self.request.user, self.request.council))
        return super().get_context_data(**kwargs)


class ProgrammeView(ProgrammeMixin, TemplateView):
    """The ranked programme for a year: live while it is prepared, fixed once sent to cabinet."""

    template_name = "programme/detail.html"

    def get_context_data(self, **kwargs):
        programme, user = self.programme, self.request.user
        may_score = user.has_perm("commissioning.score_programme", programme.council)
        steps = services.available_steps(programme, user)
        kwargs.update(
            selectors.programme_page(programme),
            title=f"Prioritised programme {programme.year_label}",
            may_score=may_score and programme.state == ProgrammeState.DRAFT,
            next_steps=programme_next_steps(programme, steps, may_score=may_score),
            back_url=index_url(programme.council),
        )
        return super().get_context_data(**kwargs)


class DraftProgrammeMixin(ProgrammeMixin):
    """Pages that change a programme being prepared: the commissioners'; a fixed one sends them back."""

    permission_required = "commissioning.score_programme"

    def get(self, request, *args, **kwargs):
        if self.programme.state != ProgrammeState.DRAFT:
            return self.back(self.fixed_message())
        return super().get(request, *args, **kwargs)

    def post(self, request, *args, **kwargs):
        if self.programme.state != ProgrammeState.DRAFT:
            return self.back(self.fixed_message())
        return super().post(request, *args, **kwargs)

    def fixed_message(self) -> str:
        return (
            f"The programme is {self.programme.get_state_display().lower()}: it is fixed. "
            "It must be referred back or reopened before it can change."
        )


class CandidateAddView(DraftProgrammeMixin, FormView):
    template_name = "programme/form_page.html"

    def get_form(self, form_class=None):
        return forms.CandidateAddForm(
            posted(self.request),
            reviews=selectors.review_choices(self.programme),
            commissions=selectors.commission_choices(self.programme),
        )

    def get_context_data(self, **kwargs):
        kwargs.update(title=f"Put a review or a commission forward for {self.programme.year_label}")
        return super().get_context_data(**kwargs)

    def form_valid(self, form):
        try:
            candidate = services.candidate_add(by=self.request.user, programme=self.programme, **form.chosen())
        except ValidationError as error:
            apply_form_errors(form, error)
            return self.form_invalid(form)
        messages.success(self.request, f"{candidate.reference} put forward: score it against the criteria.")
        return redirect(
            "commissioning:programme_candidate",
            council_slug=self.request.council.slug,
            year=self.programme.financial_year,
            candidate_pk=candidate.pk,
        )


class CandidateScoreView(DraftProgrammeMixin, FormView):
    """Score one candidate against every criterion (a score and a short reason each), or take it out."""

    template_name = "programme/score.html"

    def resolve(self, kwargs) -> None:
        self.candidate = selectors.candidate(self.programme, kwargs["candidate_pk"])

    def get_form(self, form_class=None):
        return forms.ScoreForm(
            posted(self.request),
            criteria=selectors.criteria(self.request.council),
            scores={score.criterion_id: score for score in self.candidate.scores.all()},
        )

    def get_context_data(self, **kwargs):
        kwargs.update(
            title=f"Score {self.candidate.reference} ‘{self.candidate.title}’",
            candidate=self.candidate,
            may_set_criteria=self.request.user.has_perm(
                "commissioning.set_prioritisation_criteria", self.request.council
            ),
        )
        return super().get_context_data(**kwargs)

    def post(self, request, *args, **kwargs):
        if "remove" in request.POST and self.programme.state == ProgrammeState.DRAFT:
            try:
                services.candidate_remove(by=request.user, candidate=self.candidate)
            except ValidationError as error:
                return self.back(" ".join(error.messages))
            messages.success(request, f"{self.candidate.reference} taken out of the programme.")
            return self.back()
        return super().post(request, *args, **kwargs)

    def form_valid(self, form):
        try:
            services.candidate_score(by=self.request.user, candidate=self.candidate, scores=form.scores())
        except ValidationError as error:
            apply_form_errors(form, error)
            return self.form_invalid(form)
        messages.success(self.request, f"Scores for {self.candidate.reference} saved.")
        return self.back()


class StepMixin(ProgrammeMixin):
    """A step of the programme's state machine, through the workflow engine."""

    step_name = ""

    def dispatch(self, request, *args, **kwargs):
        self.step = None
        return super().dispatch(request, *args, **kwargs)

    def find_step(self):
        name = self.step_name or self.kwargs["name"].replace("-", "_")
        transitions = [t for t in self.programme.get_all_state_transitions() if t.name == name]
        if not transitions:
            raise Http404
        for step in services.available_steps(self.programme, self.request.user):
            if step["name"] == name:
                return step
        if self.programme.state in {t.source for t in transitions}:
            raise PermissionDenied  # there to take, but not by this person
        return None

    def get(self, request, *args, **kwargs):
        self.step = self.find_step()
        if self.step is None:
            return self.back("That step cannot be taken now: someone may have taken it already.")
        return super().get(request, *args, **kwargs)

    def post(self, request, *args, **kwargs):
        self.step = self.find_step()
        if self.step is None:
            return self.back("That step cannot be taken now: someone may have taken it already.")
        return super().post(request, *args, **kwargs)

    def get_initial(self):
        return {"from_state": self.programme.state, "decided_on": timezone.localdate()}

    def get_context_data(self, **kwargs):
        kwargs.update(selectors.programme_page(self.programme), title=self.step["label"], step=self.step)
        return super().get_context_data(**kwargs)

    def take(self, form, decision: Decision | None = None):
        data = form.cleaned_data
        try:
            services.programme_transition(
                by=self.request.user,
                programme=self.programme,
                name=self.step["name"],
                reason=data.get("reason", ""),
                decision=decision,
                seen_state=data["from_state"],
            )
        except TransitionRefused as refused:
            self.step["missing"] = refused.missing
            return self.form_invalid(form)
        except TransitionConflict as conflict:
            return self.back(str(conflict))
        except ValidationError as error:
            apply_form_errors(form, error)
            return self.form_invalid(form)
        messages.success(self.request, f"{self.step['label']}: done.")
        return self.back()


class ProgrammeStepView(StepMixin, FormView):
    """Send the programme to cabinet, refer it back, or reopen an approved programme (with a reason)."""

    template_name = "programme/step.html"

    def find_step(self):
        if self.kwargs["name"] == "approve":
            raise Http404  # cabinet's decision has its own page
        return super().find_step()

    def get_form(self, form_class=None):
        return TransitionForm(posted(self.request), step=self.step, initial=self.get_initial())

    def form_valid(self, form):
        return self.take(form)


class ProgrammeDecisionView(StepMixin, FormView):
    """Cabinet's decision on the programme: who decided, when, its reference and the published minutes."""

    template_name = "programme/step.html"
    step_name = "approve"

    def get_form(self, form_class=None):
        return ApprovalForm(
            posted(self.request),
            step={**self.step, "needs_reason": False},
            key_decision=True,
            initial={**self.get_initial(), "decision_maker": DecisionMaker.CABINET},
        )

    def form_valid(self, form):
        data = form.cleaned_data
        decision = Decision(
            decision_maker=data["decision_maker"],
            reference=data["reference"],
            decided_on=data["decided_on"],
            minute_url=data["minute_url"],
        )
        return self.take(form, decision)
