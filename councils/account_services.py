"""Writes for a person's own account: two-factor sign-in, recovery codes, signing out everywhere.

Two-factor sign-in uses django-otp: a TOTP device (an authenticator app) and a static device whose
tokens are the one-time recovery codes. A device is confirmed only once a code from it has been
entered, so a half-finished set-up never locks anyone out. Devices count wrong codes and make the
person wait longer after each (django-otp's throttling); that count is committed even when the code
is refused.
"""

from __future__ import annotations

from base64 import b32encode

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F, QuerySet
from django_otp.models import Device
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from councils.models import User
from councils.services import audit_record
from councils.sessions import mark_access_changed

RECOVERY_CODE_COUNT = 10
DEVICE_NAME = "Authenticator app"
WRONG_CODE = "The code is not right. Enter the 6-digit code your authenticator app shows now."
WRONG_RECOVERY_CODE = "The recovery code is not right, or it has already been used."
WAIT = "Too many wrong codes. Wait a few seconds, then enter the code your app shows now."
START_AGAIN = "Start again: open the set-up page and add the new key to your app."


def _clean(code: str) -> str:
    return "".join((code or "").split()).lower()


def _is_app_code(code: str) -> bool:
    return code.isdigit() and len(code) == 6


def is_enrolled(user: User) -> bool:
    return TOTPDevice.objects.filter(user=user, confirmed=True).exists()


def recovery_codes_left(user: User) -> int:
    return StaticToken.objects.filter(device__user=user, device__confirmed=True).count()


def readable_secret(device: TOTPDevice) -> str:
    """The key in base 32, as authenticator apps take it when typed in, in groups of four."""
    secret = b32encode(device.bin_key).decode()
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


def _verify(devices: QuerySet, code: str, wrong: str) -> Device:
    """The device that accepts the code; otherwise why not. Committed before refusing, so that the
    device's count of wrong codes (and a spent recovery code) is kept."""
    with transaction.atomic():
        problem = wrong
        for device in devices.select_for_update():
            if not device.verify_is_allowed()[0]:
                problem = WAIT
            elif device.verify_token(code):
                return device
    raise ValidationError({"code": problem})


@transaction.atomic
def two_factor_start(*, user: User) -> TOTPDevice:
    """The unconfirmed device for the person to add to their app (the same one until they confirm it)."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("pk").first()
    return device or TOTPDevice.objects.create(user=user, name=DEVICE_NAME, confirmed=False)


def _new_recovery_codes(user: User) -> list[str]:
    StaticDevice.objects.filter(user=user).delete()
    device = StaticDevice.objects.create(user=user, name="Recovery codes", confirmed=True)
    codes = [StaticToken.random_token() for _ in range(RECOVERY_CODE_COUNT)]
    StaticToken.objects.bulk_create(StaticToken(device=device, token=code) for code in codes)
    return codes


def two_factor_confirm(*, user: User, code: str) -> tuple[TOTPDevice, list[str]]:
    """A code from the app proves it holds the key: the device becomes the person's, with new
    recovery codes (returned, to be shown once), and any older device goes."""
    code = _clean(code)
    pending = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("pk")[:1]
    if not pending.exists():
        raise ValidationError({"code": START_AGAIN})
    device = _verify(TOTPDevice.objects.filter(pk__in=pending.values("pk")), code, WRONG_CODE)
    with transaction.atomic():
        TOTPDevice.objects.filter(user=user).exclude(pk=device.pk).delete()
        device.confirmed = True
        device.save(update_fields=["confirmed"])
        codes = _new_recovery_codes(user)
        mark_access_changed([user.pk])
        audit_record(council=None, actor=user, event_type="account.two_factor_turned_on", obj=user)
    return device, codes


def two_factor_verify(*, user: User, code: str) -> Device:
    """A code after the password: six digits from the app, or one of the recovery codes (spent once used)."""
    code = _clean(code)
    if _is_app_code(code):
        return _verify(TOTPDevice.objects.filter(user=user, confirmed=True), code, WRONG_CODE)
    device = _verify(StaticDevice.objects.filter(user=user, confirmed=True), code, WRONG_RECOVERY_CODE)
    audit_record(council=None, actor=user, event_type="account.recovery_code_used", obj=user)
    return device


@transaction.atomic
def recovery_codes_regenerate(*, user: User) -> list[str]:
    """New recovery codes (returned, to be shown once); the old ones stop working."""
    if not is_enrolled(user):
        raise ValidationError("Set up two-factor sign-in first.")
    codes = _new_recovery_codes(user)
    audit_record(council=None, actor=user, event_type="account.recovery_codes_replaced", obj=user)
    return codes


@transaction.atomic
def two_factor_turn_off(*, user: User) -> None:
    """Only where no council the person works for requires it (providers, and staff of a council that
    has turned the requirement off)."""
    if not user.has_perm("councils.turn_off_two_factor"):
        raise PermissionDenied
    TOTPDevice.objects.filter(user=user).delete()
    StaticDevice.objects.filter(user=user).delete()
    mark_access_changed([user.pk])
    audit_record(council=None, actor=user, event_type="account.two_factor_turned_off", obj=user)


@transaction.atomic
def sign_out_everywhere(*, user: User) -> None:
    """Every session of the person ends: their session hash includes the generation (User)."""
    User.objects.filter(pk=user.pk).update(session_generation=F("session_generation") + 1)
    audit_record(council=None, actor=user, event_type="account.signed_out_everywhere", obj=user)
