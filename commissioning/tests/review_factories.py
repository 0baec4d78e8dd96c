"""Review factories: each state is reached through the real services, never by writing the state."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from django.core.files.uploadedfile import SimpleUploadedFile

from commissioning.models import Conclusion, ExistingProvision, Quality, Review
from commissioning.reviews import services
from commissioning.tests.factories import create_commission, staff
from councils.models import Role


def provision(council, *, service_name="Day centre for older people", **kwargs) -> ExistingProvision:
    """A service on the provision map of one of the council's commissions."""
    commission = kwargs.pop("commission", None) or create_commission(council, title="Older people's day services")
    return ExistingProvision.objects.create(
        commission=commission,
        service_name=service_name,
        provider_name=kwargs.pop("provider_name", "Age Concern Moorside"),
        annual_funding=kwargs.pop("annual_funding", 48000),
        quality=kwargs.pop("quality", Quality.ADEQUATE),
        **kwargs,
    )


def open_review(council, *, title="Review of day services", lead=None, provisions=None, **kwargs) -> Review:
    lead = lead or staff(council, Role.LEAD_COMMISSIONER)
    return services.review_open(
        by=lead,
        council=council,
        title=title,
        scope=kwargs.pop("scope", "The day centres the council funds for older people."),
        lead_officer=kwargs.pop("lead_officer", lead),
        starts_on=kwargs.pop("starts_on", date(2026, 4, 1)),
        concludes_by=kwargs.pop("concludes_by", date(2026, 9, 30)),
        provisions=provisions if provisions is not None else [provision(council)],
        **kwargs,
    )


def review_under_way(council, **kwargs) -> Review:
    review = open_review(council, **kwargs)
    services.review_transition(by=staff(council, Role.LEAD_COMMISSIONER), review=review, name="start")
    services.review_add_evidence(
        by=review.lead_officer,
        review=review,
        title="Attendance figures 2025/26",
        note="Attendance fell by a third over two years; most users live in the north of the district.",
    )
    return review


def concluded_review(council, conclusion=Conclusion.KEEP, **kwargs) -> Review:
    review = review_under_way(council, **kwargs)
    return services.review_conclude(
        by=staff(council, Role.LEAD_COMMISSIONER),
        review=review,
        conclusion=conclusion,
        reasons="The service meets the need; it needs clearer outcomes.",
        findings="Users value the centres; attendance fell where transport is poor.",
        measures=[services.NewMeasure("Older people stay connected", "80% of users report less loneliness")],
    )


def matrix_review(world) -> dict:
    """For the access matrix, built on first use and kept in the world: a review under way, in no
    portfolio, with a document among its evidence."""
    if "review" not in world:
        council = world["council"]
        review = review_under_way(council, title="Review of community transport")
        evidence = services.review_add_evidence(
            by=review.lead_officer,
            review=review,
            title="Passenger survey",
            document=SimpleUploadedFile("survey.pdf", b"%PDF-1.4\n%%EOF\n", content_type="application/pdf"),
        )
        world["review"] = {"review": review, "evidence": evidence}
    return world["review"]


def review_kwargs(**values) -> Callable[[dict], dict]:
    """URL kwargs for the matrix's review, plus e.g. evidence_pk="evidence" or name="withdraw"."""

    def build(world) -> dict:
        objects = matrix_review(world)
        kwargs = {"council_slug": world["council"].slug, "pk": objects["review"].pk}
        for name, value in values.items():
            kwargs[name] = objects[value].pk if name.endswith("_pk") else value
        return kwargs

    return build
