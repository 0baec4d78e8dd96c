"""Counted measures (people, sessions) have whole-number targets: rows stored before the rule, with
targets such as 3.32 sessions, are rounded half up (baselines too). Percentages, money and other
continuous units keep their decimals."""

from django.db import migrations

from councils.units import is_counted, rounded


def whole_targets(apps, schema_editor):
    for model, fields in (("SuccessMeasure", ("target", "baseline")), ("BidOutcome", ("target",))):
        rows = apps.get_model("commissioning", model).objects.all()
        for row in rows.iterator():
            if not is_counted(row.unit):
                continue
            changed = []
            for name in fields:
                value = getattr(row, name)
                if value is not None and value != value.to_integral_value():
                    setattr(row, name, rounded(value, row.unit))
                    changed.append(name)
            if changed:
                row.save(update_fields=changed)


class Migration(migrations.Migration):
    dependencies = [("commissioning", "0019_social_value_defaults")]

    operations = [migrations.RunPython(whole_targets, migrations.RunPython.noop)]
