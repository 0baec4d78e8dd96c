"""The evaluation's result: each bid's weighted total, the ranking and who was excluded, computed from
the moderated scores and kept, with its digest, when the chair signs off."""

from __future__ import annotations

import hashlib
import json
from collections import defaultdict
from dataclasses import asdict, dataclass, replace
from datetime import datetime
from decimal import Decimal

from django.db.models import Prefetch
from django.utils.dateparse import parse_datetime

from commissioning.evaluation import scoring
from commissioning.evaluation.selectors import (
    EvaluationAccess,
    bid_prices,
    bids_for_panellist,
    criteria_for,
    evaluated_bids,
    unsealed_bids,
)
from commissioning.models import (
    BidPartner,
    ComplianceResult,
    Evaluation,
    EvaluationState,
    ModeratedScore,
    Opportunity,
    PriceMethod,
)

# ---- The result: weighted totals and ranking ----------------------------------------------------


@dataclass(frozen=True)
class CriterionResult:
    criterion_id: int
    title: str
    weight: int
    is_price: bool
    score: int | None  # the moderated score (None for the price criterion)
    points: Decimal
    rationale: str = ""


@dataclass(frozen=True)
class RankedBid:
    rank: int
    bid_id: int
    organisation_id: int
    organisation: str
    partners: list[str]
    submitted_at: datetime | None
    price: Decimal | None
    quality_points: Decimal
    price_points: Decimal
    total: Decimal
    criteria: list[CriterionResult]
    tie_break: str = ""


@dataclass(frozen=True)
class ExcludedBid:
    bid_id: int
    organisation_id: int
    organisation: str
    reasons: list[str]


@dataclass(frozen=True)
class EvaluationSummary:
    """What the evaluation concluded: the ranked eligible bids and the bids excluded at compliance.

    `complete` is False while moderated scores are missing (a provisional ranking for the chair);
    after sign-off the summary is the stored one and `signed_off_at` is set.
    """

    evaluation_id: int
    opportunity_id: int
    state: str
    price_method: str
    max_score: int
    complete: bool
    ranked: list[RankedBid]
    excluded: list[ExcludedBid]
    tie_rule: str
    signed_off_at: datetime | None = None
    signed_off_by: str = ""
    digest: str = ""

    @property
    def winner(self) -> RankedBid | None:
        return self.ranked[0] if self.ranked else None

    def only(self, bid_ids) -> EvaluationSummary:
        """The same summary with only these bids (the ranks stay the panel's)."""
        bid_ids = set(bid_ids)
        return replace(
            self,
            ranked=[r for r in self.ranked if r.bid_id in bid_ids],
            excluded=[e for e in self.excluded if e.bid_id in bid_ids],
        )


def _json_default(value):
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, datetime):
        return value.isoformat()
    raise TypeError(type(value))


def summary_to_json(summary: EvaluationSummary) -> dict:
    data = asdict(summary)
    data.pop("digest")
    return json.loads(json.dumps(data, default=_json_default))


def summary_digest(data: dict) -> str:
    return hashlib.sha256(json.dumps(data, sort_keys=True, separators=(",", ":")).encode()).hexdigest()


def _decimal(value) -> Decimal | None:
    return None if value is None else Decimal(value)


def summary_from_json(data: dict, digest: str = "") -> EvaluationSummary:
    ranked = [
        RankedBid(
            **{
                **row,
                "submitted_at": parse_datetime(row["submitted_at"]) if row["submitted_at"] else None,
                "price": _decimal(row["price"]),
                "quality_points": Decimal(row["quality_points"]),
                "price_points": Decimal(row["price_points"]),
                "total": Decimal(row["total"]),
                "criteria": [CriterionResult(**{**c, "points": Decimal(c["points"])}) for c in row["criteria"]],
            }
        )
        for row in data["ranked"]
    ]
    return EvaluationSummary(
        **{
            **data,
            "ranked": ranked,
            "excluded": [ExcludedBid(**row) for row in data["excluded"]],
            "signed_off_at": parse_datetime(data["signed_off_at"]) if data.get("signed_off_at") else None,
            "digest": digest,
        }
    )


