"""The people who sign in, and the roles they hold in each council (memberships).

Its models keep the page-cache family they had when the app's models were one module, `councils`
(`page_cache_family`; `councils.page_cache.family_of`): templates and views name that family.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.db import models
from django.db.models import Q
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.crypto import salted_hmac

from councils.models.council import Council


class UserManager(BaseUserManager):
    use_in_migrations = True

    def _create_user(self, email, password, **extra):
        if not email:
            raise ValueError("An email address is required.")
        user = self.model(email=self.normalize_email(email).lower(), **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email, password=None, **extra):
        extra.setdefault("is_staff", False)
        extra.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra)

    def create_superuser(self, email, password=None, **extra):
        extra.setdefault("is_staff", True)
        extra.setdefault("is_superuser", True)
        return self._create_user(email, password, **extra)

    def get_by_natural_key(self, username):
        return self.get(**{f"{self.model.USERNAME_FIELD}__iexact": username})


class User(AbstractBaseUser, PermissionsMixin):
    """Anyone who signs in: council officers, councillors, provider staff, administrators.

    What a person may do comes from their memberships (per council) and, for provider staff,
    their organisation; nothing about roles is stored on the user itself.
    """

    page_cache_family = "councils"

    email = models.EmailField("email address", unique=True)
    full_name = models.CharField(max_length=200)
    job_title = models.CharField(max_length=200, blank=True)
    is_active = models.BooleanField(default=True)
    is_staff = models.BooleanField(
        default=False,
        help_text="Opens nothing on its own: only an active superuser (the system administrator) may use the "
        "technical administration site. Officers work in the app's pages.",
    )
    date_joined = models.DateTimeField(default=timezone.now)
    # Part of the session hash: adding one signs the person out of every session ("sign out everywhere").
    session_generation = models.PositiveIntegerField(default=0, editable=False)
    # When the person's roles or sign-in rules last changed: each of their sessions then gets a new
    # key and re-reads whether two-factor sign-in applies (councils.sessions).
    access_changed_at = models.DateTimeField(null=True, blank=True, editable=False)

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS = ["full_name"]

    class Meta:
        ordering = ["full_name", "email"]
        constraints = [
            # Sign-in is case-insensitive, so two accounts must never differ only by case.
            models.UniqueConstraint(Lower("email"), name="user_email_unique_ignoring_case"),
        ]

    def __str__(self) -> str:
        return self.full_name or self.email

    def get_full_name(self) -> str:
        return self.full_name

    def get_short_name(self) -> str:
        return self.full_name.split(" ")[0] if self.full_name else self.email

    def _get_session_auth_hash(self, secret=None):
        # Django's hash covers the password (a new password ends every other session); the
        # generation lets a person end them all without changing it.
        return salted_hmac(
            "councils.User.get_session_auth_hash",
            f"{self.password}:{self.session_generation}",
            secret=secret,
            algorithm="sha256",
        ).hexdigest()


# Django names the tables it makes for a user's groups and permissions after this module as well: they
# keep their family too.
User.groups.through.page_cache_family = "councils"
User.user_permissions.through.page_cache_family = "councils"


class Role(models.TextChoices):
    LEAD_COMMISSIONER = "lead_commissioner", "Lead commissioner"
    COMMISSIONING_OFFICER = "commissioning_officer", "Commissioning officer"
    PROCUREMENT_OFFICER = "procurement_officer", "Procurement officer"
    LEGAL_OFFICER = "legal_officer", "Legal officer"
    FINANCE_OFFICER = "finance_officer", "Finance officer (section 151)"
    PORTFOLIO_HOLDER = "portfolio_holder", "Cabinet member / portfolio holder"
    SCRUTINY_MEMBER = "scrutiny_member", "Scrutiny committee member"
    COUNCIL_ADMIN = "council_admin", "Council administrator"
    # A councillor with no cabinet or scrutiny seat: what they read is the work of the member working
    # groups they are named to, and nothing else of the council's commissioning.
    COUNCILLOR = "councillor", "Councillor"


OFFICER_ROLES = frozenset(
    {
        Role.LEAD_COMMISSIONER,
        Role.COMMISSIONING_OFFICER,
        Role.PROCUREMENT_OFFICER,
        Role.LEGAL_OFFICER,
        Role.FINANCE_OFFICER,
    }
)
COUNCILLOR_ROLES = frozenset({Role.PORTFOLIO_HOLDER, Role.SCRUTINY_MEMBER, Role.COUNCILLOR})


class Membership(models.Model):
    """One role a person holds in one council. A person may hold several, in several councils."""

    page_cache_family = "councils"

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships")
    council = models.ForeignKey(Council, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(max_length=32, choices=Role.choices)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["council__name", "user__full_name", "role"]
        constraints = [
            models.UniqueConstraint(fields=["user", "council", "role"], name="membership_unique_role"),
            models.CheckConstraint(condition=Q(role__in=Role.values), name="membership_role_valid"),
        ]
        indexes = [models.Index(fields=["council", "role"])]

    def __str__(self) -> str:
        return f"{self.user} — {self.get_role_display()}, {self.council}"
