"""A task round-trips through a real `celery worker` process on the configured broker."""

import pytest

from crm.tasks import worker_echo


@pytest.mark.services
def test_task_round_trips_through_a_real_worker(celery_worker_process):
    # Given a worker process listening on its own queue, when a task is queued to it
    result = worker_echo.apply_async(args=["hello from the test"], queue=celery_worker_process.queue)
    # then the worker runs it and its answer comes back through the result backend
    answer = result.get(timeout=60)
    assert answer["payload"] == "hello from the test"
    assert answer["hostname"]
    assert celery_worker_process.proc.poll() is None
