"""The notices of a contract once it is entered into: the contract details notice (UK7), the Provider
Selection Regime's confirmation of award and the contract termination notice (UK11), here; the contract
performance notice (UK9) in `performance.py` and the contract change notice (UK10) in `changes.py`, all
built on the same parts (`ContractRelease`).

Each is one notice per agreement (or per variation) of a commission whose confirmed regime calls for it:

| Regime | UK7 | PSR award | UK9 | UK10 | UK11 |
| --- | --- | --- | --- | --- | --- |
| Above threshold | 30 days | | > £5m with KPIs; poor performance | value or dates | yes |
| Light touch | 120 days | | | exempt (s.75(6)) | yes |
| Below threshold | £30,000 or more | | | | |
| Provider Selection Regime | | 30 days | | | |
| Grant, exempt | | | | | |

An agreement with the council's own team (no provider) is no contract with a supplier: it gets none.
"""

from __future__ import annotations

from datetime import date, timedelta

from django.utils import timezone

from commissioning.conflicts.selectors import confirmation
from commissioning.models import (
    NOTIFIABLE_BELOW_THRESHOLD_FROM,
    PUBLIC_CONTRACT_REGIMES,
    Commission,
    Opportunity,
    Procedure,
    ProcurementRegime,
    PsrKeyCriterion,
    PsrRoute,
    Regime,
)
from councils.formatting import money
from monitoring.models import (
    Agreement,
    AgreementKpi,
    AgreementState,
    AgreementVariation,
    NoticeType,
    TerminationGround,
    kpi_duty_applies,
)
from monitoring.notices import ocds
from monitoring.notices.kinds import NoticeKind, Occurrence, register
from monitoring.notices.procurement import above_threshold, current_opportunity, regime_of, special_regime
from monitoring.open_data.common import day_end, day_start, json_amount, moment
from monitoring.open_data.ocds import CommissionReleases, Parties, value
from providers.identity import identifiers, supplier_party

# Entered into: the agreements a contract details notice is about.
ENTERED_STATES = (AgreementState.SIGNED, AgreementState.LIVE, AgreementState.ENDED, AgreementState.TERMINATED)
ENDED_STATES = (AgreementState.ENDED, AgreementState.TERMINATED)
# Public contracts under the Procurement Act 2023 (below-threshold contracts are not, s.3).
DAYS_TO_PUBLISH = 30
LIGHT_TOUCH_DAYS = 120
# The contract details notice gives at most this many KPIs: the most material, in the officer's order.
KPIS_PUBLISHED = 3
PSR_DIRECT_ROUTES = (PsrRoute.DIRECT_A, PsrRoute.DIRECT_B, PsrRoute.DIRECT_C)


def long_day(day: date) -> str:
    return f"{day.day} {day:%B %Y}"


def contracts_of(commission: Commission, states=ENTERED_STATES) -> list[Agreement]:
    return list(
        Agreement.objects.filter(commission=commission, state__in=states, provider__isnull=False)
        .select_related("commission__council", "provider", "bid__opportunity", "lot")
        .order_by("reference")
    )


def agreement_of(notice) -> Agreement | None:
    """The agreement a contract notice is about, from its subject ("agreement:12", "agreement:12:…",
    "variation:7")."""
    kind, _, rest = notice.subject.partition(":")
    pk = rest.split(":", 1)[0]
    if kind == "variation":
        found = AgreementVariation.objects.filter(pk=pk).values_list("agreement_id", flat=True).first()
        pk = found
    return (
        Agreement.objects.filter(pk=pk, council=notice.council)
        .select_related("commission", "provider", "bid__opportunity")
        .first()
    )


def kpis_in_force(agreement: Agreement, on: date) -> list[AgreementKpi]:
    return [kpi for kpi in agreement.kpis.order_by("position", "id") if kpi.retired_on is None or kpi.retired_on > on]


def opportunity_of(agreement: Agreement) -> Opportunity | None:
    """The procurement the agreement came from: its winning bid's opportunity, or for one recorded
    directly, the commission's current one (none for a direct award made outside Commissioner)."""
    return agreement.bid.opportunity if agreement.bid_id else current_opportunity(agreement.commission)


