"""Bid pages for the provider: start a bid, the task list, one page per section, check and submit,
withdraw, the receipt, the provider's list of bids, and a bid's documents. The council's bid pages
are in `commissioning.sourcing.views.council_bids`.

Who gets what (see also tests/access_matrix.py): a bid's pages answer only to members of the bid's
organisation; anyone else gets 404, never a hint that the bid exists; changing it needs the role
organisation administrator or bid writer (403 for other members). A bid's document is also readable
by council officers once the bids are opened (the same selector as every other council-side read).
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.views import View
from django.views.generic import TemplateView

from commissioning.models import (
    BidMatchFunding,
    BidOutcome,
    BidPartner,
    BidPriceLine,
    BidSocialValueCommitment,
    BidState,
    FormType,
)
from commissioning.permissions import may_write_bid
from commissioning.sourcing import gates
from commissioning.sourcing.forms.bids import (
    AnswersForm,
    BudgetLineForm,
    DeclarationsForm,
    DocumentForm,
    LotsForm,
    MatchFundingForm,
    OutcomeForm,
    PartnerForm,
    PriceLineForm,
    SocialValueCommitmentForm,
    StartBidForm,
    TransitionForm,
    row_formset,
)
from commissioning.sourcing.selectors import bids as selectors
from commissioning.sourcing.services import bids as services
from commissioning.sourcing.views.bid_contents import bid_summary_context, organisation_details
from commissioning.sourcing.views.bid_sections import (
    COMPLETED,
    OPTIONAL,
    SECTION_BY_SLUG,
    section_status,
    sections_for,
)
from councils import reading
from councils.templatetags.commissioner import error_target
from councils.uploads import download_response
from councils.views import apply_form_errors
from councils.workflow import TransitionConflict, TransitionRefused

AUTOSAVE_FLAG = "bid_answers_saved"


def error_list(*forms_or_formsets) -> list[tuple[str, str]]:
    """Every error on the page as (link target, message), for one GOV.UK error summary."""
    entries = []
    for item in forms_or_formsets:
        if item is None:
            continue
        forms = getattr(item, "forms", None)
        if forms is not None:
            entries += [("", str(error)) for error in item.non_form_errors()]
        for form in forms if forms is not None else [item]:
            visible = form.visible_fields()
            first = f"#{visible[0].auto_id}" if visible else ""
            entries += [(first, str(error)) for error in form.non_field_errors()]
            for field in visible:
                entries += [(f"#{error_target(field, field.auto_id)}", str(error)) for error in field.errors]
    return entries


# ---- Provider side ------------------------------------------------------------------------------


class ProviderBidMixin(LoginRequiredMixin):
    """One of the user's own organisations' bids (404 for anyone else)."""

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated:
            self.bid = selectors.bid_for_provider_user(request.user, kwargs["pk"])
            self.opportunity = self.bid.opportunity
        return super().dispatch(request, *args, **kwargs)

    def task_list_url(self) -> str:
        return reverse("bids:detail", kwargs={"pk": self.bid.pk})

    def get_context_data(self, **kwargs):
        kwargs.setdefault("bid", self.bid)
        kwargs.setdefault("opportunity", self.opportunity)
        kwargs.setdefault("task_list_url", self.task_list_url())
        kwargs.setdefault("may_write", may_write_bid(self.bid, self.request.user))
        kwargs.setdefault("editing_refusal", services.editing_refusal(self.bid))
        kwargs.setdefault("can_withdraw", services.can_withdraw(self.request.user, self.bid))
        return super().get_context_data(**kwargs)


class MyBidsView(LoginRequiredMixin, TemplateView):
    """The bids of every organisation the user acts for."""

    template_name = "bids/my_bids.html"

    def get_context_data(self, **kwargs):
        kwargs["provider_bids"] = selectors.bids_for_provider_user(self.request.user)
        return super().get_context_data(**kwargs)


class StartBidView(LoginRequiredMixin, TemplateView):
    """Start the organisation's bid for an open opportunity, or carry on with the one already started."""

    template_name = "bids/start.html"

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated:
            self.opportunity = selectors.open_opportunity_by_reference(kwargs["reference"])
            self.organisations = selectors.organisations_that_may_bid(request.user)
            if not self.organisations.exists():
                raise PermissionDenied("Only organisation administrators and bid writers can start a bid.")
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        existing = selectors.existing_bids_by_organisation(self.opportunity, [o.pk for o in self.organisations])
        free = self.organisations.exclude(pk__in=list(existing))
        kwargs.update(
            opportunity=self.opportunity,
            existing_bids=list(existing.values()),
            is_open=self.opportunity.is_open_for_bids,
            deadline_passed_message=gates.deadline_message(self.opportunity, "started"),
        )
        if free.exists() and "form" not in kwargs:
            kwargs["form"] = StartBidForm(organisations=free)
        return super().get_context_data(**kwargs)

    def post(self, request, *args, **kwargs):
        form = StartBidForm(request.POST, organisations=self.organisations)
        if not form.is_valid():
            return self.render_to_response(self.get_context_data(form=form))
        try:
            bid = services.bid_start(
                by=request.user, opportunity=self.opportunity, organisation=form.cleaned_data["organisation"]
            )
        except ValidationError as error:
            apply_form_errors(form, error)
            return self.render_to_response(self.get_context_data(form=form))
        return redirect("bids:detail", pk=bid.pk)


