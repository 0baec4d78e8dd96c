"""Reads for what follows an award decision under the Procurement Act 2023: the regime the award is
made under, whether assessment summaries are required (Procurement Regulations 2024, reg 31), whether
a contract award notice (UK6) — under the Provider Selection Regime, the notice of the intention to
award — must be published before the contract is entered into, whether a standstill applies (s.51:
mandatory, voluntary or none) and when it ends; where the award has got to, in words; and what the
award still stops an agreement being signed for.

The standstill counts working days from the day the notice was published (`Award.award_notice_published_on`,
recorded by `services.record_award_notice_published`), over England and Wales bank holidays. The
contract may be entered into only after its last day.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from django.utils import timezone

from commissioning.award.selectors import day, open_call_in
from commissioning.cycle.regime import propose_regime
from commissioning.models import PUBLIC_CONTRACT_REGIMES, Award, AwardState, Procedure, ProcurementRegime, Regime
from councils.calendar import add_working_days

# s.51(3): "at least eight working days"; a council may set a longer standstill, never a shorter one.
MINIMUM_STANDSTILL_WORKING_DAYS = 8

MANDATORY, VOLUNTARY, NONE = "mandatory", "voluntary", "none"
UK6 = "contract award notice (UK6)"
PSR_INTENTION = "notice of the intention to award"
# The regimes whose contracts are public contracts under the Act: a UK6 before entering into them.


@dataclass(frozen=True)
class AwardRegime:
    regime: str
    procedure: str
    # False when nobody confirmed the regime: it is the one the value, CPV code and route point to.
    confirmed: bool

    @property
    def label(self) -> str:
        return Regime(self.regime).label

    @property
    def competitive(self) -> bool:
        return self.procedure != Procedure.DIRECT_AWARD


@dataclass(frozen=True)
class StandstillRule:
    """What the regime asks after the decision: the notice to publish ("" for none), whether assessment
    summaries are required, and whether the standstill is mandatory, voluntary or absent — and why."""

    regime: AwardRegime
    standstill: str
    notice: str
    summaries_required: bool
    why: str

    @property
    def notice_required(self) -> bool:
        return bool(self.notice)


def regime_of(award: Award) -> AwardRegime:
    """The commission's confirmed regime; without one, the regime proposed for it (so that an award
    made before regimes were recorded is still held to the standstill its value calls for)."""
    record = ProcurementRegime.objects.filter(commission_id=award.commission_id).first()
    if record is not None:
        return AwardRegime(regime=record.regime, procedure=record.procedure, confirmed=True)
    proposal = propose_regime(award.commission)
    procedure = Procedure.OPEN if proposal.regime in PUBLIC_CONTRACT_REGIMES else ""
    return AwardRegime(regime=proposal.regime, procedure=procedure, confirmed=False)


def standstill_working_days(award: Award) -> int:
    return max(MINIMUM_STANDSTILL_WORKING_DAYS, award.council.standstill_working_days)


def standstill_rule(award: Award, regime: AwardRegime | None = None) -> StandstillRule:
    regime = regime or regime_of(award)
    days = standstill_working_days(award)
    runs = f"it runs for {days} working days from the day the {UK6} is published"
    if regime.regime == Regime.ABOVE_THRESHOLD and regime.competitive:
        rule = (
            MANDATORY,
            UK6,
            True,
            f"A contract above the threshold awarded after a competitive procedure: the standstill is "
            f"mandatory (Procurement Act 2023, s.51); {runs}.",
        )
    elif regime.regime in PUBLIC_CONTRACT_REGIMES:
        what = "A light-touch contract" if regime.regime == Regime.LIGHT_TOUCH else "A direct award"
        rule = (
            VOLUNTARY,
            UK6,
            regime.competitive,
            f"{what}: a standstill is voluntary (Procurement Act 2023, s.51). If you choose one before the "
            f"notice is published, {runs}.",
        )
    elif regime.regime == Regime.PROVIDER_SELECTION:
        rule = (
            MANDATORY,
            PSR_INTENTION,
            False,
            f"Health services under the Provider Selection Regime: a standstill of {days} working days for "
            f"representations runs from the day the {PSR_INTENTION} is published.",
        )
    else:
        why = {
            Regime.BELOW_THRESHOLD: "A contract below the threshold: there is no contract award notice and no "
            "standstill (a contract details notice follows once it is signed, if it is worth £30,000 or more).",
            Regime.GRANT: "A grant is not procurement: there is no contract award notice and no standstill.",
        }.get(regime.regime, "Nothing is procured: there is no contract award notice and no standstill.")
        rule = (NONE, "", False, why)
    standstill, notice, summaries, why = rule
    if not regime.confirmed:
        why += f" (No regime has been confirmed for the commission: this is the one proposed, {regime.label.lower()}.)"
    return StandstillRule(regime=regime, standstill=standstill, notice=notice, summaries_required=summaries, why=why)


def award_notice_required(award: Award) -> bool:
    """Whether a contract award notice (UK6), or the Provider Selection Regime's notice of the intention
    to award, must be published before the contract is entered into."""
    return standstill_rule(award).notice_required


def summaries_required(award: Award) -> bool:
    """Reg 31: every supplier that submitted an assessed tender gets an assessment summary before the
    contract award notice, after a competitive award of a public contract (above threshold or light
    touch). Every other award sends the same summary as its outcome message, not required by law."""
    return standstill_rule(award).summaries_required


def standstill_will_apply(award: Award, rule: StandstillRule | None = None) -> bool:
    """Before the notice: whether publishing it would start a standstill (mandatory, or chosen)."""
    rule = rule or standstill_rule(award)
    return rule.standstill == MANDATORY or (rule.standstill == VOLUNTARY and award.voluntary_standstill)


def standstill_end(award: Award, published_on: date) -> date:
    """The last day of the standstill for a notice published on `published_on` (not itself counted)."""
    return add_working_days(published_on, standstill_working_days(award))


def may_choose_voluntary_standstill(award: Award, rule: StandstillRule | None = None) -> bool:
    rule = rule or standstill_rule(award)
    return rule.standstill == VOLUNTARY and award.award_notice_published_on is None


# ---- In words ----------------------------------------------------------------------------------------


def standstill_lines(award: Award, rule: StandstillRule, today: date | None = None) -> list[str]:
    """The notice and the standstill, as the award page says them."""
    today = today or timezone.localdate()
    if not rule.notice:
        return [f"No standstill applies. {rule.why}"]
    published = award.award_notice_published_on
    if published is None:
        if standstill_will_apply(award, rule):
            return [
                f"The standstill starts when the {rule.notice} is published on Find a Tender: it then runs for "
                f"{standstill_working_days(award)} working days, and the contract can be entered into only after it."
            ]
        chosen = " No voluntary standstill has been chosen." if rule.standstill == VOLUNTARY else ""
        return [f"The contract can be entered into once the {rule.notice} is published on Find a Tender.{chosen}"]
    lines = [f"The {rule.notice} was published on {day(published)}."]
    ends = award.standstill_ends_on
    if not award.standstill_applies or ends is None:
        lines.append("No standstill applies: the agreements can be signed.")
    elif today <= ends:
        lines.append(
            f"The standstill period runs until the end of {day(ends)}: the agreements can be signed from "
            f"{day(ends + timedelta(days=1))}."
        )
    else:
        lines.append(f"The standstill period ended on {day(ends)}.")
    return lines


def award_status(award: Award, today: date | None = None, rule: StandstillRule | None = None) -> list[str]:
    """Where the award has got to, in words: the decision, call-in, effect, the assessment summaries,
    the notice and the standstill."""
    today = today or timezone.localdate()
    if award.state == AwardState.DRAFT:
        return ["The recommendation is being prepared."]
    if award.state == AwardState.AWAITING_DECISION:
        return [f"The recommendation was sent for decision on {day(timezone.localdate(award.submitted_at))}."]
    decided = f"Approved on {day(award.decided_on)} by {award.decided_by} ({award.get_decision_maker_display()}"
    decided += f", {award.decision_reference})." if award.decision_reference else ")."
    status = [decided]
    if award.state == AwardState.CALLED_IN:
        call_in = open_call_in(award)
        if call_in is not None:
            status.append(
                f"Called in by {call_in.called_in_by} on {day(timezone.localdate(call_in.called_in_at))}: the "
                "decision-maker must now confirm or withdraw the decision."
            )
        return status
    if award.in_call_in_period(today):
        status.append(
            f"Scrutiny can call the decision in until the end of {day(award.call_in_ends_on)}; if nobody does, "
            f"it has effect from {day(award.effective_from())}."
        )
        return status
    effective = award.effective_from()
    if effective:
        status.append(f"The decision has effect from {day(effective)}.")
    if award.assessment_summaries_sent_at is None:
        status.append("The assessment summaries have not been sent yet.")
        return status
    sent_on = timezone.localdate(award.assessment_summaries_sent_at)
    status.append(f"The assessment summaries were sent on {day(sent_on)}.")
    return status + standstill_lines(award, rule or standstill_rule(award), today)


# ---- The signing gate ----------------------------------------------------------------------------------


def signing_blockers(agreement) -> list[str]:
    """What the award still stops, for an agreement made from a bid: the decision not approved, the
    call-in period running or the decision called in, the assessment summaries not sent, the notice
    not published, the standstill running. Empty when clear, and for an agreement recorded without an
    award (no bid, or no award made)."""
    if agreement.bid_id is None:
        return []
    bid = agreement.bid
    award = (
        Award.objects.filter(opportunity_id=bid.opportunity_id)
        .select_related("commission__council", "decided_by")
        .first()
    )
    if award is None:
        return []
    today = timezone.localdate()
    if not award.items.filter(bid_id=bid.pk).exists():
        return [f"{bid.organisation}'s bid is not one of the award's winning bids"]
    if award.state == AwardState.CALLED_IN:
        return ["Scrutiny has called the award decision in: wait until the decision-maker confirms it"]
    if award.state != AwardState.APPROVED:
        return ["The award decision has not been approved"]
    if not award.has_effect(today):
        return [
            f"The call-in period runs until the end of {day(award.call_in_ends_on)}: the agreement can be signed "
            f"once the decision has effect, from {day(award.effective_from())}"
        ]
    if award.assessment_summaries_sent_at is None:
        return ["Send the assessment summaries to every bidder"]
    rule = standstill_rule(award)
    if rule.notice and award.award_notice_published_on is None:
        then = (
            f"a standstill of {standstill_working_days(award)} working days runs from the day it is published"
            if standstill_will_apply(award, rule)
            else "the contract cannot be entered into before it is published"
        )
        return [f"The {rule.notice} has not been published on Find a Tender: {then}"]
    if award.standstill_applies and award.standstill_ends_on and today <= award.standstill_ends_on:
        return [
            f"The standstill period runs until the end of {day(award.standstill_ends_on)}: the agreement can be "
            f"signed from {day(award.standstill_ends_on + timedelta(days=1))}"
        ]
    return []
