"""Demo agreements for the demo commissions that are putting agreements in place, delivering or in
review, made through the real services (so the contract and grant register has rows).

Commissions already delivering get live agreements (a split award for Kirkby Moor's arts round, a
variation on the befriending grant). Commissions putting agreements in place get a draft (an in-house
service level agreement) or a signed agreement waiting to go live (the Vale Partnership's shared
service with its council-owned company): neither moves the commission, which stays where the
commissioning demo put it.

The live agreements then get their monitoring returns (`seed_returns`), filed and reviewed through the
real services on the days they would have been — the clock is moved (`time_machine`, demo only) so
submission dates, late flags and the audit trail read as they happened: returns accepted with their
RAG ratings (one rating overridden with a reason), one late, queries answered and still open, one
waiting for review, and returns not sent (overdue, so Kirkby Moor, which holds payments while a return
is overdue, shows the hold); interim performance assessments after a year. Two agreements carry payment
terms: the befriending grant a price per visit with a payment by results and a break clause, the shared
service a fixed price with a get-out clause and TUPE. Safe to run again.
"""

from __future__ import annotations

import datetime
from datetime import timedelta
from decimal import ROUND_HALF_UP, Decimal

import time_machine
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone

from commissioning.models import Commission, State
from councils.models import Council, Role
from councils.units import is_counted
from demo import delivery
from demo.commissions import person
from demo.providers import tiny_pdf
from demo.timeline import travel, working_day
from monitoring.agreements import services, steps, variations
from monitoring.models import (
    RETURN_WRITERS,
    Agreement,
    AgreementState,
    AssessmentKind,
    MonitoringFrequency,
    MonitoringReturn,
    MonitoringSettings,
    PerformanceRating,
    Rag,
    ResultPayment,
    ReturnState,
    add_months,
)
from monitoring.returns import services as returns_services
from monitoring.terms import services as terms_services
from providers.models import Organisation, OrganisationMember

# (council slug, commission title) -> [(provider legal name or None, internal team, state, share of budget)]
DEMO_AGREEMENTS = {
    ("kirkby-moor", "Befriending for older people living alone"): [
        ("Kirkby Moor Age Concern", "", AgreementState.LIVE, "1"),
    ],
    ("kirkby-moor", "Community arts commissioning round"): [
        ("The Lantern Arts Collective", "", AgreementState.LIVE, "0.6"),
        ("Open Doors Theatre", "", AgreementState.LIVE, "0.4"),
    ],
    # Kirkby Moor's "Leisure centre management" (in-house, putting agreements in place) is left for
    # the demo officer to draft, sign and put live: the journey the browser test walks.
    ("wyvern", "Healthy holidays activity programme"): [
        ("Wyvern Leisure Trust", "", AgreementState.LIVE, "1"),
    ],
    ("ashby-vale", "Shared waste education service"): [
        ("Vale Shared Services Ltd", "", AgreementState.SIGNED, "1"),
    ],
    ("ashby-vale", "Village hall improvement grants"): [
        ("Riverside Residents Association", "", AgreementState.LIVE, "1"),
    ],
    ("brookfield", "Rural broadband champions"): [
        ("Green Lanes Community Interest Company", "", AgreementState.LIVE, "1"),
    ],
}
DEMO_STATES = (State.AGREEING, State.DELIVERING, State.REVIEWING)


def _befriending_terms(agreement: Agreement, officer) -> None:
    """A price per visit with a payment by results on the agreement's first KPI, and a break clause."""
    kpi = agreement.kpis.order_by("position", "id").first()
    terms_services.terms_save(
        by=officer,
        agreement=agreement,
        pays_fixed=False,
        pays_per_unit=True,
        pays_by_results=True,
        unit_name="befriending visit",
        unit_price=Decimal("18"),
        has_break_clause=True,
        break_notice_days=90,
        first_result=ResultPayment(
            result=f"{kpi.description} (each one, as reported)" if kpi else "An older person befriended",
            price=Decimal("25"),
            evidence="The visit log and the befriender's notes, shown with the monitoring return.",
            kpi=kpi,
        ),
    )


def _shared_service_terms(agreement: Agreement, officer) -> None:
    """A fixed price with a get-out clause should the partner councils' funding end, and TUPE."""
    terms_services.terms_save(
        by=officer,
        agreement=agreement,
        pays_fixed=True,
        pays_per_unit=False,
        pays_by_results=False,
        has_get_out_clause=True,
        get_out_notice_days=180,
        get_out_circumstances="The partner councils withdraw the waste education funding.",
        tupe_applies=True,
        tupe_note="Two education officers transfer from the council to Vale Shared Services Ltd.",
    )


