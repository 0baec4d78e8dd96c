"""Retention, erasure holds and subject access for agreements, returns and the bids behind them
(registered with `councils` in `ready()`; the schedule itself is `councils.retention.SCHEDULE`).

Bids are decided here, not in commissioning, because their clock starts with the contract: an
unsuccessful bid is kept 3 years after the contract is entered into (the first agreement of its
opportunity signed; 3 years after the deadline for bids if none ever was), a successful one 6 years
after the last of its agreements ends. Emptying them is commissioning's service.

So is the procurement record (s.98, `commissioning.procurement_record`): while a commission's
procurement is under way, and until 3 years after its latest agreement was signed (or after it was
cancelled without a contract), the audit events of the procurement keep who acted and why (they are
left out of `audit_personal_data`), and the people who acted in it are not erased. A commission going
round again keeps the record of its earlier cycles with it.
"""

from __future__ import annotations

import datetime as dt

from django.contrib.contenttypes.models import ContentType
from django.db.models import CharField, DateField, Exists, Max, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Cast, Coalesce
from django.utils import timezone

from commissioning.models import Bid, Commission, State
from commissioning.procurement_record import registry as procurement_record
from commissioning.sourcing.services.retention import bids_empty, with_content
from councils import erasure, page_cache, retention, subject_access
from councils.models import AuditEvent, User
from monitoring.models import Agreement, Deliverable, KpiActual, MonitoringReturn, ReturnEvidence, ReturnQuery

REMOVED = "Removed under retention"


def _ends_on() -> Coalesce:
    return Coalesce("ended_on", "ends_on", output_field=DateField())


def unsuccessful_bids_due(today: dt.date) -> QuerySet[Bid]:
    cut = retention.cutoff("unsuccessful_bids", today)
    contract_on = (
        Agreement.objects.filter(bid__opportunity=OuterRef("opportunity"), signed_on__isnull=False)
        .order_by("signed_on")
        .values("signed_on")[:1]
    )
    bids = Bid.objects.filter(agreements__isnull=True).annotate(contract_on=Subquery(contract_on))
    past = Q(contract_on__lt=cut) | Q(
        contract_on__isnull=True,
        opportunity__submission_deadline__lt=retention.cutoff_moment("unsuccessful_bids", today),
    )
    return with_content(bids.filter(past))


def successful_bids_due(today: dt.date) -> QuerySet[Bid]:
    cut = retention.cutoff("successful_bids", today)
    last_end = Max(Coalesce("agreements__ended_on", "agreements__ends_on", output_field=DateField()))
    ended = Bid.objects.filter(agreements__isnull=False).annotate(last_end=last_end).filter(last_end__lt=cut)
    return with_content(Bid.objects.filter(pk__in=ended.values("pk")))


def bids_apply(bids: QuerySet[Bid], today: dt.date) -> int:
    return bids_empty(bids)


def agreements_due(today: dt.date) -> QuerySet[Agreement]:
    cut = retention.cutoff("agreements", today)
    personal = ~Q(provider_contact_name="") | ~Q(provider_contact_email="") | ~Q(provider_contact_phone="")
    personal |= ~Q(signed_document="") | ~Q(termination_reason="")
    return Agreement.objects.annotate(end=_ends_on()).filter(end__lt=cut).filter(personal)


def agreements_apply(agreements: QuerySet[Agreement], today: dt.date) -> int:
    ids = list(agreements.values_list("pk", flat=True))
    for agreement in Agreement.objects.filter(pk__in=ids):
        retention.delete_file_on_commit(agreement.signed_document)
    Agreement.objects.filter(pk__in=ids).update(
        provider_contact_name="",
        provider_contact_email="",
        provider_contact_phone="",
        signed_document="",
        termination_reason="",
    )
    page_cache.bump("shared")
    return len(ids)


def returns_due(today: dt.date) -> QuerySet[MonitoringReturn]:
    cut = retention.cutoff("returns", today)
    personal = ~Q(case_study="") | ~Q(outcomes_narrative="") | ~Q(risks_and_issues="") | ~Q(review_comment="")
    personal |= Exists(ReturnEvidence.objects.filter(monitoring_return=OuterRef("pk")))
    # The evidence of the deliverables reported in it goes with the return's own.
    personal |= Exists(
        Deliverable.objects.filter(reported_in=OuterRef("pk")).exclude(evidence_text="", evidence_document="")
    )
    return MonitoringReturn.objects.filter(period_end__lt=cut).filter(personal)


