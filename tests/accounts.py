"""Two-factor sign-in for tests.

Test councils do not require two-factor sign-in (`CouncilFactory`), so most tests sign people in with
`client.force_login` as before. Tests of what two-factor sign-in protects, and the demo's councils
(which require it), use these: `enrol` gives a person an authenticator app, `app_code` is what it
shows now, and `sign_in_verified` signs a test client in as someone who has entered a code.
"""

from __future__ import annotations

from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from councils.models import User


def enrol(user: User) -> TOTPDevice:
    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    return device or TOTPDevice.objects.create(user=user, name="Test authenticator app", confirmed=True)


def app_code(device: TOTPDevice, *, offset: int = 0) -> str:
    """The six digits the app shows now (`offset` time steps later). A code is accepted once: the
    device remembers the last time step used, so a test that signs the same person in again within
    30 seconds forgets it first, as waiting would."""
    TOTPDevice.objects.filter(pk=device.pk).update(last_t=-1)
    device.refresh_from_db()
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = totp.time + offset * device.step
    return f"{totp.token():06d}"


def sign_in_verified(client, user: User):
    """`force_login`, as someone who has also entered a code from their (new, if need be) app."""
    device = enrol(user)
    client.force_login(user)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    return client
