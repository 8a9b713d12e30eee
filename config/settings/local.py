"""`make run`: a working app on one machine with nothing to install. SQLite and kombu's filesystem
broker unless DATABASE_URL / REDIS_URL say otherwise; email written to var/mail as .log files."""

from .base import *  # noqa: F403
from .base import ensure_local_dirs, env, mailer_from_env

DEBUG = env.bool("DJANGO_DEBUG", default=True)
SECRET_KEY = env("DJANGO_SECRET_KEY", default="local-only-insecure-key-never-used-in-production-0123456789")
MAILERS = {"default": mailer_from_env("django.core.mail.backends.filebased.EmailBackend")}

ensure_local_dirs()