class BidTaskListView(ProviderBidMixin, TemplateView):
    template_name = "bids/task_list.html"

    def get_context_data(self, **kwargs):
        bid = self.bid
        tasks = [
            {
                "title": section.title_for(bid),
                "url": reverse("bids:section", kwargs={"pk": bid.pk, "section": section.slug}),
                "status": section_status(bid, section.slug),
                "slug": section.slug,
            }
            for section in sections_for(bid)
        ]
        ready = all(task["status"] in (COMPLETED, OPTIONAL) for task in tasks)
        kwargs.update(
            tasks=tasks,
            completed=sum(task["status"] == COMPLETED for task in tasks),
            ready=ready,
            check_url=reverse("bids:check", kwargs={"pk": bid.pk}),
            last_receipt=next(iter(bid.receipts.all()), None),
            # Answers were saved by the Save button: the browser's kept copy can go.
            clear_kept_answers=self.request.session.pop(AUTOSAVE_FLAG, None) == bid.pk,
        )
        return super().get_context_data(**kwargs)


class BidSectionView(ProviderBidMixin, TemplateView):
    """One section of the bid. Save keeps everything typed: valid parts are saved; anything
    invalid is shown again, as typed, with its error."""

    template_name = "bids/section.html"

    def dispatch(self, request, *args, **kwargs):
        section = SECTION_BY_SLUG.get(kwargs["section"])
        if section is None:
            raise Http404
        self.section = section
        return super().dispatch(request, *args, **kwargs)

    def _check_access(self):
        if self.section not in sections_for(self.bid):
            raise Http404
        if not may_write_bid(self.bid, self.request.user):
            raise PermissionDenied

    # -- GET --

    def get(self, request, *args, **kwargs):
        self._check_access()
        refusal = services.editing_refusal(self.bid)
        if refusal:
            messages.info(request, refusal)
            return redirect(self.task_list_url())
        return self.render_parts(self.unbound_parts())

    def unbound_parts(self) -> dict:
        bid, slug = self.bid, self.section.slug
        if slug == "questions":
            initial = {"summary": bid.summary}
            initial.update({AnswersForm.field_name(a.question): a.text for a in bid.answers.all()})
            return {"answers": AnswersForm(bid=bid, initial=initial)}
        if slug == "declarations":
            return {
                "declarations": DeclarationsForm(
                    initial={f: getattr(bid, f) for f in services.DECLARATION_FIELDS},
                )
            }
        if slug == "documents":
            return {"upload": DocumentForm()}
        parts = {}
        if slug == "pricing" and list(self.opportunity.lots.all()):
            parts["lots"] = LotsForm(bid=bid, initial={"lots": list(bid.lots.all())})
        parts["rows"] = self.rows_formset(initial=self.initial_rows())
        return parts

    # -- POST --

    def post(self, request, *args, **kwargs):
        self._check_access()
        if request.GET.get("autosave"):
            return self.autosave()
        refusal = services.editing_refusal(self.bid)
        if refusal and self.section.slug != "questions":
            messages.error(request, refusal)
            return redirect(self.task_list_url())
        return getattr(self, f"save_{self.section.name}")()

    def autosave(self):
        """The background save from static/js/autosave.mjs: 204 when saved, 409 when the bid cannot
        be changed now (the browser keeps its copy)."""
        if self.section.slug != "questions":
            raise Http404
        form = AnswersForm(self.request.POST, bid=self.bid)
        if not form.is_valid():
            return HttpResponse(status=400)
        try:
            services.bid_save_answers(
                by=self.request.user, bid=self.bid, answers=form.answers(), summary=form.cleaned_data["summary"]
            )
        except ValidationError:
            return HttpResponse(status=409)
        return HttpResponse(status=204)

    def save_questions(self):
        form = AnswersForm(self.request.POST, bid=self.bid)
        if not form.is_valid():
            return self.render_parts({"answers": form})
        try:
            errors = services.bid_save_answers(
                by=self.request.user, bid=self.bid, answers=form.answers(), summary=form.cleaned_data["summary"]
            )
        except ValidationError as error:
            # Too late to save: show the answers again as typed, so they can be copied elsewhere.
            apply_form_errors(form, error)
            return self.render_parts({"answers": form})
        if errors:
            questions = {q.pk: q for q in form.questions}
            for question_id, message in errors.items():
                form.add_error(AnswersForm.field_name(questions[question_id]), message)
            return self.render_parts({"answers": form}, saved_with_errors=True)
        self.request.session[AUTOSAVE_FLAG] = self.bid.pk
        messages.success(self.request, "Your answers have been saved.")
        return redirect(self.task_list_url())

    def save_declarations(self):
        form = DeclarationsForm(self.request.POST)
        if form.is_valid():
            try:
                services.bid_save_declarations(by=self.request.user, bid=self.bid, **form.cleaned_data)
            except ValidationError as error:
                apply_form_errors(form, error)
            else:
                messages.success(self.request, "Your declarations have been saved.")
                return redirect(self.task_list_url())
        return self.render_parts({"declarations": form})

    def save_documents(self):
        remove = self.request.POST.get("remove")
        if remove:
            try:
                services.bid_document_remove(by=self.request.user, bid=self.bid, document_pk=int(remove))
            except ValueError as exc:
                raise Http404 from exc
            messages.success(self.request, "The document has been removed.")
            return redirect(self.request.path)
        form = DocumentForm(self.request.POST, self.request.FILES)
        if form.is_valid():
            try:
                services.bid_document_add(
                    by=self.request.user,
                    bid=self.bid,
                    title=form.cleaned_data["title"],
                    upload=form.cleaned_data["file"],
                )
            except ValidationError as error:
                apply_form_errors(form, error)
            else:
                messages.success(self.request, f"‘{form.cleaned_data['title']}’ has been uploaded.")
                return redirect(self.request.path)
        return self.render_parts({"upload": form})

    def save_pricing(self):
        lots_form = None
        if list(self.opportunity.lots.all()):
            lots_form = LotsForm(self.request.POST, bid=self.bid)
            if lots_form.is_valid():
                services.bid_save_lots(by=self.request.user, bid=self.bid, lots=lots_form.cleaned_data["lots"])
        return self.save_rows({"lots": lots_form} if lots_form else {})

    def save_outcomes(self):
        return self.save_rows()

    def save_partners(self):
        return self.save_rows()

    def save_social_value(self):
        return self.save_rows()

    def save_match_funding(self):
        return self.save_rows()

    # -- Repeating rows (price lines, outcomes, partners) --

    ROWS = {
        "pricing": (BidPriceLine, "price_lines"),
        "outcomes": (BidOutcome, "proposed_outcomes"),
        "partners": (BidPartner, "partners"),
        "social-value": (BidSocialValueCommitment, "social_value_commitments"),
        "match-funding": (BidMatchFunding, "match_funding"),
    }

    def row_form_class(self):
        if self.section.slug == "pricing":
            return PriceLineForm if self.opportunity.form_type == FormType.FULL_TENDER else BudgetLineForm
        return {
            "outcomes": OutcomeForm,
            "partners": PartnerForm,
            "social-value": SocialValueCommitmentForm,
            "match-funding": MatchFundingForm,
        }[self.section.slug]

    def rows_formset(self, data=None, initial=None):
        extra = 0
        if data is None:
            # A blank line to start with, and another after "Add another line".
            extra = 1 if not initial or self.request.GET.get("add") else 0
        formset_class = row_formset(self.row_form_class(), extra=extra)
        return formset_class(data=data, initial=initial, prefix="rows", form_kwargs={"bid": self.bid})

    def initial_rows(self) -> list[dict]:
        model, related = self.ROWS[self.section.slug]
        fields = [name for name in self.row_form_class().base_fields if name != "id"]
        # A related row (lot, partner organisation, social value measure) is given by its id.
        attributes = {name: model._meta.get_field(name).attname for name in fields}
        rows = []
        for row in getattr(self.bid, related).all():
            values = {"id": row.pk}
            values.update({name: getattr(row, attname) for name, attname in attributes.items()})
            rows.append(values)
        return rows

    def save_rows(self, other_parts=None):
        """Save the whole list of rows, or — if any row is invalid — nothing, and show every row again
        exactly as typed with its errors. "Add another line" and "Remove" save the valid list first."""
        other_parts = other_parts or {}
        formset = self.rows_formset(data=self.request.POST)
        if not formset.management_form.is_valid():
            messages.error(self.request, "Something went wrong with the form. Try again.")
            return redirect(self.request.path)
        remove = self.request.POST.get("remove")
        adding = "add" in self.request.POST
        kept = [form for index, form in enumerate(formset.forms) if str(index) != remove]
        filled = [form for form in kept if form.has_changed()]
        others_valid = all(part.is_valid() for part in other_parts.values())
        if formset.non_form_errors() or not all(form.is_valid() for form in filled) or not others_valid:
            rows = self.rows_as_typed(kept, adding)
            rows.is_valid()
            return self.render_parts({**other_parts, "rows": rows})
        model, _related = self.ROWS[self.section.slug]
        try:
            services.bid_save_rows(
                by=self.request.user, bid=self.bid, model=model, rows=[form.row_values() for form in filled]
            )
        except services.RowsInvalid as invalid:
            rows = self.rows_as_typed(kept, adding)
            rows.is_valid()
            typed = [form for form in rows.forms if form.has_changed()]
            for index, error in invalid.row_errors.items():
                apply_form_errors(typed[index], error)
            return self.render_parts({**other_parts, "rows": rows})
        if adding:
            return redirect(f"{self.request.path}?add=1")
        if remove is not None:
            messages.success(self.request, "The line has been removed.")
            return redirect(self.request.path)
        messages.success(self.request, f"{self.section.title_for(self.bid)}: your changes have been saved.")
        return redirect(self.task_list_url())

    def rows_as_typed(self, kept, adding):
        """A bound formset of the rows exactly as typed (less any removed, plus a blank one when adding)."""
        data = {}
        for new_index, form in enumerate(kept):
            for name in form.fields:
                key = form.add_prefix(name)
                if key in form.data:
                    data[f"rows-{new_index}-{name}"] = form.data.get(key)
        data.update(
            {
                "rows-TOTAL_FORMS": str(len(kept) + (1 if adding else 0)),
                "rows-INITIAL_FORMS": "0",
                "rows-MIN_NUM_FORMS": "0",
                "rows-MAX_NUM_FORMS": "1000",
            }
        )
        return self.rows_formset(data=data)

    # -- Rendering --

    def render_parts(self, parts: dict, **extra):
        parts = {name: part for name, part in parts.items() if part is not None}
        context = self.get_context_data(
            parts=parts,
            section=self.section,
            section_title=self.section.title_for(self.bid),
            section_template=f"bids/sections/_{self.section.name}.html",
            errors=error_list(*parts.values()),
            organisation_rows=organisation_details(self.bid.organisation),
            autosave_url=f"{self.request.path}?autosave=1",
            **extra,
        )
        return self.render_to_response(context)


