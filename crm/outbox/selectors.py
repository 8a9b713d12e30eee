from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.db.models import QuerySet

from crm.outbox.models import DeferredTask

if TYPE_CHECKING:
    from celery import Task


def deferred_task_is_waiting(*, task: Task[Any, Any], args: list[Any]) -> bool:
    """Whether a call to this task with these arguments is in the outbox, not yet published."""
    return deferred_tasks_waiting().filter(task_name=task.name, args=args).exists()


def deferred_tasks_waiting() -> QuerySet[DeferredTask]:
    """Calls not yet published, oldest first."""
    return DeferredTask.objects.filter(published_at__isnull=True).order_by("pk")
