"""The regime page: what the law points to for this commission, and the officer's confirmation."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect
from django.views.generic import FormView

from commissioning.cycle import regime
from commissioning.cycle.regime_forms import RegimeConfirmForm
from commissioning.cycle.views import CommissionMixin
from commissioning.models import ProcurementRegime
from councils.views import apply_form_errors


class CommissionRegimeView(CommissionMixin, FormView):
    permission_required = "commissioning.confirm_regime"
    template_name = "commissioning/regime.html"
    form_class = RegimeConfirmForm

    def current(self) -> ProcurementRegime | None:
        return ProcurementRegime.objects.filter(commission=self.commission).first()

    def get_initial(self):
        current = self.current()
        if current is None:
            return {"regime": regime.propose_regime(self.commission).regime}
        return {
            name: getattr(current, name)
            for name in (
                "regime",
                "reason",
                "procedure",
                "direct_award_ground",
                "reserved_to_mutuals",
                "psr_route",
                "psr_decision",
                "psr_key_criteria",
            )
        }

    def get_context_data(self, **kwargs):
        kwargs.update(
            proposal=regime.propose_regime(self.commission),
            current=self.current(),
            back_url=self.commission.get_absolute_url(),
            can_confirm=regime.can_confirm_regime(self.commission, self.request.user),
        )
        return super().get_context_data(**kwargs)

    def form_valid(self, form):
        try:
            regime.regime_confirm(by=self.request.user, commission=self.commission, **form.cleaned_data)
        except ValidationError as error:
            apply_form_errors(form, error)
            return self.form_invalid(form)
        messages.success(self.request, "The regime is confirmed.")
        return redirect(self.commission.get_absolute_url() + "#details")