# Commission title -> the agreement's payment terms and clauses, recorded while it is a draft.
DEMO_TERMS = {
    "Befriending for older people living alone": _befriending_terms,
    "Shared waste education service": _shared_service_terms,
}


def _dates(commission: Commission):
    """Delivering: started about six months ago, for three years. In review: ends in about six months."""
    today = timezone.localdate()
    first_of_month = today.replace(day=1)
    if commission.state == State.DELIVERING:
        starts_on = add_months(first_of_month, -6)
        return starts_on, add_months(starts_on, 36) - timedelta(days=1)
    if commission.state == State.REVIEWING:
        starts_on = add_months(first_of_month, -30)
        return starts_on, add_months(starts_on, 36) - timedelta(days=1)
    return commission.starts_on, commission.ends_on


def _make(commission: Commission, provider, team: str, state: str, share: Decimal) -> Agreement:
    officer = commission.lead_officer
    starts_on, ends_on = _dates(commission)
    title = commission.title if share == 1 else f"{commission.title}: {provider or team}"
    # Drafted and signed a fortnight before it starts, and live from its start (the clock moved back).
    today = timezone.localdate()
    signed_on = working_day(min(today, starts_on - timedelta(days=14)), back=True)
    with travel(signed_on):
        agreement = _draft_and_sign(commission, provider, team, state, title, starts_on, ends_on, share, signed_on)
    if state != AgreementState.LIVE:
        return agreement
    # A service that starts on a weekend is recorded as live on the next working day.
    live_on = min(today, starts_on)
    with travel(working_day(live_on), 9):
        steps.agreement_go_live(by=officer, agreement=agreement, live_on=live_on)
    return agreement


def _draft_and_sign(commission, provider, team, state, title, starts_on, ends_on, share, signed_on) -> Agreement:
    officer = commission.lead_officer
    lead = person(commission.council, Role.LEAD_COMMISSIONER)
    council = commission.council
    agreement = services.agreement_create(
        by=officer,
        commission=commission,
        title=title,
        value=((commission.budget or Decimal("0")) * share).quantize(Decimal("1")),
        starts_on=starts_on,
        ends_on=ends_on,
        provider=provider,
        internal_team_name=team,
        funding_pot=council.funding_pots.order_by("id").first(),
        description=commission.summary,
        monitoring_frequency=MonitoringFrequency.QUARTERLY,
        max_extensions=2,
        extension_period_months=12,
        provider_contact_name=f"{provider} contract manager" if provider else "",
    )
    if commission.title in DEMO_TERMS:
        DEMO_TERMS[commission.title](agreement, officer)
    if state == AgreementState.DRAFT:
        return agreement
    steps.agreement_sign(
        by=lead,
        agreement=agreement,
        document=ContentFile(tiny_pdf(f"Signed agreement {agreement.reference}"), name="signed-agreement.pdf"),
        signed_on=signed_on,
        reason="Signed by both parties.",
    )
    return agreement


def _vary_befriending(agreement: Agreement) -> None:
    """A value uplift with its approval, so the demo shows a variation history."""
    council = agreement.council
    lead = person(council, Role.LEAD_COMMISSIONER)
    today = working_day(timezone.localdate() - timedelta(days=1), back=True)
    with travel(today, 11):
        _vary_value(agreement, lead, today)


def _vary_value(agreement: Agreement, lead, today: datetime.date) -> None:
    variations.agreement_vary_value(
        by=agreement.commission.lead_officer,
        agreement=agreement,
        value=agreement.value + Decimal("5000"),
        reason="Demand in the rural wards is higher than forecast: two more volunteer coordinators' sessions a week.",
        approval=variations.Approval(approved_by=lead, approved_on=today, reference=f"DEL/{today.year}/014"),
        effective_on=today,
    )


@transaction.atomic
def seed_agreements() -> int:
    seed_monitoring_settings()
    created = 0
    for (slug, title), parties in DEMO_AGREEMENTS.items():
        commission = Commission.objects.filter(council__slug=slug, title=title).select_related("council").first()
        if commission is None or commission.state not in DEMO_STATES:
            continue
        for legal_name, team, state, share in parties:
            provider = Organisation.objects.filter(legal_name=legal_name).first() if legal_name else None
            if legal_name and provider is None:
                continue
            existing = Agreement.objects.filter(commission=commission, cycle=commission.cycle)
            if existing.filter(provider=provider, internal_team_name=team).exists():
                continue
            agreement = _make(commission, provider, team, state, Decimal(share))
            if title.startswith("Befriending"):
                _vary_befriending(agreement)
            created += 1
    seed_returns()
    return created


