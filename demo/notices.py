"""How the demo publishes notices: as an officer does, marking each ready, publishing it on Find a
Tender and recording the identifier it gave (made up here) and the day."""

from __future__ import annotations

import datetime

from commissioning.award import services as award_services
from commissioning.models import Award
from councils.models import User
from monitoring.models import Notice, NoticeState, NoticeType
from monitoring.notices import services as notice_services


def publish(notice: Notice, by: User, on: datetime.date) -> Notice:
    if notice.state == NoticeState.DRAFT:
        notice = notice_services.notice_step(by=by, notice=notice, name="mark_ready")
    identifier = f"{900000 + notice.pk:06d}-{on.year}"
    return notice_services.notice_publish(by=by, notice=notice, fat_identifier=identifier, published_on=on)


def publish_award_notice(award: Award, by: User, on: datetime.date) -> Award:
    """The contract award notice (or the intention to award) published: through its notice when the
    commission's regime is confirmed, which records it on the award and starts the standstill; for a
    commission without one (older demo records), recorded on the award directly."""
    notice_services.notices_refresh(award.commission)
    notice = Notice.objects.filter(
        commission=award.commission,
        notice_type__in=(NoticeType.UK6, NoticeType.PSR_INTENT),
        subject=f"award:{award.pk}",
    ).first()
    if notice is None:
        return award_services.record_award_notice_published(award=award, published_on=on, by=by)
    if notice.state != NoticeState.PUBLISHED:
        publish(notice, by, on)
    return Award.objects.get(pk=award.pk)
