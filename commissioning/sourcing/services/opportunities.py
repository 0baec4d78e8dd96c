"""Writes for opportunities: the draft an officer prepares from a commission in Sourcing, its lots,
questions, key dates and documents, the steps of its life (publish, close, open the bids, cancel),
the interest providers register and the clarifications they ask for.

Every step goes through the workflow engine (`councils.workflow.run`). Closing is the scheduler's
(`opportunities_close_due`, actor None); opening the bids is recorded by `bids_open`, which needs two
different officers for large contracts. This module also declares what leaving the market does to
the commission's opportunity (the commission's ``ends_procurement`` effect).
"""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, models, transaction
from django.utils import dateformat, timezone
from django_fsm import ConcurrentTransition

from commissioning.models import (
    BidOpening,
    Clarification,
    ClarificationVisibility,
    Commission,
    DeliveryRoute,
    FormType,
    Interest,
    Lot,
    Opportunity,
    OpportunityDocument,
    OpportunityQuestion,
    OpportunitySocialValueAsk,
    OpportunityState,
    OutcomeSought,
    State,
)
from commissioning.permissions import can_open_bids, can_publish_opportunity
from commissioning.sourcing import gates as sourcing_gates
from commissioning.sourcing import notifications
from commissioning.sourcing.selectors.opportunities import (
    LIVE_STATES,
    has_bidder_conflict,
    live_opportunities,
    submitted_bid_count,
    when,
)
from councils import workflow
from councils.calendar import add_working_days
from councils.models import User
from councils.services import audit_record
from councils.workflow import Effect, Step, TransitionConflict, TransitionRefused
from providers.models import Organisation, OrganisationMember

# Past tense for the audit trail: "opportunity.published".
EVENT_NAMES = {"publish": "published", "close": "closed", "open_bids": "bids_opened", "cancel": "cancelled"}
# Lots and questions are fixed once bidders can see them; dates and documents may change until the
# deadline, and everyone following the opportunity is told.
# Social value asks are part of what bidders answer, so they are fixed at publication like the questions.
RECORD_EDITABLE_WHEN_PUBLISHED = {
    Lot: False,
    OpportunityQuestion: False,
    OpportunityDocument: True,
    OpportunitySocialValueAsk: False,
}
RECORD_NAMES = {
    Lot: "lot",
    OpportunityQuestion: "question",
    OpportunityDocument: "document",
    OpportunitySocialValueAsk: "social_value_ask",
}
NOON = datetime.time(12, 0)


# ---- Rules derived from the commission -------------------------------------------------------


def opportunity_value(commission: Commission, envelope: Decimal | None = None) -> Decimal:
    """The value the proportionate rules look at: the approved budget or the envelope, whichever is
    larger, so lowering the envelope can never escape a full tender or a two-officer opening."""
    return max(commission.budget or Decimal("0"), envelope or Decimal("0"))


def form_type_for(commission: Commission, envelope: Decimal | None = None) -> str:
    """A short application for grants below the tender threshold; the full tender otherwise."""
    small = opportunity_value(commission, envelope) < commission.council.tender_threshold
    return FormType.SHORT_GRANT if commission.delivery_route == DeliveryRoute.GRANT and small else FormType.FULL_TENDER


def needs_two_person_opening(commission: Commission, envelope: Decimal | None = None) -> bool:
    return (
        commission.delivery_route == DeliveryRoute.CONTRACT
        and opportunity_value(commission, envelope) >= commission.council.tender_threshold
    )


def missing_to_create(commission: Commission) -> list[str]:
    """Why an opportunity cannot be drafted for this commission now (empty when it can)."""
    missing = []
    if commission.state != State.SOURCING:
        missing.append("The commission must be approved and sourcing providers")
    if not commission.is_competitive:
        missing.append("Only grants and contracts are put out for bids")
    if commission.opportunities.filter(cycle=commission.cycle, state__in=LIVE_STATES).exists():
        missing.append("This commission already has an opportunity: cancel it before starting another")
    return missing


def _at(day: datetime.date, time: datetime.time = NOON) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, time))


