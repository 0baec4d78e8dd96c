"""Demo awards: signed-off evaluations (`evaluation_demo.evaluate`) carried on through the award, one
at each step, through the real services and in each example's own past (see `evaluation_demo`).

The steps (`AWARD_STEPS`), with who to sign in as to take the next one:

- *awaiting a delegated decision*: a grant below the key-decision threshold, recommended and waiting
  for the lead commissioner (`lead@vale-partnership.example`, Ashby Vale);
- *awaiting the portfolio holder*: a contract at or above it, on the forward plan since it was
  published (more than 28 clear days ago), waiting for `cabinet@kirkby-moor.example`;
- *in call-in*: a key decision approved yesterday (the last working day), in its five working days
  of call-in (`scrutiny@wyvern.example` may call it in); its assessment summaries are prepared as
  drafts for `officer@wyvern.example` to check and correct, and can be sent once the call-in is over;
- *called in*: a key decision called in by `scrutiny@wyvern.example`, waiting for the portfolio
  holder (`cabinet@wyvern.example`) to confirm or withdraw it;
- *standstill*: a contract above the procurement threshold decided by the lead commissioner, its
  assessment summaries sent three working days ago and its contract award notice (UK6) published two
  working days ago, the standstill of 8 working days running from the notice;
- *ready to sign*: a key decision long past its call-in, summaries, notice and standstill, its draft
  agreement (Ashby Vale, `officer@vale-partnership.example`) waiting only for the signed copy.

The notice's publication is recorded through its notice where the regime is confirmed (as an officer
does on the notices page), on the award directly otherwise (`demo.notices.publish_award_notice`).

Safe to run again: an example whose commission already exists is left alone.
"""

from __future__ import annotations

import datetime

from django.db import transaction
from django.utils import timezone

from commissioning.award import call_in, summary_services
from commissioning.award import services as award_services
from commissioning.award import standstill_selectors as standstill
from commissioning.cycle.services import Decision
from commissioning.models import Award, Commission, DecisionMaker, DeliveryRoute
from councils.calendar import add_working_days
from councils.models import Role
from demo import commissions as demo
from demo.evaluations import SIGNED_OFF, Evaluated, Example, evaluate, travel
from demo.notices import publish_award_notice
from demo.timeline import working_day

AWAITING_DELEGATED = "awaiting_delegated_decision"
AWAITING_KEY = "awaiting_key_decision"
CALL_IN_PERIOD = "call_in_period"
CALLED_IN = "called_in"
STANDSTILL = "standstill"
READY_TO_SIGN = "ready_to_sign"
AWARD_STEPS = (AWAITING_DELEGATED, AWAITING_KEY, CALL_IN_PERIOD, CALLED_IN, STANDSTILL, READY_TO_SIGN)

EXAMPLES = [
    Example(
        "ashby-vale",
        "Community led health walks",
        DeliveryRoute.GRANT,
        "80000",
        "Children and young people are active and healthy",
        (("green-lanes-community-interest-company", "76000"), ("riverside-residents-association", "68000")),
        AWAITING_DELEGATED,
        published_days_ago=35,
    ),
    Example(
        "kirkby-moor",
        "Housing-related floating support",
        DeliveryRoute.CONTRACT,
        "300000",
        "Fewer older people isolated and lonely",
        (("kirkby-moor-age-concern", "286000"), ("brightwork-training-ltd", "271000")),
        AWAITING_KEY,
        published_days_ago=45,
    ),
    Example(
        "wyvern",
        "Welfare benefits advice in GP surgeries",
        DeliveryRoute.CONTRACT,
        "220000",
        "A strong and independent voluntary, community and faith sector",
        (("wyvern-citizens-advice", "216000"), ("brightwork-training-ltd", "209000")),
        CALL_IN_PERIOD,
        published_days_ago=45,
    ),
    Example(
        "wyvern",
        "Community safety wardens",
        DeliveryRoute.CONTRACT,
        "150000",
        "People feel safe in their neighbourhoods",
        (("wyvern-leisure-trust", "142000"), ("parkwise-landscapes", "139500")),
        CALLED_IN,
        published_days_ago=45,
    ),
    Example(
        "kirkby-moor",
        "Domiciliary care reablement",
        DeliveryRoute.CONTRACT,
        "240000",
        "Fewer older people isolated and lonely",
        (("kirkby-moor-age-concern", "232000"), ("st-annes-community-kitchen", "226000")),
        STANDSTILL,
        published_days_ago=40,
    ),
    Example(
        "ashby-vale",
        "Leisure and wellbeing hub management",
        DeliveryRoute.CONTRACT,
        "280000",
        "Children and young people are active and healthy",
        (("vale-shared-services-ltd", "274000"), ("wyvern-leisure-trust", "262000")),
        READY_TO_SIGN,
        published_days_ago=75,
    ),
]