def returns_apply(returns: QuerySet[MonitoringReturn], today: dt.date) -> int:
    ids = list(returns.values_list("pk", flat=True))
    for evidence in ReturnEvidence.objects.filter(monitoring_return_id__in=ids):
        retention.delete_file_on_commit(evidence.document)
    ReturnEvidence.objects.filter(monitoring_return_id__in=ids).delete()
    reported = Deliverable.objects.filter(reported_in_id__in=ids)
    for deliverable in reported.exclude(evidence_document=""):
        retention.delete_file_on_commit(deliverable.evidence_document)
    reported.update(evidence_text="", evidence_document="")
    KpiActual.objects.filter(monitoring_return_id__in=ids).update(comment="")
    queries = ReturnQuery.objects.filter(monitoring_return_id__in=ids)
    queries.update(question=REMOVED)
    queries.exclude(answer="").update(answer=REMOVED)  # an answered query keeps an answer
    MonitoringReturn.objects.filter(pk__in=ids).update(
        case_study="", outcomes_narrative="", risks_and_issues="", review_comment=""
    )
    page_cache.bump("shared")
    return len(ids)


# Until the contract is entered into (or the procurement ends without one) the record is still being made.
PROCUREMENT_UNDER_WAY = (
    State.UNDERSTANDING,
    State.PLANNING,
    State.AWAITING_APPROVAL,
    State.SOURCING,
    State.AGREEING,
    State.AWARD_CALLED_IN,
)
ENDED = (State.CANCELLED, State.DECOMMISSIONED)


def procurement_records_kept(today: dt.date) -> QuerySet[Commission]:
    """Commissions whose procurement record is kept today: under way; or their latest agreement was
    signed less than 3 years ago; or cancelled (without a contract, since cancelling comes before an
    award) less than 3 years ago, or decommissioned then without ever signing one."""
    period = retention.HOLDS["procurement_record"]
    cut = period.cutoff(today)
    cut_moment = timezone.make_aware(dt.datetime.combine(cut, dt.time.min))
    contract = Agreement.objects.filter(commission=OuterRef("pk"), signed_on__isnull=False).order_by("-signed_on")
    ended = AuditEvent.objects.filter(
        content_type=ContentType.objects.get_for_model(Commission),
        object_id=Cast(OuterRef("pk"), CharField()),
        to_state__in=ENDED,
    ).order_by("-created_at")
    commissions = Commission.objects.annotate(
        contract_on=Subquery(contract.values("signed_on")[:1]), ended_at=Subquery(ended.values("created_at")[:1])
    )
    return commissions.filter(
        Q(state__in=PROCUREMENT_UNDER_WAY)
        | Q(contract_on__gte=cut)
        | Q(state=State.CANCELLED, ended_at__gte=cut_moment)
        | Q(state=State.DECOMMISSIONED, contract_on__isnull=True, ended_at__gte=cut_moment)
    )


def procurement_events_kept(today: dt.date) -> Q:
    """The audit events of the procurements whose record is kept (a `retention.register_keep` rule)."""
    return procurement_record.events_q(procurement_records_kept(today).values("pk"))


def procurement_record_holds(user: User, today: dt.date) -> list[str]:
    """Someone who acted in a procurement whose record is kept is named in it: they are not erased."""
    # From the person's own events (by the actor index) to their commissions, then which are kept:
    # cheap for each of the many people the retention sweep asks about.
    subjects = {ContentType.objects.get_for_model(subject.model).pk for subject in procurement_record.subjects()}
    acted = AuditEvent.objects.filter(actor=user, content_type__in=subjects).order_by()
    grouped: dict[int, set[str]] = {}
    for content_type, object_id in acted.values_list("content_type", "object_id").distinct():
        grouped.setdefault(content_type, set()).add(object_id)
    commissions: set[int] = set()
    for content_type, object_ids in grouped.items():
        commissions |= procurement_record.commissions_of(ContentType.objects.get_for_id(content_type), object_ids)
    if not commissions:
        return []
    kept = procurement_records_kept(today).filter(pk__in=commissions).order_by("reference")
    return [
        f"They acted in the procurement of {reference}, whose record is kept until 3 years after its contract is "
        "entered into (Procurement Act 2023, s.98)."
        for reference in kept.values_list("reference", flat=True)[:5]
    ]


