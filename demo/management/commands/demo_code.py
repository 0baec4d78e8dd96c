from base64 import b32decode

from django.core.management.base import BaseCommand
from django_otp.oath import TOTP

from demo.councils import DEMO_TOTP_SECRET


class Command(BaseCommand):
    help = "Print the two-factor code demo council staff enter now (the shared demo key; demo only)."

    def handle(self, *args, **options):
        code = TOTP(b32decode(DEMO_TOTP_SECRET)).token()
        self.stdout.write(f"{code:06d}  (from the demo key {DEMO_TOTP_SECRET}; each code lasts about 30 seconds)")