def _decision(award: Award, decided_on: datetime.date) -> Decision:
    if not award.is_key_decision:
        return Decision(decided_on=decided_on)
    council = award.council
    return Decision(
        decision_maker=DecisionMaker.PORTFOLIO_HOLDER,
        reference=f"PH/{council.short_code}/{decided_on.year}/{award.pk:03d}",
        decided_on=decided_on,
        minute_url=f"https://democracy.{council.slug}.example/decisions/{award.opportunity.reference}",
    )


def _decision_maker(award: Award):
    council = award.council
    if not award.is_key_decision:
        return demo.person(council, Role.LEAD_COMMISSIONER)
    portfolio = award.commission.portfolio
    return portfolio.holder if portfolio and portfolio.holder else demo.person(council, Role.PORTFOLIO_HOLDER)


def _fresh(award: Award) -> Award:
    return Award.objects.select_related("opportunity__council", "commission__council", "commission__portfolio").get(
        pk=award.pk
    )


def _decision_day(step: str, today: datetime.date, evaluated: Evaluated) -> datetime.date:
    if step == CALL_IN_PERIOD:
        return add_working_days(today, -1)
    if step == CALLED_IN:
        return add_working_days(today, -2)
    if step == STANDSTILL:
        return add_working_days(today, -4)
    return evaluated.day + datetime.timedelta(days=16)  # ready to sign: long ago


def award_through(example: Example, published_on: datetime.date, today: datetime.date) -> Award | None:
    """A signed-off evaluation carried on to the example's award step."""
    evaluated = evaluate(example, published_on, SIGNED_OFF)
    if evaluated is None:
        return None
    opportunity, step = evaluated.opportunity, example.step
    officer = demo.person(opportunity.council, Role.COMMISSIONING_OFFICER)
    with travel(evaluated.day + datetime.timedelta(days=1)):
        award = award_services.award_start(by=officer, opportunity=opportunity)
    with travel(evaluated.day + datetime.timedelta(days=2)):
        award = award_services.award_transition(by=officer, award=_fresh(award), name="submit")
    if step in (AWAITING_DELEGATED, AWAITING_KEY):
        return award

    decided_on = _decision_day(step, today, evaluated)
    with travel(decided_on, 15):
        award = _fresh(award)
        award = award_services.award_transition(
            by=_decision_maker(award),
            award=award,
            name="approve",
            reason="Agreed as recommended by the evaluation panel.",
            decision=_decision(award, decided_on),
        )
    if step == CALL_IN_PERIOD:
        with travel(decided_on, 16):
            summary_services.assessment_summaries_prepare(by=officer, award=_fresh(award))
        return award
    if step == CALLED_IN:
        with travel(add_working_days(decided_on, 1), 12):
            # As many scrutiny members as the constitution needs ask; the last request calls it in.
            for scrutiny in demo.people(award.council, Role.SCRUTINY_MEMBER)[: award.council.call_in_threshold]:
                call_in.call_in_request(
                    by=scrutiny,
                    award=_fresh(award),
                    reason="The committee wants to see how the social value offers were weighed before the award.",
                )
            return _fresh(award)

    award = _fresh(award)
    summaries_on = decided_on if award.effective_on else add_working_days(award.call_in_ends_on, 1)
    if step == STANDSTILL:
        summaries_on = add_working_days(today, -3)
    with travel(summaries_on, 10):
        summary_services.assessment_summaries_prepare(by=officer, award=_fresh(award))
    with travel(summaries_on, 11):
        summary_services.assessment_summaries_send(by=officer, award=_fresh(award))
    award = _fresh(award)
    if standstill.award_notice_required(award):
        published_on = add_working_days(summaries_on, 1)
        with travel(published_on, 9):
            publish_award_notice(award, officer, published_on)
    return _fresh(award)


@transaction.atomic
def seed_awards() -> int:
    """The demo awards at each step (see the module docstring). Returns how many were made."""
    made = 0
    today = timezone.localdate()
    for example in EXAMPLES:
        if Commission.objects.filter(council__slug=example.council, title=example.title).exists():
            continue
        # Published on a working day, so its deadline a fortnight later is one too.
        published_on = working_day(today - datetime.timedelta(days=example.published_days_ago), back=True)
        made += award_through(example, published_on, today) is not None
    return made
