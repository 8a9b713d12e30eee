"""The benchmark suite (`make bench`, tests/benchmarks): production's behaviour (DEBUG off, persistent
database connections, Redis cache and broker) on loopback over plain HTTP, plus a per-request query count.

Differences from production, and why:
- no HTTPS redirect or secure-only cookies: the harness talks plain HTTP to gunicorn on 127.0.0.1;
- plain static storage: pages render `{% static %}` without a collectstatic manifest, which a benchmark
  database seeded from scratch would not have (whitenoise still serves the files);
- REDIS_URL may be empty so the smoke test in `make test` runs where there is no Redis (SQLite, locmem cache,
  the filesystem broker), as the test settings do.
"""

from .base import *  # noqa: F403
from .base import DATABASES, MIDDLEWARE, ensure_local_dirs, env

DEBUG = False
SECRET_KEY = env("DJANGO_SECRET_KEY", default="bench-only-key-0123456789-abcdefghijklmnopqrstuvwxyz-0123456789")
ALLOWED_HOSTS = ["127.0.0.1", "localhost", "testserver"]
DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
SECURE_SSL_REDIRECT = False
SESSION_COOKIE_SECURE = False
CSRF_COOKIE_SECURE = False

QUERY_COUNT_HEADER = env.bool("QUERY_COUNT_HEADER", default=True)
# First, so the count covers every other middleware's queries too (session, user, login checks).
MIDDLEWARE = ["crm.middleware.QueryCountHeaderMiddleware", *MIDDLEWARE]

# Campaign sends in the benchmark go as fast as the ledger allows (the model's CHECK allows 500 a second).
CAMPAIGN_SEND_RATE_MAX = env.int("CAMPAIGN_SEND_RATE_MAX", default=500)
# The 100,000-row import is measured through the service, not a web upload; allow its size.
IMPORT_MAX_BYTES = env.int("IMPORT_MAX_BYTES", default=100 * 1024 * 1024)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", default="WARNING")},
}

ensure_local_dirs()
