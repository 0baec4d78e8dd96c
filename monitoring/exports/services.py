"""List exports: every council list downloads as CSV or XLSX with the same filters and scoping as on screen.

Each kind of export names the permission its list page needs, the filter form, the selector (so the rows
are exactly the rows the person may see) and the columns. A small export streams straight back; one
over `EXPORT_SYNC_LIMIT` rows becomes an `ExportJob` written by a Celery task, with its progress shown
and a download link when done.
"""

from __future__ import annotations

import io
import logging
from collections.abc import Callable
from dataclasses import dataclass

from celery import shared_task
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Count, Q
from django.http import QueryDict
from django.shortcuts import get_object_or_404
from django.utils import timezone

from commissioning.cycle import selectors as commission_selectors
from commissioning.cycle.filters import CommissionFilterForm
from commissioning.models import BidState, Opportunity, OpportunityState
from commissioning.sourcing.selectors import bids as bid_selectors
from councils import tabular
from councils.list_pages import chosen
from councils.models import Council, User
from councils.services import audit_record
from councils.tabular import Column
from monitoring.agreements import forms as monitoring_forms
from monitoring.agreements import selectors as monitoring_selectors
from monitoring.models import ExportJob, ExportState
from monitoring.returns.forms import ReturnFilterForm
from monitoring.returns.selectors import council_returns

logger = logging.getLogger(__name__)


def _date(value):
    return value or ""


def _join(values) -> str:
    return "; ".join(str(value) for value in values)


@dataclass(frozen=True)
class ExportKind:
    slug: str
    title: str
    permission: str
    columns: list[Column]
    # (user, council, GET params, url kwargs) -> the rows, scoped and filtered as the list page does
    rows: Callable
    # Listed per opportunity (its URL names the opportunity) rather than per council.
    per_opportunity: bool = False
    # The page-cache families of the council's data the rows show (`councils.page_cache.family_of`): a
    # CSV download is kept for its person until one of them changes (its rows carry `chosen_filters`, the
    # filters chosen, which it varies on). None declared: written every time.
    families: tuple[str, ...] = ()


def _commission_rows(user: User, council: Council, params: QueryDict, kwargs: dict):
    form = CommissionFilterForm(params or None, council=council)
    if params and not form.is_valid():
        raise ValidationError(form.errors)
    rows = commission_selectors.commission_list(user, council, form.filters())
    # What a kept download of them varies on (with its person and families): the filters chosen.
    rows.chosen_filters = chosen(form)
    return rows


def _agreement_rows(user: User, council: Council, params: QueryDict, kwargs: dict):
    form = monitoring_forms.AgreementFilterForm(params or None)
    if params and not form.is_valid():
        raise ValidationError(form.errors)
    return monitoring_selectors.agreement_list(user, council, form.filters())


def _opportunity_rows(user: User, council: Council, params: QueryDict, kwargs: dict):

    state = params.get("state", "")
    if state and state not in OpportunityState.values:
        raise ValidationError("Choose a state from the list.")
    visible = commission_selectors.commissions_visible_to(user, council)
    opportunities = (
        Opportunity.objects.filter(council=council, commission__in=visible.values("pk"))
        .select_related("commission")
        .annotate(submitted_bids=Count("bids", filter=Q(bids__state=BidState.SUBMITTED)))
        .order_by("-submission_deadline", "-id")
    )
    return opportunities.filter(state=state) if state else opportunities


def _return_rows(user: User, council: Council, params: QueryDict, kwargs: dict):

    form = ReturnFilterForm(params or None, user=user, council=council)
    if params and not form.is_valid():
        raise ValidationError(form.errors)
    return council_returns(user, council, form.filters())