def _require_sourcing_officer(opportunity: Opportunity | Commission, user: User) -> None:
    if user is None or not can_publish_opportunity(opportunity, user):
        raise PermissionDenied


# ---- The draft ----------------------------------------------------------------------------------


# A new draft's default dates, in working days from the day it is drafted (councils.calendar).
CLARIFICATIONS_IN_WORKING_DAYS = 15
BIDS_IN_WORKING_DAYS = 20
AWARD_IN_WORKING_DAYS = 40


def opportunity_create(*, by: User, commission: Commission) -> Opportunity:
    """Start a draft from the commission: its title, summary, outcomes sought and budget, with key
    dates for the officer to change, counted in working days so that none falls on a weekend or a bank
    holiday: questions until 15 working days from today, bids until 20 (four weeks), the award 40."""
    _require_sourcing_officer(commission, by)
    missing = missing_to_create(commission)
    if missing:
        raise TransitionRefused(missing)
    today = timezone.localdate()
    award = add_working_days(today, AWARD_IN_WORKING_DAYS)
    outcomes = OutcomeSought.objects.filter(commission=commission, cycle=commission.cycle)
    for _attempt in range(5):
        number = Opportunity.objects.filter(commission=commission).count() + 1
        try:
            with transaction.atomic():
                opportunity = Opportunity(
                    council=commission.council,
                    commission=commission,
                    cycle=commission.cycle,
                    reference=f"{commission.reference}-OPP{number}",
                    title=commission.title,
                    summary=commission.summary or commission.title,
                    outcomes_sought="\n".join(f"- {o.description}" for o in outcomes) or "To be described.",
                    eligibility="Voluntary, community and faith groups, social enterprises and businesses able to "
                    "deliver the service in the council's area.",
                    budget_envelope=commission.budget or Decimal("0"),
                    form_type=form_type_for(commission),
                    two_person_opening=needs_two_person_opening(commission),
                    clarification_deadline=_at(add_working_days(today, CLARIFICATIONS_IN_WORKING_DAYS)),
                    submission_deadline=_at(add_working_days(today, BIDS_IN_WORKING_DAYS)),
                    expected_award_on=award,
                    service_starts_on=max(commission.starts_on or award, award),
                )
                opportunity.full_clean(exclude=["state"])
                opportunity.save()
                audit_record(
                    council=commission.council,
                    actor=by,
                    event_type="opportunity.created",
                    obj=opportunity,
                    to_state=opportunity.state,
                    extra={
                        "commission": commission.pk,
                        "form_type": opportunity.form_type,
                        "two_person_opening": opportunity.two_person_opening,
                    },
                )
                return opportunity
        except IntegrityError:
            continue  # two officers drafted at once: take the next number
    raise ValidationError("Could not allocate a reference; try again.")


def can_change_details(opportunity: Opportunity, user: User) -> bool:
    return opportunity.state == OpportunityState.DRAFT and can_publish_opportunity(opportunity, user)


def can_change_dates(opportunity: Opportunity, user: User) -> bool:
    """Dates (and documents) change while drafting, and after publication until the deadline."""
    changeable = opportunity.state == OpportunityState.DRAFT or opportunity.is_open_for_bids
    return changeable and can_publish_opportunity(opportunity, user)


def can_change_record(model: type[models.Model], opportunity: Opportunity, user: User) -> bool:
    if opportunity.state == OpportunityState.PUBLISHED and RECORD_EDITABLE_WHEN_PUBLISHED[model]:
        return can_change_dates(opportunity, user)
    return can_change_details(opportunity, user)


def _save(opportunity: Opportunity, **kwargs) -> None:
    """Save the officer's edits unless someone moved the opportunity on since the page was loaded."""
    try:
        opportunity.save(**kwargs)
    except ConcurrentTransition as exc:
        raise ValidationError(
            "Someone else changed this opportunity a moment ago. Reload the page and make your change again."
        ) from exc


def _refuse_unless(allowed: bool, opportunity: Opportunity, what: str) -> None:
    if not allowed:
        raise ValidationError(
            f"The {what} cannot be changed while the opportunity is ‘{opportunity.get_state_display().lower()}’."
        )


