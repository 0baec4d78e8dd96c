"""Who is told when a commission, an opportunity, an evaluation or an award changes hands
(`councils.handoffs`): the transitions name the hand-off in ``tells``; this module says what each one
means here. Everyone told can open the page linked: the same rule as that page's view."""

from __future__ import annotations

from django.urls import reverse

from commissioning.award.selectors import may_read_award
from commissioning.evaluation.selectors import evaluation_access
from commissioning.models import Award, Commission, Conclusion, Evaluation, Opportunity, PanelMember, Review
from commissioning.permissions import OPENING_OFFICERS, can_open_bids
from commissioning.sourcing.selectors.bids import is_walled_off
from councils import handoffs
from councils.models import ReminderKind, Role, User

DECISION_MAKERS = (Role.LEAD_COMMISSIONER, Role.PORTFOLIO_HOLDER)


# --- Commissions: the plan's approval -------------------------------------------------------------
def _commission_page(step) -> str:
    return step.obj.get_absolute_url()


def _may_read_commission(user: User, commission: Commission) -> bool:
    return user.has_perm("commissioning.read_commission", commission)


def _plan_approvers(step) -> list[User]:
    commission = step.obj
    return handoffs.able_to_take(commission, "approve", handoffs.council_people(commission.council, DECISION_MAKERS))


def _plan_lead(step) -> list[User]:
    return [step.obj.lead_officer]


def _plan(commission: Commission) -> str:
    return f"{commission.reference}: {commission.title}"


def _reason(step) -> str:
    return f"\n\nThe reason given: {step.reason}" if step.reason else ""


# --- Awards: the decision and call-in --------------------------------------------------------------
def _award_page(step) -> str:
    return step.obj.get_absolute_url()


def _may_read_award(user: User, award: Award) -> bool:
    return may_read_award(user, award.opportunity)


def _decision_makers(award: Award, transition: str) -> list[User]:
    return handoffs.able_to_take(award, transition, handoffs.council_people(award.council, DECISION_MAKERS))


def _award_officers(step) -> list[User]:
    # The lead commissioner(s) and the commission's lead officer, who carry the award forward.
    award = step.obj
    return [*handoffs.council_people(award.council, (Role.LEAD_COMMISSIONER,)), award.commission.lead_officer]


def _award(award: Award) -> str:
    opportunity = award.opportunity
    return f"{opportunity.reference}: {opportunity.title}"


# --- Evaluations: the panel's tasks ------------------------------------------------------------------
def _evaluation_page(evaluation: Evaluation) -> str:
    return reverse(
        "commissioning:evaluation",
        kwargs={"council_slug": evaluation.council.slug, "opportunity_pk": evaluation.opportunity_id},
    )


def may_open_evaluation(user: User, evaluation: Evaluation) -> bool:
    return evaluation_access(user, evaluation.council, evaluation.opportunity_id).takes_part


def _panel(step) -> list[User]:
    members = PanelMember.objects.filter(evaluation=step.obj, ended_at__isnull=True).select_related("user")
    return [member.user for member in members]


def _panel_officers(step) -> list[User]:
    # Compliance checks are the officers' (the chair's included): an independent member only scores.
    members = PanelMember.objects.filter(evaluation=step.obj, ended_at__isnull=True, is_independent=False)
    return [member.user for member in members.select_related("user")]


# --- Opportunities: the bids to open -----------------------------------------------------------------
def _opening_page(step) -> str:
    opportunity = step.obj
    return reverse(
        "commissioning:opportunity_opening",
        kwargs={"council_slug": opportunity.council.slug, "opportunity_pk": opportunity.pk},
    )


def _may_open_bids(user: User, opportunity: Opportunity) -> bool:
    # The opening page's rule, and its wall: nobody who acts for a bidder.
    return can_open_bids(opportunity, user) and not is_walled_off(user, opportunity)


def _evaluation_of(step) -> Evaluation | None:
    # Read once per step: the recipients, the link and the words all depend on it.
    if "evaluation" not in step.scratch:
        step.scratch["evaluation"] = Evaluation.objects.filter(opportunity=step.obj).first()
    return step.scratch["evaluation"]


