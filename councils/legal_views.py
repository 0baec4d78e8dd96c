"""The accessibility statement and the privacy notice: public pages (no sign-in), one pair per council
(its contacts and dates are council settings) and one pair for the pages outside any council (from the
service's settings). Public-sector websites must publish both (the Public Sector Bodies (Websites and
Mobile Applications) Accessibility Regulations 2018; UK GDPR arts. 13 and 14)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.conf import settings
from django.views.generic import TemplateView

from councils import retention


@dataclass(frozen=True)
class LegalContext:
    """Who the pages speak for, where to write, and their dates."""

    name: str
    contact: str
    dpo: str
    prepared_on: dt.date
    reviewed_on: dt.date
    privacy_updated_on: dt.date


def legal_context(council) -> LegalContext:
    if council is not None:
        return LegalContext(
            name=council.name,
            contact=council.accessibility_contact or settings.COMMISSIONER_CONTACT_EMAIL,
            dpo=council.dpo_contact or settings.COMMISSIONER_CONTACT_EMAIL,
            prepared_on=council.accessibility_prepared_on,
            reviewed_on=council.accessibility_reviewed_on,
            privacy_updated_on=council.privacy_updated_on,
        )
    prepared = dt.date.fromisoformat(settings.COMMISSIONER_LEGAL_PREPARED_ON)
    reviewed = dt.date.fromisoformat(settings.COMMISSIONER_LEGAL_REVIEWED_ON)
    return LegalContext(
        name=settings.COMMISSIONER_OPERATOR_NAME,
        contact=settings.COMMISSIONER_CONTACT_EMAIL,
        dpo=settings.COMMISSIONER_CONTACT_EMAIL,
        prepared_on=prepared,
        reviewed_on=reviewed,
        privacy_updated_on=reviewed,
    )


class LegalPageView(TemplateView):
    """Public: anyone may read it, signed in or not, for any council (an unknown council is 404)."""

    title = ""

    def get_context_data(self, **kwargs):
        council = getattr(self.request, "council", None)
        kwargs.update(title=self.title, council=council, legal=legal_context(council))
        return super().get_context_data(**kwargs)


class AccessibilityStatementView(LegalPageView):
    template_name = "legal/accessibility.html"
    title = "Accessibility statement"


class PrivacyNoticeView(LegalPageView):
    template_name = "legal/privacy.html"
    title = "Privacy notice"

    def get_context_data(self, **kwargs):
        kwargs.update(schedule=list(retention.SCHEDULE.values()), holds=list(retention.HOLDS.values()))
        return super().get_context_data(**kwargs)
