"""Reminders: who is reminded of what today, kind by kind.

What is sent, and to whom (defaults in `councils.models.REMINDER_DEFAULTS`, each council's own
settings in `ReminderRule`, changed by its council administrator or lead commissioner):

- a monitoring return **due soon**, **due today**, and **overdue** (again every N days while it stays
  overdue) — to the provider's monitoring contacts (its administrators when it has none), or to the
  agreement's council contact when the other party is an in-house team;
- an overdue return never submitted **escalated** after M days to the commission's lead officer and
  the holder of its portfolio;
- a submitted return **waiting for review** too long — to the agreement's council contact (the
  commission's lead officer when there is none), again every N days;
- a live **agreement ending** (by default about nine, six and three months ahead), so the commission
  reaches Review in time, and an **extension notice date** approaching (the same lead times) while the
  agreement has extension options left — to the contract manager (council contact) and the lead
  officer (`monitoring.reminders.renewals`);
- the **deadline for bids** approaching — to the administrators and bid writers of each organisation
  following the opportunity that has not yet submitted a bid;
- a provider's **compliance document expiring** — to the organisation's administrators;
- the yearly **KPI assessment** of a contract under the Procurement Act's KPI duty (above threshold and
  worth more than £5,000,000: s.52, s.71) due soon, then overdue (again every N days) — to the
  agreement's council contact and the commission's lead officer.
- a **notice** to publish on Find a Tender **due soon** (or today) and **overdue** — to the council's
  procurement officers (the approvers for a notice someone else approves, such as the UK17's finance
  officers), or the commission's lead officer when the council has none.

Counts are in working days (weekends and England and Wales bank holidays skipped) where the rule says
so, and always from a return's due date, which never moves because the return is overdue. "Today" is
the date in Europe/London.

**Set-based.** Each kind reads its candidates in keyset-paginated queries with everything the message
needs joined in (never a query per row), so a sweep over 100,000 due returns costs a few hundred
queries (`make bench-reminders`). The rules of who hears what live here, apart from how reminders are
recorded (`monitoring.reminders.outbox`) and emailed (`monitoring.reminders.emails`), so a new kind
touches only this module.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from functools import lru_cache

from django.contrib.contenttypes.models import ContentType
from django.db.models import Exists, Max, OuterRef, QuerySet
from django.urls import reverse
from django.utils import dateformat, timezone

from commissioning.models import Bid, BidState, Interest, Opportunity, OpportunityState, State
from councils.formatting import london_time
from councils.models import Membership, ReminderKind, Role
from councils.notification_selectors import ReminderRules, ReminderSettings
from monitoring.models import (
    AWAITING_PROVIDER_STATES,
    KPI_DUTY,
    REGISTER_STATES,
    Agreement,
    AgreementState,
    MonitoringReturn,
    Notice,
    NoticeState,
    NoticeType,
    ReturnState,
    next_assessment_due,
)
from monitoring.models.notices import APPROVERS
from providers.models import ComplianceDocument, OrganisationMember, ProviderRole

# Rows read per query.
READ_BATCH = 5000
# The commission is already being reviewed (or is over): no "agreement ending" reminder.
REVIEWED_STATES = (State.REVIEWING, State.DECOMMISSIONED, State.CANCELLED)


@lru_cache(maxsize=4096)
def long_date(day: date) -> str:
    """24 November 2026."""
    return dateformat.format(day, "j F Y")


@dataclass(frozen=True, slots=True)
class Reminder:
    """One reminder for one person, with the message their notification and email will carry."""

    recipient_id: int
    kind: str
    content_type_id: int
    object_id: int
    occurrence: str
    council_id: int | None
    title: str
    body: str
    url: str

    @property
    def key(self) -> tuple:
        return (self.recipient_id, self.kind, self.content_type_id, self.object_id, self.occurrence)


def _url_template(name: str, **kinds: type) -> str:
    """A URL with ``{name}`` placeholders for `str.format`, so a sweep reverses each route once, not per row."""
    markers = {
        key: (str(900_000_001 + n) if kind is int else f"zzmarker{n}") for n, (key, kind) in enumerate(kinds.items())
    }
    url = reverse(name, kwargs=markers)
    for key, marker in markers.items():
        url = url.replace(marker, "{" + key + "}")
    return url


class Members:
    """Provider organisations' people, read once per sweep for the organisations it meets."""

    def __init__(self):
        self._by_organisation: dict[int, list[tuple[int, str]]] = {}

    def load(self, organisation_ids: Iterable[int | None]) -> None:
        missing = {pk for pk in organisation_ids if pk is not None} - self._by_organisation.keys()
        if not missing:
            return
        for pk in missing:
            self._by_organisation[pk] = []
        members = OrganisationMember.objects.filter(organisation_id__in=missing, user__is_active=True)
        for organisation_id, user_id, role in members.values_list("organisation_id", "user_id", "role"):
            self._by_organisation[organisation_id].append((user_id, role))

    def with_roles(self, organisation_id: int, roles: Iterable[str]) -> list[int]:
        roles = set(roles)
        return sorted({user for user, role in self._by_organisation.get(organisation_id, ()) if role in roles})

    def monitoring_contacts(self, organisation_id: int) -> list[int]:
        """Who hears about an organisation's returns: its monitoring contacts, else its administrators."""
        return self.with_roles(organisation_id, [ProviderRole.MONITORING_CONTACT]) or self.with_roles(
            organisation_id, [ProviderRole.ORGANISATION_ADMIN]
        )


