"""The public contract and grant register: award notices for every council's live and ended
agreements.

Kept apart from the council's agreement pages because it is public (no sign-in, no council in the
URL) and reads only what is published.
"""

from __future__ import annotations

from django.views.generic import TemplateView

from monitoring.agreements import forms, selectors
from monitoring.agreements.views import filtered_page


class RegisterView(TemplateView):
    """Award notices for every council's live and ended agreements: who, what, how much, when."""

    template_name = "monitoring/register.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        form = forms.RegisterFilterForm(self.request.GET or None)
        agreements = selectors.register(form.filters())
        context.update(title="Contract and grant register", **filtered_page(self.request, form, agreements))
        return context