def _after_opening(step) -> list[User]:
    # Set up already: the chair starts the compliance checks. Not yet: the lead commissioner sets it up.
    evaluation = _evaluation_of(step)
    if evaluation is None:
        return handoffs.council_people(step.obj.council, (Role.LEAD_COMMISSIONER,))
    chairs = PanelMember.objects.filter(evaluation=evaluation, is_chair=True, ended_at__isnull=True)
    return [member.user for member in chairs.select_related("user")]


def _after_opening_page(step) -> str:
    opportunity = step.obj
    evaluation = _evaluation_of(step)
    if evaluation is not None:
        return _evaluation_page(evaluation)
    return reverse(
        "commissioning:evaluation_setup",
        kwargs={"council_slug": opportunity.council.slug, "opportunity_pk": opportunity.pk},
    )


def _after_opening_body(step) -> str:
    opportunity = step.obj
    opened = f"The bids for {opportunity.reference}: {opportunity.title} have been opened. "
    if _evaluation_of(step) is None:
        return opened + "Set up the evaluation and appoint its panel."
    return opened + "As chair, start the compliance checks when the panel has declared."


def _may_take_part(user: User, opportunity: Opportunity) -> bool:
    return evaluation_access(user, opportunity.council, opportunity.pk).takes_part


# --- Reviews of existing services: under way, and concluded --------------------------------------
def _review(review: Review) -> str:
    return f"{review.reference}: {review.title}"


def _may_read_review(user: User, review: Review) -> bool:
    return user.has_perm("commissioning.read_review", review)


def _review_people(step) -> list[User]:
    """The review's lead officer and the holder of its portfolio follow it from start to conclusion."""
    review = step.obj
    people = [review.lead_officer]
    if review.portfolio_id and review.portfolio.holder_id:
        people.append(review.portfolio.holder)
    return people


def _review_concluded_body(step) -> str:
    review = step.obj
    body = f"The review {_review(review)} has concluded: {review.get_conclusion_display().lower()}."
    if review.conclusion == Conclusion.RECOMMISSION and review.commission_id:
        body += f" It started the commission {review.commission.reference}."
    return body


