"""What a review of existing services asks of agreements (`commissioning.ports.reviewed_agreements`)."""

from __future__ import annotations

from django.db import transaction

from commissioning.ports import ReviewedAgreement as Row
from councils.formatting import money
from monitoring.models import Agreement, AgreementState, ReviewedAgreement

# Agreements that are or were services: running, or over (a review may look back).
REVIEWABLE_STATES = [AgreementState.LIVE, AgreementState.ENDED, AgreementState.TERMINATED]


def choices(council) -> list[tuple[int, str]]:
    agreements = (
        Agreement.objects.filter(council=council, state__in=REVIEWABLE_STATES)
        .select_related("provider")
        .order_by("reference")
    )
    return [(a.pk, f"{a.reference}: {a.title} ({a.party_name})") for a in agreements]


def of_review(review) -> list[Row]:
    links = (
        ReviewedAgreement.objects.filter(review=review)
        .select_related("agreement__provider", "agreement__council")
        .order_by("agreement__reference")
    )
    return [
        Row(
            pk=link.agreement.pk,
            reference=link.agreement.reference,
            title=link.agreement.title,
            provider=link.agreement.party_name,
            value=money(link.agreement.value),
            ends_on=f"{link.agreement.ends_on:%-d %B %Y}",
            url=link.agreement.get_absolute_url(),
        )
        for link in links
    ]


@transaction.atomic
def cover(review, agreement_ids) -> list[int]:
    wanted = set(
        Agreement.objects.filter(council=review.council, pk__in=list(agreement_ids)).values_list("pk", flat=True)
    )
    ReviewedAgreement.objects.filter(review=review).exclude(agreement_id__in=wanted).delete()
    have = set(ReviewedAgreement.objects.filter(review=review).values_list("agreement_id", flat=True))
    ReviewedAgreement.objects.bulk_create(ReviewedAgreement(review=review, agreement_id=pk) for pk in wanted - have)
    return sorted(wanted)
