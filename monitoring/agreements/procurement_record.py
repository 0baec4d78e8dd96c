"""Monitoring's part of the procurement record (`commissioning.procurement_record`): each agreement of
the commission drafted, signed (the contract entered into, from which its record is kept 3 years),
put live, varied, ended or cancelled. Registered from `MonitoringConfig.ready()`."""

from __future__ import annotations

from django.urls import reverse

from commissioning.procurement_record.registry import Category, Entry, Procurement, Subject, register
from commissioning.procurement_record.sources import day, who
from monitoring.models import Agreement

AGREEMENT = Subject(Agreement, "commission")

STEPS = {
    "created": "Agreement drafted",
    "created_from_award": "Agreement drafted from the award",
    "sign": "Contract entered into: the agreement was signed",
    "go_live": "Delivery started under the agreement",
    "end": "Agreement ended at the end of its term",
    "terminate": "Agreement terminated early",
    "cancel": "Draft agreement cancelled",
}


def _what(name: str, extra: dict, agreement: Agreement) -> str:
    if name == "sign":
        return f"{STEPS[name]} with {agreement.party_name} on {day(extra.get('signed_on') or agreement.signed_on)}"
    if name.startswith("varied."):
        changes = "; ".join(extra.get("changes") or [])
        number = extra.get("variation")
        return f"Agreement varied{f' (variation {number})' if number else ''}" + (f": {changes}" if changes else "")
    return STEPS[name]


def agreement_entries(procurement: Procurement) -> list[Entry]:
    events = procurement.events(AGREEMENT)
    if not events:
        return []
    agreements = Agreement.objects.filter(commission=procurement.commission).select_related("provider")
    by_key = {str(agreement.pk): agreement for agreement in agreements}
    slug = procurement.commission.council.slug
    entries = []
    for event in events:
        name = event.event_type.removeprefix("agreement.")
        agreement = by_key.get(event.object_id)
        if agreement is None or (name not in STEPS and not name.startswith("varied.")):
            continue
        entries.append(
            Entry(
                at=event.created_at,
                category=Category.DECISION,
                who=who(event),
                what=_what(name, event.extra, agreement),
                reason=event.reason,
                reference=agreement.reference,
                link=reverse("monitoring:agreement_detail", kwargs={"council_slug": slug, "pk": agreement.pk}),
                link_label="the agreement",
            )
        )
    return entries


def register_source() -> None:
    register("agreements", entries=agreement_entries, subjects=[AGREEMENT])