# ---- Monitoring returns ----------------------------------------------------------------------------

# Councils that changed the default monitoring rules (set before any return is scheduled).
DEMO_SETTINGS = {
    "kirkby-moor": {"hold_payments_when_overdue": True},
    "wyvern": {"return_due_days": 15, "due_days_are_working_days": False, "amber_tolerance_percent": 15},
}

ACCEPTED, LATE, ANSWERED, OVERRIDDEN, SUBMITTED, QUERIED, NOT_SENT = (
    "accepted",
    "late",
    "answered",
    "overridden",
    "submitted",
    "queried",
    "not sent",
)
# Provider -> what happened to its returns, counted back from the latest return whose due date has
# passed (0 is the latest); earlier returns were sent on time and accepted.
RETURN_STORIES = {
    "Kirkby Moor Age Concern": {0: SUBMITTED, 1: ANSWERED},
    "The Lantern Arts Collective": {0: NOT_SENT, 1: QUERIED, 3: LATE, 5: OVERRIDDEN},
    "Open Doors Theatre": {0: NOT_SENT, 2: ANSWERED},
    "Wyvern Leisure Trust": {0: SUBMITTED, 1: LATE},
    "Riverside Residents Association": {0: QUERIED, 2: OVERRIDDEN, 4: LATE},
    "Green Lanes Community Interest Company": {0: NOT_SENT, 1: OVERRIDDEN},
}
# How each return's actuals compare with their targets, in turn: mostly met, some near, a few short.
PERFORMANCE = tuple(
    Decimal(factor) for factor in ("1.05", "1", "1.1", "0.96", "1.02", "1.15", "1", "0.93", "1.08", "1", "0.8", "1.03")
)
OUTCOMES = (
    "More people came back week after week; several now help to run the sessions themselves.",
    "New referrals came from the GP surgeries and the housing team, as the plan intended.",
    "Attendance dipped over the holidays and recovered once the evening sessions started.",
    "Participants told us they feel more confident and less isolated; the survey results are attached.",
)
CASE_STUDY = (
    "Mr B, who lives alone since his wife died, joined after a referral from his GP. He now comes twice "
    "a week and has started volunteering on Tuesdays."
)
# An officer's different view of a KPI's computed rating, with the reason kept with it.
OVERRIDES = {
    Rag.GREEN: (Rag.AMBER, "The numbers are met, but two sessions ran without a trained volunteer."),
    Rag.AMBER: (Rag.GREEN, "The lost sessions were made up in the first week of the next period."),
    Rag.RED: (Rag.AMBER, "The hall was closed for three weeks; the provider moved sessions as soon as it could."),
}
QUESTION = "The actual is below the target this period: what happened, and what will change next period?"
ANSWER = "Two sessions were cancelled when the hall flooded; both have been rebooked for next month."


def seed_monitoring_settings() -> None:
    for slug, values in DEMO_SETTINGS.items():
        council = Council.objects.filter(slug=slug).first()
        if council is None or MonitoringSettings.objects.filter(council=council).exists():
            continue
        admin = person(council, Role.COUNCIL_ADMIN)
        if admin is None:
            continue
        returns_services.monitoring_settings_save(
            by=admin, settings=MonitoringSettings(council=council, **values), changed=sorted(values)
        )


def _at(day: datetime.date, hour: int) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour)))


class _Clock:
    """Moves the demo through a return's life a day at a time, never past the real now."""

    def __init__(self):
        self.now = timezone.now()

    def on(self, day: datetime.date, hour: int = 10):
        when = min(_at(day, hour), self.now - timedelta(minutes=5))
        return time_machine.travel(when, tick=False)


def _content(monitoring_return: MonitoringReturn, turn: int) -> tuple[dict, dict]:
    rows = returns_services.reported_kpis(
        monitoring_return.agreement.kpis.prefetch_related("targets"), monitoring_return.period_start
    )
    actuals = {}
    for position, (kpi, target) in enumerate(rows):
        factor = PERFORMANCE[(2 * turn + position) % len(PERFORMANCE)]
        value = (target if target is not None else kpi.target) * factor
        # Whole numbers for counted things (people, sessions); a tenth for percentages and the like.
        places = Decimal("1") if is_counted(kpi.unit) else Decimal("0.1")
        actuals[kpi.pk] = (value.quantize(places, rounding=ROUND_HALF_UP), "")
    scheduled = sum(
        (p.amount for p in monitoring_return.agreement.payments.filter(due_on__lte=monitoring_return.period_end)),
        Decimal("0"),
    )
    content = {
        "outcomes_narrative": OUTCOMES[turn % len(OUTCOMES)],
        "case_study": CASE_STUDY if turn % 3 == 0 else "",
        "spend_to_date": (scheduled * Decimal("0.96")).quantize(Decimal("1")),
        "risks_and_issues": "Volunteer numbers are tight over the summer." if turn % 4 == 1 else "",
    }
    return content, actuals