@transaction.atomic
def opportunity_update_details(*, by: User, opportunity: Opportunity, changed: list[str] | None = None) -> Opportunity:
    """Change the draft's words and envelope; the form and opening rule follow the value."""
    _require_sourcing_officer(opportunity, by)
    _refuse_unless(opportunity.state == OpportunityState.DRAFT, opportunity, "details")
    opportunity.form_type = form_type_for(opportunity.commission, opportunity.budget_envelope)
    opportunity.two_person_opening = needs_two_person_opening(opportunity.commission, opportunity.budget_envelope)
    opportunity.full_clean(exclude=["state"])
    _save(opportunity)
    audit_record(
        council=opportunity.council,
        actor=by,
        event_type="opportunity.updated",
        obj=opportunity,
        extra={"fields": sorted(changed or [])},
    )
    return opportunity


def _validate_dates(opportunity: Opportunity, stored: Opportunity) -> None:
    errors = {}
    if opportunity.submission_deadline <= opportunity.clarification_deadline:
        errors["submission_deadline"] = "The submission deadline must be after the clarification deadline."
    if opportunity.expected_award_on < timezone.localtime(opportunity.submission_deadline).date():
        errors["expected_award_on"] = "The expected award date must be on or after the submission deadline."
    if opportunity.service_starts_on < opportunity.expected_award_on:
        errors["service_starts_on"] = "The service start date must be on or after the expected award date."
    if opportunity.state == OpportunityState.PUBLISHED:
        now = timezone.now()
        for name in ("clarification_deadline", "submission_deadline"):
            if getattr(opportunity, name) != getattr(stored, name) and getattr(opportunity, name) <= now:
                errors.setdefault(name, "Bidders are already working to this opportunity: choose a time in the future.")
    if errors:
        raise ValidationError(errors)


DATE_FIELDS = {
    "clarification_deadline": "The deadline for clarification questions",
    "submission_deadline": "The deadline for bids",
    "expected_award_on": "The expected award date",
    "service_starts_on": "The expected service start date",
}


def _describe(name: str, value) -> str:
    shown = when(value) if isinstance(value, datetime.datetime) else dateformat.format(value, "j F Y")
    return f"{DATE_FIELDS[name]} is now {shown}."


@transaction.atomic
def opportunity_update_dates(*, by: User, opportunity: Opportunity, build_url=None) -> Opportunity:
    """Change the key dates. Once published this is allowed until the deadline, and everyone
    following the opportunity is told what changed."""
    _require_sourcing_officer(opportunity, by)
    stored = Opportunity.objects.select_for_update().get(pk=opportunity.pk)
    _refuse_unless(can_change_dates(stored, by), stored, "key dates")
    _validate_dates(opportunity, stored)
    changed = [name for name in DATE_FIELDS if getattr(opportunity, name) != getattr(stored, name)]
    _save(opportunity, update_fields=[*DATE_FIELDS, "updated_at"])
    audit_record(
        council=opportunity.council,
        actor=by,
        event_type="opportunity.dates_changed",
        obj=opportunity,
        extra={name: str(getattr(opportunity, name)) for name in changed},
    )
    if changed and opportunity.state == OpportunityState.PUBLISHED:
        notifications.opportunity_changed(
            opportunity, [_describe(name, getattr(opportunity, name)) for name in changed], build_url=build_url
        )
    return opportunity


def _check_record(opportunity: Opportunity, instance: models.Model) -> None:
    if instance.opportunity_id != opportunity.pk:
        raise PermissionDenied
    if isinstance(instance, OpportunityQuestion):
        criterion = instance.criterion
        if criterion.commission_id != opportunity.commission_id or criterion.cycle != opportunity.cycle:
            raise ValidationError({"criterion": "Choose one of this commission's evaluation criteria."})
    if isinstance(instance, OpportunitySocialValueAsk) and instance.measure.council_id != opportunity.council_id:
        raise ValidationError({"measure": "Choose one of the council's social value measures."})
    if isinstance(instance, Lot) and instance.pk is None:
        last = opportunity.lots.aggregate(last=models.Max("number"))["last"]
        instance.number = (last or 0) + 1


