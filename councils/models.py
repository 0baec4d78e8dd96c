"""Councils, the people who work in them and in what role, and what each council is trying to achieve."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.db.models import Q
from django.db.models.functions import Lower
from django.urls import reverse
from django.utils import timezone
from django.utils.crypto import salted_hmac


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


class Partnership(models.Model):
    """Councils that commission together and share officers (e.g. a shared-service partnership)."""

    name = models.CharField(max_length=200, unique=True)
    slug = models.SlugField(unique=True)
    description = models.TextField(blank=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


short_code_validator = RegexValidator(r"^[A-Z0-9]{2,10}$", "Use 2 to 10 capital letters or digits, for example WCC.")


# Paths that sit where a council's short name goes in URLs (`/councils/<slug>/`).
RESERVED_COUNCIL_SLUGS = frozenset({"notifications"})


def _today():
    return timezone.localdate()


class Council(models.Model):
    """A local authority using Commissioner. Every council-owned record points at one."""

    name = models.CharField(max_length=200, unique=True)
    slug = models.SlugField(unique=True)
    short_code = models.CharField(max_length=10, unique=True, validators=[short_code_validator])
    partnership = models.ForeignKey(
        Partnership, null=True, blank=True, on_delete=models.SET_NULL, related_name="councils"
    )
    header_name = models.CharField(
        max_length=200, blank=True, help_text="Shown in the page header. Leave blank to use the name."
    )
    contact_email = models.EmailField(blank=True)
    contact_phone = models.CharField(max_length=40, blank=True)
    website = models.URLField(blank=True)
    address = models.TextField(blank=True)
    key_decision_threshold = models.DecimalField(
        max_digits=14,
        decimal_places=2,
        default=Decimal("250000"),
        validators=[MinValueValidator(Decimal("0"))],
        help_text="At or above this value a cabinet or portfolio holder decision is needed.",
    )
    quote_threshold = models.DecimalField(
        max_digits=14,
        decimal_places=2,
        default=Decimal("10000"),
        validators=[MinValueValidator(Decimal("0"))],
        help_text="At or above this value at least three written quotes are needed.",
    )
    tender_threshold = models.DecimalField(
        max_digits=14,
        decimal_places=2,
        default=Decimal("100000"),
        validators=[MinValueValidator(Decimal("0"))],
        help_text="At or above this value an open tender is needed.",
    )
    standstill_working_days = models.PositiveSmallIntegerField(
        default=8, validators=[MinValueValidator(8)], help_text="The standstill period, in working days (8 at least)."
    )
    call_in_working_days = models.PositiveSmallIntegerField(
        default=5, help_text="How long scrutiny can call in a cabinet or portfolio holder decision, in working days."
    )
    forward_plan_days = models.PositiveSmallIntegerField(
        default=28, help_text="How many clear days a key decision must be on the forward plan before it is taken."
    )
    # The constitution says how many scrutiny members it takes to call a key decision in.
    call_in_threshold = models.PositiveSmallIntegerField(
        default=2,
        validators=[MinValueValidator(1), MaxValueValidator(20)],
        help_text="How many scrutiny members must ask before a key decision is called in.",
    )
    max_agreement_years = models.PositiveSmallIntegerField(
        default=25,
        validators=[MinValueValidator(1), MaxValueValidator(99)],
        help_text="The longest an agreement may run, extensions included, in years.",
    )
    # Procurement Act 2023, s.93: only a council that expects to pay this much publishes a pipeline notice.
    expects_over_100m_contract_spend = models.BooleanField(
        "We expect to pay more than £100 million under public contracts in the coming financial year",
        default=False,
        help_text="If so, the council must publish a pipeline notice (UK1) within 56 days of 1 April each year, "
        "listing the contracts over £2 million it expects to advertise in the next 18 months.",
    )
    # The framework (the corporate plan and its outcomes) and the commissioning plan are public once the
    # council administrator publishes them; until then (or after unpublishing) the public pages are 404.
    framework_published_at = models.DateTimeField(null=True, blank=True, editable=False)
    plan_published_at = models.DateTimeField(null=True, blank=True, editable=False)
    require_two_factor = models.BooleanField(
        "Staff must use two-factor sign-in",
        default=True,
        help_text="Everyone with a role in this council signs in with a code from an authenticator app as well "
        "as their password.",
    )
    # The accessibility statement and the privacy notice: who to write to, and when each was last looked at.
    accessibility_email = models.EmailField(
        blank=True, help_text="Where people report an accessibility problem. Leave blank to use the contact email."
    )
    dpo_email = models.EmailField(
        "Data protection officer's email",
        blank=True,
        help_text="Named in the privacy notice. Leave blank to use the contact email.",
    )
    accessibility_prepared_on = models.DateField(default=_today, help_text="When the statement was first prepared.")
    accessibility_reviewed_on = models.DateField(default=_today, help_text="When the statement was last reviewed.")
    privacy_updated_on = models.DateField(default=_today, help_text="When the privacy notice was last updated.")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(quote_threshold__lte=models.F("tender_threshold")),
                name="council_quote_threshold_not_above_tender",
            )
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("councils:detail", kwargs={"council_slug": self.slug})

    @property
    def accessibility_contact(self) -> str:
        return self.accessibility_email or self.contact_email

    @property
    def dpo_contact(self) -> str:
        return self.dpo_email or self.contact_email

    def clean(self):
        if self.slug in RESERVED_COUNCIL_SLUGS:
            raise ValidationError({"slug": f"‘{self.slug}’ is a page of the service: choose another short name."})
        if (
            self.quote_threshold is not None
            and self.tender_threshold is not None
            and self.quote_threshold > self.tender_threshold
        ):
            raise ValidationError({"quote_threshold": "The quotes threshold cannot be above the tender threshold."})

    @property
    def display_name(self) -> str:
        return self.header_name or self.name


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


class Portfolio(models.Model):
    """A cabinet portfolio (e.g. Health and Wellbeing) and the councillor who holds it."""

    council = models.ForeignKey(Council, on_delete=models.CASCADE, related_name="portfolios")
    name = models.CharField(max_length=200)
    holder = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="portfolios_held",
    )
    description = models.TextField(blank=True)

    class Meta:
        ordering = ["name"]
        constraints = [models.UniqueConstraint(fields=["council", "name"], name="portfolio_unique_name")]

    def __str__(self) -> str:
        return self.name


class CorporatePlan(models.Model):
    """A corporate plan period, e.g. Corporate Plan 2012–2015, holding priorities and themes."""

    council = models.ForeignKey(Council, on_delete=models.CASCADE, related_name="corporate_plans")
    title = models.CharField(max_length=200)
    start_year = models.PositiveIntegerField(validators=[MinValueValidator(1990)])
    end_year = models.PositiveIntegerField(validators=[MinValueValidator(1990)])
    summary = models.TextField(blank=True)
    is_current = models.BooleanField(default=False)

    class Meta:
        ordering = ["-start_year", "title"]
        constraints = [
            models.CheckConstraint(condition=Q(end_year__gte=models.F("start_year")), name="plan_end_not_before_start"),
            models.UniqueConstraint(
                fields=["council"], condition=Q(is_current=True), name="plan_one_current_per_council"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.title} ({self.period})"

    @property
    def period(self) -> str:
        return f"{self.start_year}–{self.end_year}"

    def clean(self):
        if self.start_year and self.end_year and self.end_year < self.start_year:
            raise ValidationError({"end_year": "The end year must be the same as or after the start year."})


class Priority(models.Model):
    """A corporate priority, e.g. Health and Well Being."""

    plan = models.ForeignKey(CorporatePlan, on_delete=models.CASCADE, related_name="priorities")
    title = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    position = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["position", "title"]
        verbose_name_plural = "priorities"
        constraints = [models.UniqueConstraint(fields=["plan", "title"], name="priority_unique_title")]

    def __str__(self) -> str:
        return self.title

    @property
    def council(self) -> Council:
        return self.plan.council


class Outcome(models.Model):
    """An end result the council wants, owned by a cabinet portfolio."""

    priority = models.ForeignKey(Priority, on_delete=models.CASCADE, related_name="outcomes")
    title = models.CharField(max_length=300)
    description = models.TextField(blank=True)
    portfolio = models.ForeignKey(Portfolio, null=True, blank=True, on_delete=models.SET_NULL, related_name="outcomes")
    accountable_officer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="outcomes_accountable_for",
    )
    position = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["priority__position", "position", "title"]

    def __str__(self) -> str:
        return self.title


class CrossCuttingTheme(models.Model):
    """A theme that runs through every priority, e.g. Community Leadership."""

    plan = models.ForeignKey(CorporatePlan, on_delete=models.CASCADE, related_name="themes")
    title = models.CharField(max_length=200)
    description = models.TextField(blank=True)

    class Meta:
        ordering = ["title"]
        constraints = [models.UniqueConstraint(fields=["plan", "title"], name="theme_unique_title")]

    def __str__(self) -> str:
        return self.title


class AuditEventQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise PermissionError("Audit events are append-only.")

    def delete(self):
        raise PermissionError("Audit events are append-only.")


class AuditEvent(models.Model):
    """An append-only record of something that happened: who, when, to what, from which state to which, why."""

    # Nearly every write records one: a family of its own, so parts of pages that show the council's
    # people and settings are not re-rendered by every audited step (councils.page_cache.family_of).
    page_cache_family = "councils.audit"

    council = models.ForeignKey(Council, null=True, blank=True, on_delete=models.PROTECT, related_name="audit_events")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    event_type = models.CharField(max_length=64)
    content_type = models.ForeignKey(ContentType, null=True, blank=True, on_delete=models.PROTECT)
    object_id = models.CharField(max_length=64, blank=True)
    object_repr = models.CharField(max_length=300, blank=True)
    from_state = models.CharField(max_length=64, blank=True)
    to_state = models.CharField(max_length=64, blank=True)
    reason = models.TextField(blank=True)
    extra = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    objects = AuditEventQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["content_type", "object_id", "-created_at"]),
            models.Index(fields=["council", "-created_at"]),
        ]

    def __str__(self) -> str:
        return f"{self.event_type} by {self.actor} at {self.created_at:%Y-%m-%d %H:%M}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise PermissionError("Audit events are append-only.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise PermissionError("Audit events are append-only.")


# --- Reminders and in-app notifications -------------------------------------------------------
# The sweep that writes these rows is `monitoring.reminders`; the pages are `councils.notification_views`.


class ReminderKind(models.TextChoices):
    RETURN_DUE_SOON = "return_due_soon", "Monitoring return due soon"
    RETURN_DUE_TODAY = "return_due_today", "Monitoring return due today"
    RETURN_OVERDUE = "return_overdue", "Monitoring return overdue"
    RETURN_ESCALATED = "return_escalated", "Overdue monitoring return escalated"
    RETURN_AWAITING_REVIEW = "return_awaiting_review", "Monitoring return waiting for review"
    AGREEMENT_ENDING = "agreement_ending", "Agreement ending: time to review"
    OPPORTUNITY_DEADLINE = "opportunity_deadline", "Deadline for bids approaching"
    COMPLIANCE_EXPIRING = "compliance_expiring", "Compliance document expiring"
    KPI_ASSESSMENT_DUE = "kpi_assessment_due", "KPI assessment due (Procurement Act 2023)"
    NOTICE_DUE_SOON = "notice_due_soon", "Notice to publish on Find a Tender due soon"
    NOTICE_OVERDUE = "notice_overdue", "Notice to publish on Find a Tender overdue"
    # Not reminders but one-off notices, sent as things happen (never swept, no council rule).
    STAFF_JOINED_PROVIDER = "staff_joined_provider", "Council staff joined a provider organisation"
    PARTNER_TO_CONFIRM = "partner_to_confirm", "Joint bid partnership to confirm"
    # Hand-offs: a step has made it someone's turn (councils.handoffs), told as the step is taken.
    PLAN_TO_APPROVE = "plan_to_approve", "A plan waiting for your approval"
    PLAN_DECIDED = "plan_decided", "A plan approved or referred back"
    AWARD_TO_DECIDE = "award_to_decide", "An award waiting for your decision"
    AWARD_DECIDED = "award_decided", "An award decision made, confirmed or withdrawn"
    AWARD_CALLED_IN = "award_called_in", "An award decision called in"
    PANEL_APPOINTED = "panel_appointed", "Appointed to an evaluation panel"
    PANEL_TASKS_DUE = "panel_tasks_due", "Compliance checks or scores due on a panel"
    BIDS_TO_OPEN = "bids_to_open", "Bids ready to open"
    BIDS_OPENED = "bids_opened", "Bids opened: the evaluation to set up or start"
    RETURN_TO_REVIEW = "return_to_review", "A monitoring return submitted for review"
    RETURN_QUERIED = "return_queried", "A monitoring return queried"
    RETURN_ACCEPTED = "return_accepted", "A monitoring return accepted"
    RETURN_CHASED = "return_chased", "Overdue monitoring return chased by the council"
    REVIEW_PROGRESS = "review_progress", "A review of existing services started or concluded"
    PANEL_STAGE_READY = "panel_stage_ready", "Declarations or scores all in: the panel's next stage to start"
    CALL_IN_ASKED = "call_in_asked", "A call-in asked for: more scrutiny members needed"
    NOTICE_TO_PUBLISH = "notice_to_publish", "A notice ready to publish on Find a Tender"
    AGREEMENT_SIGNED = "agreement_signed", "A signed agreement to put live"
    WORKING_GROUP_NAMED = "working_group_named", "Named to a member working group"
    # Contract management (issue 21): each told as the step is taken, except the extension decision,
    # which is swept like the agreement-ending reminder.
    EXTENSION_DECISION_DUE = "extension_decision_due", "An extension option to decide before its notice date"
    AGREEMENT_FLAGGED = "agreement_flagged", "An agreement or provider flagged at risk or failed"
    REMEDY_RECORDED = "remedy_recorded", "A deduction, default notice or remedy plan recorded"
    REMEDY_RESPONDED = "remedy_responded", "A provider's response to a deduction, default notice or remedy plan"
    OPPORTUNITY_ALERT = "opportunity_alert", "A new opportunity matching your organisation's interests"
    ENGAGEMENT_COMMENTED = "engagement_commented", "A comment on a draft open for engagement"


# What a council administrator can change, one rule per kind. Escalation is part of the overdue rule
# (after how many days overdue); compliance documents belong to an organisation, not to a council, so
# their reminders always follow the defaults below, as do those of the yearly KPI assessment, a duty of
# the Procurement Act 2023 that a council cannot switch off.
RULE_KINDS = (
    ReminderKind.RETURN_DUE_SOON,
    ReminderKind.RETURN_DUE_TODAY,
    ReminderKind.RETURN_OVERDUE,
    ReminderKind.RETURN_AWAITING_REVIEW,
    ReminderKind.AGREEMENT_ENDING,
    ReminderKind.EXTENSION_DECISION_DUE,
    ReminderKind.OPPORTUNITY_DEADLINE,
    ReminderKind.NOTICE_DUE_SOON,
    ReminderKind.NOTICE_OVERDUE,
)

# Warnings sent several times ahead of one date (an agreement's end, its extension notice date): each
# lead time is a warning of its own, sent once. About 9, 6 and 3 months in calendar days.
LEAD_TIME_KINDS = (ReminderKind.AGREEMENT_ENDING, ReminderKind.EXTENSION_DECISION_DUE)
DEFAULT_LEAD_TIMES = (274, 183, 91)
MAX_LEAD_TIMES = 6
MAX_LEAD_TIME_DAYS = 366

# The rules a council has not changed. Zero means "never" for repetition and escalation.
REMINDER_DEFAULTS: dict[str, dict] = {
    ReminderKind.RETURN_DUE_SOON: {"days_before": 5, "working_days": True},
    ReminderKind.RETURN_DUE_TODAY: {"working_days": True},
    ReminderKind.RETURN_OVERDUE: {"repeat_every_days": 5, "escalate_after_days": 10, "working_days": True},
    ReminderKind.RETURN_AWAITING_REVIEW: {"days_before": 10, "repeat_every_days": 5, "working_days": True},
    # About nine, six and three months: time to review the commission and decide before the agreement
    # ends, or before the notice to take up an extension option must be given.
    ReminderKind.AGREEMENT_ENDING: {"days_before": 274, "lead_times": DEFAULT_LEAD_TIMES, "working_days": False},
    ReminderKind.EXTENSION_DECISION_DUE: {
        "days_before": 274,
        "lead_times": DEFAULT_LEAD_TIMES,
        "working_days": False,
    },
    ReminderKind.OPPORTUNITY_DEADLINE: {"days_before": 5, "working_days": True},
    # The same 30 days after which the provider's document list shows "expires soon".
    ReminderKind.COMPLIANCE_EXPIRING: {"days_before": 30, "working_days": False},
    # A month's notice of the yearly KPI assessment (s.71), then every fortnight while it is overdue.
    ReminderKind.KPI_ASSESSMENT_DUE: {"days_before": 30, "repeat_every_days": 14, "working_days": False},
    # Most notices are due on the day of the step that calls for them, a few within 30 days of it:
    # three working days is time to check one and mark it ready.
    ReminderKind.NOTICE_DUE_SOON: {"days_before": 3, "working_days": True},
    # Once, the working day after it was due; a council may choose to be reminded again.
    ReminderKind.NOTICE_OVERDUE: {"working_days": True},
}


def validate_lead_times(value) -> None:
    """Several whole numbers of days, each from 1 to MAX_LEAD_TIME_DAYS, at most MAX_LEAD_TIMES of them."""
    whole = all(isinstance(days, int) and not isinstance(days, bool) for days in value or ())
    if not isinstance(value, list | tuple) or not whole:
        raise ValidationError("Enter the lead times as whole numbers of days.")
    if len(value) > MAX_LEAD_TIMES:
        raise ValidationError(f"Enter at most {MAX_LEAD_TIMES} lead times.")
    if any(days < 1 or days > MAX_LEAD_TIME_DAYS for days in value):
        raise ValidationError(f"Each lead time must be from 1 to {MAX_LEAD_TIME_DAYS} days.")
    if len(set(value)) != len(value):
        raise ValidationError("Enter each lead time once.")


class ReminderRule(models.Model):
    """A council's own settings for one kind of reminder. Without a row the defaults apply."""

    council = models.ForeignKey(Council, on_delete=models.CASCADE, related_name="reminder_rules")
    kind = models.CharField(max_length=32, choices=ReminderKind.choices)
    enabled = models.BooleanField(default=True)
    days_before = models.PositiveSmallIntegerField(default=0, validators=[MaxValueValidator(366)])
    repeat_every_days = models.PositiveSmallIntegerField(default=0, validators=[MaxValueValidator(90)])
    escalate_after_days = models.PositiveSmallIntegerField(default=0, validators=[MaxValueValidator(120)])
    working_days = models.BooleanField(
        default=True, help_text="Count days in working days, skipping weekends and bank holidays."
    )
    # For the kinds warned several times ahead (LEAD_TIME_KINDS): the days before, furthest first.
    # Empty for the other kinds, which use `days_before` alone.
    lead_times = models.JSONField(default=list, blank=True, validators=[validate_lead_times])
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["council", "kind"]
        constraints = [
            models.UniqueConstraint(fields=["council", "kind"], name="reminder_rule_one_per_kind"),
            models.CheckConstraint(condition=Q(kind__in=[str(kind) for kind in RULE_KINDS]), name="reminder_rule_kind"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}, {self.council}"

    def clean(self):
        if self.lead_times and self.kind not in LEAD_TIME_KINDS:
            raise ValidationError({"lead_times": "Only warnings before an agreement ends or a notice date have these."})
        if self.lead_times:
            # Furthest first, and `days_before` kept as the furthest, so the sweep's horizon reads one column.
            self.lead_times = sorted(set(self.lead_times), reverse=True)
            self.days_before = self.lead_times[0]


class SentReminder(models.Model):
    """The outbox: one row per reminder sent to one person, about one thing, on one occasion.

    The unique constraint is what makes each reminder go out exactly once, however often or however
    many times at once the sweep runs: `occurrence` tells repetitions apart (the due date, or
    "2026-11-24:overdue-2" for the second overdue reminder), so each repetition is itself sent once.
    `emailed_at` is set in the same transaction as the email is handed to the mail server, so a
    worker that dies leaves its rows for the next run. `digest_date` is the day's digest that carried it.
    """

    recipient = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=32, choices=ReminderKind.choices)
    # No database constraint and no index of its own: the sweep writes up to 800,000 rows a night, and
    # PostgreSQL checks a foreign key row by row at commit (a fifth of the sweep's time, all to lock the
    # same few content type rows). The ids come from ContentType itself, which is never emptied, and
    # the unique constraint's index starts with this column.
    content_type = models.ForeignKey(
        ContentType, on_delete=models.CASCADE, related_name="+", db_constraint=False, db_index=False
    )
    object_id = models.PositiveBigIntegerField()
    occurrence = models.CharField(max_length=64)
    created_at = models.DateTimeField(default=timezone.now)
    emailed_at = models.DateTimeField(null=True, blank=True)
    digest_date = models.DateField(null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0, help_text="Failed attempts to email it.")
    # The person chose not to have this kind emailed (EmailOptOut): the in-app notification stands. A
    # database default, as the sweep's writers insert rows in raw SQL naming their columns.
    email_skipped = models.BooleanField(default=False, db_default=False)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            # Subject first, so the same index also answers "what has been sent about this return?".
            models.UniqueConstraint(
                fields=["content_type", "object_id", "kind", "recipient", "occurrence"], name="sent_reminder_once"
            ),
        ]
        indexes = [
            # The delivery task's queue: rows not yet emailed, oldest first.
            models.Index(fields=["id"], name="sent_reminder_pending_idx", condition=Q(emailed_at__isnull=True)),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} to {self.recipient_id} ({self.occurrence})"


