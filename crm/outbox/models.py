from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils import timezone


class DeferredTask(models.Model):
    """A task call made while the broker was unreachable. The outbox flush publishes it once the broker is
    back and records when; a claim (token and time) stops two flushes publishing the same row."""

    task_name = models.CharField(max_length=200)
    args = models.JSONField(default=list, blank=True)
    kwargs = models.JSONField(default=dict, blank=True)
    queue = models.CharField(max_length=200, blank=True)
    # Run no earlier than this (a countdown or eta the caller asked for), or as soon as published.
    not_before = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    attempts = models.PositiveIntegerField(default=0)
    claim_token = models.UUIDField(null=True, blank=True)
    claimed_at = models.DateTimeField(null=True, blank=True)
    published_at = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True)

    class Meta:
        ordering = ["pk"]
        indexes = [
            models.Index(fields=["created_at"], condition=Q(published_at__isnull=True), name="outbox_waiting_idx"),
        ]
        constraints = [
            models.CheckConstraint(condition=~Q(task_name=""), name="outbox_deferredtask_names_a_task"),
            models.CheckConstraint(
                condition=Q(published_at__isnull=True) | Q(published_at__gte=models.F("created_at")),
                name="outbox_deferredtask_published_after_created",
            ),
        ]

    def __str__(self) -> str:
        state = f"published {self.published_at:%Y-%m-%d %H:%M}" if self.published_at else "waiting"
        return f"{self.task_name} ({state})"
