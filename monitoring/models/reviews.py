"""The agreements a review of existing services covers (`commissioning.Review`): commissioning does
not know agreements, so this app keeps the link and answers the review's port."""

from __future__ import annotations

from django.db import models

from commissioning.models import Review
from monitoring.models.agreements import Agreement

__all__ = ["ReviewedAgreement"]


class ReviewedAgreement(models.Model):
    review = models.ForeignKey(Review, on_delete=models.CASCADE, related_name="reviewed_agreements")
    agreement = models.ForeignKey(Agreement, on_delete=models.PROTECT, related_name="reviewed_in")

    class Meta:
        ordering = ["agreement__reference"]
        constraints = [
            models.UniqueConstraint(fields=["review", "agreement"], name="reviewed_agreement_once"),
        ]

    def __str__(self) -> str:
        return f"{self.agreement.reference} in {self.review.reference}"

    @property
    def council(self):
        return self.review.council
