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
from monitoring.dashboards.selectors.rows import Keep, Rows, first_rows, kept_lists, part_families, worked_out
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
    # Each table's families ({% fragment %}) and what else it varies with.
    part_families: dict[str, str] = field(default_factory=dict)
    part_vary: list[str] = field(default_factory=list)


# The families of the councils' data (`councils.page_cache.family_of`) each list reads, besides the
# organisations themselves (data shared between councils) and the councils' names: kept by them (`keep`),
# a list is worked out again, after a change, only when one of them changes in a council the
# organisations deal with. `tests/test_page_fragments.py` checks every table a list reads belongs to them.
LIST_FAMILIES = {
    name: ("councils", *families)
    for name, families in {
        "opportunities": ("commissioning.sourcing", "commissioning.bids"),
        "bids": ("commissioning.sourcing", "commissioning.bids", "commissioning.award", "commissioning.evaluation"),
        "agreements": ("monitoring.agreements",),
        "returns": ("monitoring.returns", "monitoring.agreements"),
        "answers": ("commissioning.sourcing",),
    }.items()
}
PART_FAMILIES = part_families(LIST_FAMILIES)


def provider_dashboard(user: User, keep: Keep = worked_out) -> ProviderDashboard:
    """The organisations the user acts for: opportunities they follow, their bids, agreements, returns
    due, answers to their questions, and the person's own notifications. Only their own organisations'
    records, ever. Each list is worked out through `keep`, by its own families (`LIST_FAMILIES`)."""
    organisations = list(Organisation.objects.filter(members__user=user).order_by("legal_name").distinct())
    if not organisations:
        return ProviderDashboard()
    organisation_ids = [o.pk for o in organisations]
    today = timezone.localdate()
    # What decides what each list holds, besides its data: the day and the organisations.
    vary = [today.isoformat(), ",".join(map(str, organisation_ids))]

    kept = kept_lists(keep, LIST_FAMILIES, vary)

    followed = Interest.objects.filter(organisation_id__in=organisation_ids)
    return ProviderDashboard(
        organisations=organisations,
        opportunities=kept(
            "opportunities",
            lambda: first_rows(
                # The few opportunities followed or bid for, as one set of ids: a test of each published
                # opportunity ("followed or bid for?") read every one of them, 9 ms on the national set.
                Opportunity.objects.filter(
                    pk__in=followed.order_by()
                    .values("opportunity_id")
                    .union(
                        Bid.objects.filter(organisation_id__in=organisation_ids).order_by().values("opportunity_id")
                    ),
                    state=OpportunityState.PUBLISHED,
                )
                .select_related("council")
                .order_by("submission_deadline", "id")
            ),
        ),
        # Each with its display status: the outcome once it is sent, not "Submitted" forever.
        bids=kept(
            "bids",
            lambda: with_statuses(
                first_rows(
                    Bid.objects.filter(organisation_id__in=organisation_ids)
                    .select_related("opportunity__council", "organisation")
                    .order_by("-updated_at", "-id")
                )
            ),
        ),
        agreements=kept(
            "agreements",
            lambda: first_rows(
                Agreement.objects.filter(provider_id__in=organisation_ids, state__in=PROVIDER_VISIBLE_STATES)
                .select_related("council", "provider")
                .order_by("-starts_on", "-id")
            ),
        ),
        returns=kept(
            "returns",
            lambda: first_rows(
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
        ),
        notifications=list(notifications_for(user)[:10]),
        answers=kept(
            "answers",
            lambda: list(
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
        ),
        part_families=PART_FAMILIES,
        part_vary=vary,
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
