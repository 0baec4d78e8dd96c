"""Reads for commissioning, scoped to what the user may see and fetched in a fixed number of queries."""

from __future__ import annotations

from decimal import Decimal

from django.contrib.contenttypes.models import ContentType
from django.db.models import (
    DecimalField,
    Exists,
    F,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Sum,
    Value,
    prefetch_related_objects,
)
from django.db.models.functions import Coalesce
from django.http import Http404

from commissioning.models import (
    STATES_OF_STAGE,
    Commission,
    FundingCommitment,
    FundingPot,
    OutcomeSought,
    Review,
    State,
    proposed_commitments,
    spent_commitments,
)
from commissioning.permissions import READERS_ACROSS_COUNCIL, can_read_commission
from councils.compiled import Statement
from councils.models import AuditEvent, Council, Outcome, Role, User
from councils.permissions import roles_in

ZERO = Value(Decimal("0"), output_field=DecimalField(max_digits=14, decimal_places=2))


def commissions_visible_to(user: User, council: Council) -> QuerySet[Commission]:
    """Every commission of the council for officers, scrutiny and administrators; a portfolio
    holder sees the commissions in the portfolios they hold; anyone else sees none."""
    roles = roles_in(user, council)
    commissions = Commission.objects.filter(council=council)
    if not roles.isdisjoint(READERS_ACROSS_COUNCIL):
        return commissions
    if Role.PORTFOLIO_HOLDER in roles:
        return commissions.filter(portfolio__holder=user)
    return commissions.none()


def _commission(*, council_id: int, pk: int) -> QuerySet[Commission]:
    # The review that recommissioned it (a reverse one-to-one) comes in the same query.
    return Commission.objects.select_related("lead_officer", "portfolio__holder", "from_review").filter(
        council=council_id, pk=pk
    )


# Read before every page about a commission, even one served from the page cache: built once, run many times.
_COMMISSION = Statement(_commission, name="commission")


def commission_for_user(user: User, council: Council, pk: int) -> Commission:
    """One commission of this council that the user may read, or 404 (never reveal that it exists)."""
    # The council is the one in hand rather than joined again.
    commission = _COMMISSION.one(council_id=council.pk, pk=pk)
    if commission is None:
        raise Http404
    commission.council = council
    if not can_read_commission(user, commission):
        raise Http404
    return commission


class _Records:
    """One of a commission's records, read as its related manager reads them (`commission.<name>`,
    narrowed to a cycle where `by_cycle`), through a kept statement: the commission page reads
    fifteen such lists, each simple, and building and compiling them cost more than running them."""

    def __init__(self, name: str, *related: str, by_cycle: bool = True, first: bool = False):
        relation = Commission._meta.get_field(name)
        self.model, self.to_commission = relation.related_model, relation.field.name
        self.related, self.by_cycle, self.first = related, by_cycle, first
        self.statement = Statement(self._build, name=f"commission's {name}")

    def _build(self, *, commission_id: int, cycle: int = 0) -> QuerySet:
        rows = self.model._default_manager.filter(**{self.to_commission: commission_id})
        if self.by_cycle:
            rows = rows.filter(cycle=cycle)
        rows = rows.select_related(*self.related)
        if self.first:  # as QuerySet.first(): its own order, else the primary key's
            rows = (rows if rows.ordered else rows.order_by("pk"))[:1]
        return rows

    def __call__(self, commission: Commission):
        keys = {"commission_id": commission.pk, **({"cycle": commission.cycle} if self.by_cycle else {})}
        rows = self.statement(**keys)
        for row in rows:  # as the related manager does: each row knows its commission
            setattr(row, self.to_commission, commission)
        if self.first:
            return rows[0] if rows else None
        return rows


