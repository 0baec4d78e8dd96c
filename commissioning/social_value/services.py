"""Writes for the council's social value list: the default set a council starts with."""

from __future__ import annotations

from decimal import Decimal

from django.db import transaction

from commissioning.models import SocialValueMeasure, SocialValueTheme
from commissioning.social_value.defaults import DEFAULT_MEASURES
from councils import page_cache
from councils.models import Council


@transaction.atomic
def install_default_measures(council: Council) -> int:
    """Give the council the default themes and measures it does not have yet (matched by theme name
    and measure code, so running it again changes nothing and the council's own edits are kept).
    Returns how many measures were added."""
    themes = {theme.name: theme for theme in SocialValueTheme.objects.filter(council=council)}
    codes = set(SocialValueMeasure.objects.filter(council=council).values_list("code", flat=True))
    new_themes = SocialValueTheme.objects.bulk_create(
        SocialValueTheme(council=council, name=theme_name, position=theme_position)
        for theme_position, (theme_name, _measures) in enumerate(DEFAULT_MEASURES, start=1)
        if theme_name not in themes
    )
    themes.update((theme.name, theme) for theme in new_themes)
    added = []
    for theme_name, measures in DEFAULT_MEASURES:
        for position, (code, title, unit, proxy) in enumerate(measures, start=1):
            if code in codes:
                continue
            added.append(
                SocialValueMeasure(
                    council=council,
                    theme=themes[theme_name],
                    code=code,
                    title=title,
                    unit=unit,
                    proxy_value=Decimal(proxy) if proxy is not None else None,
                    position=position,
                )
            )
    SocialValueMeasure.objects.bulk_create(added)
    if new_themes or added:
        # Bulk writes send no signal: the pages showing the council's list are told here.
        page_cache.bump_council(council.pk, page_cache.family_of(SocialValueMeasure))
    return len(added)


def install_for_new_council(sender, instance: Council, created: bool, raw: bool = False, **kwargs) -> None:
    """A new council starts with the default list (connected in CommissioningConfig.ready)."""
    if created and not raw:
        install_default_measures(instance)
