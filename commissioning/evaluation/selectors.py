"""Reads for evaluation, behind three walls, always in this order:

1. the sealed-bid rule (`bid_selectors.bids_visible_to`): only the submitted bids of an opportunity
   whose bids have been opened, and never for someone who acts for a bidder;
2. panel membership: only the evaluation's current panellists read bids here;
3. declarations: a panellist sees nothing until they have declared against every bid, and never
   the bids they have declared a conflict with.

Every page, download, score, moderation row and export reads bids through `bids_for_panellist`.
An independent member also sees only the questions assigned to them.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from functools import cached_property

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied
from django.db.models import Prefetch, QuerySet, Sum, prefetch_related_objects
from django.http import Http404

from commissioning.evaluation import scoring
from commissioning.models import (
    BIDS_READABLE_STATES,
    Bid,
    BidAnswer,
    BidPartner,
    BidState,
    ComplianceResult,
    Declaration,
    Evaluation,
    EvaluationCriterion,
    ModeratedScore,
    Opportunity,
    OpportunityState,
    PanelMember,
    PriceMethod,
    Score,
    ScoreSheet,
)
from commissioning.sourcing.selectors.bids import (
    SealedRule,
    behind_declarations,
    bids_under,
    in_council,
    is_bid_reader,
    is_walled_off,
    opportunity_for_council,
    sealed_rule,
)
from councils.compiled import Statement
from councils.models import AuditEvent, Council, Role, User
from councils.permissions import OFFICER, has_any_role, roles_in

# ---- Who is looking -----------------------------------------------------------------------------


@dataclass
class EvaluationAccess:
    """One person's part in one opportunity's evaluation, worked out once per request."""

    user: User
    opportunity: Opportunity
    evaluation: Evaluation | None
    member: PanelMember | None
    is_lead: bool
    has_council_role: bool

    @property
    def member_id(self) -> int | None:
        return None if self.member is None else self.member.pk

    @property
    def is_chair(self) -> bool:
        return self.member is not None and self.member.is_chair

    @property
    def is_officer_member(self) -> bool:
        return self.member is not None and not self.member.is_independent

    @property
    def is_independent(self) -> bool:
        return self.member is not None and self.member.is_independent

    @property
    def takes_part(self) -> bool:
        return self.is_lead or self.member is not None

    @cached_property
    def unsealed(self) -> UnsealedRule:
        """Wall 1's road for this person (`unsealed_rule`), worked out once however many bids the
        request reads (a score sheet reads its bid behind the walls, then its contents)."""
        return unsealed_rule(self.user, self.opportunity)

    def deny(self):
        """Council people are told no (403); anyone else must not learn that the evaluation exists."""
        if self.has_council_role:
            raise PermissionDenied
        raise Http404


def current_member(user: User, evaluation: Evaluation | None) -> PanelMember | None:
    if evaluation is None or not user.is_authenticated:
        return None
    # No prefetch of the member's questions: this runs before every evaluation page, even one served
    # from the page cache, and only an independent member's rendering reads them. The person is the
    # one in hand, not joined again.
    member = PanelMember.objects.filter(evaluation=evaluation, user=user, ended_at__isnull=True).first()
    if member is not None:
        member.user = user
    return member


def evaluation_access(user: User, council: Council, opportunity_pk: int) -> EvaluationAccess:
    """The opportunity (404 if not this council's) with the user's part in its evaluation."""
    member = _member_with_opportunity(user, council, opportunity_pk)
    if member is not None:
        evaluation = member.evaluation
        opportunity = in_council(evaluation.opportunity, council)
    else:
        opportunity = opportunity_for_council(council, opportunity_pk, "evaluation__price_criterion")
        # The reverse one-to-one, read in the same query; None when no evaluation is set up yet.
        evaluation = getattr(opportunity, "evaluation", None)
    return EvaluationAccess(
        user=user,
        opportunity=opportunity,
        evaluation=evaluation,
        member=member,
        is_lead=has_any_role(user, council, (Role.LEAD_COMMISSIONER,)),
        has_council_role=bool(roles_in(user, council)),
    )


def _panel_place(*, user_id: int, opportunity_id: int, council_id: int) -> QuerySet[PanelMember]:
    return (
        PanelMember.objects.filter(
            user=user_id,
            ended_at__isnull=True,
            evaluation__opportunity_id=opportunity_id,
            evaluation__opportunity__council=council_id,
        )
        .select_related("evaluation__opportunity__commission", "evaluation__price_criterion")
        # At most one current membership (the `one_current_membership` constraint): no ordering to build.
        .order_by()[:1]
    )


# Every look at a panellist's page starts here, from the page cache or not: built once, run many times.
_PANEL_PLACE = Statement(_panel_place, name="place on the panel")


def _member_with_opportunity(user: User, council: Council, opportunity_pk: int) -> PanelMember | None:
    """The person's current place on the panel of this council's opportunity, with the evaluation and
    the opportunity (and its commission) in the same query: a panellist's every evaluation page starts
    here. None for anyone not on the panel, whose pages read the opportunity on its own."""
    if not user.is_authenticated:
        return None
    member = _PANEL_PLACE.one(user_id=user.pk, opportunity_id=opportunity_pk, council_id=council.pk)
    if member is not None:
        member.user = user
    return member


def evaluations_for_user(user: User, council: Council) -> dict:
    """The evaluations this person has a part in: every live opportunity's for the lead commissioner
    (with those still to set up), their own panels' for everyone else."""
    memberships = list(
        PanelMember.objects.filter(user=user, ended_at__isnull=True, evaluation__opportunity__council=council)
        .select_related("evaluation__opportunity")
        .order_by("evaluation__opportunity__submission_deadline")
    )
    result = {"memberships": memberships, "opportunities": []}
    if has_any_role(user, council, (Role.LEAD_COMMISSIONER,)):
        result["opportunities"] = list(
            Opportunity.objects.filter(
                council=council,
                state__in=[OpportunityState.PUBLISHED, OpportunityState.CLOSED, *BIDS_READABLE_STATES],
            )
            .select_related("evaluation")
            .order_by("submission_deadline", "id")
        )
    return result


def may_list_evaluations(user: User, council: Council) -> bool:
    return (
        has_any_role(user, council, OFFICER)
        or PanelMember.objects.filter(
            user=user, ended_at__isnull=True, evaluation__opportunity__council=council
        ).exists()
    )


# ---- The three walls ----------------------------------------------------------------------------


def evaluated_bids(opportunity: Opportunity) -> QuerySet[Bid]:
    """Every bid the evaluation covers: the submitted bids, once the opportunity's bids are opened.
    Not scoped to anyone: for gates, the summary and the award, never for showing to a person."""
    if opportunity.state not in BIDS_READABLE_STATES:
        return Bid.objects.none()
    return Bid.objects.filter(opportunity=opportunity, state=BidState.SUBMITTED).order_by("submitted_at", "id")


@dataclass(frozen=True)
class UnsealedRule:
    """Which road wall 1 takes for one person and opportunity: `reader` (a council officer: the
    sealed-bid rule, `sealed`), `open` (an independent member, once the bids are opened: every
    submitted bid) or `nothing`."""

    road: str
    sealed: SealedRule | None = None


def unsealed_rule(user: User, opportunity: Opportunity) -> UnsealedRule:
    if not user.is_authenticated or is_walled_off(user, opportunity):
        return UnsealedRule("nothing")
    if is_bid_reader(user, opportunity.council):
        return UnsealedRule("reader", sealed_rule(user, opportunity, walled_off=False))
    if opportunity.state in BIDS_READABLE_STATES:
        return UnsealedRule("open")
    return UnsealedRule("nothing")


def _unsealed(rule: UnsealedRule, opportunity_id: int) -> QuerySet[Bid]:
    if rule.road == "reader":
        bids = bids_under(rule.sealed, opportunity_id)
    elif rule.road == "open":
        bids = Bid.objects.filter(opportunity=opportunity_id)
    else:
        return Bid.objects.none()
    return bids.filter(state=BidState.SUBMITTED).order_by("submitted_at", "id")


def unsealed_bids(user: User, opportunity: Opportunity) -> QuerySet[Bid]:
    """Wall 1, the sealed-bid rule. Officers go through `bids_visible_to`'s rule; an independent
    member, who holds no council role, gets exactly the same rule: opened, submitted, not a bidder's."""
    return _unsealed(unsealed_rule(user, opportunity), opportunity.pk)


def bids_for_panellist(
    user: User, opportunity: Opportunity, *, evaluation: Evaluation | None = None, member: PanelMember | None = None
) -> QuerySet[Bid]:
    """The bids this person may read as a panellist: sealed rule, then panel, then declarations."""
    bids = unsealed_bids(user, opportunity)
    if evaluation is None:
        evaluation = Evaluation.objects.filter(opportunity=opportunity).first()
    if member is None:
        member = current_member(user, evaluation)
    if member is None or member.evaluation_id != getattr(evaluation, "pk", None):
        return Bid.objects.none()
    return behind_declarations(user, opportunity, bids, member)


def can_read_bid(user: User, bid: Bid) -> bool:
    """The conflict-of-interest wall for one bid (see `bids_for_panellist`)."""
    return bids_for_panellist(user, bid.opportunity).filter(pk=bid.pk).exists()


def failed_bid_ids(evaluation: Evaluation) -> set[int]:
    return set(ComplianceResult.objects.filter(evaluation=evaluation, passed=False).values_list("bid_id", flat=True))


def can_score_bid(user: User, bid: Bid) -> bool:
    """The user may read the bid as a panellist and the bid has not failed its compliance checks."""
    evaluation = Evaluation.objects.filter(opportunity_id=bid.opportunity_id).first()
    if evaluation is None or not can_read_bid(user, bid):
        return False
    return bid.pk not in failed_bid_ids(evaluation)


def _contents(questions) -> list:
    answers = BidAnswer.objects.filter(question__in=questions).select_related("question__criterion")
    return [
        Prefetch("answers", queryset=answers.order_by("question__position", "question_id")),
        Prefetch("partners", queryset=BidPartner.objects.select_related("organisation")),
        "price_lines__lot",
        "proposed_outcomes",
        "documents",
    ]


def visible_questions(evaluation: Evaluation, member: PanelMember):
    """Officers see every question; an independent member only the questions assigned to them."""
    if member.is_independent:
        return member.questions.all().select_related("criterion").order_by("position", "id")
    return evaluation.opportunity.questions.all().select_related("criterion").order_by("position", "id")


def _panellists_bid(
    *, user_id: int, opportunity_id: int, member_id: int, bid_id: int, rule: UnsealedRule
) -> QuerySet[Bid]:
    """One bid behind the three walls, for a current panellist: `bids_for_panellist` by keys."""
    bids = behind_declarations(user_id, opportunity_id, _unsealed(rule, opportunity_id), member_id)
    return bids.filter(pk=bid_id)


def _panellists_bid_for(access: EvaluationAccess, pk: int) -> dict:
    if access.evaluation is None or access.member is None or access.member.evaluation_id != access.evaluation.pk:
        raise Http404
    return {
        "user_id": access.user.pk,
        "opportunity_id": access.opportunity.pk,
        "member_id": access.member.pk,
        "bid_id": pk,
        "rule": access.unsealed,
    }


# The walls a score sheet checks on every look, from the page cache or not: built once per rule.
_BID_BEHIND_WALLS = Statement(
    lambda rule, **keys: _panellists_bid(rule=rule, **keys).select_related("organisation"), name="bid behind the walls"
)


def bid_behind_walls(access: EvaluationAccess, pk: int) -> Bid:
    """One bid behind the three walls (its organisation, not its contents); else 404. For a page that
    may be served from the page cache, where only the walls need checking."""
    keys = _panellists_bid_for(access, pk)
    bid = _BID_BEHIND_WALLS.one(shape={"rule": keys.pop("rule")}, **keys)
    if bid is None:
        raise Http404
    # Its opportunity is the one already read for the walls: the reading record names it without asking again.
    bid.opportunity = access.opportunity
    return bid


def bid_for_panellist(access: EvaluationAccess, pk: int) -> Bid:
    """One bid behind the three walls, with only the sections this panellist may see; else 404."""
    return with_contents(access, bid_behind_walls(access, pk))


def with_contents(access: EvaluationAccess, bid: Bid) -> Bid:
    """`bid`, read behind the walls (`bid_behind_walls`), with the sections this panellist may see.
    The walls are not asked again: a page that checked them before deciding to render reads the
    contents onto the bid it already has."""
    prefetch_related_objects([bid], *_contents(visible_questions(access.evaluation, access.member)))
    return bid


def declarable_bids(access: EvaluationAccess) -> list[Bid]:
    """The bids a panellist declares against: who bid and with which partners (never contents)."""
    if access.member is None:
        return []
    return list(
        unsealed_bids(access.user, access.opportunity)
        .select_related("organisation")
        .prefetch_related(Prefetch("partners", queryset=BidPartner.objects.select_related("organisation")))
    )


def bidders(bid: Bid) -> str:
    """The bidding organisation and its partners, as declared against."""
    names = [str(bid.organisation)] + [partner.shown_name for partner in bid.partners.all()]
    return "; ".join(names)


# ---- Criteria and prices ------------------------------------------------------------------------


def criteria_for(evaluation: Evaluation) -> list[EvaluationCriterion]:
    opportunity = evaluation.opportunity
    return list(
        EvaluationCriterion.objects.filter(commission_id=opportunity.commission_id, cycle=opportunity.cycle).order_by(
            "position", "id"
        )
    )


def quality_criteria(evaluation: Evaluation) -> list[EvaluationCriterion]:
    """The criteria panellists score: all of them but the price criterion, when price is scored."""
    price_id = evaluation.price_criterion_id if evaluation.price_method == PriceMethod.LOWEST_PRICE else None
    return [c for c in criteria_for(evaluation) if c.pk != price_id]


def member_criteria(evaluation: Evaluation, member: PanelMember) -> list[EvaluationCriterion]:
    """What a panellist scores: every quality criterion, or for an independent member the criteria
    of the questions assigned to them."""
    criteria = quality_criteria(evaluation)
    if not member.is_independent:
        return criteria
    assigned = {q.criterion_id for q in member.questions.all()}
    return [c for c in criteria if c.pk in assigned]


def bid_prices(bids) -> dict[int, Decimal]:
    """Each bid's total price: the sum of its price lines (every lot, every year)."""
    totals = Bid.objects.filter(pk__in=[b.pk for b in bids]).annotate(total=Sum("price_lines__amount"))
    return {bid.pk: bid.total or Decimal("0") for bid in totals}


def eligible_bids(evaluation: Evaluation) -> list[Bid]:
    failed = failed_bid_ids(evaluation)
    bids = evaluated_bids(evaluation.opportunity).select_related("organisation")
    return [bid for bid in bids if bid.pk not in failed]


def current_members(evaluation: Evaluation) -> list[PanelMember]:
    return list(evaluation.members.filter(ended_at__isnull=True).select_related("user").prefetch_related("questions"))


# ---- Panel, declarations and progress, for the evaluation page ----------------------------------


def panel(evaluation: Evaluation) -> list[PanelMember]:
    """Everyone ever on the panel (current first), each with their declarations."""
    declarations = Declaration.objects.select_related("bid__organisation").order_by("bid__submitted_at", "bid_id")
    return list(
        evaluation.members.select_related("user", "appointed_by", "ended_by", "replaced_by__user")
        .prefetch_related("questions", Prefetch("declarations", queryset=declarations))
        .order_by("ended_at", "-is_chair", "is_independent", "appointed_at", "id")
    )


def progress(evaluation: Evaluation, bids) -> dict[int, dict]:
    """For each bid: compliance results recorded and failed, and score sheets submitted (no scores)."""
    ids = [b.pk for b in bids]
    result = {pk: {"checks": 0, "failed": False, "sheets": 0, "moderated": 0} for pk in ids}
    for bid_id, passed in ComplianceResult.objects.filter(evaluation=evaluation, bid_id__in=ids).values_list(
        "bid_id", "passed"
    ):
        result[bid_id]["checks"] += 1
        result[bid_id]["failed"] |= not passed
    for bid_id in ScoreSheet.objects.filter(
        evaluation=evaluation, bid_id__in=ids, submitted_at__isnull=False, member__ended_at__isnull=True
    ).values_list("bid_id", flat=True):
        result[bid_id]["sheets"] += 1
    for bid_id in ModeratedScore.objects.filter(evaluation=evaluation, bid_id__in=ids).values_list("bid_id", flat=True):
        result[bid_id]["moderated"] += 1
    return result


def my_sheets(member: PanelMember) -> dict[int, ScoreSheet]:
    return {sheet.bid_id: sheet for sheet in ScoreSheet.objects.filter(member=member)}


def compliance_results(evaluation: Evaluation, bid: Bid) -> dict[str, ComplianceResult]:
    rows = ComplianceResult.objects.filter(evaluation=evaluation, bid=bid).select_related("recorded_by")
    return {row.check_name: row for row in rows}


# ---- Scores: blind until your own are in --------------------------------------------------------


def sheet_for(member: PanelMember, bid: Bid) -> ScoreSheet | None:
    return ScoreSheet.objects.filter(member=member, bid=bid).prefetch_related("scores").first()


def others_scores(access: EvaluationAccess, bid: Bid) -> list[ScoreSheet]:
    """Other current panellists' submitted scores for this bid, only once this panellist has
    submitted their own (blind scoring), and only on the criteria this panellist scores."""
    own = sheet_for(access.member, bid) if access.member else None
    if own is None or not own.is_submitted:
        return []
    criteria = [c.pk for c in member_criteria(access.evaluation, access.member)]
    return list(
        ScoreSheet.objects.filter(
            evaluation=access.evaluation, bid=bid, submitted_at__isnull=False, member__ended_at__isnull=True
        )
        .exclude(pk=own.pk)
        .select_related("member__user")
        .prefetch_related(
            Prefetch("scores", queryset=Score.objects.filter(criterion_id__in=criteria).select_related("criterion"))
        )
    )


@dataclass
class SpreadCell:
    criterion: EvaluationCriterion
    scores: list[tuple[PanelMember, int | None]]
    spread: int
    flagged: bool
    moderated: ModeratedScore | None


@dataclass
class SpreadRow:
    bid: Bid
    cells: list[SpreadCell] = field(default_factory=list)

    @property
    def flagged(self) -> int:
        return sum(1 for cell in self.cells if cell.flagged)


def spread_table(access: EvaluationAccess, bid: Bid | None = None) -> list[SpreadRow]:
    """For the chair: each eligible bid they may read, each quality criterion, every current
    panellist's submitted score, the spread, a flag where scores differ by 2 or more, and the
    moderated score so far."""
    evaluation = access.evaluation
    bids = bids_for_panellist(access.user, access.opportunity, evaluation=evaluation, member=access.member)
    failed = failed_bid_ids(evaluation)
    bids = [b for b in bids.select_related("organisation") if b.pk not in failed and (bid is None or b.pk == bid.pk)]
    criteria = quality_criteria(evaluation)
    members = current_members(evaluation)
    sheets = ScoreSheet.objects.filter(
        evaluation=evaluation, bid__in=bids, submitted_at__isnull=False, member__ended_at__isnull=True
    )
    scores = {
        (s.sheet.member_id, s.sheet.bid_id, s.criterion_id): s.score
        for s in Score.objects.filter(sheet__in=sheets).select_related("sheet")
    }
    moderated = {
        (m.bid_id, m.criterion_id): m for m in ModeratedScore.objects.filter(evaluation=evaluation, bid__in=bids)
    }
    rows = []
    for row_bid in bids:
        row = SpreadRow(bid=row_bid)
        for criterion in criteria:
            given = [(m, scores.get((m.pk, row_bid.pk, criterion.pk))) for m in members]
            given = [(m, s) for m, s in given if (m.pk, row_bid.pk, criterion.pk) in scores]
            values = [s for _m, s in given if s is not None]
            row.cells.append(
                SpreadCell(
                    criterion=criterion,
                    scores=given,
                    spread=scoring.spread(values),
                    flagged=scoring.needs_discussion(values),
                    moderated=moderated.get((row_bid.pk, criterion.pk)),
                )
            )
        rows.append(row)
    return rows


def justifications(evaluation: Evaluation, bid: Bid) -> dict[int, list[Score]]:
    """For the chair moderating one bid: every current panellist's submitted scores by criterion."""
    result = defaultdict(list)
    for score in (
        Score.objects.filter(
            sheet__evaluation=evaluation,
            sheet__bid=bid,
            sheet__submitted_at__isnull=False,
            sheet__member__ended_at__isnull=True,
        )
        .select_related("sheet__member__user")
        .order_by("sheet__member__appointed_at", "sheet__member_id")
    ):
        result[score.criterion_id].append(score)
    return result


def evaluation_audit_trail(evaluation: Evaluation):

    return AuditEvent.objects.filter(
        content_type=ContentType.objects.get_for_model(Evaluation), object_id=str(evaluation.pk)
    ).select_related("actor")