def register() -> None:
    handoffs.register(
        Review,
        "review_started",
        kind=ReminderKind.REVIEW_PROGRESS,
        recipients=_review_people,
        title=lambda step: f"Review under way: {_review(step.obj)}",
        body=lambda step: (
            f"The review {_review(step.obj)} is under way. It is planned to conclude by "
            f"{step.obj.concludes_by:%-d %B %Y}."
        ),
        path=lambda step: step.obj.get_absolute_url(),
        may_open=_may_read_review,
    )
    handoffs.register(
        Review,
        "review_concluded",
        kind=ReminderKind.REVIEW_PROGRESS,
        recipients=_review_people,
        title=lambda step: f"Review concluded: {_review(step.obj)}",
        body=_review_concluded_body,
        path=lambda step: step.obj.get_absolute_url(),
        may_open=_may_read_review,
    )
    handoffs.register(
        Commission,
        "plan_to_approve",
        kind=ReminderKind.PLAN_TO_APPROVE,
        recipients=_plan_approvers,
        title=lambda step: f"Plan to approve: {_plan(step.obj)}",
        body=lambda step: (
            f"The plan for {_plan(step.obj)} has been submitted for approval. "
            "Approve it, or refer it back to Plan with a reason."
        ),
        path=_commission_page,
        may_open=_may_read_commission,
    )
    handoffs.register(
        Commission,
        "plan_approved",
        kind=ReminderKind.PLAN_DECIDED,
        recipients=_plan_lead,
        title=lambda step: f"Plan approved: {_plan(step.obj)}",
        body=lambda step: (
            f"The plan for {_plan(step.obj)} has been approved. It is now at ‘{step.obj.get_state_display()}’."
        ),
        path=_commission_page,
        may_open=_may_read_commission,
    )
    handoffs.register(
        Commission,
        "plan_referred_back",
        kind=ReminderKind.PLAN_DECIDED,
        recipients=_plan_lead,
        title=lambda step: f"Plan referred back: {_plan(step.obj)}",
        body=lambda step: f"The plan for {_plan(step.obj)} has been referred back to Plan.{_reason(step)}",
        path=_commission_page,
        may_open=_may_read_commission,
    )
    handoffs.register(
        Award,
        "decision_to_take",
        kind=ReminderKind.AWARD_TO_DECIDE,
        recipients=lambda step: _decision_makers(step.obj, "approve"),
        title=lambda step: f"Award to decide: {_award(step.obj)}",
        body=lambda step: (
            f"The award recommendation for {_award(step.obj)} is waiting for your decision. "
            "Approve the award, or refer the recommendation back with a reason."
        ),
        path=_award_page,
        may_open=_may_read_award,
    )
    for name, verb in (
        ("award_approved", "approved"),
        ("award_referred_back", "referred back"),
        ("award_confirmed", "confirmed after call-in"),
        ("award_withdrawn", "withdrawn after call-in"),
    ):
        handoffs.register(
            Award,
            name,
            kind=ReminderKind.AWARD_DECIDED,
            recipients=_award_officers,
            title=lambda step, verb=verb: f"Award decision {verb}: {_award(step.obj)}",
            body=lambda step, verb=verb: f"The award decision for {_award(step.obj)} has been {verb}.{_reason(step)}",
            path=_award_page,
            may_open=_may_read_award,
        )
    handoffs.register(
        Award,
        "award_called_in",
        kind=ReminderKind.AWARD_CALLED_IN,
        recipients=lambda step: [*_decision_makers(step.obj, "confirm_after_call_in"), *_award_officers(step)],
        title=lambda step: f"Award decision called in: {_award(step.obj)}",
        body=lambda step: (
            f"Scrutiny has called in the award decision for {_award(step.obj)}. "
            f"It cannot take effect until it is confirmed or withdrawn.{_reason(step)}"
        ),
        path=_award_page,
        may_open=_may_read_award,
    )
    handoffs.register(
        Evaluation,
        "compliance_due",
        kind=ReminderKind.PANEL_TASKS_DUE,
        recipients=_panel_officers,
        title=lambda step: f"Compliance checks open: {step.obj.opportunity.reference}",
        body=lambda step: (
            f"The compliance checks of the bids for {step.obj.opportunity.reference}: "
            f"{step.obj.opportunity.title} have started. Check the bids assigned to you."
        ),
        path=lambda step: _evaluation_page(step.obj),
        may_open=may_open_evaluation,
    )
    handoffs.register(
        Evaluation,
        "scores_due",
        kind=ReminderKind.PANEL_TASKS_DUE,
        recipients=_panel,
        title=lambda step: f"Scoring open: {step.obj.opportunity.reference}",
        body=lambda step: (
            f"Scoring of the bids for {step.obj.opportunity.reference}: {step.obj.opportunity.title} "
            "has started. Your scores are due: score each bid you have no conflict with."
        ),
        path=lambda step: _evaluation_page(step.obj),
        may_open=may_open_evaluation,
    )
    handoffs.register(
        Opportunity,
        "bids_to_open",
        kind=ReminderKind.BIDS_TO_OPEN,
        recipients=lambda step: handoffs.council_people(step.obj.council, OPENING_OFFICERS),
        title=lambda step: f"Bids ready to open: {step.obj.reference}",
        body=lambda step: (
            f"The deadline for {step.obj.reference}: {step.obj.title} has passed and it is closed "
            "for bids. Record the opening of the bids."
        ),
        path=_opening_page,
        may_open=_may_open_bids,
    )
    handoffs.register(
        Opportunity,
        "bids_opened",
        kind=ReminderKind.BIDS_OPENED,
        recipients=_after_opening,
        title=lambda step: f"Bids opened: {step.obj.reference}",
        body=_after_opening_body,
        path=_after_opening_page,
        may_open=_may_take_part,
    )


def tell_appointed(member: PanelMember) -> None:
    """Tell someone they have been put on an evaluation panel (an independent member has no council
    role: the evaluation page is the one page they can open)."""
    evaluation = member.evaluation
    opportunity = evaluation.opportunity
    role = "chair of the panel" if member.is_chair else "a member of the panel"
    invited = "You have been invited to" if member.is_independent else "You have been appointed to"
    handoffs.tell(
        about=member,
        kind=ReminderKind.PANEL_APPOINTED,
        users=[member.user],
        title=f"{invited} the panel of {opportunity.reference}: {opportunity.title}",
        body=f"{invited} the evaluation panel of {opportunity.reference}: {opportunity.title} "
        f"({evaluation.council.name}), as {role}. Open the evaluation to see what is asked of you: first a "
        "declaration of any conflict of interest with the bidders.",
        path=_evaluation_page(evaluation),
        occurrence=f"appointed:{member.pk}",
        may_open=lambda user, _member: may_open_evaluation(user, evaluation),
    )
