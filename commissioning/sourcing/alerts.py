"""Opportunity alerts: publishing an opportunity tells the organisations it matches.

The publish transition names the effect ``alert_providers``; it runs inside the step's transaction,
after the save, so a publish that fails tells nobody. Who matches is `providers.alert_selectors`
(outcomes, CPV division or group, council); the people told are the matching organisations' bid
writers and administrators, in the app and through the outbox by email as each chose
(`EmailOptOut`, daily digest). Each is told once per opportunity whatever happens to the step: the
outbox's occurrence is the opportunity's publication, not the step's audit event.
"""

from __future__ import annotations

from commissioning.models import Opportunity
from commissioning.permissions import BID_WRITERS
from councils import handoffs, workflow
from councils.formatting import london_time
from councils.models import Notification, ReminderKind
from councils.workflow import Effect, Step
from providers.alert_selectors import Alerted, OpportunityTraits, people_to_alert

OCCURRENCE = "published"


def traits_of(opportunity: Opportunity) -> OpportunityTraits:
    commission = opportunity.commission
    return OpportunityTraits(
        council=opportunity.council,
        outcome_ids=tuple(commission.outcomes.values_list("pk", flat=True)),
        cpv_code=commission.cpv_code,
    )


def _body(opportunity: Opportunity, alerted: Alerted) -> str:
    lines = [
        f"{opportunity.council.name} has published {opportunity.reference}: {opportunity.title}.",
        f"Bids close {london_time(opportunity.submission_deadline)}.",
        "",
    ]
    for organisation, reasons in alerted.reasons.items():
        lines.append(f"For {organisation}: matches your interest in: {'; '.join(reasons)}.")
    lines += ["", "You can change what your organisation is told about on its profile."]
    return "\n".join(lines)


def alert_providers(opportunity: Opportunity) -> list[Notification]:
    """Tell the people of every organisation the published opportunity matches (once each, ever)."""
    title = f"New opportunity: {opportunity.reference}: {opportunity.title}"
    people = people_to_alert(traits_of(opportunity), BID_WRITERS)
    return handoffs.tell_each(
        about=opportunity,
        kind=ReminderKind.OPPORTUNITY_ALERT,
        messages={alerted.user: (title, _body(opportunity, alerted)) for alerted in people},
        path=opportunity.get_absolute_url(),
        occurrence=OCCURRENCE,
    )


def _on_publish(step: Step) -> dict:
    told = alert_providers(step.obj)
    return {"providers_alerted": len(told)}


def register() -> None:
    workflow.effect(Opportunity, "alert_providers", Effect(follow=_on_publish))
