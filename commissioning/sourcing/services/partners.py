"""Joint-bid partners confirm before their name is on a bid.

Naming an organisation as a partner walls its members (council officers among them) out of the
procurement, so the partner's administrators are asked first: saving a partner (or changing who it
is or what it will deliver) asks again, by notification and email. Confirming or declining tells the
partner nothing of the bid beyond the lead organisation, the opportunity and the role described, and
tells the council nothing: the audit events have no council (the council's trail would otherwise
name a sealed bid's partners before opening).
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from commissioning.models import Bid, BidPartner
from commissioning.permissions import BID_WRITERS
from councils import page_cache
from councils.models import ReminderKind, User
from councils.notification_services import notify
from councils.services import audit_record
from providers.models import ProviderRole


def _people_of(organisation_id: int, roles) -> list[User]:
    return list(
        User.objects.filter(
            organisation_memberships__organisation_id=organisation_id, organisation_memberships__role__in=roles
        ).distinct()
    )


def partner_changed(partner: BidPartner, before: tuple | None) -> bool:
    """A new partner, one whose organisation or role changed since it was asked (it must confirm
    again), or one that has not answered yet (asked again, as a reminder)."""
    if before is None or before != (partner.organisation_id, partner.role):
        return True
    return partner.confirmed_at is None and partner.declined_at is None


def partners_ask(bid: Bid, partners: list[BidPartner]) -> None:
    """Ask each partner's administrators to confirm (the rows are saved, unconfirmed)."""
    opportunity = bid.opportunity
    for partner in partners:
        notify(
            users=_people_of(partner.organisation_id, [ProviderRole.ORGANISATION_ADMIN]),
            about=partner,
            kind=ReminderKind.PARTNER_TO_CONFIRM,
            title=f"Confirm a joint bid with {bid.organisation}",
            body=(
                f"{bid.organisation} has named {partner.name} as a partner in its bid for {opportunity.reference}: "
                f"{opportunity.title} ({opportunity.council.name}).\n\n"
                f"What {partner.name} would deliver: {partner.role}\n\n"
                "Your organisation's name is not on the bid, and the bid cannot be submitted, until you confirm."
            ),
            path=reverse("bids:partnership", kwargs={"pk": partner.pk}),
        )


def _answer(by: User, partner: BidPartner) -> BidPartner:
    if not by.has_perm("bids.answer_partnership", partner):
        raise PermissionDenied
    partner = (
        BidPartner.objects.select_for_update()
        .select_related("bid__opportunity", "bid__organisation")
        .get(pk=partner.pk)
    )
    if partner.confirmed_at or partner.declined_at:
        raise ValidationError("This partnership has already been answered.")
    return partner


def _record(partner: BidPartner, *, by: User, event: str) -> None:
    bid = partner.bid
    Bid.objects.filter(pk=bid.pk).update(updated_at=timezone.now())
    page_cache.bump_council(bid.opportunity.council_id, page_cache.family_of(Bid))
    audit_record(
        council=None,
        actor=by,
        event_type=f"bid_partner.{event}",
        obj=partner,
        extra={"bid": bid.pk, "organisation": partner.organisation_id, "lead": bid.organisation_id},
    )
    verb = "confirmed" if event == "confirmed" else "declined"
    notify(
        users=_people_of(bid.organisation_id, BID_WRITERS),
        about=partner,
        kind=ReminderKind.PARTNER_TO_CONFIRM,
        title=f"{partner.name} has {verb} your joint bid for {bid.opportunity.reference}",
        body=(
            f"{partner.name} has {verb} that it is a partner in {bid.organisation}'s bid for "
            f"{bid.opportunity.reference}: {bid.opportunity.title}."
            + ("" if verb == "confirmed" else " Remove it from the bid's partners before you submit.")
        ),
        path=reverse("bids:detail", kwargs={"pk": bid.pk}),
    )


@transaction.atomic
def partner_confirm(*, by: User, partner: BidPartner) -> BidPartner:
    """An administrator of the partner organisation confirms it is a partner in the bid."""
    partner = _answer(by, partner)
    partner.confirmed_at = timezone.now()
    partner.confirmed_by = by
    partner.save(update_fields=["confirmed_at", "confirmed_by"])
    _record(partner, by=by, event="confirmed")
    return partner


@transaction.atomic
def partner_decline(*, by: User, partner: BidPartner) -> BidPartner:
    partner = _answer(by, partner)
    partner.declined_at = timezone.now()
    partner.save(update_fields=["declined_at"])
    _record(partner, by=by, event="declined")
    return partner
