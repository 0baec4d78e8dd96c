"""Reminders: warnings before an agreement ends and before its extension notice date.

Each is sent at every lead time of the council's rule (by default about nine, six and three months
ahead, `councils.models.DEFAULT_LEAD_TIMES`), once: the occurrence is the date warned of and the lead
time, "2027-03-31:91". A sweep that missed days sends only the latest warning reached, never the
earlier ones late. Both go to the agreement's contract manager (its council contact) and the
commission's lead officer.

- **Ending**: live agreements whose commission is not yet in review (the review is what the warning
  asks for).
- **Extension decision**: live agreements whose terms ask for notice to extend and which have an
  extension option left (`monitoring.renewals.dates`); once the last option is taken they stop.
"""

from __future__ import annotations

from collections.abc import Iterator

from councils.models import ReminderKind
from monitoring.models import Agreement, AgreementState
from monitoring.reminders.kinds import REVIEWED_STATES, Reminder, Sweep, _batches, _party, long_date
from monitoring.renewals.dates import with_extension_notice

ENDING_FIELDS = (
    "id",
    "ends_on",
    "reference",
    "title",
    "council_id",
    "council__slug",
    "commission__reference",
    "commission__title",
    "commission__lead_officer_id",
    "council_contact_id",
    "provider_id",
    "provider__legal_name",
    "provider__trading_name",
    "internal_team_name",
)


def _recipients(lead_id: int | None, contact_id: int | None) -> list[int]:
    return sorted({u for u in (lead_id, contact_id) if u is not None})


def agreement_reminders(sweep: Sweep) -> Iterator[Reminder]:
    """Live agreements ending within a lead time, while their commission is not yet in review."""
    kind = ReminderKind.AGREEMENT_ENDING
    horizon = sweep.rules.furthest(kind, sweep.today)
    if horizon is None:
        return
    ending = Agreement.objects.filter(
        state=AgreementState.LIVE, ends_on__gte=sweep.today, ends_on__lte=horizon
    ).exclude(commission__state__in=REVIEWED_STATES)
    for batch in _batches(ending, ENDING_FIELDS):
        for row in batch:
            (pk, ends_on, reference, title, council_id, slug, commission_ref, commission_title, lead_id, contact_id) = (
                row[:10]
            )
            rule = sweep.rules.get(council_id, kind)
            left = rule.days(sweep.today, ends_on)
            lead = rule.lead_for(left)
            if not rule.enabled or lead is None:
                continue
            party = _party(*row[10:])
            heading = f"Agreement ends on {long_date(ends_on)}: review {commission_ref}"
            soon = "today" if left == 0 else f"in {rule.count(left)}"
            body = (
                f"{reference} {title} with {party} ends on {long_date(ends_on)}, {soon}. Start the review of "
                f"{commission_ref} {commission_title} now, so that the decision to recommission, extend or "
                "decommission is taken before it ends."
            )
            url = sweep.council_agreement_url.format(council_slug=slug, pk=pk)
            occurrence = f"{ends_on.isoformat()}:{lead}"
            for user_id in _recipients(lead_id, contact_id):
                yield Reminder(user_id, kind, sweep.agreement_type, pk, occurrence, council_id, heading, body, url)


EXTENSION_FIELDS = (
    "id",
    "extension_notice_on",
    "ends_on",
    "extension_notice_days",
    "max_extensions",
    "extensions_taken",
    "extension_period_months",
    "reference",
    "title",
    "council_id",
    "council__slug",
    "commission__lead_officer_id",
    "council_contact_id",
    "provider_id",
    "provider__legal_name",
    "provider__trading_name",
    "internal_team_name",
)


def extension_reminders(sweep: Sweep) -> Iterator[Reminder]:
    """Live agreements with an extension option left whose notice date is within a lead time."""
    kind = ReminderKind.EXTENSION_DECISION_DUE
    horizon = sweep.rules.furthest(kind, sweep.today)
    if horizon is None:
        return
    due = with_extension_notice(
        Agreement.objects.filter(state=AgreementState.LIVE, extension_notice_days__gt=0, max_extensions__gt=0)
    ).filter(extension_notice_on__gte=sweep.today, extension_notice_on__lte=horizon)
    for batch in _batches(due, EXTENSION_FIELDS):
        for row in batch:
            (pk, notice_on, ends_on, notice_days, most, taken, months, reference, title, council_id, slug) = row[:11]
            lead_id, contact_id = row[11:13]
            rule = sweep.rules.get(council_id, kind)
            left = rule.days(sweep.today, notice_on)
            lead = rule.lead_for(left)
            if not rule.enabled or lead is None:
                continue
            party = _party(*row[13:])
            remaining = most - taken
            options = f"{remaining} extension{'s' if remaining != 1 else ''} of up to {months} months left"
            soon = "today" if left == 0 else f"in {rule.count(left)}"
            heading = f"Extension decision due by {long_date(notice_on)}: {reference}"
            body = (
                f"{reference} {title} with {party} ends on {long_date(ends_on)} ({options}). To extend it the "
                f"council must give {notice_days} days' notice, by {long_date(notice_on)}, {soon}. Decide now "
                "whether to take up the extension, and record it or start the review."
            )
            url = sweep.council_agreement_url.format(council_slug=slug, pk=pk)
            occurrence = f"{notice_on.isoformat()}:{lead}"
            for user_id in _recipients(lead_id, contact_id):
                yield Reminder(user_id, kind, sweep.agreement_type, pk, occurrence, council_id, heading, body, url)
