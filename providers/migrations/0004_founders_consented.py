"""Existing memberships: the founder's (recorded by the `organisation.registered` audit event, which
names the membership it made) is consent by registration. Every other membership was made by an
administrator without asking, and stays without consent (null), to be reviewed."""

from django.db import migrations


def founders_consented(apps, schema_editor):
    AuditEvent = apps.get_model("councils", "AuditEvent")
    OrganisationMember = apps.get_model("providers", "OrganisationMember")
    events = AuditEvent.objects.filter(event_type="organisation.registered").values_list("extra", "created_at")
    for extra, created_at in events.iterator():
        member_pk = (extra or {}).get("member")
        if member_pk:
            OrganisationMember.objects.filter(pk=member_pk, consented_at__isnull=True).update(consented_at=created_at)


class Migration(migrations.Migration):
    dependencies = [
        ("providers", "0003_invitations_and_consent"),
        ("councils", "0005_notifications_and_reminders"),
    ]

    operations = [migrations.RunPython(founders_consented, migrations.RunPython.noop)]
