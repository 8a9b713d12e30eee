"""Test settings with beat's schedule compressed to seconds, so a test sees several periods of every job
(digests, the weekly report, the reconciler, the outbox flush) in a few seconds. Only the fault suite's
beat processes use it: DJANGO_SETTINGS_MODULE=tests.faults.beat_settings."""

from config.settings.test import *  # noqa: F403
from config.settings.test import CELERY_BEAT_SCHEDULE, env

EVERY = env.float("FAULT_BEAT_EVERY_SECONDS", default=2.0)
CELERY_BEAT_SCHEDULE = {name: entry | {"schedule": EVERY} for name, entry in CELERY_BEAT_SCHEDULE.items()}
