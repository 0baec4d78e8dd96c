"""Reminders and in-app notifications: the kinds, each council's reminder rules and their defaults,
the outbox of reminders sent, the notifications, and how each person wants them emailed.

The sweep that writes these rows is `monitoring.reminders`; the pages are `councils.notification_views`.

Its models keep the page-cache family they had when the app's models were one module, `councils`
(`page_cache_family`; `councils.page_cache.family_of`): templates and views name that family.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone

from councils.models.council import Council


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

    page_cache_family = "councils"

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

    page_cache_family = "councils"

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

    page_cache_family = "councils"

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

    page_cache_family = "councils"

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

    page_cache_family = "councils"

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="email_opt_outs")
    kind = models.CharField(max_length=32, choices=ReminderKind.choices)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "kind"], name="email_opt_out_once")]

    def __str__(self) -> str:
        return f"{self.user} does not want {self.get_kind_display()} by email"
