"""Counted KPIs (people, sessions) have whole-number targets: rows stored before the rule are made
whole. The KPI's target and baseline are rounded half up. Its per-period targets are made whole as
the agreements' own spreading does: each period takes the running total to its end, rounded half up,
less what the periods before took, so a total spread over the periods still adds up (a level is
rounded in each period). Percentages, money and other continuous units keep their decimals."""

from decimal import Decimal

from django.db import migrations

from councils.units import is_counted, rounded


def _whole(value: Decimal) -> bool:
    return value == value.to_integral_value()


def whole_targets(apps, schema_editor):
    kpis = apps.get_model("monitoring", "AgreementKpi").objects.prefetch_related("targets")
    for kpi in kpis.iterator(chunk_size=500):
        if not is_counted(kpi.unit):
            continue
        changed = []
        for name in ("target", "baseline"):
            value = getattr(kpi, name)
            if value is not None and not _whole(value):
                setattr(kpi, name, rounded(value, kpi.unit))
                changed.append(name)
        if changed:
            kpi.save(update_fields=changed)
        targets = sorted(kpi.targets.all(), key=lambda target: target.period_start)
        if all(_whole(target.target) for target in targets):
            continue
        running, taken = Decimal("0"), Decimal("0")
        for target in targets:
            if kpi.target_kind == "level":
                target.target = rounded(target.target, kpi.unit)
            else:
                running += target.target
                end = rounded(running, kpi.unit)
                target.target, taken = end - taken, end
            target.save(update_fields=["target"])


class Migration(migrations.Migration):
    dependencies = [("monitoring", "0013_social_value_kpis")]

    operations = [migrations.RunPython(whole_targets, migrations.RunPython.noop)]