@transaction.atomic
def record_save(
    *, by: User, opportunity: Opportunity, instance: models.Model, changed: list[str] | None = None, build_url=None
) -> models.Model:
    """Add or change a lot, a question or a document."""
    model = type(instance)
    _require_sourcing_officer(opportunity, by)
    _refuse_unless(can_change_record(model, opportunity, by), opportunity, f"{RECORD_NAMES[model]}s")
    _check_record(opportunity, instance)
    created = instance.pk is None
    instance.full_clean()
    instance.save()
    audit_record(
        council=opportunity.council,
        actor=by,
        event_type=f"opportunity.{RECORD_NAMES[model]}.{'added' if created else 'changed'}",
        obj=opportunity,
        extra={"record": str(instance)[:200], "fields": sorted(changed or [])},
    )
    if opportunity.state == OpportunityState.PUBLISHED and isinstance(instance, OpportunityDocument):
        verb = "Added" if created else "Changed"
        notifications.opportunity_changed(
            opportunity, [f"{verb} document: {instance} ({instance.get_kind_display()})."], build_url=build_url
        )
    return instance


@transaction.atomic
def record_delete(*, by: User, opportunity: Opportunity, instance: models.Model, build_url=None) -> None:
    model = type(instance)
    _require_sourcing_officer(opportunity, by)
    _refuse_unless(can_change_record(model, opportunity, by), opportunity, f"{RECORD_NAMES[model]}s")
    if instance.opportunity_id != opportunity.pk:
        raise PermissionDenied
    audit_record(
        council=opportunity.council,
        actor=by,
        event_type=f"opportunity.{RECORD_NAMES[model]}.removed",
        obj=opportunity,
        extra={"record": str(instance)[:200]},
    )
    if isinstance(instance, OpportunityDocument):
        stored, storage = instance.file.name, instance.file.storage
        transaction.on_commit(lambda: storage.delete(stored))
    if opportunity.state == OpportunityState.PUBLISHED:
        notifications.opportunity_changed(opportunity, [f"Removed document: {instance}."], build_url=build_url)
    instance.delete()


# ---- Steps --------------------------------------------------------------------------------------


def available_steps(opportunity: Opportunity, user: User) -> list[dict]:
    """The steps this officer may take from the opportunity page, each with what is still missing.
    Closing belongs to the scheduler and opening to its own page, so neither is listed."""
    return workflow.available(opportunity, user)


def opportunity_transition(
    *, by: User | None, opportunity: Opportunity, name: str, reason: str = "", build_url=None, seen_state=None
) -> Opportunity:
    """Take one step in the opportunity's life through the workflow engine, all or nothing, audited.
    Opening the bids is internal to `bids_open`, so the two-officer rule cannot be skipped."""
    return workflow.run(by=by, obj=opportunity, name=name, reason=reason, seen_state=seen_state, build_url=build_url)


def opportunities_cancel_for_commission(step: Step) -> dict:
    """Cancel this cycle's opportunities when the commission leaves the market (withdrawn for redesign,
    or cancelled), inside the commission's own transaction, so a commission is never back in planning
    while its opportunity still takes bids. An opportunity awarded already has moved the commission
    on, so none here has an approved award."""
    commission = step.obj
    cancelled = []
    for opportunity in live_opportunities(commission):
        workflow.run(
            by=step.by,
            obj=opportunity,
            name="cancel",
            reason=step.reason,
            internal=True,
            extra={"because": f"commission.{step.name}"},
            build_url=step.payload.get("build_url"),
        )
        cancelled.append(opportunity.reference)
    return {"opportunities_cancelled": cancelled} if cancelled else {}


def _notify_cancelled(step: Step) -> None:
    # The Procurement Act's termination notice, in the providers' inbox (sent on commit).
    if step.source != OpportunityState.DRAFT:
        notifications.opportunity_cancelled(step.obj, step.reason, build_url=step.payload.get("build_url"))


def _opportunity_details(step: Step) -> dict:
    return {"commission": step.obj.commission_id}