class CouncilOfficers:
    """Councils' officers by role, read once per sweep for the councils it meets."""

    ROLES = (Role.PROCUREMENT_OFFICER, *{role for roles in APPROVERS.values() for role in roles})

    def __init__(self):
        self._by_council: dict[int, dict[str, list[int]]] = {}

    def load(self, council_ids: Iterable[int]) -> None:
        missing = set(council_ids) - self._by_council.keys()
        if not missing:
            return
        for pk in missing:
            self._by_council[pk] = {}
        rows = Membership.objects.filter(council_id__in=missing, role__in=self.ROLES, user__is_active=True)
        for council_id, user_id, role in rows.values_list("council_id", "user_id", "role").order_by("user_id"):
            self._by_council[council_id].setdefault(role, []).append(user_id)

    def with_roles(self, council_id: int, roles: Iterable[str]) -> list[int]:
        found = self._by_council.get(council_id, {})
        return sorted({user for role in roles for user in found.get(role, ())})


@dataclass
class Sweep:
    """What every kind's reminders need to know: the day, the councils' rules, and a few lookups."""

    today: date
    now: datetime
    rules: ReminderRules
    members: Members = field(default_factory=Members)
    officers: CouncilOfficers = field(default_factory=CouncilOfficers)

    def __post_init__(self):
        types = ContentType.objects.get_for_models(MonitoringReturn, Agreement, Opportunity, ComplianceDocument, Notice)
        self.return_type = types[MonitoringReturn].pk
        self.agreement_type = types[Agreement].pk
        self.opportunity_type = types[Opportunity].pk
        self.document_type = types[ComplianceDocument].pk
        self.notice_type = types[Notice].pk
        self.notice_url = _url_template("monitoring:notice_detail", council_slug=str, pk=int)
        self.council_agreement_url = _url_template("monitoring:agreement_detail", council_slug=str, pk=int)
        self.provider_agreement_url = _url_template("monitoring:provider_agreement", pk=int)
        self.opportunity_url = _url_template("opportunities:detail", reference=str)
        self.organisation_url = _url_template("providers:organisation", pk=int)


def _batches(queryset: QuerySet, fields: tuple[str, ...], size: int = READ_BATCH) -> Iterator[list[tuple]]:
    """Rows in primary-key order, `size` at a time (keyset pagination: no OFFSET, no server-side cursor).
    The first field must be the primary key."""
    last = 0
    while True:
        rows = list(queryset.filter(pk__gt=last).order_by("pk").values_list(*fields)[:size])
        if rows:
            yield rows
        if len(rows) < size:
            return
        last = rows[-1][0]


def _party(provider_id, legal_name, trading_name, team) -> str:
    if provider_id is None:
        return f"{team} (in-house team)"
    return trading_name or legal_name


# ---- Monitoring returns ---------------------------------------------------------------------------

RETURN_FIELDS = (
    "id",
    "due_on",
    "period_start",
    "period_end",
    "state",
    "agreement_id",
    "agreement__reference",
    "agreement__title",
    "agreement__council_id",
    "agreement__council__slug",
    "agreement__provider_id",
    "agreement__provider__legal_name",
    "agreement__provider__trading_name",
    "agreement__internal_team_name",
    "agreement__council_contact_id",
    "agreement__commission__lead_officer_id",
    "agreement__commission__portfolio__holder_id",
)