def _file(monitoring_return: MonitoringReturn, story: str, turn: int, writer, officer, clock: _Clock) -> None:
    """One return's life, on the days it would have happened."""
    period_end, due_on = monitoring_return.period_end, monitoring_return.due_on
    sent_on = due_on + timedelta(days=6) if story == LATE else period_end + timedelta(days=7)
    content, actuals = _content(monitoring_return, turn)
    with clock.on(sent_on, 10):
        returns_services.return_submit(by=writer, monitoring_return=monitoring_return, content=content, actuals=actuals)
    if story == SUBMITTED:
        return
    if story in (QUERIED, ANSWERED):
        with clock.on(sent_on + timedelta(days=2), 11):
            returns_services.return_query(by=officer, monitoring_return=monitoring_return, question=QUESTION)
        if story == QUERIED:
            return
        with clock.on(sent_on + timedelta(days=5), 15):
            returns_services.return_submit(by=writer, monitoring_return=monitoring_return, answer=ANSWER)
    overrides = {}
    first = monitoring_return.actuals.order_by("kpi__position", "kpi_id").first()
    if story == OVERRIDDEN and first is not None:
        # The officer knows more than the numbers show, and says so.
        overrides[first.pk] = OVERRIDES.get(first.rag, OVERRIDES[Rag.RED])
    with clock.on(sent_on + timedelta(days=8), 14):
        returns_services.return_accept(
            by=officer,
            monitoring_return=monitoring_return,
            overrides=overrides,
            comment="Thank you: a clear return." if turn % 2 else "",
        )


def _assess(agreement: Agreement, officer, clock: _Clock) -> None:
    """An interim KPI assessment a year after delivery started, once a year has passed."""
    assessed_on = add_months(agreement.live_on, 12)
    if assessed_on >= timezone.localdate():
        return
    kpis = returns_services.assessable_kpis(agreement, assessed_on)
    ratings = {
        kpi.pk: (PerformanceRating.GOOD if position % 2 == 0 else PerformanceRating.APPROACHING_TARGET, "")
        for position, kpi in enumerate(kpis)
    }
    with clock.on(assessed_on, 12):
        returns_services.assessment_record(
            by=officer, agreement=agreement, kind=AssessmentKind.INTERIM, assessed_on=assessed_on, ratings=ratings
        )


@transaction.atomic
def seed_returns() -> int:
    """File and review the live demo agreements' returns (see the module docstring). An agreement
    whose returns have been touched already is left alone."""
    filed = 0
    clock = _Clock()
    today = timezone.localdate()
    # Every live agreement with a provider: those without a story sent every return on time.
    agreements = Agreement.objects.filter(state=AgreementState.LIVE, provider__isnull=False).select_related(
        "council", "commission__lead_officer", "provider"
    )
    for agreement in agreements:
        officer = agreement.commission.lead_officer
        returns_services.schedule_returns(agreement, by=officer)
        if agreement.returns.exclude(state=ReturnState.DUE).exists() or agreement.assessments.exists():
            continue
        writer = (
            OrganisationMember.objects.filter(organisation=agreement.provider, role__in=RETURN_WRITERS)
            .select_related("user")
            .order_by("id")
            .first()
        )
        if writer is None:
            continue
        # Returns whose due date has passed; those not yet due are left for the provider.
        ended = list(agreement.returns.filter(due_on__lt=today).order_by("-period_start"))
        stories = RETURN_STORIES.get(agreement.provider.legal_name, {})
        # One agreement's deliverables are reported in a return and accepted in its review.
        planned = delivery.plan(agreement, ended)
        for back, monitoring_return in reversed(list(enumerate(ended))):
            turn = len(ended) - back
            story = stories.get(back, ACCEPTED)
            if story != NOT_SENT:
                delivery.report(monitoring_return, writer.user, clock, planned)
                _file(monitoring_return, story, turn, writer.user, officer, clock)
                delivery.decide(monitoring_return, officer, clock, planned)
                filed += 1
        _assess(agreement, officer, clock)
    return filed
