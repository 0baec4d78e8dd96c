"""Reminder test data, made through the real services: live agreements (their returns scheduled when
they go live), providers with the people reminders go to, and a frozen London clock.

Returns are created directly only in the state "due" (a return with a chosen due date); anything
submitted or queried goes through `monitoring.returns_services`, as a provider and an officer would.
"""

from __future__ import annotations

import datetime
from datetime import date
from zoneinfo import ZoneInfo

import time_machine

from commissioning.tests.factories import staff
from councils.models import ReminderKind, Role, SentReminder
from councils.tests.factories import PortfolioFactory
from monitoring.models import MonitoringFrequency, MonitoringReturn
from monitoring.reminders import services as reminders
from monitoring.tests.factories import agreeing_commission, live_agreement
from providers.models import ProviderRole
from providers.tests.factories import OrganisationFactory, OrganisationMemberFactory

LONDON = ZoneInfo("Europe/London")


def at(day: date, hour: int = 9, minute: int = 0):
    """Freeze the clock at `day`, `hour`:`minute` London time (every thread sees it)."""
    return time_machine.travel(datetime.datetime(day.year, day.month, day.day, hour, minute, tzinfo=LONDON), tick=False)


def sweep_on(day: date, hour: int = 9):
    with at(day, hour):
        return reminders.sweep()


def provider(name: str, *, monitoring_contact: bool = True):
    """An organisation with an administrator and (optionally) a monitoring contact."""
    slug = name.lower().replace(" ", "-")
    organisation = OrganisationFactory(legal_name=name)
    admin = OrganisationMemberFactory(
        organisation=organisation, role=ProviderRole.ORGANISATION_ADMIN, user__email=f"admin@{slug}.example"
    ).user
    contact = None
    if monitoring_contact:
        contact = OrganisationMemberFactory(
            organisation=organisation, role=ProviderRole.MONITORING_CONTACT, user__email=f"returns@{slug}.example"
        ).user
    return organisation, admin, contact


def agreement_with(council, organisation, *, holder=None, frequency=MonitoringFrequency.ANNUAL, **terms):
    """A live agreement with the organisation, reporting once a year by default (so its own scheduled
    returns stay out of the way), for a commission in a portfolio held by `holder`."""
    portfolio = PortfolioFactory(council=council, holder=holder or staff(council, Role.PORTFOLIO_HOLDER))
    commission = agreeing_commission(council, portfolio=portfolio, title=f"Services from {organisation}")
    return live_agreement(
        council, commission=commission, provider=organisation, monitoring_frequency=frequency, **terms
    )


def return_due(agreement, due_on: date, *, period_start: date | None = None) -> MonitoringReturn:
    """A return waiting for the provider with a chosen due date (a period outside the agreement's own)."""
    start = period_start or date(2025, 1, 1) + datetime.timedelta(days=due_on.toordinal() % 300)
    return MonitoringReturn.objects.create(
        agreement=agreement, period_start=start, period_end=start + datetime.timedelta(days=27), due_on=due_on
    )


def sent(kind: str, subject=None, **filters):
    rows = SentReminder.objects.filter(kind=kind, **filters)
    if subject is not None:
        rows = rows.filter(object_id=subject.pk)
    return rows


def recipients(kind: str, subject=None, **filters) -> set[str]:
    return set(sent(kind, subject, **filters).values_list("recipient__email", flat=True))


def occurrences(kind: str, subject=None) -> list[str]:
    return sorted(sent(kind, subject).values_list("occurrence", flat=True))


ALL_RETURN_KINDS = (
    ReminderKind.RETURN_DUE_SOON,
    ReminderKind.RETURN_DUE_TODAY,
    ReminderKind.RETURN_OVERDUE,
    ReminderKind.RETURN_ESCALATED,
)
