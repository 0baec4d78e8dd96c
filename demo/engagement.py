"""Demo early engagement: Kirkby Moor's independent advice services (awaiting approval) has its draft
outcomes and specification open for comment by providers and the public for three weeks, through the
real services. Kirkby Moor Age Concern has commented, and the council has answered; a member of the
public has commented too, not yet answered. Safe to run again: a council that has a consultation is
left alone."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from commissioning.engagement import services
from commissioning.models import Commission, Consultation, ConsultationAudience, DraftPart
from councils.models import Council, Membership, Role
from providers.models import Organisation, OrganisationMember

COUNCIL = "kirkby-moor"
TITLE = "Independent advice services"
PROVIDER = "Kirkby Moor Age Concern"


def seed_engagement() -> int:
    council = Council.objects.filter(slug=COUNCIL).first()
    commission = Commission.objects.filter(council=council, title=TITLE).first() if council else None
    organisation = Organisation.objects.filter(legal_name=PROVIDER).first()
    if commission is None or organisation is None or Consultation.objects.filter(commission__council=council).exists():
        return 0
    officer = commission.lead_officer
    today = timezone.localdate()
    consultation = services.consultation_open(
        by=officer,
        commission=commission,
        parts=[DraftPart.OUTCOMES, DraftPart.SPECIFICATION],
        audience=ConsultationAudience.PUBLIC,
        opens_on=today,
        closes_on=today + timedelta(days=21),
        introduction="We would most like to hear how people reach advice outside the town centre.",
    )
    writer = OrganisationMember.objects.filter(organisation=organisation).select_related("user").first().user
    comment = services.consultation_comment(
        consultation=consultation,
        section="outcome-1",
        text="Many of the people we support cannot travel to town: please count home visits and phone advice.",
        by=writer,
        organisation=organisation,
    )
    lead = Membership.objects.filter(council=council, role=Role.LEAD_COMMISSIONER).first()
    services.comment_answer(
        by=lead.user if lead else officer,
        comment=comment,
        answer="Thank you: the specification will ask for advice at home and by phone as well as in person.",
        draft_changed_because="reaching people who cannot travel is part of the need we assessed.",
    )
    services.consultation_comment(
        consultation=consultation,
        section="general",
        text="Please keep a Saturday morning session in the market hall.",
        name="Pat Harding",
        email="pat.harding@example.org",
    )
    return 1