def holds(user: User, today: dt.date) -> list[str]:
    reasons = []
    # A bid is kept until its own retention ends (the same rule that empties it, so a dry run and a
    # real run of the schedule agree on who may be erased).
    written = Bid.objects.filter(Q(created_by=user) | Q(receipts__submitted_by=user)).values("pk")
    kept_bids = with_content(Bid.objects.filter(pk__in=written))
    kept_bids = kept_bids.exclude(pk__in=unsuccessful_bids_due(today).values("pk"))
    kept_bids = kept_bids.exclude(pk__in=successful_bids_due(today).values("pk"))
    for bid in kept_bids.select_related("opportunity")[:5]:
        reasons.append(f"They started or submitted {bid}, which is kept until its retention period ends.")
    named = (
        Q(council_contact=user) | Q(signed_by=user) | Q(created_by=user) | Q(provider_contact_email__iexact=user.email)
    )
    kept = Agreement.objects.annotate(end=_ends_on()).filter(named, end__gte=retention.cutoff("agreements", today))
    for agreement in kept[:5]:
        reasons.append(f"They are named on agreement {agreement.reference}, kept until 6 years after it ends.")
    returns = MonitoringReturn.objects.filter(
        Q(submitted_by=user) | Q(reviewed_by=user), period_end__gte=retention.cutoff("returns", today)
    ).select_related("agreement")
    for monitoring_return in returns[:5]:
        reasons.append(f"They submitted or reviewed a return on {monitoring_return.agreement.reference}, kept 6 years.")
    return reasons


def _returns(user: User) -> list[dict]:
    returns = MonitoringReturn.objects.filter(Q(submitted_by=user) | Q(reviewed_by=user)).select_related("agreement")
    return [
        {
            "agreement": r.agreement.reference,
            "period": str(r),
            "state": r.get_state_display(),
            "submitted_by_you": r.submitted_by_id == user.pk,
            "submitted": r.submitted_at,
            "reviewed_by_you": r.reviewed_by_id == user.pk,
            "review_comment": r.review_comment if r.reviewed_by_id == user.pk else "",
        }
        for r in returns
    ]


def _agreements(user: User) -> list[dict]:
    named = Q(council_contact=user) | Q(signed_by=user) | Q(created_by=user) | Q(provider_contact_email=user.email)
    return [
        {
            "agreement": a.reference,
            "title": a.title,
            "council_contact": a.council_contact_id == user.pk,
            "signed_by_you": a.signed_by_id == user.pk,
            "provider_contact": a.provider_contact_email.lower() == user.email.lower(),
        }
        for a in Agreement.objects.filter(named)
    ]


def _queries(user: User) -> list[dict]:
    queries = ReturnQuery.objects.filter(Q(asked_by=user) | Q(answered_by=user)).select_related(
        "monitoring_return__agreement"
    )
    return [
        {
            "agreement": q.monitoring_return.agreement.reference,
            "asked": q.asked_at,
            "question": q.question if q.asked_by_id == user.pk else "",
            "answer": q.answer if q.answered_by_id == user.pk else "",
        }
        for q in queries
    ]


def register() -> None:
    retention.register("unsuccessful_bids", due=unsuccessful_bids_due, apply=bids_apply)
    retention.register("successful_bids", due=successful_bids_due, apply=bids_apply)
    retention.register("agreements", due=agreements_due, apply=agreements_apply)
    retention.register("returns", due=returns_due, apply=returns_apply)
    erasure.register_hold(holds)
    retention.register_keep("audit_personal_data", procurement_events_kept)
    erasure.register_hold(procurement_record_holds)
    subject_access.register_section("monitoring_returns", "Monitoring returns you submitted or reviewed.", _returns)
    subject_access.register_section("agreements", "Agreements that name you.", _agreements)
    subject_access.register_section("return_queries", "Questions on returns you asked or answered.", _queries)