class ContractRelease:
    """What every notice about one agreement shares: its buyer and supplier, the procurement it came
    from (tender), the award and the contract as the open data publishes them (same identifiers), and
    the release around them. The supplier is named as the UK notices name suppliers
    (`providers.identity.supplier_party`: PPON first; SME, VCSE, supported employment, mutual)."""

    def __init__(self, agreement: Agreement, regime: ProcurementRegime):
        self.agreement = agreement
        self.regime = regime
        self.commission = agreement.commission
        self.parties = Parties()
        self.supplier = self.parties.add(supplier_party(agreement.provider), "supplier")
        self.releases = CommissionReleases(self.commission, today=timezone.localdate(), link=ocds.link)
        found = self.releases.items_by_bid_lot.get((agreement.bid_id, agreement.lot_id)) if agreement.bid_id else None
        self.award_id = (
            f"{found[1].opportunity.reference}-AWARD-{found[0].pk}" if found else f"{agreement.reference}-AWARD"
        )
        self.opportunity = opportunity_of(agreement)

    @property
    def above_threshold(self) -> bool:
        return above_threshold(self.regime)

    def method(self) -> tuple[str, str]:
        """OCDS procurementMethod and its details, from the regime's procedure or PSR process."""
        regime = self.regime
        if regime.regime == Regime.PROVIDER_SELECTION:
            route = regime.psr_route
            method = (
                "direct" if route in PSR_DIRECT_ROUTES else "limited" if route == PsrRoute.MOST_SUITABLE else "open"
            )
            return method, regime.get_psr_route_display() or "Provider Selection Regime"
        methods = {
            Procedure.OPEN: "open",
            Procedure.COMPETITIVE_FLEXIBLE: "selective",
            Procedure.DIRECT_AWARD: "direct",
        }
        method = methods.get(regime.procedure) or ("open" if self.opportunity is not None else "direct")
        details = regime.get_procedure_display() or (
            "Below-threshold open procedure" if method == "open" else "Awarded without a competition"
        )
        return method, details

    def tender(self) -> dict:
        regime, opportunity = self.regime, self.opportunity
        method, details = self.method()
        tender = {
            "id": opportunity.reference if opportunity else f"{self.commission.reference}-C{self.agreement.cycle}",
            "title": opportunity.title if opportunity else self.commission.title,
            "procurementMethod": method,
            "procurementMethodDetails": details,
            "mainProcurementCategory": "services",
            "aboveThreshold": self.above_threshold,
        }
        if regime.direct_award_ground:
            tender["procurementMethodRationale"] = regime.direct_award_ground
        if special_regime(regime):
            tender["specialRegime"] = special_regime(regime)
        if regime.reserved_to_mutuals:
            tender["otherRequirements"] = {"reservedParticipation": ["publicServiceMissionOrganization"]}
        cpv_code = regime.cpv_code or self.commission.cpv_code
        if cpv_code:
            tender["classification"] = {"scheme": "CPV", "id": cpv_code}
        return tender

    def award(self, **extra) -> dict:
        agreement = self.agreement
        return {
            "id": self.award_id,
            "title": agreement.title,
            "status": "active",
            "date": day_start(agreement.signed_on or agreement.starts_on),
            "value": value(agreement.value),
            "suppliers": [self.supplier],
            **extra,
        }

    def contract(self, **extra) -> dict:
        agreement = self.agreement
        section = self.releases.contract_section(agreement, self.award_id)
        # In force from signature: signed but not yet delivering is still an active contract.
        section["status"] = "terminated" if agreement.state in ENDED_STATES else "active"
        if self.regime.regime in (*PUBLIC_CONTRACT_REGIMES, Regime.BELOW_THRESHOLD):
            section["aboveThreshold"] = self.above_threshold
        return {**section, **extra}

    def release(self, notice_type: str, tags: list[str], when: date, record: str, **sections) -> dict:
        built = ocds.release(
            council=self.commission.council,
            release_ocid=ocds.ocid(self.commission),
            notice_type=notice_type,
            tags=tags,
            parties=self.parties,
            when=when,
            **sections,
        )
        # One commission has one ocid and may have several contracts: each notice is its own release.
        built["id"] = f"{built['id']}-{record}"
        return built


