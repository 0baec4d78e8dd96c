"""Opportunity alerts: which organisations a newly published opportunity matches, and why.

An organisation with alerts on is told when an opportunity matches at least one of its interests:
an outcome it can help achieve is among the opportunity's, the opportunity's CPV code falls in one of
its CPV divisions or groups, or the publishing council is one it hears from (or it hears from every
council). The match is worked out in the database, in the same handful of queries however many
organisations there are; nothing here knows what an opportunity is (providers imports no
commissioning): the caller describes it as an `OpportunityTraits`.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db.models import Exists, OuterRef, Q, QuerySet

from councils.models import Council, User
from providers.models import CpvInterest, Organisation, OrganisationMember, cpv_codes_matching
from providers.ports import cpv


@dataclass(frozen=True)
class OpportunityTraits:
    """What an opportunity is matched on."""

    council: Council
    outcome_ids: tuple[int, ...] = ()
    cpv_code: str = ""


@dataclass
class Alerted:
    """One person to tell, with why, organisation by organisation (one person may act for several)."""

    user: User
    reasons: dict[str, list[str]] = field(default_factory=dict)


OutcomeLink = Organisation.outcomes_of_interest.through
CouncilLink = Organisation.alert_councils.through


def organisations_to_alert(traits: OpportunityTraits) -> QuerySet[Organisation]:
    """The organisations with alerts on that the opportunity matches, each annotated with which of
    its interests matched (`on_outcome`, `on_cpv`, `on_council`)."""
    on_outcome = OutcomeLink.objects.filter(organisation_id=OuterRef("pk"), outcome_id__in=traits.outcome_ids)
    on_cpv = CpvInterest.objects.filter(organisation_id=OuterRef("pk"), code__in=cpv_codes_matching(traits.cpv_code))
    on_council = CouncilLink.objects.filter(organisation_id=OuterRef("pk"), council_id=traits.council.pk)
    return (
        Organisation.objects.filter(opportunity_alerts=True)
        .annotate(on_outcome=Exists(on_outcome), on_cpv=Exists(on_cpv), on_council=Exists(on_council))
        .filter(Q(on_outcome=True) | Q(on_cpv=True) | Q(on_council=True) | Q(alert_every_council=True))
    )


def _reasons(traits: OpportunityTraits, organisations: QuerySet[Organisation]) -> dict[int, list[str]]:
    """Each matching organisation's reasons, in words: one query per kind of interest."""
    reasons: dict[int, list[str]] = {}
    matched = organisations.values("pk")
    for organisation_id, title in (
        OutcomeLink.objects.filter(organisation_id__in=matched, outcome_id__in=traits.outcome_ids)
        .order_by("outcome__title")
        .values_list("organisation_id", "outcome__title")
    ):
        reasons.setdefault(organisation_id, []).append(f"the outcome ‘{title}’")
    for organisation_id, code in CpvInterest.objects.filter(
        organisation_id__in=matched, code__in=cpv_codes_matching(traits.cpv_code)
    ).values_list("organisation_id", "code"):
        reasons.setdefault(organisation_id, []).append(f"CPV {code} {cpv.label(code)}".strip())
    for organisation_id, named, every in organisations.values_list("pk", "on_council", "alert_every_council"):
        if named:
            reasons.setdefault(organisation_id, []).append(f"opportunities from {traits.council.name}")
        elif every:
            reasons.setdefault(organisation_id, []).append("opportunities from every council")
    return reasons


def people_to_alert(traits: OpportunityTraits, roles: Iterable[str]) -> list[Alerted]:
    """The active people holding one of `roles` in a matching organisation, each once, with each of
    their organisations' reasons. A constant number of queries: the organisations are never loaded
    one by one."""
    organisations = organisations_to_alert(traits)
    reasons = _reasons(traits, organisations)
    people: dict[int, Alerted] = {}
    members = (
        OrganisationMember.objects.filter(
            organisation_id__in=organisations.values("pk"), role__in=list(roles), user__is_active=True
        )
        .select_related("user", "organisation")
        .order_by("user_id", "organisation__legal_name")
    )
    for member in members:
        alerted = people.setdefault(member.user_id, Alerted(user=member.user))
        alerted.reasons.setdefault(str(member.organisation), reasons.get(member.organisation_id, []))
    return list(people.values())
