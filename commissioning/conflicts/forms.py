"""The conflicts assessment form: for each person involved, the risk of a conflict and how it is managed."""

from __future__ import annotations

from django import forms
from django.utils.html import escape

from commissioning.conflicts.selectors import Involved
from commissioning.models import ConflictRisk, ConflictsAssessmentEntry
from councils.forms import GovukFormMixin
from councils.govuk import govuk_input


class ConflictsAssessmentForm(GovukFormMixin, forms.Form):
    submit_label = "Save the conflicts assessment"

    def __init__(self, *args, people: list[Involved], earlier: list[ConflictsAssessmentEntry], **kwargs):
        self.people = people
        super().__init__(*args, **kwargs)
        # An earlier answer is offered again only where the person's capacity and interests are unchanged.
        kept = {(e.person_id, e.capacity, e.interests): e for e in earlier}
        for row in people:
            pk, name = row.person.pk, str(row.person)
            before = kept.get((pk, row.capacity, row.interests))
            interests = row.interests or "None declared"
            risk = forms.ChoiceField(
                choices=ConflictRisk.choices,
                widget=forms.RadioSelect,
                initial=before.risk if before and before.risk else None,
                # Crispy's GOV.UK templates print labels unescaped (hints are escaped): names were typed by people.
                label=escape(f"{name}: {row.capacity}"),
                help_text=f"Declared interests: {'; '.join(interests.splitlines())}",
            )
            govuk_input(risk)
            risk.error_messages["required"] = f"Choose the risk of a conflict for {name}"
            mitigation = forms.CharField(
                required=False,
                widget=forms.Textarea(attrs={"rows": 3}),
                initial=before.mitigation if before else "",
                label=escape(f"How the risk for {name} is managed (unless there is no conflict)"),
                help_text="For example: takes no part in judging that bid, or leaves the room for the decision.",
            )
            govuk_input(mitigation)
            self.fields[f"risk_{pk}"] = risk
            self.fields[f"mitigation_{pk}"] = mitigation
        self.build_helper()

    def answers(self) -> dict[int, tuple[str, str]]:
        return {
            row.person.pk: (
                self.cleaned_data.get(f"risk_{row.person.pk}", ""),
                self.cleaned_data.get(f"mitigation_{row.person.pk}", ""),
            )
            for row in self.people
        }
