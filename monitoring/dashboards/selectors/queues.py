"""The parts of an officer's work queue that follow a procurement from its deadline to its letters:
bids ready to open, evaluation panels to set up and to take part in, and assessment summaries to send.

Each list is one query (`first_rows`), scoped to the commissions the person may read and behind the
ethical wall (nobody acting for a bidder is offered an opportunity's officer pages). A row links to
the page where the work is done only when the person may do it there; otherwise it says whose turn
it is (a second opening officer, the panel, the chair).
"""

from __future__ import annotations

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import timezone

from commissioning.evaluation import queues as panel_queues
from commissioning.models import Award, AwardState, Commission, Opportunity, OpportunityState
from councils.models import Council, Role, User
from councils.permissions import COMMISSIONERS, OPENING_OFFICERS
from monitoring.dashboards.selectors.rows import Rows, first_rows
from providers.models import OrganisationMember


def acting_for_a_bidder(user: User, opportunity: str = "pk") -> Exists:
    """The ethical wall, for a query of opportunities (or of rows whose `opportunity` names one): the
    person acts for an organisation that bid for it, or is a confirmed partner in a bid for it."""
    return Exists(
        OrganisationMember.objects.filter(user=user).filter(
            Q(organisation__bids__opportunity=OuterRef(opportunity))
            | Q(
                organisation__partnered_bids__bid__opportunity=OuterRef(opportunity),
                organisation__partnered_bids__confirmed_at__isnull=False,
            )
        )
    )


def _opportunities(user: User, council: Council, commissions: QuerySet[Commission]) -> QuerySet[Opportunity]:
    return (
        Opportunity.objects.filter(council=council, commission__in=commissions)
        .exclude(acting_for_a_bidder(user))
        .select_related("council")
    )


def opportunities_to_progress(
    user: User, council: Council, commissions: QuerySet[Commission], roles: set
) -> tuple[Rows, Rows]:
    """Two lists from one query: opportunities past their deadline whose bids are still sealed (an
    opening officer's), and opportunities whose bids are opened but whose evaluation is not set up
    (the lead commissioner's). A sealed opportunity the person has already confirmed is waiting for a
    different officer (no link: they cannot confirm twice)."""
    opens, sets_up = bool(roles & set(OPENING_OFFICERS)), Role.LEAD_COMMISSIONER in roles
    to_open = (
        Q(state=OpportunityState.CLOSED)
        # Past the deadline but not yet closed by the scheduler: the opening page closes it first.
        | Q(state=OpportunityState.PUBLISHED, submission_deadline__lte=timezone.now())
    )
    to_set_up = Q(state=OpportunityState.OPENED, evaluation__isnull=True)
    if not (opens or sets_up):
        return Rows(), Rows()
    wanted = to_open | to_set_up if opens and sets_up else (to_open if opens else to_set_up)
    rows = first_rows(
        _opportunities(user, council, commissions)
        .filter(wanted)
        .select_related("opening__first_officer")
        .order_by("submission_deadline", "id"),
        to_open=to_open,
        to_set_up=to_set_up,
    )
    sealed, opened = [], []
    for opportunity in rows:
        if opportunity.state == OpportunityState.OPENED:
            opened.append(opportunity)
            continue
        opening = getattr(opportunity, "opening", None)
        opportunity.confirmed_by_me = opening is not None and opening.first_officer_id == user.pk
        sealed.append(opportunity)
    return Rows(sealed, rows.counts["to_open"] if opens else 0), Rows(
        opened, rows.counts["to_set_up"] if sets_up else 0
    )


def panels(user: User, council: Council) -> Rows:
    """The person's panels in this council still at work, with what each waits for (`member.task`),
    those that wait for the person first."""
    rows = first_rows(panel_queues.panel_memberships(user, council))
    for member in rows:
        member.task = panel_queues.panel_task(member)
    rows.sort(key=lambda member: not member.task.due)
    return rows


def summaries_to_send(user: User, council: Council, commissions: QuerySet[Commission], roles: set) -> Rows:
    """Approved awards whose assessment summaries (the letters to every bidder) are not sent yet: the
    commissioners', on the award page where they are prepared and sent."""
    if not roles & set(COMMISSIONERS):
        return Rows()
    return first_rows(
        Award.objects.filter(
            commission__council=council,
            commission__in=commissions,
            state=AwardState.APPROVED,
            assessment_summaries_sent_at__isnull=True,
        )
        .exclude(acting_for_a_bidder(user, "opportunity"))
        .select_related("opportunity__council", "commission")
        .order_by("decided_on", "id")
    )
