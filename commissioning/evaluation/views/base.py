"""What every evaluation page shares: resolving the opportunity's evaluation and the visitor's part
in it, and the URL of an evaluation page.

Kept on its own because every evaluation page (and the score exports in
`commissioning.evaluation.exports`) builds on `EvaluationMixin`: the walls are applied in one place,
so no page can forget them.
"""

from __future__ import annotations

from django.contrib import messages
from django.shortcuts import redirect
from django.urls import reverse

from commissioning.evaluation import selectors
from commissioning.sourcing.pages import OpportunityPartMixin


def evaluation_url(opportunity, name: str = "evaluation", **kwargs) -> str:
    return reverse(
        f"commissioning:{name}",
        kwargs={"council_slug": opportunity.council.slug, "opportunity_pk": opportunity.pk, **kwargs},
    )


class EvaluationMixin(OpportunityPartMixin):
    """One opportunity's evaluation and the visitor's part in it. `allow(access)` is the page's rule."""

    needs_evaluation = True

    def resolve(self, request, kwargs):
        access = selectors.evaluation_access(request.user, request.council, kwargs["opportunity_pk"])
        self.evaluation = access.evaluation
        return access

    def page_url(self) -> str:
        return evaluation_url(self.opportunity)

    def allow(self, access: selectors.EvaluationAccess) -> bool:
        return access.takes_part

    def before_allow(self):
        if self.needs_evaluation and self.evaluation is None:
            if not self.access.is_lead:
                self.access.deny()
            messages.info(self.request, "Set up the evaluation first.")
            return redirect(evaluation_url(self.opportunity, "evaluation_setup"))
        return None

    def get_context_data(self, **kwargs):
        kwargs.setdefault("evaluation", self.evaluation)
        return super().get_context_data(**kwargs)


class BidMixin(EvaluationMixin):
    """A page about one bid: resolved behind the three walls, or 404."""

    def prepare(self):
        self.bid = selectors.bid_for_panellist(self.access, self.kwargs["bid_pk"])