def compute_summary(evaluation: Evaluation) -> EvaluationSummary:
    """Weighted totals (Σ moderated score ÷ max × weight, plus the price points) and the ranking,
    from the records as they stand now."""
    criteria = criteria_for(evaluation)
    price_id = evaluation.price_criterion_id if evaluation.price_method == PriceMethod.LOWEST_PRICE else None
    bids = list(
        evaluated_bids(evaluation.opportunity)
        .select_related("organisation")
        .prefetch_related(Prefetch("partners", queryset=BidPartner.objects.order_by("id")))
    )
    failures = defaultdict(list)
    for result in ComplianceResult.objects.filter(evaluation=evaluation, passed=False).order_by("position", "id"):
        failures[result.bid_id].append(f"{result.check_name}: {result.reason}")
    moderated = {(m.bid_id, m.criterion_id): m for m in ModeratedScore.objects.filter(evaluation=evaluation)}
    prices = bid_prices(bids)
    eligible = [bid for bid in bids if bid.pk not in failures]
    entries = [
        scoring.Entry(
            key=bid.pk,
            scores={
                c.pk: moderated[(bid.pk, c.pk)].score if (bid.pk, c.pk) in moderated else None
                for c in criteria
                if c.pk != price_id
            },
            price=prices.get(bid.pk) or None,
            submitted_at=bid.submitted_at,
        )
        for bid in eligible
    ]
    scoring_criteria = [
        scoring.Criterion(key=c.pk, weight=c.weight, position=c.position, title=c.title, is_price=c.pk == price_id)
        for c in criteria
    ]
    by_pk = {bid.pk: bid for bid in bids}
    ranked = []
    for result in scoring.rank(entries, scoring_criteria, evaluation.max_score):
        bid = by_pk[result.key]
        rows = []
        for criterion in criteria:
            mod = moderated.get((bid.pk, criterion.pk))
            rows.append(
                CriterionResult(
                    criterion_id=criterion.pk,
                    title=criterion.title,
                    weight=criterion.weight,
                    is_price=criterion.pk == price_id,
                    score=None if criterion.pk == price_id or mod is None else mod.score,
                    points=scoring.points(result.criterion_points[criterion.pk]),
                    rationale="" if mod is None else mod.rationale,
                )
            )
        ranked.append(
            RankedBid(
                rank=result.rank,
                bid_id=bid.pk,
                organisation_id=bid.organisation_id,
                organisation=str(bid.organisation),
                partners=[partner.shown_name for partner in bid.partners.all()],
                submitted_at=bid.submitted_at,
                price=prices.get(bid.pk),
                quality_points=scoring.points(result.quality),
                price_points=scoring.points(result.price_points),
                total=scoring.points(result.total),
                criteria=rows,
                tie_break=result.tie_break,
            )
        )
    quality_ids = [c.pk for c in criteria if c.pk != price_id]
    return EvaluationSummary(
        evaluation_id=evaluation.pk,
        opportunity_id=evaluation.opportunity_id,
        state=evaluation.state,
        price_method=evaluation.price_method,
        max_score=evaluation.max_score,
        complete=all((bid.pk, c) in moderated for bid in eligible for c in quality_ids),
        ranked=ranked,
        excluded=[
            ExcludedBid(
                bid_id=bid.pk, organisation_id=bid.organisation_id, organisation=str(bid.organisation), reasons=reasons
            )
            for bid in bids
            if (reasons := failures.get(bid.pk))
        ],
        tie_rule=scoring.TIE_RULE,
    )


def evaluation_summary(opportunity: Opportunity) -> EvaluationSummary | None:
    """The ranked bids with their totals and moderated scores per criterion, and the bids excluded
    at compliance with the reasons. Once signed off, the stored and digested result (it cannot
    change); before that, a provisional one. None if the opportunity has no evaluation.

    Not scoped to a person: the award step and its letters use it. Pages use `summary_for`.
    """
    evaluation = Evaluation.objects.select_related("opportunity__council", "signed_off_by").filter(
        opportunity=opportunity
    )
    evaluation = evaluation.first()
    if evaluation is None:
        return None
    if evaluation.state == EvaluationState.SIGNED_OFF and evaluation.result:
        return summary_from_json(evaluation.result, evaluation.result_digest)
    return compute_summary(evaluation)


def summary_for(access: EvaluationAccess) -> EvaluationSummary | None:
    """The summary as this person may see it: a panellist never sees the bids they are walled off from."""
    summary = evaluation_summary(access.opportunity)
    if summary is None:
        return None
    if access.member is not None:
        visible = bids_for_panellist(
            access.user, access.opportunity, evaluation=access.evaluation, member=access.member
        ).values_list("pk", flat=True)
    else:
        visible = unsealed_bids(access.user, access.opportunity).values_list("pk", flat=True)
    return summary.only(visible)


def summary_visible(access: EvaluationAccess) -> bool:
    """The chair sees the provisional ranking during moderation; once signed off, the lead
    commissioner and the officers on the panel see it. Independent members never do."""
    evaluation = access.evaluation
    if evaluation is None or access.is_independent:
        return False
    if evaluation.state == EvaluationState.MODERATION:
        return access.is_chair
    if evaluation.state == EvaluationState.SIGNED_OFF:
        return access.is_lead or access.is_officer_member
    return False
