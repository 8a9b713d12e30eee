"""Settings for `make test`. PostgreSQL and Redis when DATABASE_URL / REDIS_URL are set (CI),
SQLite and no broker otherwise; tests that need a service skip or, with REQUIRE_SERVICES=1, fail."""

from .base import *  # noqa: F403
from .base import DATABASES, VAR_DIR, ensure_local_dirs, env

SECRET_KEY = env("DJANGO_SECRET_KEY", default="test-only-key-0123456789-abcdefghijklmnopqrstuvwxyz")
DEBUG = False
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
MAILERS = {"default": {"BACKEND": "django.core.mail.backends.locmem.EmailBackend"}}
ALLOWED_HOSTS = ["*"]
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # A file, not :memory:, so that a worker process under test can open the same database.
    DATABASES["default"]["TEST"] = {"NAME": str(VAR_DIR / "test.sqlite3")}

ensure_local_dirs()
