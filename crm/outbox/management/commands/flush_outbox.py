from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand
from django.utils import timezone

from crm.outbox.selectors import deferred_tasks_waiting
from crm.outbox.services import outbox_flush


class Command(BaseCommand):
    help = "Publish the tasks that waited for the broker now, instead of at beat's next minute."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--list", action="store_true", help="Only list what is waiting.")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["list"]:
            for row in deferred_tasks_waiting():
                created = timezone.localtime(row.created_at).strftime("%d/%m/%Y %H:%M:%S")
                self.stdout.write(f"{row.pk}\t{created}\t{row.task_name}{tuple(row.args)}\t{row.last_error}")
            return
        outcome = outbox_flush()
        self.stdout.write(f"Published {outcome.published}; {outcome.waiting} still waiting.")
        if outcome.error:
            self.stderr.write(f"The broker is still unreachable: {outcome.error}")
