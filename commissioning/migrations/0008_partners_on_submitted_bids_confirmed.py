"""Partners on bids already submitted when confirmation began: the bid was sealed with them, its
walls and evaluation rely on them, so they count as confirmed (at migration time, by nobody; the
audit trail has no confirmation event for them). Partners on drafts and withdrawn bids stay
unconfirmed: the lead bidder saving its partners asks them, and the bid cannot be submitted until
they answer. Partners named by free text (no registered organisation) are never confirmed."""

from django.db import migrations
from django.utils import timezone


def confirm_submitted(apps, schema_editor):
    BidPartner = apps.get_model("commissioning", "BidPartner")
    BidPartner.objects.filter(
        organisation__isnull=False, confirmed_at__isnull=True, declined_at__isnull=True, bid__state="submitted"
    ).update(confirmed_at=timezone.now())


class Migration(migrations.Migration):
    dependencies = [("commissioning", "0007_bid_partner_confirmation")]

    operations = [migrations.RunPython(confirm_submitted, migrations.RunPython.noop)]