_NEEDS_ASSESSMENT = _Records("needs_assessments", first=True)
_EVIDENCE = _Records("evidence")
_ENGAGEMENTS = _Records("engagements", "consultation")
_EXISTING_PROVISION = _Records("existing_provision")
_GAP_ANALYSIS = _Records("gap_analyses", first=True)
_OPTIONS = _Records("options")
_OUTCOMES_SOUGHT = _Records("outcomes_sought", "council_outcome__priority")
_CRITERIA = _Records("criteria")
_RISKS = _Records("risks")
_FUNDING = _Records("funding", "pot")
_REVIEW = _Records("reviews", first=True)
_DECOMMISSIONING = _Records("decommissioning_records", first=True)
_APPROVALS = _Records("approvals", "decided_by", by_cycle=False)
_REGIME = _Records("procurement_regime", "confirmed_by", by_cycle=False, first=True)


def _council_outcomes(*, commission_id: int) -> QuerySet[Outcome]:
    return Outcome.objects.filter(commissions=commission_id).select_related("priority")


_COUNCIL_OUTCOMES = Statement(_council_outcomes, name="commission's council outcomes")


def commission_stage_work(commission: Commission) -> dict:
    """All of the current cycle's work, for the commission page."""
    outcomes_sought = _OUTCOMES_SOUGHT(commission)
    prefetch_related_objects(outcomes_sought, "success_measures")
    criteria = _CRITERIA(commission)
    funding = _FUNDING(commission)
    return {
        "needs_assessment": _NEEDS_ASSESSMENT(commission),
        "evidence": _EVIDENCE(commission),
        "engagements": _ENGAGEMENTS(commission),
        "existing_provision": _EXISTING_PROVISION(commission),
        "gap_analysis": _GAP_ANALYSIS(commission),
        "options": _OPTIONS(commission),
        "outcomes_sought": outcomes_sought,
        "criteria": criteria,
        "criteria_total": sum(c.weight for c in criteria),
        "risks": _RISKS(commission),
        "regime": _REGIME(commission),
        "funding": funding,
        "funding_total": sum((f.amount for f in funding), Decimal("0")),
        "review": _REVIEW(commission),
        "decommissioning": _DECOMMISSIONING(commission),
        "approvals": _APPROVALS(commission),
        "council_outcomes": _COUNCIL_OUTCOMES(commission_id=commission.pk),
        # The review of existing services that recommissioned this, if one did.
        "from_review": _from_review(commission),
    }


def _from_review(commission: Commission) -> Review | None:
    try:
        return commission.from_review
    except Review.DoesNotExist:
        return None


def commission_audit_trail(commission: Commission) -> QuerySet[AuditEvent]:

    return AuditEvent.objects.filter(
        content_type=ContentType.objects.get_for_model(Commission), object_id=str(commission.pk)
    ).select_related("actor")


def funding_pots_for_council(council: Council) -> QuerySet[FundingPot]:
    """Pots with what approved commissions have committed from them and what is left."""
    committed = Coalesce(Sum("commitments__amount", filter=spent_commitments("commitments__")), ZERO)
    proposed = Coalesce(Sum("commitments__amount", filter=proposed_commitments("commitments__")), ZERO)
    return (
        FundingPot.objects.filter(council=council)
        .annotate(committed=committed, proposed=proposed)
        .prefetch_related("rounds")
        .order_by("name")
    )


VALUE_BANDS = {
    "below_quotes": "Below the quotes threshold",
    "quotes": "Quotes (up to the tender threshold)",
    "tender": "Open tender (below a key decision)",
    "key_decision": "Key decision",
}


def value_band_filter(council: Council, band: str) -> Q:
    """Value bands follow the council's own thresholds, so the same band means the same route."""
    quote, tender, key = council.quote_threshold, council.tender_threshold, council.key_decision_threshold
    return {
        "below_quotes": Q(budget__lt=quote),
        "quotes": Q(budget__gte=quote, budget__lt=tender),
        "tender": Q(budget__gte=tender, budget__lt=key),
        "key_decision": Q(budget__gte=key),
    }.get(band, Q())


# What the commission list's rows show, and the commissions export writes: a page or a CSV of a few
# hundred rows otherwise builds four instances a row, each with every column, for a few names.
LISTED_COMMISSION_FIELDS = (
    "reference",
    "title",
    "state",
    "cycle",
    "delivery_route",
    "budget",
    "starts_on",
    "ends_on",
    "updated_at",
    "council__slug",
    "lead_officer__full_name",
    "lead_officer__email",
    "portfolio__name",
)