def regime_for_contracts(commission: Commission, regimes) -> ProcurementRegime | None:
    regime = regime_of(commission)
    return regime if regime is not None and regime.regime in regimes else None


# ---- UK7 contract details notice (s.53, s.87; reg 32) -----------------------------------------------


def conflicts_document(opportunity: Opportunity | None) -> dict | None:
    """The confirmation that a conflicts assessment was prepared (s.83), which reg 32 asks the contract
    details notice to give. OCDS has no field for it; a document of OCDS's `conflictOfInterest` type
    carries it in words. It has no address: the assessment names people and is not published."""
    found = confirmation(opportunity) if opportunity is not None else None
    if found is None:
        return None
    revisions = f"{found.revisions} revision{'s' if found.revisions != 1 else ''}"
    description = (
        f"A conflicts assessment was prepared for this procurement (Procurement Act 2023, section 83): first "
        f"reviewed on {long_day(timezone.localdate(found.prepared_at))}, last reviewed on "
        f"{long_day(timezone.localdate(found.last_reviewed_at))} ({revisions})."
    )
    if not found.up_to_date:
        description += " A further revision is being reviewed."
    return {
        "id": "conflicts-assessment",
        "documentType": "conflictOfInterest",
        "title": "Confirmation that a conflicts assessment was prepared",
        "description": description,
        "dateModified": moment(found.last_reviewed_at),
        "language": "en",
    }


def agreed_metric(kpi: AgreementKpi, agreement: Agreement) -> dict:
    """A KPI as the metrics extension sets out a contract's target."""
    metric = {
        "id": f"kpi-{kpi.pk}",
        "title": kpi.description,
        "observations": [
            {
                "id": f"kpi-{kpi.pk}-target",
                "measure": json_amount(kpi.target),
                "unit": {"name": kpi.unit},
                "period": {"startDate": day_start(agreement.starts_on), "endDate": day_end(agreement.ends_on)},
            }
        ],
    }
    if kpi.outcome:
        metric["description"] = kpi.outcome
    return metric


def _details_release(agreement: Agreement, regime: ProcurementRegime) -> dict:
    parts = ContractRelease(agreement, regime)
    title = f"Contract details notice: {agreement.reference} {agreement.title}"
    documents = [ocds.notice_document(NoticeType.UK7, "contractNotice", title, agreement.signed_on)]
    conflicts = conflicts_document(parts.opportunity)
    if conflicts is not None:
        documents.append(conflicts)
    extra = {"documents": documents}
    if kpi_duty_applies(agreement):
        kpis = kpis_in_force(agreement, agreement.signed_on)[:KPIS_PUBLISHED]
        if kpis:
            extra["agreedMetrics"] = [agreed_metric(kpi, agreement) for kpi in kpis]
        else:
            extra["noAgreedMetricsRationale"] = (
                "No key performance indicators were set for this contract (Procurement Act 2023, section 52(3))."
            )
    return parts.release(
        NoticeType.UK7,
        ["award", "contract"],
        agreement.signed_on,
        agreement.reference,
        tender=parts.tender(),
        awards=[parts.award()],
        contracts=[parts.contract(**extra)],
    )


def details_due(regime: ProcurementRegime, agreement: Agreement) -> tuple[int, str]:
    """How many days after signature the contract details notice is due, and the rule that says so."""
    if regime.regime == Regime.BELOW_THRESHOLD:
        return DAYS_TO_PUBLISH, (
            f"As soon as reasonably practicable after the contract is entered into, for a below-threshold contract "
            f"of {money(NOTIFIABLE_BELOW_THRESHOLD_FROM)} or more (Procurement Act 2023, s.87): Commissioner gives "
            f"it {DAYS_TO_PUBLISH} days"
        )
    if regime.regime == Regime.LIGHT_TOUCH:
        return LIGHT_TOUCH_DAYS, (
            f"Within {LIGHT_TOUCH_DAYS} days of entering into a light-touch contract (Procurement Act 2023, s.53; "
            "Procurement Regulations 2024, reg 32)"
        )
    rule = (
        f"Within {DAYS_TO_PUBLISH} days of entering into the contract (Procurement Act 2023, s.53; Procurement "
        "Regulations 2024, reg 32)"
    )
    if kpi_duty_applies(agreement):
        rule += (
            f", with its {KPIS_PUBLISHED} most material KPIs (s.52). Over £5,000,000 a copy of the contract is "
            "also published, within 90 days (s.94)"
        )
    return DAYS_TO_PUBLISH, rule