def _return_recipients(sweep: Sweep, row) -> tuple[list[int], str]:
    """Who reports for the agreement, and the page they should open."""
    (_, _, _, _, _, agreement_id, _, _, _, slug, provider_id, _, _, _, contact_id, lead_id, _) = row
    if provider_id is not None:
        return sweep.members.monitoring_contacts(provider_id), sweep.provider_agreement_url.format(pk=agreement_id)
    # An in-house team has no provider account: its council contact (or the lead officer) hears instead.
    url = sweep.council_agreement_url.format(council_slug=slug, pk=agreement_id)
    return [contact_id or lead_id], url


def return_reminders(sweep: Sweep) -> Iterator[Reminder]:
    """Due soon, due today, overdue (repeated) and escalated, for returns still with the provider."""
    today, rules = sweep.today, sweep.rules
    horizon = rules.furthest(ReminderKind.RETURN_DUE_SOON, today) or today
    returns = MonitoringReturn.objects.filter(
        state__in=AWAITING_PROVIDER_STATES, due_on__lte=max(horizon, today), agreement__state__in=REGISTER_STATES
    )
    for batch in _batches(returns, RETURN_FIELDS):
        sweep.members.load(row[10] for row in batch)
        for row in batch:
            yield from _one_return(sweep, row)


def _one_return(sweep: Sweep, row) -> Iterator[Reminder]:
    (pk, due_on, first, last, state, _, reference, title, council_id, slug, provider_id, legal, trading, team) = row[
        :14
    ]
    lead_id, holder_id = row[15], row[16]
    today, rules = sweep.today, sweep.rules
    what = f"{reference} {title}, for {long_date(first)} to {long_date(last)}"

    def to_provider(kind: str, occurrence: str, heading: str, body: str) -> Iterator[Reminder]:
        recipients, url = _return_recipients(sweep, row)
        for user_id in recipients:
            yield Reminder(user_id, kind, sweep.return_type, pk, occurrence, council_id, heading, body, url)

    if due_on > today:
        rule = rules.get(council_id, ReminderKind.RETURN_DUE_SOON)
        ahead = rule.days(today, due_on)
        if rule.enabled and 1 <= ahead <= rule.days_before:
            yield from to_provider(
                ReminderKind.RETURN_DUE_SOON,
                due_on.isoformat(),
                f"Monitoring return due on {long_date(due_on)}: {reference}",
                f"The monitoring return for {what} is due on {long_date(due_on)}, in {rule.count(ahead)}.",
            )
        return
    if due_on == today:
        if rules.get(council_id, ReminderKind.RETURN_DUE_TODAY).enabled:
            yield from to_provider(
                ReminderKind.RETURN_DUE_TODAY,
                due_on.isoformat(),
                f"Monitoring return due today: {reference}",
                f"The monitoring return for {what} is due today, {long_date(due_on)}.",
            )
        return
    rule = rules.get(council_id, ReminderKind.RETURN_OVERDUE)
    late = rule.days(due_on, today)
    if late < 1:
        return  # due on a Friday, and today is the weekend: not a working day late yet
    if rule.enabled:
        every = rule.repeat_every_days
        repetition = 1 + (late - 1) // every if every else 1
        queried = state == ReturnState.QUERIED
        yield from to_provider(
            ReminderKind.RETURN_OVERDUE,
            f"{due_on.isoformat()}:overdue-{repetition}",
            f"Monitoring return overdue: {reference} (due {long_date(due_on)})",
            (
                f"The council has a question about the monitoring return for {what}. It was due on "
                f"{long_date(due_on)}: please answer the question and submit it again."
                if queried
                else f"The monitoring return for {what} was due on {long_date(due_on)} and is "
                f"{rule.count(late)} overdue. Please submit it as soon as you can."
            ),
        )
    # Escalation is for returns never submitted at all: a queried return is already in conversation.
    if rule.escalate_after_days and late >= rule.escalate_after_days and state == ReturnState.DUE:
        party = _party(provider_id, legal, trading, team)
        url = sweep.council_agreement_url.format(council_slug=slug, pk=row[5])
        heading = f"Overdue monitoring return: {reference} (due {long_date(due_on)}), {party}"
        body = (
            f"{party} has not submitted the monitoring return for {what}. It was due on {long_date(due_on)} and "
            f"is {rule.count(late)} overdue; the provider has been reminded."
        )
        for user_id in sorted({pk for pk in (lead_id, holder_id) if pk is not None}):
            yield Reminder(
                user_id, ReminderKind.RETURN_ESCALATED, sweep.return_type, pk, f"{due_on.isoformat()}:escalated",
                council_id, heading, body, url,
            )  # fmt: skip


