"""Reads for early engagement on drafts, scoped to the person reading.

Officers read a commission's consultations through the commission (404 for anyone who cannot read
it). The public side reads consultations that have opened: public ones by anyone, providers-only
ones by people who act for a provider organisation. Nothing here reads bids, and no evaluation page
reads anything here (the ethical wall)."""

from __future__ import annotations

from django.db.models import Count, Q, QuerySet
from django.shortcuts import get_object_or_404
from django.utils import timezone

from commissioning.models import (
    PROPOSED_STATES,
    Commission,
    Consultation,
    ConsultationAudience,
    ConsultationComment,
    DraftPart,
    OutcomeSought,
)
from councils.models import Council, User
from providers.models import Organisation
from providers.selectors import organisations_for_user

GENERAL = "general"
GENERAL_HEADING = "The drafts as a whole"


def may_open_for_comment(commission: Commission) -> bool:
    """Drafts are open for comment before the decision to commission: never once it is out to market."""
    return commission.state in PROPOSED_STATES


def _outcome_sections(commission: Commission) -> list[dict]:
    outcomes = (
        OutcomeSought.objects.filter(commission=commission, cycle=commission.cycle)
        .select_related("council_outcome")
        .prefetch_related("success_measures")
        .order_by("id")
    )
    sections = []
    for number, outcome in enumerate(outcomes, start=1):
        lines = [outcome.description, f"Towards the council's outcome: {outcome.council_outcome.title}."]
        for measure in outcome.success_measures.all():
            baseline = f" (from {measure.baseline.normalize():f})" if measure.baseline is not None else ""
            lines.append(
                f"Success measure: {measure.description}: {measure.target.normalize():f} {measure.unit}{baseline}."
            )
        sections.append(
            {"key": f"outcome-{number}", "heading": f"Outcome {number}", "part": DraftPart.OUTCOMES, "lines": lines}
        )
    return sections


def _specification_sections(commission: Commission) -> list[dict]:
    parts = [
        ("service", "The service", commission.summary),
        (
            "route",
            "How it will be delivered",
            commission.get_delivery_route_display() if commission.delivery_route else "",
        ),
        (
            "dates",
            "When",
            f"From {commission.starts_on:%-d %B %Y} to {commission.ends_on:%-d %B %Y}."
            if commission.starts_on and commission.ends_on
            else "",
        ),
        ("social-value", "Social value", commission.social_value),
        ("equality", "Equality impact", commission.equality_impact_summary),
    ]
    sections = []
    # A specification without a description of the service is no draft to comment on.
    if not commission.summary.strip():
        return []
    for key, heading, text in parts:
        text = (text or "").strip()
        if text:
            lines = [line.strip() for line in text.splitlines() if line.strip()]
            sections.append({"key": key, "heading": heading, "part": DraftPart.SPECIFICATION, "lines": lines})
    return sections


DRAFT_BUILDERS = {DraftPart.OUTCOMES: _outcome_sections, DraftPart.SPECIFICATION: _specification_sections}


def draft_sections(commission: Commission, part: str) -> list[dict]:
    """The current cycle's draft of one part, as it would be published now (empty when there is none)."""
    return DRAFT_BUILDERS[DraftPart(part)](commission)


def consultations_of(commission: Commission) -> list[Consultation]:
    return list(
        Consultation.objects.filter(commission=commission)
        .annotate(
            comment_count=Count("comments"),
            answered_count=Count("comments", filter=~Q(comments__answer="")),
        )
        .select_related("opened_by")
    )


def consultation_of(commission: Commission, pk: int) -> Consultation:
    consultation = get_object_or_404(Consultation.objects.select_related("opened_by"), commission=commission, pk=pk)
    consultation.commission = commission
    return consultation


def comment_of(consultation: Consultation, pk: int) -> ConsultationComment:
    comment = get_object_or_404(
        ConsultationComment.objects.select_related("organisation", "author"), consultation=consultation, pk=pk
    )
    comment.consultation = consultation
    return comment


def comments_by_section(consultation: Consultation) -> list[tuple[dict, list[ConsultationComment]]]:
    """Each published section (and the drafts as a whole) with its comments, oldest first."""
    comments: dict[str, list[ConsultationComment]] = {}
    for comment in consultation.comments.select_related("organisation", "author", "answered_by"):
        comments.setdefault(comment.section, []).append(comment)
    sections = [*consultation.sections, {"key": GENERAL, "heading": GENERAL_HEADING, "part": "", "lines": []}]
    return [(section, comments.get(section["key"], [])) for section in sections]


def section_choices(consultation: Consultation) -> list[tuple[str, str]]:
    return [
        *((section["key"], section["heading"]) for section in consultation.sections),
        (GENERAL, GENERAL_HEADING),
    ]


def provider_organisations(user: User) -> QuerySet[Organisation]:
    return organisations_for_user(user).order_by("legal_name")


def acts_for_a_provider(user: User) -> bool:
    return user.is_authenticated and provider_organisations(user).exists()


def _visible_to(user: User) -> Q:
    if acts_for_a_provider(user):
        return Q()
    return Q(audience=ConsultationAudience.PUBLIC)


def open_consultations(user: User, council: Council | None = None) -> QuerySet[Consultation]:
    """Consultations open today that the visitor may read: public ones for anyone, providers-only
    ones for people who act for a provider organisation; soonest closing first."""
    consultations = Consultation.objects.open_now().filter(_visible_to(user))
    if council is not None:
        consultations = consultations.filter(commission__council=council)
    return (
        consultations.select_related("commission__council")
        .annotate(comment_count=Count("comments"))
        .order_by("closes_on", "pk")
    )


def public_consultation(user: User, council: Council, pk: int) -> Consultation:
    """A consultation of this council that has opened and that the visitor may read, or 404 (one
    not yet open, another council's, or a providers-only one for anyone else)."""
    consultation = get_object_or_404(
        Consultation.objects.filter(_visible_to(user), opens_on__lte=timezone.localdate()).select_related("commission"),
        commission__council=council,
        pk=pk,
    )
    consultation.commission.council = council
    return consultation


def officers_to_tell(consultation: Consultation) -> list[User]:
    """The commission's officers: its lead officer and whoever opened the consultation."""
    commission = consultation.commission
    people = {commission.lead_officer_id: commission.lead_officer, consultation.opened_by_id: consultation.opened_by}
    return list(people.values())
