"""Monitoring returns brought to each state through the real services, as providers and officers would."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from decimal import Decimal

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from commissioning.tests.factories import staff
from councils.models import Role
from monitoring.models import MonitoringFrequency, MonitoringReturn, add_months
from monitoring.returns import services as returns_services
from monitoring.tests.factories import agreeing_commission, live_agreement
from providers.models import Organisation, OrganisationMember, ProviderRole
from providers.tests.factories import OrganisationMemberFactory


def writer(agreement, role=ProviderRole.ORGANISATION_ADMIN):
    """Someone who fills in returns for the agreement's provider (created if there is none)."""
    member = (
        OrganisationMember.objects.filter(organisation=agreement.provider, role=role).select_related("user").first()
    )
    return member.user if member else OrganisationMemberFactory(organisation=agreement.provider, role=role).user


def reviewer(agreement):
    return staff(agreement.council, Role.COMMISSIONING_OFFICER)


def returns_of(agreement) -> list[MonitoringReturn]:
    return list(agreement.returns.exclude(state="not_required").order_by("period_start"))


def fill(monitoring_return, *, actual=Decimal("10"), narrative="Forty people joined the lunch clubs.", spend=None):
    """What a complete return carries: an actual for every KPI, the outcomes and the spend to date."""
    rows = returns_services.reported_kpis(
        monitoring_return.agreement.kpis.prefetch_related("targets"), monitoring_return.period_start
    )
    actuals = {kpi.pk: (actual(kpi, target) if callable(actual) else actual, "") for kpi, target in rows}
    content = {
        "outcomes_narrative": narrative,
        "case_study": "",
        "spend_to_date": Decimal("5000") if spend is None else spend,
        "risks_and_issues": "",
    }
    return content, actuals


def submit(monitoring_return, by=None, answer="", **fill_kwargs):
    content, actuals = fill(monitoring_return, **fill_kwargs)
    return returns_services.return_submit(
        by=by or writer(monitoring_return.agreement),
        monitoring_return=monitoring_return,
        content=content,
        actuals=actuals,
        answer=answer,
    )


def query(monitoring_return, by=None, question="How many of the forty were new referrals?"):
    return returns_services.return_query(
        by=by or reviewer(monitoring_return.agreement), monitoring_return=monitoring_return, question=question
    )


def accept(monitoring_return, by=None, overrides=None, comment=""):
    return returns_services.return_accept(
        by=by or reviewer(monitoring_return.agreement),
        monitoring_return=monitoring_return,
        overrides=overrides,
        comment=comment,
    )


def evidence(monitoring_return, by=None, title="Attendance sheets"):
    upload = SimpleUploadedFile("sheets.pdf", b"%PDF-1.4\n%%EOF\n", content_type="application/pdf")
    return returns_services.evidence_add(
        by=by or writer(monitoring_return.agreement), monitoring_return=monitoring_return, title=title, upload=upload
    )


def recent_live_agreement(council, *, provider=None, frequency=MonitoringFrequency.QUARTERLY, months=24, **terms):
    """A live agreement that started seven months before today, so its first periods have ended
    whatever the date the tests run on."""
    starts_on = add_months(timezone.localdate().replace(day=1), -7)
    return live_agreement(
        council,
        provider=provider,
        starts_on=starts_on,
        ends_on=add_months(starts_on, months) - timedelta(days=1),
        monitoring_frequency=frequency,
        **terms,
    )


def matrix_returns(world) -> dict:
    """For the access matrix, built on first use and kept in the world: a live agreement with the
    provider administrator's organisation, its first return submitted with evidence (to review), and
    its second still due with evidence of its own (for the provider's pages)."""
    if "returns" not in world:
        council = world["council"]
        provider = Organisation.objects.get(members__user=world["people"]["provider_admin"])
        commission = agreeing_commission(council, title="Warm spaces partnership")
        agreement = recent_live_agreement(council, commission=commission, provider=provider)
        first, second = returns_of(agreement)[:2]
        admin = world["people"]["provider_admin"]
        first_evidence = evidence(first, by=admin)
        submit(first, by=admin)
        world["returns"] = {
            "agreement": agreement,
            "submitted": first,
            "submitted_evidence": first_evidence,
            "due": second,
            "due_evidence": evidence(second, by=admin),
        }
    return world["returns"]


def matrix_return_kwargs(key: str, council: bool = True, **objects: str) -> Callable[[dict], dict]:
    """URL kwargs for one of the matrix's returns (`key`), on the council's pages or (council=False)
    the provider's, plus e.g. evidence_pk="due_evidence"."""

    def build(world) -> dict:
        found = matrix_returns(world)
        kwargs = {"pk": found[key].pk, **{name: found[value].pk for name, value in objects.items()}}
        return {"council_slug": world["council"].slug, **kwargs} if council else kwargs

    return build


def matrix_assessment_kwargs(world) -> dict:
    return {"council_slug": world["council"].slug, "pk": matrix_returns(world)["agreement"].pk}