REVIEW_FIELDS = (
    "id",
    "submitted_at",
    "period_start",
    "period_end",
    "agreement_id",
    "agreement__reference",
    "agreement__title",
    "agreement__council_id",
    "agreement__council__slug",
    "agreement__provider_id",
    "agreement__provider__legal_name",
    "agreement__provider__trading_name",
    "agreement__internal_team_name",
    "agreement__council_contact_id",
    "agreement__commission__lead_officer_id",
)


def review_reminders(sweep: Sweep) -> Iterator[Reminder]:
    """Returns submitted and waiting for the council's review for too long (repeated every N days)."""
    kind = ReminderKind.RETURN_AWAITING_REVIEW
    wait = sweep.rules.shortest_wait(kind)
    if wait is None:
        return
    # Working days are never fewer than calendar days, so this bound is safe for both kinds of count.
    cutoff = timezone.make_aware(datetime.combine(sweep.today - timedelta(days=wait - 1), datetime.min.time()))
    waiting = MonitoringReturn.objects.filter(state=ReturnState.SUBMITTED, submitted_at__lt=cutoff)
    for batch in _batches(waiting, REVIEW_FIELDS):
        for row in batch:
            (pk, submitted_at, first, last, agreement_id, reference, title, council_id, slug) = row[:9]
            provider_id, legal, trading, team, contact_id, lead_id = row[9:]
            rule = sweep.rules.get(council_id, kind)
            submitted_on = timezone.localdate(submitted_at)
            waited = rule.days(submitted_on, sweep.today)
            if not rule.enabled or waited < rule.days_before:
                continue
            every = rule.repeat_every_days
            repetition = 1 + (waited - rule.days_before) // every if every else 1
            party = _party(provider_id, legal, trading, team)
            stamp = submitted_at.astimezone(UTC).isoformat(timespec="seconds")
            yield Reminder(
                contact_id or lead_id,
                kind,
                sweep.return_type,
                pk,
                f"{stamp}:waiting-{repetition}",
                council_id,
                f"Monitoring return waiting for review: {reference}",
                f"{party} submitted the monitoring return for {reference} {title}, for {long_date(first)} to "
                f"{long_date(last)}, on {long_date(submitted_on)}. It has been waiting for review for "
                f"{rule.count(waited)}: accept it or send the provider a question.",
                sweep.council_agreement_url.format(council_slug=slug, pk=agreement_id),
            )


# ---- The yearly KPI assessment (Procurement Act 2023, s.71) ---------------------------------------------

ASSESSMENT_FIELDS = (
    "id",
    "latest",
    "live_on",
    "starts_on",
    "reference",
    "title",
    "council_id",
    "council__slug",
    "commission__lead_officer_id",
    "council_contact_id",
)


def assessment_reminders(sweep: Sweep) -> Iterator[Reminder]:
    """Live contracts under the KPI duty whose next assessment is due within the rule's days, or overdue
    (repeated every N days): the officers record it, and the contract performance notice follows."""
    kind = ReminderKind.KPI_ASSESSMENT_DUE
    rule = ReminderSettings.default(kind)
    if not rule.enabled:
        return
    live = Agreement.objects.filter(KPI_DUTY, state=AgreementState.LIVE).annotate(
        latest=Max("assessments__assessed_on")
    )
    for batch in _batches(live, ASSESSMENT_FIELDS):
        for pk, latest, live_on, starts_on, reference, title, council_id, slug, lead_id, contact_id in batch:
            due = next_assessment_due(latest, live_on, starts_on)
            url = sweep.council_agreement_url.format(council_slug=slug, pk=pk)
            if due >= sweep.today:
                left = rule.days(sweep.today, due)
                if left > rule.days_before:
                    continue
                occurrence = f"{due.isoformat()}:due"
                soon = "today" if left == 0 else f"in {rule.count(left)}"
                heading = f"KPI assessment due by {long_date(due)}: {reference}"
                body = (
                    f"Assess each KPI of {reference} {title} by {long_date(due)} ({soon}): the Procurement Act "
                    "2023 asks for an assessment at least every 12 months, published in a contract performance "
                    "notice."
                )
            else:
                late = rule.days(due, sweep.today)
                every = rule.repeat_every_days
                occurrence = f"{due.isoformat()}:overdue-{1 + (late - 1) // every if every else 1}"
                heading = f"KPI assessment overdue: {reference} (due {long_date(due)})"
                body = (
                    f"The assessment of each KPI of {reference} {title} was due by {long_date(due)} and is "
                    f"{rule.count(late)} overdue. Record it, then publish the contract performance notice."
                )
            for user_id in sorted({u for u in (lead_id, contact_id) if u is not None}):
                yield Reminder(user_id, kind, sweep.agreement_type, pk, occurrence, council_id, heading, body, url)