def _bid_rows(user: User, council: Council, params: QueryDict, kwargs: dict):
    # The sealed-bid rule and the conflict-of-interest walls are the selector's: nothing before opening,
    # nothing a walled-off officer may not see.
    opportunity = bid_selectors.opportunity_for_council(council, kwargs["opportunity_pk"])
    if not bid_selectors.is_bid_reader(user, council):
        raise PermissionDenied
    return bid_selectors.council_bid_list(user, opportunity)


KINDS: dict[str, ExportKind] = {
    kind.slug: kind
    for kind in [
        ExportKind(
            slug="commissions",
            title="Commissions",
            permission="commissioning.list_commissions",
            rows=_commission_rows,
            families=("commissioning.cycle", "councils"),
            columns=[
                Column("Reference", lambda c: c.reference),
                Column("Title", lambda c: c.title),
                Column("Stage", lambda c: c.stage_label),
                Column("State", lambda c: c.get_state_display()),
                Column("Cycle", lambda c: c.cycle),
                Column("Lead officer", lambda c: c.lead_officer.full_name),
                Column("Portfolio", lambda c: c.portfolio.name if c.portfolio_id else ""),
                Column("Delivery route", lambda c: c.get_delivery_route_display()),
                Column("Budget (£)", lambda c: c.budget),
                Column("Starts", lambda c: _date(c.starts_on)),
                Column("Ends", lambda c: _date(c.ends_on)),
                Column("Outcomes", lambda c: _join(o.title for o in c.outcomes.all())),
            ],
        ),
        ExportKind(
            slug="agreements",
            title="Agreements",
            permission="monitoring.list_agreements",
            rows=_agreement_rows,
            columns=[
                Column("Reference", lambda a: a.reference),
                Column("Title", lambda a: a.title),
                Column("Type", lambda a: a.get_agreement_type_display()),
                Column("State", lambda a: a.get_state_display()),
                Column("Provider", lambda a: a.party_name),
                Column("Commission", lambda a: a.commission.reference),
                Column("Value (£)", lambda a: a.value),
                Column("Starts", lambda a: a.starts_on),
                Column("Ends", lambda a: a.ends_on),
                Column("Monitoring", lambda a: a.get_monitoring_frequency_display()),
            ],
        ),
        ExportKind(
            slug="opportunities",
            title="Opportunities",
            permission="commissioning.list_commissions",
            rows=_opportunity_rows,
            columns=[
                Column("Reference", lambda o: o.reference),
                Column("Title", lambda o: o.title),
                Column("Commission", lambda o: o.commission.reference),
                Column("State", lambda o: o.get_state_display()),
                Column("Type", lambda o: o.get_form_type_display()),
                Column("Budget envelope (£)", lambda o: o.budget_envelope),
                Column("Published", lambda o: o.published_at),
                Column("Deadline for bids", lambda o: o.submission_deadline),
                Column("Expected award", lambda o: o.expected_award_on),
                # Counted only: who bid stays behind the sealed-bid rule on the bid pages.
                Column("Bids submitted", lambda o: o.submitted_bids),
            ],
        ),
        ExportKind(
            slug="returns",
            title="Monitoring returns",
            permission="monitoring.list_returns",
            rows=_return_rows,
            columns=[
                Column("Agreement", lambda r: r.agreement.reference),
                Column("Provider", lambda r: r.agreement.party_name),
                Column("Period from", lambda r: r.period_start),
                Column("Period to", lambda r: r.period_end),
                Column("Due", lambda r: r.due_on),
                Column("State", lambda r: r.get_state_display()),
                Column("Submitted", lambda r: r.submitted_at),
                Column("Late", lambda r: r.is_late),
                Column("Overall rating", lambda r: r.get_overall_rag_display()),
            ],
        ),
        ExportKind(
            slug="bids",
            title="Bids",
            permission="",
            rows=_bid_rows,
            per_opportunity=True,
            columns=[
                Column("Bid", lambda b: b.pk),
                Column("Organisation", lambda b: str(b.organisation)),
                Column("Lots", lambda b: _join(lot.number for lot in b.lots.all())),
                Column("Submitted", lambda b: b.submitted_at),
            ],
        ),
    ]
}


