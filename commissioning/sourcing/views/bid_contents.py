"""What is in a bid, laid out the same way for both sides: the provider checking their answers
before submitting, and council officers reading an opened bid.

Shared by the provider's bid views (`commissioning.sourcing.views.bids`) and the council's
(`commissioning.sourcing.views.council_bids`), so both pages show a bid identically.
"""

from __future__ import annotations

from django.utils.formats import date_format

from commissioning.models import FormType
from commissioning.sourcing import gates
from providers.selectors import organisation_summary


def organisation_details(organisation) -> list[tuple[str, str]]:
    """The lead organisation's registered details, reused rather than asked for again (read-only)."""
    summary = organisation_summary(organisation)
    address = ", ".join(
        part for part in (str(summary.get("registered_address") or "").strip(), summary.get("postcode") or "") if part
    )
    documents = summary.get("compliance_documents")
    rows = [
        ("Legal name", summary.get("legal_name")),
        ("Trading name", summary.get("trading_name")),
        ("Type of organisation", summary.get("organisation_type_label")),
        ("Charity number", summary.get("charity_number")),
        ("Company number", summary.get("company_number")),
        ("Registered address", address),
    ]
    if documents is not None:
        rows.append(
            (
                "Compliance documents in date",
                "; ".join(f"{d['kind_label']} (until {date_format(d['expires_on'])})" for d in documents) or "None",
            )
        )
    return [(label, str(value)) for label, value in rows if value]


def bid_summary_context(bid) -> dict:
    """Everything in a bid, for the check page (provider) and the bid page (council)."""
    answers = {a.question_id: a for a in bid.answers.all()}
    questions = [
        {
            "number": number,
            "question": question,
            "answer": answers[question.pk].text if question.pk in answers else "",
            "words": gates.word_count(answers[question.pk].text) if question.pk in answers else 0,
        }
        for number, question in enumerate(bid.opportunity.questions.all(), start=1)
    ]
    lines = list(bid.price_lines.all())
    return {
        "questions": questions,
        "price_lines": lines,
        "price_total": sum((line.amount for line in lines), 0),
        "is_full_tender": bid.opportunity.form_type == FormType.FULL_TENDER,
        "organisation_rows": organisation_details(bid.organisation),
    }
