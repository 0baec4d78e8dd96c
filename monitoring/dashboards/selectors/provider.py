"""The provider's dashboard: what the organisations a person acts for follow, bid for, deliver
and owe.

Providers see only their own organisations' records, never a council's view, so their dashboard is
scoped by organisation membership rather than by council role and is kept apart from the council's.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import Q
from django.utils import timezone

from commissioning.models import Bid, Clarification, ClarificationVisibility, Interest, Opportunity, OpportunityState
from commissioning.sourcing.selectors.bid_status import with_statuses
from councils.compiled import Statement
from councils.models import Council, Notification, User
from councils.notification_selectors import notifications_for
from monitoring.dashboards.selectors.rows import Rows, first_rows
from monitoring.models import AWAITING_PROVIDER_STATES, PROVIDER_VISIBLE_STATES, Agreement, MonitoringReturn
from providers.models import Organisation, OrganisationMember


@dataclass
class ProviderDashboard:
    organisations: list[Organisation] = field(default_factory=list)
    opportunities: Rows = field(default_factory=Rows)
    bids: Rows = field(default_factory=Rows)
    agreements: Rows = field(default_factory=Rows)
    returns: Rows = field(default_factory=Rows)
    answers: list[Clarification] = field(default_factory=list)
    notifications: list[Notification] = field(default_factory=list)


def provider_dashboard(user: User) -> ProviderDashboard:
    """The organisations the user acts for: opportunities they follow, their bids, agreements, returns
    due, answers to their questions, and the person's own notifications. Only their own organisations'
    records, ever."""
    organisations = list(Organisation.objects.filter(members__user=user).order_by("legal_name").distinct())
    if not organisations:
        return ProviderDashboard()
    notifications = list(notifications_for(user)[:10])
    organisation_ids = [o.pk for o in organisations]
    today = timezone.localdate()
    followed = Interest.objects.filter(organisation_id__in=organisation_ids)
    return ProviderDashboard(
        organisations=organisations,
        opportunities=first_rows(
            # The few opportunities followed or bid for, as one set of ids: a test of each published
            # opportunity ("followed or bid for?") read every one of them, 9 ms on the national set.
            Opportunity.objects.filter(
                pk__in=followed.order_by()
                .values("opportunity_id")
                .union(Bid.objects.filter(organisation_id__in=organisation_ids).order_by().values("opportunity_id")),
                state=OpportunityState.PUBLISHED,
            )
            .select_related("council")
            .order_by("submission_deadline", "id")
        ),
        # Each with its display status: the outcome once it is sent, not "Submitted" forever.
        bids=with_statuses(
            first_rows(
                Bid.objects.filter(organisation_id__in=organisation_ids)
                .select_related("opportunity__council", "organisation")
                .order_by("-updated_at", "-id")
            )
        ),
        agreements=first_rows(
            Agreement.objects.filter(provider_id__in=organisation_ids, state__in=PROVIDER_VISIBLE_STATES)
            .select_related("council", "provider")
            .order_by("-starts_on", "-id")
        ),
        returns=first_rows(
            MonitoringReturn.objects.filter(
                agreement__provider_id__in=organisation_ids,
                agreement__state__in=PROVIDER_VISIBLE_STATES,
                state__in=AWAITING_PROVIDER_STATES,
                # The period under way and any earlier ones still owed: what the provider works on now.
                period_start__lte=today,
            )
            .select_related("agreement__council", "agreement__provider")
            .order_by("due_on", "id")
        ),
        notifications=notifications,
        answers=list(
            Clarification.objects.filter(answered_at__isnull=False)
            .filter(
                # Answers to the organisation's own questions, and answers published to every
                # provider following the opportunity.
                Q(organisation_id__in=organisation_ids)
                | Q(
                    visibility=ClarificationVisibility.PUBLISHED,
                    opportunity__in=followed.values("opportunity"),
                )
            )
            .select_related("opportunity")
            .order_by("-answered_at", "-id")[:10]
        ),
    )


def _organisation_councils(user_id: int):
    organisations = OrganisationMember.objects.filter(user_id=user_id).values("organisation_id")
    first, *rest = [
        Bid.objects.filter(organisation_id__in=organisations).values("opportunity__council_id"),
        Interest.objects.filter(organisation_id__in=organisations).values("opportunity__council_id"),
        Clarification.objects.filter(organisation_id__in=organisations).values("opportunity__council_id"),
        Agreement.objects.filter(provider_id__in=organisations).values("council_id"),
        Organisation.alert_councils.through.objects.filter(organisation_id__in=organisations).values("council_id"),
        Organisation.outcomes_of_interest.through.objects.filter(organisation_id__in=organisations).values(
            "outcome__priority__plan__council_id"
        ),
        Organisation.objects.filter(pk__in=organisations, owning_council__isnull=False).values("owning_council_id"),
    ]
    ids = first.order_by().union(*(query.order_by() for query in rest))
    return Council.objects.filter(pk__in=ids).only("pk").order_by()


# Asked on every look at the provider portal and dashboard, cached or not: built and planned once per
# connection (1.6 ms of planning and running on the national set, and as much again building it).
_ORGANISATION_COUNCILS = Statement(_organisation_councils, name="the councils a person's organisations deal with")


def organisation_council_ids(user: User) -> set[int]:
    """Every council whose data the provider portal and dashboard may show the person: those of their
    organisations' bids, followed opportunities, questions and agreements, and those their alerts and
    outcomes of interest name or that own them (`councils.page_cache.organisation_scopes`)."""
    return {council.pk for council in _ORGANISATION_COUNCILS(user_id=user.pk)}


def provider_has_dashboard(user: User) -> bool:
    return OrganisationMember.objects.filter(user=user).exists()
