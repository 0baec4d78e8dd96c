"""The sections of a bid's task list: which a bid asks for (proportionate to the form) and where
each stands, worked out from the prefetched bid (no queries per section)."""

from __future__ import annotations

from dataclasses import dataclass

from commissioning.models import FormType
from commissioning.sourcing import gates


@dataclass(frozen=True)
class Section:
    slug: str
    title: str
    full_tender_only: bool = False

    @property
    def name(self) -> str:
        """The slug as a Python name: its template is `bids/sections/_<name>.html`, its save `save_<name>`."""
        return self.slug.replace("-", "_")

    def title_for(self, bid) -> str:
        if self.slug == "pricing" and bid.opportunity.form_type == FormType.SHORT_GRANT:
            return "Budget"
        return self.title


SECTIONS = (
    Section("questions", "Answer the questions"),
    Section("pricing", "Pricing"),
    Section("outcomes", "Outcomes"),
    Section("social-value", "Social value commitments"),
    Section("match-funding", "Match funding and leverage"),
    Section("partners", "Partners", full_tender_only=True),
    Section("declarations", "Declarations"),
    Section("documents", "Documents", full_tender_only=True),
)
SECTION_BY_SLUG = {section.slug: section for section in SECTIONS}


def sections_for(bid) -> list[Section]:
    """Proportionate forms: a short grant application asks only for the questions, a simple budget,
    outcomes and declarations; a full tender asks for everything."""
    full = bid.opportunity.form_type == FormType.FULL_TENDER
    # Social value commitments answer the opportunity's asks: none asked, no section.
    asked = bool(list(bid.opportunity.social_value_asks.all()))
    return [s for s in SECTIONS if (full or not s.full_tender_only) and (asked or s.slug != "social-value")]


# Statuses, as the GOV.UK task list pattern words them.
COMPLETED, INCOMPLETE, NOT_STARTED, OPTIONAL = "Completed", "Incomplete", "Not yet started", "Optional"


def section_status(bid, slug: str) -> str:
    """From the prefetched bid (no queries per section)."""
    opportunity = bid.opportunity
    if slug == "questions":
        questions = list(opportunity.questions.all())
        answers = {a.question_id: a.text for a in bid.answers.all() if a.text.strip()}
        if not answers and not bid.summary:
            return NOT_STARTED
        within = all(q.pk in answers and not gates.word_limit_error(q, answers[q.pk]) for q in questions)
        return COMPLETED if within else INCOMPLETE
    if slug == "pricing":
        lines = list(bid.price_lines.all())
        lots_needed = bool(list(opportunity.lots.all()))
        chosen = {lot.pk for lot in bid.lots.all()}
        if not lines and not chosen:
            return NOT_STARTED
        if not lines or (lots_needed and not chosen):
            return INCOMPLETE
        if opportunity.form_type == FormType.FULL_TENDER and lots_needed:
            priced = {line.lot_id for line in lines}
            if not chosen <= priced:
                return INCOMPLETE
        return COMPLETED
    if slug == "outcomes":
        return COMPLETED if list(bid.proposed_outcomes.all()) else NOT_STARTED
    if slug == "social-value":
        return COMPLETED if list(bid.social_value_commitments.all()) else OPTIONAL
    if slug == "match-funding":
        return COMPLETED if list(bid.match_funding.all()) else OPTIONAL
    if slug == "partners":
        partners = list(bid.partners.all())
        if not partners:
            return OPTIONAL
        return COMPLETED if all(partner.is_confirmed for partner in partners) else INCOMPLETE
    if slug == "documents":
        return COMPLETED if list(bid.documents.all()) else OPTIONAL
    if slug == "declarations":
        declared = bid.no_conflicts or bool(bid.conflicts_declared.strip())
        if declared and bid.accuracy_confirmed:
            return COMPLETED
        return INCOMPLETE if declared or bid.accuracy_confirmed else NOT_STARTED
    raise ValueError(slug)
