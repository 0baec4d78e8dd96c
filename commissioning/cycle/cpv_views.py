"""The CPV picker: search the CPV 2008 list (a GET form, no script) and choose the commission's main code."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect
from django.views.generic import TemplateView

from commissioning import cpv
from commissioning.cycle import services
from commissioning.cycle.filters import CpvSearchForm
from commissioning.cycle.stage_views import CommissionEditMixin, StateLockMixin
from commissioning.models import Commission

RESULTS_SHOWN = 50


class CommissionCpvView(CommissionEditMixin, StateLockMixin, TemplateView):
    template_name = "commissioning/cpv_picker.html"

    def locked_model(self):
        return Commission

    def locked_label(self):
        return "commission's CPV code"

    def get_context_data(self, **kwargs):
        form = CpvSearchForm(self.request.GET or None)
        query = form.query()
        results = cpv.search(query, limit=RESULTS_SHOWN + 1)
        kwargs.update(
            search_form=form,
            query=query,
            results=results[:RESULTS_SHOWN],
            more=len(results) > RESULTS_SHOWN,
            current=self.commission.cpv,
            light_touch=cpv.is_light_touch(self.commission.cpv_code),
        )
        return super().get_context_data(**kwargs)

    def post(self, request, *args, **kwargs):
        try:
            services.commission_set_cpv_code(
                by=request.user, commission=self.commission, code=request.POST.get("code", "")
            )
        except ValidationError:
            messages.error(request, "Choose a code from the list.")
            return redirect(request.get_full_path())
        messages.success(request, f"The main CPV code is now {self.commission.cpv}.")
        return redirect(self.commission.get_absolute_url() + "#details")