class BidCheckView(ProviderBidMixin, TemplateView):
    """Check your answers, then submit."""

    template_name = "bids/check.html"

    def get_context_data(self, **kwargs):
        bid = self.bid
        kwargs.update(bid_summary_context(bid))
        kwargs.update(
            missing=gates.missing_to_submit(bid) if bid.state != BidState.SUBMITTED else [],
            sections={s.slug: s.title_for(bid) for s in sections_for(bid)},
            form=TransitionForm(label="Submit your bid", initial={"from_state": bid.state}),
            submit_url=reverse("bids:transition", kwargs={"pk": bid.pk, "name": "submit"}),
            change_links=services.can_edit(self.request.user, bid),
        )
        return super().get_context_data(**kwargs)


class BidTransitionView(ProviderBidMixin, TemplateView):
    """Submit or withdraw: confirm on GET, act on POST through `bid_services.bid_transition`."""

    template_name = "bids/transition.html"
    LABELS = {"submit": "Submit your bid", "withdraw": "Withdraw your bid"}

    def dispatch(self, request, *args, **kwargs):
        if kwargs["name"] not in self.LABELS:
            raise Http404
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        name = self.kwargs["name"]
        kwargs.setdefault("form", TransitionForm(label=self.LABELS[name], initial={"from_state": self.bid.state}))
        kwargs.setdefault("missing", [])
        kwargs.update(name=name, title=self.LABELS[name])
        return super().get_context_data(**kwargs)

    def get(self, request, *args, **kwargs):
        if not may_write_bid(self.bid, request.user):
            raise PermissionDenied
        if self.kwargs["name"] == "submit" and self.bid.state != BidState.SUBMITTED:
            missing = gates.missing_to_submit(self.bid)
            return self.render_to_response(self.get_context_data(missing=missing))
        return super().get(request, *args, **kwargs)

    def post(self, request, *args, **kwargs):
        if not may_write_bid(self.bid, request.user):
            raise PermissionDenied
        name = self.kwargs["name"]
        form = TransitionForm(request.POST, label=self.LABELS[name])
        if not form.is_valid():
            return self.render_to_response(self.get_context_data(form=form))
        try:
            services.bid_transition(
                by=request.user, bid=self.bid, name=name, expected_state=form.cleaned_data["from_state"]
            )
        except TransitionRefused as refused:
            return self.render_to_response(self.get_context_data(form=form, missing=refused.missing))
        except TransitionConflict as conflict:
            messages.error(request, str(conflict))
            return redirect(self.task_list_url())
        if name == "submit":
            return redirect("bids:receipt", pk=self.bid.pk)
        messages.success(
            request,
            "Your bid has been withdrawn. You can change it and submit it again before the deadline.",
        )
        return redirect(self.task_list_url())


class BidReceiptView(ProviderBidMixin, TemplateView):
    """The confirmation of the latest submission (reference, time, digest) and earlier receipts."""

    template_name = "bids/receipt.html"

    def get_context_data(self, **kwargs):
        receipts = list(self.bid.receipts.all())
        kwargs.update(receipt=receipts[0] if receipts else None, earlier_receipts=receipts[1:])
        return super().get_context_data(**kwargs)


class BidDocumentDownloadView(LoginRequiredMixin, View):
    """A bid's document: to its own organisation, and to council officers once the bids are opened
    (the same selector as every other council-side read); 404 to anyone else."""

    def get(self, request, pk):
        document = selectors.document_for_user(request.user, pk)
        response = download_response(document.file, document.title)
        reading.record_read(
            by=request.user,
            council=document.bid.opportunity.council,
            event_type=reading.DOWNLOAD_BID_DOCUMENT,
            obj=document.bid,
            extra={"opportunity": document.bid.opportunity_id, "document": document.pk},
        )
        return response
