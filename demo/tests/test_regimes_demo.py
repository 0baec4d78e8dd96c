"""The demo holds one procurement per regime, each at a different point, with its notices, and every
notice validates against OCDS 1.1.5 patched with the UK extension."""

from __future__ import annotations

import pytest

from commissioning.models import Award, ProcurementRegime, Regime
from demo.invoices import CONTRACT_TITLE
from demo.regimes import PROCUREMENTS, seed_regimes
from monitoring.models import Notice, NoticeState, NoticeType
from monitoring.notices import ocds

pytestmark = pytest.mark.django_db


def notices_of(title: str) -> dict[str, str]:
    return dict(Notice.objects.filter(commission__title=title).values_list("notice_type", "state"))


def test_one_procurement_per_regime_with_its_notices(demo_data):
    regimes = {
        record.commission.title: record.regime
        for record in ProcurementRegime.objects.filter(
            commission__title__in=[demo.title for demo in PROCUREMENTS] + [CONTRACT_TITLE]
        ).select_related("commission")
    }
    assert set(regimes.values()) == {
        Regime.ABOVE_THRESHOLD,
        Regime.LIGHT_TOUCH,
        Regime.BELOW_THRESHOLD,
        Regime.PROVIDER_SELECTION,
        Regime.GRANT,
    }
    published = NoticeState.PUBLISHED
    assert notices_of("Highway verge and weed control") == {
        NoticeType.UK2: published,
        NoticeType.UK3: published,
        NoticeType.UK4: published,
    }
    assert notices_of("Flood response pumping") == {NoticeType.UK5: published, NoticeType.UK6: NoticeState.READY}
    assert notices_of("Stop smoking service") == {NoticeType.PSR_INTENT: published}
    assert notices_of("Village hall energy advice") == {NoticeType.UK4: published, NoticeType.UK7: published}
    assert notices_of("Community chest grants") == {}
    assert notices_of(CONTRACT_TITLE) == {
        NoticeType.UK4: published,
        NoticeType.UK6: published,
        NoticeType.UK7: published,
    }
    representations = Award.objects.get(commission__title="Stop smoking service")
    assert representations.standstill_applies
    assert representations.award_notice_published_on < representations.standstill_ends_on
    assert ProcurementRegime.objects.get(commission__title="Community chest grants").subsidy_database
    assert [notice for notice in Notice.objects.all() if ocds.release_errors(notice.data)] == []
    assert seed_regimes() == 0
