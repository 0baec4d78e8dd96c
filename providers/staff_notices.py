"""Telling a council when one of its staff joins a provider organisation."""

from __future__ import annotations

from django.urls import reverse

from councils.models import Council, ReminderKind, Role, User
from councils.notification_services import notify
from providers.invitation_selectors import walled_procurements
from providers.models import OrganisationMember


def tell_lead_commissioners(member: OrganisationMember) -> None:
    """Council staff who join a provider organisation (accepting an invitation or registering it) are
    walled out of its procurements: each of their councils' lead commissioners is told, in the app and
    by email, with the procurements it affects."""
    user, organisation = member.user, member.organisation
    for council in Council.objects.filter(memberships__user=user).distinct():
        leads = User.objects.filter(memberships__council=council, memberships__role=Role.LEAD_COMMISSIONER).exclude(
            pk=user.pk
        )
        walled = walled_procurements(user, organisation, councils=[council])
        if walled:
            listed = "\n".join(f"- {p.reference}: {p.title} ({p.reason})" for p in walled)
            consequence = f"They can no longer read or evaluate the bids for:\n{listed}"
        else:
            consequence = (
                "The organisation has not bid for any of the council's opportunities yet. If it does, they will "
                "not be able to read or evaluate the bids for that opportunity."
            )
        notify(
            users=leads.distinct(),
            about=member,
            kind=ReminderKind.STAFF_JOINED_PROVIDER,
            title=f"{user} has joined {organisation}",
            body=(
                f"{user} ({user.email}), who works for {council.name}, now acts for {organisation} as "
                f"{member.get_role_display().lower()}, by their own choice.\n\n{consequence}"
            ),
            path=reverse("providers:staff_memberships", kwargs={"council_slug": council.slug}),
        )