def commission_list(user: User, council: Council, filters: dict) -> QuerySet[Commission]:
    """The commission list for a user, filtered; rows carry what the table shows in fixed queries."""

    commissions = commissions_visible_to(user, council)
    if filters.get("stage"):
        commissions = commissions.filter(state__in=STATES_OF_STAGE[filters["stage"]])
    if filters.get("state"):
        commissions = commissions.filter(state=filters["state"])
    if filters.get("outcome"):
        commissions = commissions.filter(outcomes=filters["outcome"])
    if filters.get("priority"):
        commissions = commissions.filter(outcomes__priority=filters["priority"])
    if filters.get("portfolio"):
        commissions = commissions.filter(portfolio=filters["portfolio"])
    if filters.get("lead_officer"):
        commissions = commissions.filter(lead_officer=filters["lead_officer"])
    if filters.get("value_band"):
        commissions = commissions.filter(value_band_filter(council, filters["value_band"]))
    if filters.get("q"):
        commissions = commissions.filter(Q(title__icontains=filters["q"]) | Q(reference__icontains=filters["q"]))
    if filters.get("outcome") or filters.get("priority"):
        commissions = commissions.distinct()
    return (
        commissions.select_related("council", "lead_officer", "portfolio")
        .only(*LISTED_COMMISSION_FIELDS)
        .prefetch_related(Prefetch("outcomes", queryset=Outcome.objects.only("id", "title", "priority_id")))
        .order_by("-updated_at", "-id")
    )


def commissioning_plan(user: User, council: Council, start_year: int | None, end_year: int | None) -> list[Commission]:
    """The council's commissioning plan: every live commission in the period with its investment,
    outcomes and timetable (the Lancaster "Commissioning Plan")."""

    commissions = commissions_visible_to(user, council).exclude(state=State.CANCELLED)
    if start_year:
        commissions = commissions.filter(Q(ends_on__isnull=True) | Q(ends_on__year__gte=start_year))
    if end_year:
        commissions = commissions.filter(Q(starts_on__isnull=True) | Q(starts_on__year__lte=end_year))
    return list(
        commissions.select_related("council", "lead_officer", "portfolio")
        .prefetch_related(
            Prefetch("outcomes", queryset=Outcome.objects.select_related("priority")),
            Prefetch(
                "funding",
                queryset=FundingCommitment.objects.filter(cycle=F("commission__cycle")).select_related("pot"),
            ),
        )
        .order_by("portfolio__name", "starts_on", "title")
    )


# What moves the commission on when the next step is another record's (the award, the agreements).
WAY_FORWARD = {
    "sourcing": (
        "The commission moves on when this cycle's award is approved: publish the opportunity, open and "
        "evaluate the bids, then send the award recommendation for decision."
    ),
    "agreeing": (
        "The commission moves into delivery by itself once none of this cycle's agreements is still to be "
        "signed and at least one is live."
    ),
    "award_called_in": (
        "Scrutiny has called in the award decision. Nothing can be signed until the decision-maker confirms it "
        "(the agreements go ahead) or withdraws it (the commission goes back to sourcing providers)."
    ),
}


def way_forward(commission) -> str:
    return WAY_FORWARD.get(commission.state, "")


def serves_outcome(outcome, commission=None) -> Q:
    """A commission serves a corporate outcome when it names it among its outcomes or seeks an outcome
    linked to it (in any cycle). `outcome` is an id or an outer reference; `commission` the commission
    being tested (an outer reference, the row's own pk when None), so the rule reads the same in a
    filter on commissions and in a subquery per outcome. Exists, not a join: a commission linked twice
    still counts once."""
    commission = OuterRef("pk") if commission is None else commission
    return Q(Exists(Commission.outcomes.through.objects.filter(commission_id=commission, outcome_id=outcome))) | Q(
        Exists(OutcomeSought.objects.filter(commission_id=commission, council_outcome_id=outcome))
    )
