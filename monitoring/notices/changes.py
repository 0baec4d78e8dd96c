"""The contract change notice (UK10; Procurement Act 2023, s.75; Procurement Regulations 2024, reg 40):
before a change of value or dates to an above-threshold contract takes effect, one notice per variation
(subject `variation:<id>`).

What gets one:

- a change of value or dates (`VariationKind.VALUE`, `DATES`) to an above-threshold contract. It is
  required when it changes the value by more than 10% (15% for works) or the term by more than 10% of
  the maximum term provided for on award, or is a novation or assignment on corporate restructuring
  (s.75(2)); a smaller one is offered as optional, since it is needed after all if it could reasonably
  have been made together with an earlier change that needed one (s.75(4)–(5)), which only the officer
  can judge;
- not a change of KPIs (it changes neither value nor term), nor taking up an extension option (within
  the maximum term provided for on award: no modification), nor an early termination (UK11);
- not light-touch contracts (s.75(6)(b)) and not below-threshold contracts (not public contracts).

The ground that permits the change (s.74, Schedule 8) is the one the officer chose on the variation
(`AgreementVariation.modification_ground`), given as the amendment's `rationaleClassifications`.
"""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from commissioning.models import Commission, ProcurementRegime, Regime
from councils.models import ThresholdKind
from monitoring.models import (
    Agreement,
    AgreementVariation,
    ModificationGround,
    NoticeType,
    VariationKind,
    months_after_end,
)
from monitoring.notices import ocds
from monitoring.notices.contract import ContractRelease, contracts_of, long_day, regime_for_contracts
from monitoring.notices.kinds import NoticeKind, Occurrence, register
from monitoring.open_data.common import day_end, day_start
from monitoring.open_data.ocds import value

# A change of value (or term) of this share or less needs no contract change notice (s.75(2)).
VALUE_CHANGE_LIMIT = {ThresholdKind.WORKS: 15}
DEFAULT_VALUE_CHANGE_LIMIT = 10
TERM_CHANGE_LIMIT = 10
MODIFICATION_SCHEME = "GB-PA2023-MODIFICATION"


def term_days(starts_on: str, ends_on: str) -> int:
    return (date.fromisoformat(ends_on) - date.fromisoformat(starts_on)).days + 1


def maximum_term_days(agreement: Agreement, first: AgreementVariation) -> int:
    """The longest the contract could run as awarded: its term when signed (the first variation keeps it)
    with every extension option taken."""
    signed = first.before
    furthest = months_after_end(
        date.fromisoformat(signed["ends_on"]), agreement.max_extensions * agreement.extension_period_months
    )
    return (furthest - date.fromisoformat(signed["starts_on"])).days + 1


def change_shares(variation: AgreementVariation, first: AgreementVariation) -> tuple[Decimal, Decimal]:
    """How much the variation changes the value (% of the value before) and the term (% of the maximum
    term provided for on award), as s.75(2) measures them."""
    before, after = variation.before, variation.after
    old, new = Decimal(before["value"]), Decimal(after["value"])
    value_share = abs(new - old) * 100 / old if old else (Decimal(100) if new else Decimal(0))
    term_change = abs(
        term_days(after["starts_on"], after["ends_on"]) - term_days(before["starts_on"], before["ends_on"])
    )
    term_share = Decimal(term_change * 100) / maximum_term_days(variation.agreement, first)
    return value_share.quantize(Decimal("0.1")), term_share.quantize(Decimal("0.1"))


def _change_release(variation: AgreementVariation, regime: ProcurementRegime) -> dict:
    agreement = variation.agreement
    parts = ContractRelease(agreement, regime)
    after = variation.after
    title = f"Contract change notice: {agreement.reference}, variation {variation.number}"
    period = {
        "startDate": day_start(date.fromisoformat(after["starts_on"])),
        "endDate": day_end(date.fromisoformat(after["ends_on"])),
    }
    amendment = {
        "id": f"variation-{variation.number}",
        "date": day_start(variation.effective_on),
        "rationale": variation.reason,
        "description": "; ".join(variation.changes) or variation.get_kind_display(),
        "value": value(Decimal(after["value"])),
        "period": period,
        "aboveThreshold": parts.above_threshold,
    }
    if variation.modification_ground:
        amendment["rationaleClassifications"] = [
            {
                "scheme": MODIFICATION_SCHEME,
                "id": variation.modification_ground,
                "description": ModificationGround(variation.modification_ground).label,
            }
        ]
    contract = {
        "id": agreement.reference,
        "awardID": parts.award_id,
        "title": agreement.title,
        "value": value(Decimal(after["value"])),
        "period": period,
        "aboveThreshold": parts.above_threshold,
        "amendments": [amendment],
        # OCDS 1.1.5 has no document type for a change notice: noticeType says it is a UK10.
        "documents": [ocds.notice_document(NoticeType.UK10, "contractNotice", title, variation.effective_on)],
    }
    return parts.release(
        NoticeType.UK10,
        ["contractAmendment"],
        variation.effective_on,
        f"{agreement.reference}-V{variation.number}",
        tender=parts.tender(),
        contracts=[contract],
    )


def change_rule(variation: AgreementVariation, value_share, term_share, limit: int, *, required: bool) -> str:
    rule = f"Before the change takes effect on {long_day(variation.effective_on)} (Procurement Act 2023, s.75)"
    shares = f"the value by {value_share}% and the term by {term_share}% of the maximum term"
    if not required:
        return (
            f"{rule}. Not required: it changes {shares} ({limit}% and {TERM_CHANGE_LIMIT}% or less, s.75(2)), "
            "unless it could reasonably have been made together with an earlier change that needed one (s.75(4)–(5))"
        )
    if variation.modification_ground == ModificationGround.RESTRUCTURING:
        rule += ": a novation or assignment on corporate restructuring always needs one"
    else:
        rule += f": it changes {shares}"
    return f"{rule}; the council may wait 8 working days after publishing before making the change (s.76)"


def change_notices(commission: Commission) -> list[Occurrence]:
    """One per change of value or dates to an above-threshold contract (see the module's docstring)."""
    regime = regime_for_contracts(commission, (Regime.ABOVE_THRESHOLD,))
    if regime is None:
        return []
    limit = VALUE_CHANGE_LIMIT.get(regime.threshold_kind, DEFAULT_VALUE_CHANGE_LIMIT)
    found = []
    for agreement in contracts_of(commission):
        variations = list(agreement.variations.order_by("number"))
        for variation in variations:
            if variation.kind not in (VariationKind.VALUE, VariationKind.DATES):
                continue
            variation.agreement = agreement
            value_share, term_share = change_shares(variation, variations[0])
            restructuring = variation.modification_ground == ModificationGround.RESTRUCTURING
            required = restructuring or value_share > limit or term_share > TERM_CHANGE_LIMIT
            rule = change_rule(variation, value_share, term_share, limit, required=required)
            found.append(
                Occurrence(
                    subject=f"variation:{variation.pk}",
                    title=f"Contract change notice: {agreement.reference}, variation {variation.number}",
                    due_on=variation.effective_on - timedelta(days=1),
                    due_rule=rule,
                    optional=not required,
                    build=lambda variation=variation: _change_release(variation, regime),
                    source=variation,
                )
            )
    return found


register(
    NoticeKind(
        notice_type=NoticeType.UK10,
        purpose="Says, before it takes effect, how an above-threshold contract is being changed and what permits it.",
        for_commission=change_notices,
    )
)