# ---- Opportunities: the deadline for bids -----------------------------------------------------------


def opportunity_reminders(sweep: Sweep) -> Iterator[Reminder]:
    """Tell organisations following an open opportunity, and not yet bidding, that its deadline is near."""
    kind = ReminderKind.OPPORTUNITY_DEADLINE
    horizon = sweep.rules.furthest(kind, sweep.today)
    if horizon is None:
        return
    end_of_horizon = timezone.make_aware(datetime.combine(horizon + timedelta(days=1), datetime.min.time()))
    closing = Opportunity.objects.filter(
        state=OpportunityState.PUBLISHED, submission_deadline__gt=sweep.now, submission_deadline__lt=end_of_horizon
    )
    fields = ("id", "reference", "title", "council_id", "submission_deadline")
    for batch in _batches(closing, fields):
        due = {}
        for pk, reference, title, council_id, deadline in batch:
            rule = sweep.rules.get(council_id, kind)
            left = rule.days(sweep.today, timezone.localdate(deadline))
            if rule.enabled and left <= rule.days_before:
                due[pk] = (reference, title, council_id, deadline, rule, left)
        if not due:
            continue
        submitted = Bid.objects.filter(
            opportunity_id=OuterRef("opportunity_id"),
            organisation_id=OuterRef("organisation_id"),
            state=BidState.SUBMITTED,
        )
        following = (
            Interest.objects.filter(opportunity_id__in=due)
            .exclude(Exists(submitted))
            .values_list("opportunity_id", "organisation_id")
        )
        following = list(following)
        sweep.members.load(organisation_id for _, organisation_id in following)
        for opportunity_id, organisation_id in following:
            reference, title, council_id, deadline, rule, left = due[opportunity_id]
            when = london_time(deadline)
            soon = "today" if left == 0 else f"in {rule.count(left)}"
            heading = f"Deadline for bids {when}: {reference}"
            body = (
                f"Bids for {reference} {title} must be submitted by {when} ({soon}). Your organisation is following "
                "this opportunity and has not submitted a bid yet."
            )
            url = sweep.opportunity_url.format(reference=reference)
            occurrence = deadline.astimezone(UTC).isoformat(timespec="minutes")
            roles = (ProviderRole.ORGANISATION_ADMIN, ProviderRole.BID_WRITER)
            for user_id in sweep.members.with_roles(organisation_id, roles):
                yield Reminder(
                    user_id, kind, sweep.opportunity_type, opportunity_id, occurrence, council_id, heading, body, url
                )


# ---- Provider compliance documents ------------------------------------------------------------------


def compliance_reminders(sweep: Sweep) -> Iterator[Reminder]:
    """A provider's compliance document expiring soon, unless a newer one of the same kind replaces it.

    Documents belong to an organisation, not a council, so the default rule applies."""
    kind = ReminderKind.COMPLIANCE_EXPIRING
    rule = ReminderSettings.default(kind)
    if not rule.enabled:
        return
    horizon = rule.date_after(sweep.today, rule.days_before)
    newer = ComplianceDocument.objects.filter(
        organisation_id=OuterRef("organisation_id"), kind=OuterRef("kind"), expires_on__gt=OuterRef("expires_on")
    )
    expiring = ComplianceDocument.objects.filter(expires_on__gte=sweep.today, expires_on__lte=horizon).exclude(
        Exists(newer)
    )
    labels = dict(ComplianceDocument._meta.get_field("kind").choices)
    for batch in _batches(expiring, ("id", "kind", "expires_on", "organisation_id")):
        sweep.members.load(row[3] for row in batch)
        for pk, document_kind, expires_on, organisation_id in batch:
            left = rule.days(sweep.today, expires_on)
            label = labels.get(document_kind, document_kind)
            soon = "today" if left == 0 else f"in {rule.count(left)}"
            heading = f"{label} expires on {long_date(expires_on)}"
            body = (
                f"Your organisation's {label.lower()} expires on {long_date(expires_on)} ({soon}). Upload the new "
                "one so that councils can see your organisation's documents are up to date."
            )
            url = sweep.organisation_url.format(pk=organisation_id)
            for user_id in sweep.members.with_roles(organisation_id, [ProviderRole.ORGANISATION_ADMIN]):
                yield Reminder(user_id, kind, sweep.document_type, pk, expires_on.isoformat(), None, heading, body, url)


