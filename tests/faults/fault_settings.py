"""Test settings for the fault suite's own processes (DJANGO_SETTINGS_MODULE=tests.faults.fault_settings):
- FAULT_BEAT_EVERY_SECONDS compresses beat's whole schedule to that many seconds, so a test sees several
  periods of every job (digests, the weekly report, the reconciler, the outbox flush) in a few seconds;
- FAULT_RESTORE_SWEEP_SECONDS makes kombu look for tasks past their visibility timeout that often (it
  normally looks about every 100 seconds), so a test sees a long task handed out twice."""

from config.settings.test import *  # noqa: F403
from config.settings.test import CELERY_BEAT_SCHEDULE, CELERY_BROKER_TRANSPORT_OPTIONS, env

_every = env.float("FAULT_BEAT_EVERY_SECONDS", default=0)
if _every:
    CELERY_BEAT_SCHEDULE = {name: entry | {"schedule": _every} for name, entry in CELERY_BEAT_SCHEDULE.items()}

_sweep = env.int("FAULT_RESTORE_SWEEP_SECONDS", default=0)
if _sweep:
    CELERY_BROKER_TRANSPORT_OPTIONS = CELERY_BROKER_TRANSPORT_OPTIONS | {
        "unacked_restore_interval": _sweep,
        "unacked_restore_throttle": 1,
    }
