"""Reads for the award: who may see it, the decision route, the forward plan and the assessment
summaries. What follows the decision (the notice, the standstill, where the award has got to and what
stops an awarded agreement being signed) is in `standstill_selectors`.

The evaluation summary attached to the recommendation is the signed-off one (`Evaluation.result`).
A person sees it through `award_access`: never for a bid they declared a conflict against on the
panel (its scores and assessment summary are hidden from them here as on the evaluation's own pages), and never
at all if they act for a bidder (the ethical wall).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet, Sum
from django.http import Http404
from django.utils import dateformat, timezone

from commissioning.evaluation.summary import EvaluationSummary, summary_from_json
from commissioning.models import (
    AssessmentSummary,
    AssessmentSummaryCorrection,
    Award,
    AwardItem,
    AwardState,
    Bid,
    BidState,
    CallIn,
    Commission,
    Declaration,
    Evaluation,
    EvaluationState,
    ForwardPlanEntry,
    Lot,
    Opportunity,
    State,
)
from commissioning.models.award import can_call_in, can_decide_award, is_award_officer
from commissioning.sourcing.selectors.bids import (
    bids_of_organisations,
    is_walled_off,
    member_organisation_ids,
    opportunity_for_council,
)
from councils.formatting import money
from councils.models import Council, Role, User
from councils.permissions import OFFICER, has_any_role, roles_in

ZERO = Decimal("0")
# The commission states in which an award can be decided: sourcing, or putting agreements in place
# again after a decision was withdrawn on call-in.
# Who reads awards across the council: officers and scrutiny members. Portfolio holders read the awards
# of their own portfolios (as they may decide them); council administrators never see bid scores.
AWARD_READERS = (*OFFICER, Role.SCRUTINY_MEMBER)


def day(value: date | None) -> str:
    """A date the British way, as the pages and assessment summaries show it: 24 November 2026."""
    return dateformat.format(value, "j F Y") if value else ""


# ---- The evaluation the award is built on ---------------------------------------------------------


def signed_off_evaluation(opportunity: Opportunity) -> Evaluation | None:
    evaluation = Evaluation.objects.filter(opportunity=opportunity).first()
    if evaluation is None or evaluation.state != EvaluationState.SIGNED_OFF or not evaluation.result:
        return None
    return evaluation


def signed_off_summary(opportunity: Opportunity, evaluation: Evaluation | None = None) -> EvaluationSummary | None:
    """The ranking as the chair signed it off (stored with its digest), or None before sign-off."""
    evaluation = evaluation or signed_off_evaluation(opportunity)
    if evaluation is None:
        return None
    return summary_from_json(evaluation.result, evaluation.result_digest)


def award_items(award: Award) -> list[AwardItem]:
    return list(award.items.select_related("bid__organisation", "lot").order_by("lot__number", "id"))


def items_total(items) -> Decimal:
    return sum((item.value or ZERO for item in items), ZERO)


def award_total(award: Award) -> Decimal:
    return award.items.aggregate(total=Sum("value"))["total"] or ZERO


def lots_of(opportunity: Opportunity) -> list[Lot]:
    return list(opportunity.lots.order_by("number"))


def bid_lot_ids(bids) -> dict[int, set[int]]:
    """The lots each bid covers, in one query."""
    covered: dict[int, set[int]] = {bid.pk: set() for bid in bids}
    for bid_id, lot_id in Bid.lots.through.objects.filter(bid_id__in=covered).values_list("bid_id", "lot_id"):
        covered[bid_id].add(lot_id)
    return covered


def bid_price(bid: Bid, lot: Lot | None) -> Decimal:
    """The bid's price for the lot (its price lines for it; a bid for one lot may price without naming
    it), or for the whole opportunity. Reads prefetched `price_lines` and `lots`."""
    lines = list(bid.price_lines.all())
    if lot is not None:
        own = [line for line in lines if line.lot_id == lot.pk]
        if not own and len(bid.lots.all()) == 1:
            own = [line for line in lines if line.lot_id is None]
        lines = own
    return sum((line.amount for line in lines), ZERO)


def lot_name(lot: Lot | None) -> str:
    return f"Lot {lot.number}: {lot.title}" if lot is not None else ""


def item_problems(opportunity: Opportunity, items, summary: EvaluationSummary | None) -> list[str]:
    """What is wrong with a set of award items (each with `bid`, `lot`, `value`), in words: the bids
    must be submitted, ranked and not excluded; each item's lot one the bid covers; every lot awarded;
    values not negative; and the total within the budget envelope."""
    problems = []
    items = list(items)
    if not items:
        return ["Choose at least one winning bid"]
    lots = lots_of(opportunity)
    ranked = {row.bid_id for row in summary.ranked} if summary else set()
    excluded = {row.bid_id for row in summary.excluded} if summary else set()
    covered = bid_lot_ids([item.bid for item in items])
    seen = set()
    for item in items:
        bid, lot = item.bid, item.lot
        who = f"{bid.organisation}'s bid"
        if bid.opportunity_id != opportunity.pk:
            problems.append(f"{who} is for another opportunity")
            continue
        if bid.state != BidState.SUBMITTED:
            problems.append(f"{who} is no longer submitted: it cannot be awarded")
        elif bid.pk in excluded:
            problems.append(f"{who} was excluded at the compliance checks: it cannot be awarded")
        elif bid.pk not in ranked:
            problems.append(f"{who} was not ranked by the evaluation: it cannot be awarded")
        if lots and lot is None:
            problems.append(f"Choose the lot {who} is awarded")
        elif not lots and lot is not None:
            problems.append("This opportunity has no lots: award the whole opportunity")
        elif lot is not None and lot.opportunity_id != opportunity.pk:
            problems.append(f"{lot_name(lot)} is not a lot of this opportunity")
        elif lot is not None and lot.pk not in covered.get(bid.pk, set()):
            problems.append(f"{who} does not cover {lot_name(lot)}")
        key = (bid.pk, getattr(lot, "pk", None))
        if key in seen:
            problems.append(f"{who} is awarded {lot_name(lot) or 'the opportunity'} twice")
        seen.add(key)
        if item.value is None:
            problems.append(f"Enter the value awarded to {who}")
        elif item.value < 0:
            problems.append(f"The value awarded to {who} cannot be negative")
    awarded_lots = {item.lot.pk for item in items if item.lot is not None}
    for lot in lots:
        if lot.pk not in awarded_lots:
            problems.append(f"Award {lot_name(lot)} to at least one bid")
    total = items_total(items)
    if total > opportunity.budget_envelope:
        problems.append(
            f"The awards add up to {money(total)}, more than the budget envelope of "
            f"{money(opportunity.budget_envelope)}"
        )
    return problems


# ---- Forward plan ---------------------------------------------------------------------------------


def current_forward_plan_entries(commission: Commission, opportunity: Opportunity | None = None):
    """Entries on the forward plan for this commission still to be decided (for this opportunity, or
    for the commission as a whole), earliest published first."""
    entries = ForwardPlanEntry.objects.filter(commission=commission, decided_on__isnull=True, withdrawn_on__isnull=True)
    if opportunity is not None:
        entries = entries.filter(Q(opportunity__isnull=True) | Q(opportunity=opportunity))
    return entries.order_by("published_on", "id")


def earliest_decision_on(entry: ForwardPlanEntry) -> date:
    """The first day the decision may be taken: `forward_plan_days` clear days after publication
    (neither the day it was published nor the day of the decision counts)."""
    return entry.published_on + timedelta(days=entry.council.forward_plan_days + 1)


def forward_plan_entry_for(award: Award) -> ForwardPlanEntry | None:
    return current_forward_plan_entries(award.commission, award.opportunity).select_related("council").first()


def forward_plan_problem(award: Award, decided_on: date) -> str:
    """Why a key decision taken on `decided_on` would not have been on the forward plan long enough
    ("" when it would)."""
    entry = forward_plan_entry_for(award)
    days = award.council.forward_plan_days
    if entry is None:
        return (
            f"Publish this key decision on the forward plan: it must be there at least {days} clear days "
            "before it is taken"
        )
    earliest = earliest_decision_on(entry)
    if decided_on < earliest:
        return (
            f"The forward plan entry {entry.reference} was published on {day(entry.published_on)}: with "
            f"{days} clear days' notice the decision can be taken from {day(earliest)}"
        )
    return ""


def _entries(council: Council | None) -> QuerySet[ForwardPlanEntry]:
    entries = ForwardPlanEntry.objects.select_related("council", "commission", "portfolio__holder", "opportunity")
    return entries if council is None else entries.filter(council=council)


def forward_plan(council: Council | None = None) -> QuerySet[ForwardPlanEntry]:
    """The forward plan: key decisions a council has said it will take and has not yet taken or
    withdrawn (every council's when `council` is None), soonest first."""
    return _entries(council).filter(decided_on__isnull=True, withdrawn_on__isnull=True).order_by("expected_on", "id")


def forward_plan_past(council: Council) -> QuerySet[ForwardPlanEntry]:
    """The council's forward plan entries that have been decided or withdrawn, latest first."""
    return (
        _entries(council)
        .filter(Q(decided_on__isnull=False) | Q(withdrawn_on__isnull=False))
        .order_by("-published_on", "-id")
    )


def forward_plan_entry(council: Council, pk: int) -> ForwardPlanEntry:
    entry = _entries(council).filter(pk=pk).first()
    if entry is None:
        raise Http404
    return entry


def key_decision_commissions(council: Council) -> QuerySet[Commission]:
    """Commissions a key decision may still be planned for: every open commission of the council."""
    return (
        Commission.objects.filter(council=council)
        .exclude(state__in=[State.DECOMMISSIONED, State.CANCELLED])
        .order_by("reference")
    )


# ---- Key decisions ----------------------------------------------------------------------------------


def _is_key_value(council: Council, total: Decimal) -> bool:
    return total >= council.key_decision_threshold


def is_key_decision(award: Award, total: Decimal | None = None) -> bool:
    """Fixed when the recommendation is sent; before that, what the items' total would make it."""
    if award.state != AwardState.DRAFT:
        return award.is_key_decision
    return _is_key_value(award.council, award_total(award) if total is None else total)


# ---- The route, the status and the signing gate, in words -------------------------------------------


@dataclass
class DecisionRoute:
    key_decision: bool
    total: Decimal
    threshold: Decimal
    decision_maker: str
    why: str
    forward_plan_entry: ForwardPlanEntry | None = None
    decision_from: date | None = None
    notes: list[str] = field(default_factory=list)


def decision_route(award: Award) -> DecisionRoute:
    """Who decides this award and why: the council's key-decision threshold against the total."""
    council = award.council
    total = award.value_at_submission if award.state != AwardState.DRAFT else None
    total = award_total(award) if total is None else total
    threshold = award.threshold_at_submission if award.state != AwardState.DRAFT else None
    threshold = council.key_decision_threshold if threshold is None else threshold
    key = is_key_decision(award, total)
    notes = []
    if key:
        portfolio = award.commission.portfolio
        if portfolio is not None and portfolio.holder_id is not None:
            maker = f"{portfolio.holder}, portfolio holder for {portfolio.name} (or cabinet)"
        else:
            maker = "A portfolio holder or cabinet"
        why = (
            f"The award totals {money(total)}, at or above the key-decision threshold of {money(threshold)}: "
            "it is a key decision for cabinet or the portfolio holder."
        )
        entry = forward_plan_entry_for(award)
        notes.append(
            f"It must be on the forward plan at least {council.forward_plan_days} clear days before it is taken; "
            f"after the decision scrutiny may call it in for {council.call_in_working_days} working days."
        )
        decision_from = earliest_decision_on(entry) if entry else None
    else:
        maker = "The lead commissioner (delegated officer decision)"
        why = (
            f"The award totals {money(total)}, below the key-decision threshold of {money(threshold)}: "
            "it is a delegated officer decision."
        )
        entry, decision_from = None, None
    return DecisionRoute(
        key_decision=key,
        total=total,
        threshold=threshold,
        decision_maker=maker,
        why=why,
        forward_plan_entry=entry,
        decision_from=decision_from,
        notes=notes,
    )


def open_call_in(award: Award) -> CallIn | None:
    return CallIn.objects.filter(award=award, resolution="").select_related("called_in_by").first()


# ---- Who is looking ---------------------------------------------------------------------------------


def may_read_award(user: User, opportunity: Opportunity) -> bool:
    """Officers and scrutiny members of the council, and the portfolio holder who would decide it —
    never anyone who acts for a bidder."""
    council = opportunity.council
    if not user.is_authenticated or is_walled_off(user, opportunity):
        return False
    if has_any_role(user, council, AWARD_READERS):
        return True
    if has_any_role(user, council, (Role.PORTFOLIO_HOLDER,)):
        portfolio = opportunity.commission.portfolio
        return portfolio is None or portfolio.holder_id in (None, user.pk)
    return False


def conflicted_bid_ids(user: User, opportunity: Opportunity) -> set[int]:
    """The bids this person declared a conflict of interest against on the panel (now or before)."""
    if not user.is_authenticated:
        return set()
    return set(
        Declaration.objects.filter(
            member__user=user, evaluation__opportunity=opportunity, has_conflict=True
        ).values_list("bid_id", flat=True)
    )


@dataclass
class AwardAccess:
    """One person's view of one opportunity's award, worked out once per request."""

    user: User
    opportunity: Opportunity
    award: Award | None
    may_read: bool
    is_officer: bool
    has_council_role: bool
    hidden_bids: set[int]

    @property
    def may_decide(self) -> bool:
        return self.award is not None and can_decide_award(self.award, self.user)

    @property
    def may_call_in(self) -> bool:
        return self.award is not None and can_call_in(self.award, self.user)

    def deny(self):
        """Council people are told no (403); anyone else must not learn that the award exists."""

        if self.has_council_role:
            raise PermissionDenied
        raise Http404


def award_of(opportunity: Opportunity) -> Award | None:
    return (
        Award.objects.select_related(
            "opportunity__council", "commission__council", "commission__portfolio__holder", "decided_by", "submitted_by"
        )
        .filter(opportunity=opportunity)
        .first()
    )


def award_access(user: User, council: Council, opportunity_pk: int) -> AwardAccess:
    """The opportunity (404 unless it is this council's) and the visitor's part in its award."""
    opportunity = opportunity_for_council(council, opportunity_pk, "commission__portfolio", "commission__council")
    may_read = may_read_award(user, opportunity)
    award = award_of(opportunity)
    if award is not None:
        award.opportunity = opportunity  # one object for both, so the pages see the same state
    return AwardAccess(
        user=user,
        opportunity=opportunity,
        award=award,
        may_read=may_read,
        is_officer=may_read and is_award_officer(opportunity, user),
        has_council_role=bool(roles_in(user, council)),
        hidden_bids=conflicted_bid_ids(user, opportunity) if may_read else set(),
    )


def summary_for(access: AwardAccess) -> EvaluationSummary | None:
    """The signed-off summary as this person may see it: without the bids they are conflicted with."""
    summary = signed_off_summary(access.opportunity)
    if summary is None:
        return None
    shown = {row.bid_id for row in summary.ranked} | {row.bid_id for row in summary.excluded}
    return summary.only(shown - access.hidden_bids)


def summaries_for(access: AwardAccess) -> list[AssessmentSummary]:
    """The award's assessment summaries (drafts and sent) this person may read: not those of the bids
    they declared a conflict against."""
    if access.award is None:
        return []
    return [
        summary
        for summary in AssessmentSummary.objects.filter(award=access.award).select_related(
            "bid__organisation", "prepared_by"
        )
        if summary.bid_id not in access.hidden_bids
    ]


def assessment_summary_for(access: AwardAccess, pk: int) -> AssessmentSummary:
    for summary in summaries_for(access):
        if summary.pk == pk:
            return summary
    raise Http404


def corrections_of(summary: AssessmentSummary) -> list[AssessmentSummaryCorrection]:
    return list(summary.corrections.select_related("corrected_by").order_by("-corrected_at", "-id"))


def summary_for_provider(user: User, reference: str, pk: int) -> AssessmentSummary:
    """A provider's own assessment summary, once sent: only the organisations they act for, only for this
    opportunity. Drafts, and every other bidder's summary, are not there (404)."""
    summary = (
        AssessmentSummary.objects.select_related("bid__organisation", "bid__opportunity", "award")
        .filter(
            pk=pk,
            sent_at__isnull=False,
            bid__opportunity__reference=reference,
            bid__organisation_id__in=member_organisation_ids(user),
        )
        .first()
    )
    if summary is None:
        raise Http404
    return summary


def awards_for_user(user: User, council: Council) -> dict[str, list[Award]]:
    """The council's awards this person may see, in fixed queries: every award for officers and
    scrutiny members, those of their portfolios for a portfolio holder, none where they act for a
    bidder; split into those waiting for this person (to decide, or to call in) and the rest."""
    awards = Award.objects.filter(commission__council=council)
    if not has_any_role(user, council, AWARD_READERS):
        if not has_any_role(user, council, (Role.PORTFOLIO_HOLDER,)):
            return {"waiting": [], "others": []}
        awards = awards.filter(
            Q(commission__portfolio__isnull=True)
            | Q(commission__portfolio__holder__isnull=True)
            | Q(commission__portfolio__holder=user)
        )
    organisations = member_organisation_ids(user)
    if organisations:
        bid_for = bids_of_organisations(organisations).values("opportunity_id")
        awards = awards.exclude(opportunity_id__in=bid_for)
    awards = list(
        awards.select_related("opportunity__council", "commission__council", "commission__portfolio", "decided_by")
        .annotate(total=Sum("items__value"))
        .order_by("-updated_at", "-id")
    )
    today = timezone.localdate()
    waiting, others = [], []
    for award in awards:
        mine = (award.state == AwardState.AWAITING_DECISION and can_decide_award(award, user)) or (
            award.in_call_in_period(today) and can_call_in(award, user)
        )
        (waiting if mine else others).append(award)
    return {"waiting": waiting, "others": others}