# ---- Notices to publish on Find a Tender -------------------------------------------------------------

NOTICE_FIELDS = (
    "id",
    "due_on",
    "notice_type",
    "title",
    "due_rule",
    "council_id",
    "council__slug",
    "commission__reference",
    "commission__lead_officer_id",
)
NOTICE_LABELS = dict(NoticeType.choices)


def notice_reminders(sweep: Sweep) -> Iterator[Reminder]:
    """Required notices still to publish (draft or ready) due soon or today, and overdue (repeated if
    the council says so), to the council's procurement officers."""
    today, rules = sweep.today, sweep.rules
    soon = rules.furthest(ReminderKind.NOTICE_DUE_SOON, today) or today
    notices = Notice.objects.filter(
        state__in=(NoticeState.DRAFT, NoticeState.READY), optional=False, due_on__lte=max(soon, today)
    )
    if rules.furthest(ReminderKind.NOTICE_OVERDUE, today) is None:
        notices = notices.filter(due_on__gte=today)  # every council has turned overdue reminders off
    for batch in _batches(notices, NOTICE_FIELDS):
        sweep.officers.load(row[5] for row in batch)
        for row in batch:
            yield from _one_notice(sweep, row)


def _notice_recipients(sweep: Sweep, notice_type: str, council_id: int, lead_id: int | None) -> list[int]:
    # The approvers for a notice someone else approves (the UK17's finance officers), else the
    # procurement officers; a council with neither hears through the commission's lead officer.
    roles = APPROVERS.get(notice_type, (Role.PROCUREMENT_OFFICER,))
    return sweep.officers.with_roles(council_id, roles) or ([lead_id] if lead_id is not None else [])


def _one_notice(sweep: Sweep, row) -> Iterator[Reminder]:
    (pk, due_on, notice_type, title, due_rule, council_id, slug, commission_ref, lead_id) = row
    today, rules = sweep.today, sweep.rules
    label = NOTICE_LABELS.get(notice_type, notice_type)
    about = f"{label}: {title}" + (f" ({commission_ref})" if commission_ref else "")
    url = sweep.notice_url.format(council_slug=slug, pk=pk)
    rule_words = f"The rule: {due_rule.rstrip('.')}."
    if due_on >= today:
        rule = rules.get(council_id, ReminderKind.NOTICE_DUE_SOON)
        ahead = rule.days(today, due_on)
        if not rule.enabled or ahead > rule.days_before:
            return
        kind, occurrence = ReminderKind.NOTICE_DUE_SOON, due_on.isoformat()
        when = "today" if due_on == today else f"on {long_date(due_on)}, in {rule.count(ahead)}"
        heading = f"{label} due {'today' if due_on == today else 'on ' + long_date(due_on)}: {title}"
        body = (
            f"The {about} is due {when}. {rule_words} Check it, mark it ready and publish it on Find a Tender, "
            "or record that it is not needed and why."
        )
    else:
        rule = rules.get(council_id, ReminderKind.NOTICE_OVERDUE)
        late = rule.days(due_on, today)
        if not rule.enabled or late < 1:
            return
        every = rule.repeat_every_days
        repetition = 1 + (late - 1) // every if every else 1
        kind, occurrence = ReminderKind.NOTICE_OVERDUE, f"{due_on.isoformat()}:overdue-{repetition}"
        heading = f"{label} overdue (due {long_date(due_on)}): {title}"
        body = (
            f"The {about} was due on {long_date(due_on)} and is {rule.count(late)} overdue. {rule_words} Publish "
            "it on Find a Tender and record its identifier, or record that it is not needed and why."
        )
    for user_id in _notice_recipients(sweep, notice_type, council_id, lead_id):
        yield Reminder(user_id, kind, sweep.notice_type, pk, occurrence, council_id, heading, body, url)
