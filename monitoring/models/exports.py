"""Long exports: a list too big to stream while the person waits is written by a Celery task."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

from councils.models import Council
from councils.uploads import PrivateFileField


class ExportState(models.TextChoices):
    QUEUED = "queued", "Waiting to start"
    RUNNING = "running", "Being written"
    DONE = "done", "Ready to download"
    FAILED = "failed", "Failed"


class ExportJob(models.Model):
    """One requested export: which list, with which filters, in which format, and how far it has got.
    Only the person who asked can see it or download the file."""

    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="export_jobs")
    council = models.ForeignKey(Council, on_delete=models.CASCADE, related_name="export_jobs")
    kind = models.CharField(max_length=40)
    params = models.JSONField(default=dict, blank=True)
    file_format = models.CharField(max_length=4, choices=[("csv", "CSV"), ("xlsx", "XLSX")])
    state = models.CharField(max_length=8, choices=ExportState.choices, default=ExportState.QUEUED)
    rows_total = models.PositiveIntegerField(default=0)
    rows_done = models.PositiveIntegerField(default=0)
    file = PrivateFileField(folder="exports", blank=True)
    error = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(state__in=ExportState.values), name="export_state_valid"),
        ]
        indexes = [models.Index(fields=["requested_by", "-created_at"])]

    def __str__(self) -> str:
        return f"{self.kind} export ({self.file_format})"

    @property
    def percent(self) -> int:
        if self.state == ExportState.DONE:
            return 100
        return int(100 * self.rows_done / self.rows_total) if self.rows_total else 0