class Notification(models.Model):
    """A message in someone's notification list; unread until they open it or mark it read."""

    # No index of its own: the (user, read_at) index below starts with it. No database constraint: the
    # sweep writes each notification from its reminder's row in the same statement, and the reminder's
    # recipient is checked (see SentReminder.content_type for what a row-by-row check costs); deleting
    # a person still deletes their notifications (Django's cascade).
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="notifications",
        db_index=False,
        db_constraint=False,
    )
    kind = models.CharField(max_length=32, choices=ReminderKind.choices)
    title = models.CharField(max_length=200)
    body = models.TextField(blank=True)
    url = models.CharField(max_length=500, blank=True, help_text="A path on this site.")
    # No database constraint: the outbox writers insert a notification in the same statement as the
    # reminder it names (see SentReminder.content_type for what a row-by-row check costs). Deleting a
    # reminder still deletes its notification (Django's cascade).
    reminder = models.OneToOneField(
        SentReminder,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="notification",
        db_constraint=False,
    )
    created_at = models.DateTimeField(default=timezone.now)
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        # The unread count and the list (a person's rows, sorted): each sweep writes up to one row per
        # reminder, so every further index here is paid for 100,000 times.
        indexes = [models.Index(fields=["user", "read_at"])]

    def __str__(self) -> str:
        return self.title

    @property
    def is_read(self) -> bool:
        return self.read_at is not None