workflow.machine(
    Opportunity,
    noun="opportunity",
    gates=sourcing_gates,
    details=_opportunity_details,
    event_names=EVENT_NAMES,
)
workflow.effect(Opportunity, "notify_cancelled", Effect(follow=_notify_cancelled))
workflow.effect(Commission, "ends_procurement", Effect(follow=opportunities_cancel_for_commission))


def opportunities_close_due(now: datetime.datetime | None = None, *, opportunity: Opportunity | None = None) -> int:
    """Close every published opportunity whose deadline has passed (or just `opportunity`, when an
    officer looks at it). Run by the scheduler every five minutes; audited with no actor."""
    now = now or timezone.now()
    if opportunity is not None:
        due = [opportunity] if opportunity.state == OpportunityState.PUBLISHED else []
        due = [o for o in due if o.submission_deadline <= now]
    else:
        due = Opportunity.objects.filter(state=OpportunityState.PUBLISHED, submission_deadline__lte=now).select_related(
            "council"
        )
    closed = 0
    for candidate in due:
        try:
            workflow.run(by=None, obj=candidate, name="close", extra={"submitted_bids": submitted_bid_count(candidate)})
        except (TransitionConflict, TransitionRefused):
            continue  # closed by another worker a moment ago, or not due by the database's clock
        closed += 1
    return closed


def bids_open(*, by: User, opportunity: Opportunity) -> BidOpening:
    """Record an officer's confirmation of the opening. One confirmation opens the bids; for
    contracts at or above the tender threshold the bids stay sealed until a different opening
    officer confirms as well. Officers who act for a bidder are refused (the ethical wall)."""
    opportunities_close_due(opportunity=opportunity)
    if by is None or has_bidder_conflict(by, opportunity):
        raise PermissionDenied
    if not can_open_bids(opportunity, by):
        raise PermissionDenied
    if opportunity.state == OpportunityState.PUBLISHED:
        raise TransitionRefused([f"The bids can be opened after the deadline: {when(opportunity.submission_deadline)}"])
    if opportunity.state != OpportunityState.CLOSED:
        raise TransitionRefused(
            [f"The bids cannot be opened while the opportunity is ‘{workflow.state_words(opportunity)}’"]
        )
    with transaction.atomic():
        locked = Opportunity.objects.select_for_update().get(pk=opportunity.pk)
        if locked.state != opportunity.state:
            raise TransitionConflict("Someone else has just recorded the opening. Reload the page to see where it is.")
        now = timezone.now()
        count = submitted_bid_count(opportunity)
        opening = BidOpening.objects.filter(opportunity=opportunity).first()
        if opening is None:
            opening = BidOpening.objects.create(
                opportunity=opportunity, first_officer=by, first_confirmed_at=now, bids_opened=count
            )
            event, officers = "opportunity.opening.first_confirmed", [by.pk]
        elif opening.first_officer_id == by.pk:
            raise TransitionRefused(
                ["You have already confirmed this opening: a different opening officer must confirm it too"]
            )
        else:
            opening.second_officer, opening.second_confirmed_at, opening.bids_opened = by, now, count
            opening.save(update_fields=["second_officer", "second_confirmed_at", "bids_opened"])
            event, officers = "opportunity.opening.second_confirmed", [opening.first_officer_id, by.pk]
        audit_record(
            council=opportunity.council,
            actor=by,
            event_type=event,
            obj=opportunity,
            extra={"opening": opening.pk, "submitted_bids": count, "two_person": opportunity.two_person_opening},
        )
        if opportunity.two_person_opening and opening.second_officer_id is None:
            return opening  # sealed until a second officer confirms
        workflow.run(
            by=by,
            obj=opportunity,
            name="open_bids",
            internal=True,
            extra={"opening": opening.pk, "bids_opened": count, "officers": officers},
        )
    return opening


# ---- Providers: interest and clarifications ---------------------------------------------------


def _require_member(user: User, organisation: Organisation) -> None:
    if not OrganisationMember.objects.filter(user=user, organisation=organisation).exists():
        raise PermissionDenied


def _require_open(opportunity: Opportunity) -> None:
    if not opportunity.is_open_for_bids:
        raise ValidationError("This opportunity is no longer open.")