def details_notices(commission: Commission) -> list[Occurrence]:
    regime = regime_for_contracts(commission, (*PUBLIC_CONTRACT_REGIMES, Regime.BELOW_THRESHOLD))
    if regime is None:
        return []
    found = []
    for agreement in contracts_of(commission):
        if regime.regime == Regime.BELOW_THRESHOLD and agreement.value < NOTIFIABLE_BELOW_THRESHOLD_FROM:
            continue
        days, rule = details_due(regime, agreement)
        found.append(
            Occurrence(
                subject=f"agreement:{agreement.pk}",
                title=f"Contract details notice: {agreement.reference} {agreement.title}",
                due_on=agreement.signed_on + timedelta(days=days),
                due_rule=rule,
                build=lambda agreement=agreement: _details_release(agreement, regime),
                source=agreement,
            )
        )
    return found


def details_missing(notice) -> list[str]:
    """What reg 32 needs that the records may lack: the supplier's unique identifier (its PPON, or at
    least a company or charity number), and the s.83 confirmation. A procurement with an opportunity must
    have its conflicts assessment prepared and reviewed; an agreement made without one has nowhere to
    record it, and the officer confirms it on Find a Tender."""
    agreement = agreement_of(notice)
    if agreement is None:
        return []
    missing = []
    if not identifiers(agreement.provider):
        missing.append(
            f"Ask {agreement.provider.legal_name} for its PPON (or record its company or charity number): the "
            "notice must identify the supplier"
        )
    regime = regime_of(agreement.commission)
    if regime is None or regime.regime not in PUBLIC_CONTRACT_REGIMES:
        return missing
    opportunity = opportunity_of(agreement)
    if opportunity is not None and confirmation(opportunity) is None:
        missing.append(
            f"Prepare and review the conflicts assessment for {opportunity.reference}: the contract details notice "
            "confirms one was prepared (Procurement Act 2023, section 83)"
        )
    return missing


register(
    NoticeKind(
        notice_type=NoticeType.UK7,
        purpose=(
            "Says a contract has been entered into: supplier, value, term, procedure, KPIs and that a conflicts "
            "assessment was prepared."
        ),
        for_commission=details_notices,
        missing_to_publish=details_missing,
    )
)


# ---- Provider Selection Regime: confirmation of award ---------------------------------------------------


def _psr_award_release(agreement: Agreement, regime: ProcurementRegime) -> dict:
    parts = ContractRelease(agreement, regime)
    title = f"Confirmation of award: {agreement.reference} {agreement.title}"
    tender = parts.tender()
    if regime.psr_decision:
        tender["procurementMethodRationale"] = regime.psr_decision
    criteria = [PsrKeyCriterion(key).label for key in regime.psr_key_criteria if key in PsrKeyCriterion.values]
    if criteria:
        tender["awardCriteriaDetails"] = "Decided against the key criteria: " + "; ".join(criteria)
    documents = [ocds.notice_document(NoticeType.PSR_AWARD, "awardNotice", title, agreement.signed_on)]
    conflicts = conflicts_document(parts.opportunity)
    return parts.release(
        NoticeType.PSR_AWARD,
        ["award", "contract"],
        agreement.signed_on,
        agreement.reference,
        tender=tender,
        awards=[parts.award(documents=documents)],
        contracts=[parts.contract(**({"documents": [conflicts]} if conflicts else {}))],
    )


def psr_award_notices(commission: Commission) -> list[Occurrence]:
    regime = regime_for_contracts(commission, (Regime.PROVIDER_SELECTION,))
    if regime is None:
        return []
    return [
        Occurrence(
            subject=f"agreement:{agreement.pk}",
            title=f"Confirmation of award: {agreement.reference} {agreement.title}",
            due_on=agreement.signed_on + timedelta(days=DAYS_TO_PUBLISH),
            due_rule=(
                f"Within {DAYS_TO_PUBLISH} days of the contract being awarded (Provider Selection Regime, "
                "SI 2023/1348): the process, the decision and the key criteria it was made against"
            ),
            build=lambda agreement=agreement: _psr_award_release(agreement, regime),
            source=agreement,
        )
        for agreement in contracts_of(commission)
    ]


