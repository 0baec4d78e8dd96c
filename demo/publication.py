"""Each demo council has published its framework and commissioning plan (so the public pages have
something to show), and its scrutiny committee has been at work: a note on a service in delivery
and one on the commission awaiting its key decision, and a flag for the committee's next agenda,
all within the last six months, so the progress report has notes as well as figures."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from commissioning.models import Commission, State
from councils.models import Council, Role
from councils.services import publication_set
from demo.commissions import DEMO_COMMISSIONS, person
from demo.timeline import travel
from monitoring.dashboards import scrutiny as scrutiny_services
from monitoring.models import ScrutinyNote

# (state of the commission it is on, days ago, the note)
NOTES = (
    (
        State.DELIVERING,
        75,
        "Asked how many of the people referred were still taking part after six months; the officer will "
        "bring the figures to the next meeting.",
    ),
    (
        State.AWAITING_APPROVAL,
        20,
        "The committee wants to see the options appraisal before the key decision, in particular why the "
        "in-house option was ruled out.",
    ),
)
FLAG = "Monitoring returns from the provider have come in late twice this year."


def seed_publication() -> int:
    """Publish each demo council's framework and plan, and add scrutiny's notes once. Returns how many
    notes were added."""
    added = 0
    today = timezone.localdate()
    for council in Council.objects.filter(slug__in=list(DEMO_COMMISSIONS)).order_by("id"):
        admin = person(council, Role.COUNCIL_ADMIN)
        for part in ("framework", "plan"):
            publication_set(by=admin, council=council, part=part, publish=True)
        member = person(council, Role.SCRUTINY_MEMBER)
        if ScrutinyNote.objects.filter(commission__council=council).exists():
            continue
        for state, days_ago, text in NOTES:
            commission = Commission.objects.filter(council=council, state=state).order_by("id").first()
            if commission is None:
                continue
            with travel(today - timedelta(days=days_ago)):
                scrutiny_services.scrutiny_note_add(by=member, commission=commission, text=text)
            added += 1
        delivering = Commission.objects.filter(council=council, state=State.DELIVERING).order_by("id").first()
        if delivering is not None:
            with travel(today - timedelta(days=10)):
                scrutiny_services.agenda_flag_add(by=member, commission=delivering, reason=FLAG)
    return added