@transaction.atomic
def interest_register(*, by: User, opportunity: Opportunity, organisation: Organisation) -> Interest:
    """Follow an open opportunity for an organisation: it will be told of changes and clarifications."""
    _require_member(by, organisation)
    _require_open(opportunity)
    interest, created = Interest.objects.get_or_create(
        opportunity=opportunity, organisation=organisation, defaults={"registered_by": by}
    )
    if created:
        audit_record(
            council=opportunity.council,
            actor=by,
            event_type="opportunity.interest.registered",
            obj=opportunity,
            extra={"organisation": organisation.pk},
        )
    return interest


@transaction.atomic
def interest_withdraw(*, by: User, opportunity: Opportunity, organisation: Organisation) -> None:
    _require_member(by, organisation)
    deleted, _ = Interest.objects.filter(opportunity=opportunity, organisation=organisation).delete()
    if deleted:
        audit_record(
            council=opportunity.council,
            actor=by,
            event_type="opportunity.interest.withdrawn",
            obj=opportunity,
            extra={"organisation": organisation.pk},
        )


def clarifications_open(opportunity: Opportunity) -> bool:
    return opportunity.state == OpportunityState.PUBLISHED and timezone.now() < opportunity.clarification_deadline


@transaction.atomic
def clarification_ask(
    *, by: User, opportunity: Opportunity, organisation: Organisation, question: str, build_url=None
) -> Clarification:
    """A provider asks privately, before the clarification deadline."""
    _require_member(by, organisation)
    if not clarifications_open(opportunity):
        raise ValidationError(
            f"The deadline for clarification questions was {when(opportunity.clarification_deadline)}. "
            "Questions can no longer be asked about this opportunity."
        )
    if not question.strip():
        raise ValidationError({"question": "Enter your question."})
    clarification = Clarification.objects.create(
        opportunity=opportunity, organisation=organisation, asked_by=by, question=question.strip()
    )
    audit_record(
        council=opportunity.council,
        actor=by,
        event_type="opportunity.clarification.asked",
        obj=opportunity,
        extra={"clarification": clarification.pk, "organisation": organisation.pk},
    )
    notifications.clarification_asked(clarification, build_url=build_url)
    return clarification


@transaction.atomic
def clarification_answer(
    *,
    by: User,
    clarification: Clarification,
    answer: str,
    visibility: str,
    published_question: str = "",
    build_url=None,
) -> Clarification:
    """Answer a question: publish it (anonymised, to everyone following and on the public page) or
    reply privately to the organisation that asked. A published answer cannot be taken back."""
    opportunity = clarification.opportunity
    _require_sourcing_officer(opportunity, by)
    if clarification.visibility == ClarificationVisibility.PUBLISHED:
        raise ValidationError("This clarification has already been published.")
    if opportunity.state != OpportunityState.PUBLISHED:
        raise ValidationError("Clarifications can only be answered while the opportunity is open.")
    errors = {}
    if not answer.strip():
        errors["answer"] = "Enter the answer."
    if visibility not in (ClarificationVisibility.PUBLISHED, ClarificationVisibility.PRIVATE):
        errors["visibility"] = "Choose whether to publish the answer or reply privately."
    if visibility == ClarificationVisibility.PUBLISHED and not published_question.strip():
        errors["published_question"] = "Enter the question as it will be published, with anything identifying removed."
    if errors:
        raise ValidationError(errors)
    previous = clarification.visibility
    clarification.answer = answer.strip()
    clarification.visibility = visibility
    if visibility == ClarificationVisibility.PUBLISHED:
        clarification.published_question = published_question.strip()
    clarification.answered_by = by
    clarification.answered_at = timezone.now()
    clarification.save()
    audit_record(
        council=opportunity.council,
        actor=by,
        event_type=f"opportunity.clarification.{'published' if visibility == 'published' else 'answered_privately'}",
        obj=opportunity,
        from_state=previous,
        to_state=visibility,
        extra={"clarification": clarification.pk, "organisation": clarification.organisation_id},
    )
    if visibility == ClarificationVisibility.PUBLISHED:
        notifications.clarification_published(clarification, build_url=build_url)
    else:
        notifications.clarification_answered_privately(clarification, build_url=build_url)
    return clarification
