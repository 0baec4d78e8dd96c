"""Deliverables and agreement risks brought to each state through the real services."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from commissioning.models import Risk
from commissioning.tests.factories import staff
from councils.models import Role
from monitoring.agreements import services as agreement_services
from monitoring.delivery import deliverables as services
from monitoring.delivery.risks import agreement_risk_save
from monitoring.models import AgreementRisk, Deliverable, MonitoringFrequency, PaymentKind, add_months
from monitoring.tests.factories import agreeing_commission, draft_agreement, go_live, sign
from monitoring.tests.returns_factories import returns_of, submit, writer
from providers.models import Organisation


def commission_risk(commission, description="Volunteers drop out over winter", likelihood=3, impact=4, **kwargs):
    """A risk on the commission's register (a plain record of the cycle, no states)."""
    return Risk.objects.create(
        commission=commission,
        cycle=commission.cycle,
        description=description,
        likelihood=likelihood,
        impact=impact,
        **{"mitigation": "Recruit a reserve pool in the autumn", "owner": "Jo Bloggs", **kwargs},
    )


def milestone_agreement(council, *, provider=None, commission=None, live=True):
    """An agreement that started seven months before today (quarterly returns, so its first periods
    have ended), its first instalment turned into a milestone payment; live unless `live=False`."""
    starts_on = add_months(timezone.localdate().replace(day=1), -7)
    draft = draft_agreement(
        council,
        commission=commission or agreeing_commission(council),
        provider=provider,
        starts_on=starts_on,
        ends_on=add_months(starts_on, 24) - timedelta(days=1),
        monitoring_frequency=MonitoringFrequency.QUARTERLY,
    )
    payment = draft.payments.order_by("due_on").first()
    payment.kind, payment.description = PaymentKind.MILESTONE, "Community hub opened"
    agreement_services.payment_save(
        by=staff(council, Role.COMMISSIONING_OFFICER), agreement=draft, payment=payment, changed=["kind"]
    )
    return go_live(sign(draft)) if live else draft


def add_deliverable(agreement, *, title="Community hub opened", due_on=None, payment=None, by=None):
    return services.deliverable_save(
        by=by or staff(agreement.council, Role.COMMISSIONING_OFFICER),
        agreement=agreement,
        deliverable=Deliverable(
            agreement=agreement,
            title=title,
            due_on=due_on or agreement.starts_on + timedelta(days=30),
            payment=payment,
        ),
    )


def evidence_pdf(name="opening.pdf"):
    return SimpleUploadedFile(name, b"%PDF-1.4\n%%EOF\n", content_type="application/pdf")


def report(deliverable, monitoring_return, *, by=None, achieved_on=None, text="Opened by the mayor", document=None):
    return services.deliverable_report(
        by=by or writer(deliverable.agreement),
        deliverable=deliverable,
        monitoring_return=monitoring_return,
        achieved_on=achieved_on or deliverable.due_on,
        evidence_text=text,
        evidence_document=document,
    )


def matrix_delivery(world) -> dict:
    """For the access matrix, built on first use: a live agreement with the provider administrator's
    organisation, with a deliverable reported in its first (submitted) return awaiting a decision,
    evidence file and all, one still due, and a risk on its register."""
    if "delivery" not in world:
        council = world["council"]
        provider = Organisation.objects.get(members__user=world["people"]["provider_admin"])
        commission = agreeing_commission(council, title="Community hubs")
        agreement = milestone_agreement(council, provider=provider, commission=commission)
        first, second = returns_of(agreement)[:2]
        reported = add_deliverable(agreement, payment=agreement.payments.get(kind=PaymentKind.MILESTONE))
        due = add_deliverable(agreement, title="Second hub opened", due_on=second.period_end)
        admin = world["people"]["provider_admin"]
        report(reported, first, by=admin, document=evidence_pdf())
        submit(first, by=admin)
        risk = agreement_risk(agreement)
        world["delivery"] = {
            "agreement": agreement,
            "submitted": first,
            "due_return": second,
            "reported": reported,
            "due": due,
            "risk": risk,
        }
    return world["delivery"]


def agreement_risk(agreement, **kwargs):
    return agreement_risk_save(
        by=staff(agreement.council, Role.COMMISSIONING_OFFICER),
        agreement=agreement,
        risk=AgreementRisk(
            agreement=agreement,
            **{"description": "The hub lease is not renewed", "likelihood": 2, "impact": 5, **kwargs},
        ),
    )


def matrix_delivery_kwargs(key: str = "agreement", *, council: bool = True, **objects: str) -> Callable[[dict], dict]:
    """URL kwargs: `key` names the object whose pk is `pk` (the agreement or a return), plus e.g.
    deliverable_pk="reported"; council=False for the provider's pages."""

    def build(world) -> dict:
        found = matrix_delivery(world)
        kwargs = {"pk": found[key].pk, **{name: found[value].pk for name, value in objects.items()}}
        return {"council_slug": world["council"].slug, **kwargs} if council else kwargs

    return build
