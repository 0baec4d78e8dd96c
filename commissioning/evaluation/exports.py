"""CSV downloads of an evaluation's scores for its panel, behind the same walls as its pages.

- **The spread** — for the chair, and for the lead commissioner, once moderation has begun (what the
  moderation page shows): per eligible bid and quality criterion, each current panellist's submitted
  score, the spread, whether it is flagged for discussion, and the moderated score so far.
- **Your own score sheets** — for every other panellist, and for the chair before moderation: each
  bid they may score, their score and justification per criterion they score, drafts included.

Bids are read only through `evaluation_selectors`: a panellist's through `bids_for_panellist`
(sealed-bid rule, panel, declarations), so a bid they declared a conflict with is never in the file;
the lead commissioner off the panel through `unsealed_bids` (the sealed-bid rule and the ethical
wall). Other panellists' scores appear only once submitted, and only from moderation on, when
scoring is no longer blind. Bids excluded at compliance are not scored, so they are not listed.
Each download is audited (who, which evaluation, which kind, how many bids), never with scores.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass, field

from django.db import transaction
from django.http import HttpResponse
from django.views.generic import View

from commissioning.evaluation import scoring, selectors
from commissioning.evaluation.views.base import EvaluationMixin
from commissioning.models import Bid, EvaluationState, ModeratedScore, PanelMember, Score, ScoreSheet
from councils.models import User
from councils.services import audit_record
from councils.tabular import safe_cell

SPREAD = "spread"
OWN = "own"
# From moderation on every panellist has submitted, so nobody's scores are blind any more.
SPREAD_STATES = (EvaluationState.MODERATION, EvaluationState.SIGNED_OFF)


@dataclass
class ScoresExport:
    kind: str
    filename: str
    header: list[str]
    rows: list[list] = field(default_factory=list)
    bids: int = 0


def _cell(value) -> str:
    """No spreadsheet formulas from text people typed (CSV injection)."""
    return safe_cell("" if value is None else str(value))


def export_kind(access: selectors.EvaluationAccess) -> str | None:
    """Which download this person gets now, or None (the lead commissioner off the panel, before moderation)."""
    evaluation = access.evaluation
    if evaluation is None or not access.takes_part:
        return None
    if (access.is_chair or access.is_lead) and evaluation.state in SPREAD_STATES:
        return SPREAD
    return OWN if access.member is not None else None


def _readable_bids(access: selectors.EvaluationAccess) -> list[Bid]:
    if access.member is not None:
        bids = selectors.bids_for_panellist(
            access.user, access.opportunity, evaluation=access.evaluation, member=access.member
        )
    else:
        bids = selectors.unsealed_bids(access.user, access.opportunity)
    failed = selectors.failed_bid_ids(access.evaluation)
    return [bid for bid in bids.select_related("organisation") if bid.pk not in failed]


def _spread(access: selectors.EvaluationAccess) -> ScoresExport:
    evaluation = access.evaluation
    bids = _readable_bids(access)
    criteria = selectors.quality_criteria(evaluation)
    members = list(
        PanelMember.objects.filter(evaluation=evaluation, ended_at__isnull=True)
        .select_related("user")
        .order_by("-is_chair", "is_independent", "appointed_at", "id")
    )
    submitted = Score.objects.filter(
        sheet__evaluation=evaluation,
        sheet__bid__in=bids,
        sheet__submitted_at__isnull=False,
        sheet__member__ended_at__isnull=True,
    ).values_list("sheet__member_id", "sheet__bid_id", "criterion_id", "score")
    scores = {(member_id, bid_id, criterion_id): score for member_id, bid_id, criterion_id, score in submitted}
    moderated_rows = ModeratedScore.objects.filter(evaluation=evaluation, bid__in=bids)
    moderated = {
        (bid_id, criterion_id): score
        for bid_id, criterion_id, score in moderated_rows.values_list("bid_id", "criterion_id", "score")
    }
    export = ScoresExport(
        kind=SPREAD,
        filename=f"evaluation-{access.opportunity.reference}-scores.csv",
        header=[
            "Bidder",
            "Criterion",
            "Weight (%)",
            *[f"{member.user} ({member.role_label.lower()})" for member in members],
            "Spread",
            "To discuss",
            "Moderated score",
        ],
        bids=len(bids),
    )
    for bid in bids:
        for criterion in criteria:
            given = [scores.get((member.pk, bid.pk, criterion.pk)) for member in members]
            values = [value for value in given if value is not None]
            export.rows.append(
                [
                    _cell(bid.organisation),
                    _cell(criterion.title),
                    criterion.weight,
                    *["" if value is None else value for value in given],
                    scoring.spread(values),
                    "Yes" if scoring.needs_discussion(values) else "No",
                    moderated.get((bid.pk, criterion.pk), ""),
                ]
            )
    return export


def _own(access: selectors.EvaluationAccess) -> ScoresExport:
    member = access.member
    bids = _readable_bids(access)
    criteria = selectors.member_criteria(access.evaluation, member)
    sheets = {
        sheet.bid_id: sheet
        for sheet in ScoreSheet.objects.filter(member=member, bid__in=bids).prefetch_related("scores")
    }
    export = ScoresExport(
        kind=OWN,
        filename=f"evaluation-{access.opportunity.reference}-my-scores.csv",
        header=["Bidder", "Criterion", "Weight (%)", "Your score", "Justification", "Status"],
        bids=len(bids),
    )
    for bid in bids:
        sheet = sheets.get(bid.pk)
        given = {score.criterion_id: score for score in sheet.scores.all()} if sheet else {}
        if sheet is None:
            status = "Not started"
        elif sheet.is_submitted:
            status = f"Submitted {sheet.submitted_at:%d/%m/%Y %H:%M}"
        else:
            status = "Draft"
        for criterion in criteria:
            score = given.get(criterion.pk)
            export.rows.append(
                [
                    _cell(bid.organisation),
                    _cell(criterion.title),
                    criterion.weight,
                    "" if score is None or score.score is None else score.score,
                    _cell(score.justification if score else ""),
                    status,
                ]
            )
    return export


@transaction.atomic
def scores_export(*, by: User, access: selectors.EvaluationAccess) -> ScoresExport | None:
    """The scores this person may download now (see the module docstring), or None; audited."""
    kind = export_kind(access)
    if kind is None:
        return None
    export = _spread(access) if kind == SPREAD else _own(access)
    audit_record(
        council=access.opportunity.council,
        actor=by,
        event_type="evaluation.scores_exported",
        obj=access.evaluation,
        extra={"kind": kind, "bids": export.bids},
    )
    return export


class ScoresExportView(EvaluationMixin, View):
    """The panel's scores as CSV: the spread for the chair and the lead commissioner, your own sheets
    for a panellist."""

    def allow(self, access):
        return access.is_lead or access.member is not None

    def get(self, request, *args, **kwargs):
        export = scores_export(by=request.user, access=self.access)
        if export is None:
            return self.refuse("The panel's scores can be downloaded once moderation has begun.")
        response = HttpResponse(content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="{export.filename}"'
        response["Cache-Control"] = "private, no-store"
        writer = csv.writer(response)
        writer.writerow([_cell(name) for name in export.header])
        writer.writerows(export.rows)
        return response
