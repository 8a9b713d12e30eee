"""Settings for `make test`. PostgreSQL and Redis when DATABASE_URL / REDIS_URL are set (CI),
SQLite and no broker otherwise; tests that need a service skip or, with REQUIRE_SERVICES=1, fail."""

from .base import *  # noqa: F403
from .base import DATABASES, VAR_DIR, ensure_local_dirs, env, mailer_from_env

SECRET_KEY = env("DJANGO_SECRET_KEY", default="test-only-key-0123456789-abcdefghijklmnopqrstuvwxyz")
DEBUG = False
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
# In-process tests read mail.outbox; a worker process under test is given EMAIL_BACKEND=smtp instead.
MAILERS = {"default": mailer_from_env("django.core.mail.backends.locmem.EmailBackend")}
ALLOWED_HOSTS = ["*"]
# TEST_DATABASE_NAME lets two test runs on one machine keep to their own databases.
_test_db = env("TEST_DATABASE_NAME", default="")
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # A file, not :memory:, so that a worker process under test can open the same database.
    DATABASES["default"]["TEST"] = {"NAME": str(VAR_DIR / f"{_test_db or 'test'}.sqlite3")}
elif _test_db:
    DATABASES["default"]["TEST"] = {"NAME": _test_db}

ensure_local_dirs()

# Each test run keeps throttling and rate-limit counters to itself.
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