class NotificationPreference(models.Model):
    """How a person wants reminder emails: one at a time (the default) or a daily digest at 7am."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notification_preference"
    )
    daily_digest = models.BooleanField(default=False)
    last_digest_on = models.DateField(null=True, blank=True, help_text="So that nobody gets two digests in a day.")

    def __str__(self) -> str:
        return f"Notification preference of {self.user}"


class EmailOptOut(models.Model):
    """One kind of notification a person does not want by email. Kept as rows (not a list on the
    preference) so that the delivery can leave them out in one statement. In-app notices always stay."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="email_opt_outs")
    kind = models.CharField(max_length=32, choices=ReminderKind.choices)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "kind"], name="email_opt_out_once")]

    def __str__(self) -> str:
        return f"{self.user} does not want {self.get_kind_display()} by email"


class ThresholdKind(models.TextChoices):
    SUB_CENTRAL = "sub_central", "Sub-central goods and services"
    LIGHT_TOUCH = "light_touch", "Light-touch services"
    WORKS = "works", "Works"


class ProcurementThreshold(models.Model):
    """A Procurement Act 2023 threshold (VAT included) from a date on. Old rows stay, so a procurement
    started before a change keeps the figure of its start date. Rows without a council are national and
    ship with the app; a council adds its own when new figures come into force before the app is updated."""

    council = models.ForeignKey(
        Council, null=True, blank=True, on_delete=models.PROTECT, related_name="procurement_thresholds"
    )
    kind = models.CharField(max_length=20, choices=ThresholdKind.choices)
    valid_from = models.DateField(help_text="Procurements started on or after this date use this figure.")
    amount = models.DecimalField(max_digits=14, decimal_places=2, validators=[MinValueValidator(Decimal("1"))])
    source = models.CharField(max_length=300, help_text="The instrument or guidance the figure comes from.")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["kind", "-valid_from"]
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "valid_from"], condition=Q(council__isnull=True), name="threshold_national_once"
            ),
            models.UniqueConstraint(fields=["council", "kind", "valid_from"], name="threshold_council_once"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} from {self.valid_from:%-d %B %Y}: £{self.amount:,.0f}"
