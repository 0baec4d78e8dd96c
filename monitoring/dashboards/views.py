"""Dashboards: each role's landing page, scrutiny's notes and agenda flags, and the meeting pack.

Thin: each view parses its input (filters through a form), calls one selector or service and renders.
Council dashboards need a role in the council (403 otherwise); which dashboard is shown follows the
role, and someone holding several roles switches with `?view=` (403 for a view their roles do not
open). The provider dashboard shows the organisations the signed-in person acts for.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.loader import render_to_string
from django.urls import reverse
from django.views.generic import FormView, TemplateView

from commissioning.cycle.views import CommissionMixin
from commissioning.groups import selectors as group_selectors
from councils import page_cache
from councils.lazy import section
from councils.page_cache import CachedPageMixin
from councils.views import CouncilPermissionMixin, apply_form_errors
from monitoring.continuity import selectors as continuity_selectors
from monitoring.dashboards import meeting_pack
from monitoring.dashboards import scrutiny as scrutiny_services
from monitoring.dashboards import scrutiny_report as report_shapes
from monitoring.dashboards.contents import CONTENTS
from monitoring.dashboards.forms import (
    DASHBOARDS,
    AgendaFlagForm,
    AgendaFlagResolveForm,
    DashboardFilterForm,
    MeetingPackForm,
    ScrutinyNoteForm,
    dashboards_for,
)
from monitoring.dashboards.selectors.lead import lead_dashboard
from monitoring.dashboards.selectors.meeting_pack import meeting_pack_choices, meeting_pack_commissions
from monitoring.dashboards.selectors.officer import officer_dashboard
from monitoring.dashboards.selectors.portfolio import portfolio_dashboard
from monitoring.dashboards.selectors.provider import provider_dashboard
from monitoring.dashboards.selectors.rows import Keep
from monitoring.dashboards.selectors.scrutiny import scrutiny_dashboard
from monitoring.dashboards.selectors.scrutiny_report import ScrutinyReport, default_period, scrutiny_report
from monitoring.models import AgendaFlag

# The families of the council's data (`councils.page_cache.family_of`) each dashboard's body shows:
# the body is kept until one of them changes, so a change elsewhere in the council (a bid saved, a
# comment on a draft) re-renders only the page around it. `tests/test_page_fragments.py` checks
# every table a body reads belongs to one of these.
BODY_FAMILIES = {
    "officer": (
        "commissioning.cycle",
        "commissioning.records",
        "commissioning.sourcing",
        "commissioning.bids",
        "commissioning.evaluation",
        "commissioning.award",
        "commissioning.conflicts",
        "commissioning.regime",
        "monitoring.agreements",
        "monitoring.returns",
        "monitoring.notices",
        "monitoring.reviews",
        "councils",
    ),
    "lead": (
        "commissioning.cycle",
        "commissioning.records",
        "commissioning.sourcing",
        "commissioning.award",
        "commissioning.reviews",
        "commissioning.savings",
        "commissioning.regime",
        "monitoring.agreements",
        "monitoring.returns",
        "monitoring.notices",
        "monitoring.reviews",
        "monitoring.savings",
        "monitoring.continuity",
        "councils",
    ),
    "portfolio": (
        "commissioning.cycle",
        "commissioning.records",
        "commissioning.sourcing",
        "commissioning.award",
        "commissioning.reviews",
        "commissioning.savings",
        "commissioning.social_value",
        "monitoring.agreements",
        "monitoring.returns",
        "monitoring.reviews",
        "monitoring.savings",
        "councils",
    ),
    "scrutiny": (
        "commissioning.cycle",
        "commissioning.records",
        "commissioning.sourcing",
        "commissioning.evaluation",
        "commissioning.award",
        "commissioning.reviews",
        "monitoring.agreements",
        "monitoring.returns",
        "monitoring.reviews",
        "monitoring.scrutiny",
        "monitoring.continuity",
        "councils",
    ),
    "groups": ("commissioning.groups", "commissioning.cycle", "commissioning.reviews", "councils"),
}


def list_keeper(request, prefix: str, *vary: str) -> Keep:
    """The `Keep` of a dashboard's lists: each kept for the person by the families it reads, in the
    request's council or the councils a page about their organisations reads (`page_cache.personal_value`),
    and by `vary` (the filters chosen) besides its own."""

    def keep(name: str, families: tuple[str, ...], list_vary: list[str], compute):
        return page_cache.personal_value(request, f"{prefix}:{name}", families, [*list_vary, *vary], compute)

    return keep


class DashboardView(CouncilPermissionMixin, CachedPageMixin, TemplateView):
    """The council dashboard for the user's role: pipeline, work queue, portfolios or scrutiny."""

    permission_required = "councils.access_council"
    template_name = "dashboards/page.html"

    def get(self, request, *args, **kwargs):
        self.available = dashboards_for(request.user, request.council)
        if not self.available:
            # A superuser passes every permission check yet holds no role here: no dashboard is theirs.
            raise PermissionDenied
        requested = request.GET.get("view") or self.available[0][0]
        if requested not in DASHBOARDS:
            raise Http404
        if requested not in dict(self.available):
            raise PermissionDenied
        self.view = requested
        return super().get(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user, council = self.request.user, self.request.council
        context.update(
            view=self.view, title=DASHBOARDS[self.view][0], available=self.available, contents=CONTENTS[self.view]
        )
        filters = None
        if self.view not in ("officer", "groups"):
            form = DashboardFilterForm(self.request.GET or None, council=council, user=user, view=self.view)
            filters = form.filters()
            context.update(filter_form=form, filters=filters)
        context["dashboard_body"] = page_cache.fragment(
            self.request,
            f"dashboard:{self.view}",
            BODY_FAMILIES[self.view],
            [repr(filters)],
            lambda: render_to_string(
                f"dashboards/{self.view}.html", {**context, **self.body(user, council, filters)}, self.request
            ),
        )
        return context

    def body(self, user, council, filters) -> dict:
        """What the dashboard's body shows (worked out only when the kept body has gone)."""
        keep = list_keeper(self.request, f"dashboard:{self.view}", repr(filters))
        if self.view == "officer":
            return officer_dashboard(user, council, keep=keep)
        if self.view == "groups":
            return group_selectors.groups_dashboard(user, council)
        if self.view == "scrutiny":
            body = scrutiny_dashboard(user, council, filters, keep=keep)
        elif self.view == "portfolio":
            body = portfolio_dashboard(user, council, filters, keep=keep)
        else:
            body = lead_dashboard(user, council, filters)
        if self.view in ("lead", "scrutiny"):
            # Flagged providers and agreements, for the council as a whole (not narrowed by the filters).
            body["provider_flags"] = section(lambda: continuity_selectors.open_flags(user, council))
        return body


class ProviderDashboardView(LoginRequiredMixin, CachedPageMixin, TemplateView):
    """Provider staff: their organisations' opportunities, bids, agreements, returns due and answers."""

    template_name = "dashboards/provider.html"
    about_own_organisations = True

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        # Worked out only when the page's kept body ({% fragment %}) has gone.
        context.update(
            title="Your organisation's dashboard",
            dashboard=section(lambda: provider_dashboard(user, keep=list_keeper(self.request, "dashboard:provider"))),
        )
        return context


# ---- Scrutiny's notes and agenda flags -------------------------------------------------------------


class ScrutinyNoteView(CommissionMixin, FormView):
    """A scrutiny member adds a note to a commission (404 if they cannot read it, 403 if not scrutiny)."""

    permission_required = "monitoring.add_scrutiny_note"
    template_name = "dashboards/scrutiny_form.html"
    form_class = ScrutinyNoteForm

    def get_context_data(self, **kwargs):
        kwargs.update(title="Add a scrutiny note", back_url=f"{self.commission.get_absolute_url()}#scrutiny")
        return super().get_context_data(**kwargs)

    def form_valid(self, form):
        try:
            scrutiny_services.scrutiny_note_add(
                by=self.request.user, commission=self.commission, text=form.cleaned_data["text"]
            )
        except ValidationError as error:
            apply_form_errors(form, error)
            return self.form_invalid(form)
        messages.success(self.request, "Your note has been added to the commission.")
        return redirect(f"{self.commission.get_absolute_url()}#scrutiny")


class AgendaFlagView(CommissionMixin, FormView):
    """Flag a commission for the scrutiny committee's agenda, or record what the committee did about it."""

    permission_required = "monitoring.flag_for_agenda"
    template_name = "dashboards/agenda_flag.html"

    def open_flag(self) -> AgendaFlag | None:
        return AgendaFlag.objects.with_people().filter(commission=self.commission, resolved_at__isnull=True).first()

    def get_form_class(self):
        if self.request.method == "POST" and "resolve" in self.request.POST:
            return AgendaFlagResolveForm
        return AgendaFlagResolveForm if self.open_flag() else AgendaFlagForm

    def get_initial(self):
        flag = self.open_flag()
        return {"resolve": flag.pk} if flag else {}

    def get_context_data(self, **kwargs):
        flag = self.open_flag()
        kwargs.update(
            flag=flag,
            title="Record what the committee did" if flag else "Flag for the scrutiny committee's agenda",
            back_url=f"{self.commission.get_absolute_url()}#scrutiny",
        )
        return super().get_context_data(**kwargs)

    def form_valid(self, form):
        data = form.cleaned_data
        try:
            if isinstance(form, AgendaFlagResolveForm):
                flag = get_object_or_404(AgendaFlag, pk=data["resolve"], commission=self.commission)
                scrutiny_services.agenda_flag_resolve(by=self.request.user, flag=flag, resolution=data["resolution"])
                message = "The flag is resolved: what the committee did is recorded."
            else:
                scrutiny_services.agenda_flag_add(
                    by=self.request.user,
                    commission=self.commission,
                    reason=data["reason"],
                    meeting_on=data.get("meeting_on"),
                )
                message = "The commission is flagged for the scrutiny committee's agenda."
        except ValidationError as error:
            apply_form_errors(form, error)
            return self.form_invalid(form)
        messages.success(self.request, message)
        return redirect(f"{self.commission.get_absolute_url()}#scrutiny")


# ---- The meeting pack ----------------------------------------------------------------------------


class MeetingPackMixin(CouncilPermissionMixin):
    """Anyone in the council may make a pack of the commissions they may read (a portfolio holder,
    the commissions in their portfolios)."""

    permission_required = "commissioning.list_commissions"
    CHOICE_KEYS = ("commissions", "flagged", "meeting", "scrutiny_report")

    def pack_form(self) -> MeetingPackForm:
        data = self.request.GET if any(key in self.request.GET for key in self.CHOICE_KEYS) else None
        choices = meeting_pack_choices(self.request.user, self.request.council)
        offer_report = self.request.user.has_perm("monitoring.read_scrutiny_report", self.request.council)
        return MeetingPackForm(data, choices=choices, offer_report=offer_report)

    def pack_report(self, form: MeetingPackForm) -> ScrutinyReport | None:
        """The progress report for the last six months, when asked for (and offered)."""
        if not form.cleaned_data["scrutiny_report"]:
            return None
        return scrutiny_report(self.request.user, self.request.council, *default_period())

    def pack_entries(self, form: MeetingPackForm) -> list[meeting_pack.PackEntry]:
        commissions = meeting_pack_commissions(
            self.request.user,
            self.request.council,
            chosen=form.cleaned_data["commissions"],
            flagged=form.cleaned_data["flagged"],
        )
        return meeting_pack.pack_entries(commissions)


class MeetingPackView(MeetingPackMixin, TemplateView):
    """Choose commissions (or everything flagged for the agenda), then the printable pack."""

    def get_template_names(self):
        return ["dashboards/meeting_pack.html" if self.pack is not None else "dashboards/meeting_pack_choose.html"]

    def get(self, request, *args, **kwargs):
        self.form = self.pack_form()
        self.pack = self.report = None
        if self.form.is_bound and self.form.is_valid():
            self.pack, self.report = self.pack_entries(self.form), self.pack_report(self.form)
        return super().get(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(form=self.form, entries=self.pack, title="Meeting pack")
        if self.pack is not None:
            context.update(
                meeting=self.form.cleaned_data["meeting"],
                pdf_url=f"{reverse('monitoring:meeting_pack_pdf', args=[self.request.council.slug])}"
                f"?{self.request.GET.urlencode()}",
            )
        if self.report is not None:
            context.update(
                report=self.report,
                report_period=report_shapes.period_label(self.report),
                report_summary=report_shapes.summary_line(self.report),
                report_tables=report_shapes.screen_tables(self.report),
            )
        return context


class MeetingPackPdfView(MeetingPackMixin, TemplateView):
    """The same pack as a PDF to download; its export is audited."""

    def get(self, request, *args, **kwargs):
        form = self.pack_form()
        if not form.is_bound or not form.is_valid():
            chooser = reverse("monitoring:meeting_pack", args=[request.council.slug])
            return redirect(f"{chooser}?{request.GET.urlencode()}" if request.GET else chooser)
        entries, report = self.pack_entries(form), self.pack_report(form)
        meeting = form.cleaned_data["meeting"]
        content = meeting_pack.pack_pdf(
            council=request.council, entries=entries, meeting=meeting, prepared_by=request.user, report=report
        )
        meeting_pack.record_export(
            by=request.user, council=request.council, entries=entries, meeting=meeting, report=report
        )
        response = HttpResponse(content, content_type="application/pdf")
        response["Content-Disposition"] = f'attachment; filename="meeting-pack-{request.council.slug}.pdf"'
        return response
