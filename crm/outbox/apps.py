from django.apps import AppConfig


class OutboxConfig(AppConfig):
    name = "crm.outbox"
    label = "outbox"
    verbose_name = "Tasks waiting for the queue"

    def ready(self) -> None:
        # Infrastructure, not a business flow: a worker that has just started (often because the broker
        # or the worker itself was down) publishes what waited, without waiting for beat's next minute.
        from celery.signals import worker_ready

        from .tasks import flush_on_worker_start

        worker_ready.connect(flush_on_worker_start, dispatch_uid="outbox.flush_on_worker_start", weak=False)
