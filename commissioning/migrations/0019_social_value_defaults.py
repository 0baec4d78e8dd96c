"""Every council already here gets the default social value themes and measures (new councils get
them when created: CommissioningConfig.ready). Reads the plain data in
commissioning.social_value.defaults; the council's own additions are kept on the way back."""

from decimal import Decimal

from django.db import migrations

from commissioning.social_value.defaults import DEFAULT_MEASURES


def install(apps, schema_editor):
    Council = apps.get_model("councils", "Council")
    Theme = apps.get_model("commissioning", "SocialValueTheme")
    Measure = apps.get_model("commissioning", "SocialValueMeasure")
    for council in Council.objects.all():
        codes = set(Measure.objects.filter(council=council).values_list("code", flat=True))
        for theme_position, (theme_name, measures) in enumerate(DEFAULT_MEASURES, start=1):
            theme, _ = Theme.objects.get_or_create(
                council=council, name=theme_name, defaults={"position": theme_position}
            )
            Measure.objects.bulk_create(
                Measure(
                    council=council,
                    theme=theme,
                    code=code,
                    title=title,
                    unit=unit,
                    proxy_value=Decimal(proxy) if proxy is not None else None,
                    position=position,
                )
                for position, (code, title, unit, proxy) in enumerate(measures, start=1)
                if code not in codes
            )


class Migration(migrations.Migration):
    dependencies = [
        ("commissioning", "0018_social_value"),
        ("councils", "0001_initial"),
    ]

    operations = [migrations.RunPython(install, migrations.RunPython.noop)]