def kind_for(slug: str) -> ExportKind:
    kind = KINDS.get(slug)
    if kind is None:
        raise ValidationError(f"There is no export called ‘{slug}’.")
    return kind


def check_allowed(user: User, council: Council, kind: ExportKind) -> None:
    if kind.permission and not user.has_perm(kind.permission, council):
        raise PermissionDenied


def filename(kind: ExportKind, council: Council, file_format: str) -> str:
    return f"{council.slug}-{kind.slug}-{timezone.localdate():%Y-%m-%d}.{file_format}"


def _params_dict(params: QueryDict) -> dict:
    return {key: params.getlist(key) for key in params if key not in ("format", "page")}


def _params_querydict(params: dict) -> QueryDict:
    query = QueryDict(mutable=True)
    for key, values in params.items():
        query.setlist(key, values)
    return query


@transaction.atomic
def export_start(*, by: User, council: Council, kind: ExportKind, params: QueryDict, url_kwargs: dict, fmt: str):
    """A long export, queued: the job is created and the task sent once the job is committed."""
    job = ExportJob.objects.create(
        requested_by=by,
        council=council,
        kind=kind.slug,
        params={"query": _params_dict(params), "kwargs": url_kwargs},
        file_format=fmt,
    )
    audit_record(council=council, actor=by, event_type="export.requested", obj=job, extra={"kind": kind.slug})
    transaction.on_commit(lambda: run_export.delay(job.pk))
    return job


def job_for_user(user: User, council: Council, pk: int) -> ExportJob:
    """One of the person's own exports, or 404 (nobody else's export is ever visible)."""
    return get_object_or_404(ExportJob, pk=pk, council=council, requested_by=user)


def _progress(job_pk: int):
    def report(count: int) -> None:
        ExportJob.objects.filter(pk=job_pk).update(rows_done=count)

    return report


@shared_task(name="monitoring.run_export", acks_late=True)
def run_export(job_pk: int) -> str:
    """Write one export. Idempotent: a finished job is left alone; a re-delivered one starts again."""
    job = ExportJob.objects.select_related("requested_by", "council").filter(pk=job_pk).first()
    if job is None or job.state == ExportState.DONE:
        return "skipped"
    kind = kind_for(job.kind)
    try:
        # Checked again here: the person's roles may have changed since they asked.
        check_allowed(job.requested_by, job.council, kind)
        objects = kind.rows(
            job.requested_by, job.council, _params_querydict(job.params.get("query", {})), job.params.get("kwargs", {})
        )
        total = objects.count()
        ExportJob.objects.filter(pk=job.pk).update(state=ExportState.RUNNING, rows_total=total, rows_done=0)
        report = _progress(job.pk)
        if job.file_format == "xlsx":
            buffer = io.BytesIO()
            tabular.write_xlsx(
                objects.iterator(chunk_size=2000), kind.columns, buffer, title=kind.title, progress=report
            )
            content = buffer.getvalue()
        else:
            text = io.StringIO()
            tabular.write_csv(objects.iterator(chunk_size=2000), kind.columns, text, progress=report)
            content = text.getvalue().encode("utf-8")
        job.file.save(filename(kind, job.council, job.file_format), ContentFile(content), save=False)
        ExportJob.objects.filter(pk=job.pk).update(
            file=job.file.name, state=ExportState.DONE, rows_done=total, finished_at=timezone.now()
        )
        return "done"
    except Exception as exc:
        logger.exception("Export %s failed", job_pk)
        message = "You no longer have access to this list." if isinstance(exc, PermissionDenied) else str(exc)[:500]
        ExportJob.objects.filter(pk=job.pk).update(state=ExportState.FAILED, error=message, finished_at=timezone.now())
        return "failed"


def sync_limit() -> int:
    return settings.EXPORT_SYNC_LIMIT