register(
    NoticeKind(
        notice_type=NoticeType.PSR_AWARD,
        purpose="Confirms the award of a health services contract under the Provider Selection Regime.",
        for_commission=psr_award_notices,
    )
)


# ---- UK11 contract termination notice (s.80; reg 41) ----------------------------------------------------

TERMINATION_SCHEME = "GB-PA2023-TERMINATION"
# (id, description) of each reason an agreement ended, as the notice classifies it.
TERMINATION_RATIONALES = {
    "": ("completed", "The contract ran its full term"),
    TerminationGround.BREACH: (
        "breach",
        "The supplier breached the contract (section 71(5) of the Procurement Act 2023 applies)",
    ),
    TerminationGround.CONTRACT_RIGHT: ("contractualRight", "A right to terminate given by the contract"),
    TerminationGround.MUTUAL: ("mutualAgreement", "Agreed between the council and the supplier"),
    TerminationGround.IMPLIED_GROUND: ("section78", TerminationGround.IMPLIED_GROUND.label),
    TerminationGround.BY_PROVIDER: ("supplier", "Terminated by the supplier"),
    # The notice's list has no code of its own for a supplier's insolvency or collapse.
    TerminationGround.FAILURE: ("other", "The supplier failed: insolvent or unable to deliver the service"),
    TerminationGround.OTHER: ("other", "Another reason"),
}


def _termination_release(agreement: Agreement, regime: ProcurementRegime) -> dict:
    parts = ContractRelease(agreement, regime)
    title = f"Contract termination notice: {agreement.reference} {agreement.title}"
    early = agreement.state == AgreementState.TERMINATED
    ground = (agreement.termination_ground or TerminationGround.OTHER) if early else ""
    code, description = TERMINATION_RATIONALES[ground]
    if early and agreement.termination_reason:
        description = f"{description}: {agreement.termination_reason}"
    implementation = {
        "documents": [ocds.notice_document(NoticeType.UK11, "contractTerminationNotice", title, agreement.ended_on)]
    }
    if ground == TerminationGround.BREACH:
        # Ended in full for a breach: this notice, not a contract performance notice, publishes it.
        implementation["performanceFailures"] = [
            {
                "id": f"breach-{agreement.reference}",
                "description": agreement.termination_reason or TerminationGround.BREACH.label,
                "partialTermination": "No: the contract was terminated in full.",
                "suppliers": [parts.supplier],
            }
        ]
    contract = parts.contract(
        terminationRationaleClassifications=[{"scheme": TERMINATION_SCHEME, "id": code, "description": description}],
        implementation=implementation,
    )
    return parts.release(
        NoticeType.UK11,
        ["contractTermination"],
        agreement.ended_on,
        agreement.reference,
        tender=parts.tender(),
        contracts=[contract],
    )


def termination_notices(commission: Commission) -> list[Occurrence]:
    """Any ending of a public contract, at term or early (s.80 counts both)."""
    regime = regime_for_contracts(commission, PUBLIC_CONTRACT_REGIMES)
    if regime is None:
        return []
    found = []
    for agreement in contracts_of(commission, ENDED_STATES):
        rule = f"Within {DAYS_TO_PUBLISH} days of the contract ending (Procurement Act 2023, s.80; reg 41)"
        if agreement.termination_ground == TerminationGround.BREACH:
            rule += (
                ": for a breach it also gives any damages or settlement and their dates, the obligation breached, "
                "and the breach's nature, impact and duration (reg 41(2)(h))"
            )
        found.append(
            Occurrence(
                subject=f"agreement:{agreement.pk}",
                title=f"Contract termination notice: {agreement.reference} {agreement.title}",
                due_on=agreement.ended_on + timedelta(days=DAYS_TO_PUBLISH),
                due_rule=rule,
                build=lambda agreement=agreement: _termination_release(agreement, regime),
                source=agreement,
            )
        )
    return found


register(
    NoticeKind(
        notice_type=NoticeType.UK11,
        purpose="Says a public contract has ended, at its term or early, why, when and at what value.",
        for_commission=termination_notices,
    )
)
