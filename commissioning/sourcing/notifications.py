"""Emails about opportunities: providers following one are told when it changes and when a
clarification is published; the asker is told of a private answer; the lead officer of a new question.

Each message goes to one person (never a shared To: or Cc: list, so no provider learns who else is
interested) and only once the transaction has committed, so nobody hears of a change that was
rolled back. A failure to send is logged: the change itself has been made and audited.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from django.core.mail import send_mass_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse

from commissioning.models import Clarification, Opportunity
from commissioning.sourcing.selectors.opportunities import interested_recipients

logger = logging.getLogger(__name__)

# Builds an absolute link from a path: views pass `request.build_absolute_uri`; without one
# (scheduled work, demo data) links are left as paths.
UrlBuilder = Callable[[str], str] | None


def _link(path: str, build_url: UrlBuilder) -> str:
    return build_url(path) if build_url else path


def _send_each(recipients: list[str], subject: str, template: str, context: dict) -> int:
    body = render_to_string(template, context)
    messages = tuple((subject, body, None, [email]) for email in recipients)
    if not messages:
        return 0

    def send() -> None:
        try:
            send_mass_mail(messages, fail_silently=False)
        except Exception:  # the change stands; say so in the logs rather than fail the page
            logger.exception("Could not send %s email(s): %s", len(messages), subject)

    transaction.on_commit(send)
    return len(messages)


def opportunity_changed(opportunity: Opportunity, changes: list[str], *, build_url: UrlBuilder = None) -> int:
    """Tell everyone following a published opportunity what changed (dates, documents)."""
    return _send_each(
        interested_recipients(opportunity),
        f"Changes to {opportunity.reference}: {opportunity.title}",
        "opportunities/email/opportunity_changed.txt",
        {
            "opportunity": opportunity,
            "changes": changes,
            "link": _link(opportunity.get_absolute_url(), build_url),
        },
    )


def opportunity_cancelled(opportunity: Opportunity, reason: str, *, build_url: UrlBuilder = None) -> int:
    """Tell everyone following or bidding for an opportunity that the council has stopped the procurement."""
    return _send_each(
        interested_recipients(opportunity, bidders=True),
        f"Cancelled: {opportunity.reference}: {opportunity.title}",
        "opportunities/email/opportunity_cancelled.txt",
        {"opportunity": opportunity, "reason": reason, "link": _link(opportunity.get_absolute_url(), build_url)},
    )


def clarification_published(clarification: Clarification, *, build_url: UrlBuilder = None) -> int:
    opportunity = clarification.opportunity
    return _send_each(
        interested_recipients(opportunity),
        f"New clarification for {opportunity.reference}: {opportunity.title}",
        "opportunities/email/clarification_published.txt",
        {
            "opportunity": opportunity,
            "clarification": clarification,
            "link": _link(f"{opportunity.get_absolute_url()}#clarifications", build_url),
        },
    )


def clarification_answered_privately(clarification: Clarification, *, build_url: UrlBuilder = None) -> int:
    opportunity = clarification.opportunity
    return _send_each(
        [clarification.asked_by.email],
        f"Your question about {opportunity.reference} has been answered",
        "opportunities/email/clarification_answered.txt",
        {
            "opportunity": opportunity,
            "clarification": clarification,
            "link": _link(f"{opportunity.get_absolute_url()}#your-questions", build_url),
        },
    )


def clarification_asked(clarification: Clarification, *, build_url: UrlBuilder = None) -> int:
    """Tell the commission's lead officer that a question is waiting for an answer."""
    opportunity = clarification.opportunity
    inbox = reverse(
        "commissioning:opportunity_clarifications",
        kwargs={"council_slug": opportunity.council.slug, "opportunity_pk": opportunity.pk},
    )
    return _send_each(
        [opportunity.commission.lead_officer.email],
        f"A clarification question about {opportunity.reference}",
        "opportunities/email/clarification_asked.txt",
        {"opportunity": opportunity, "link": _link(inbox, build_url)},
    )
