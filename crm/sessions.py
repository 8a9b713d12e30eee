"""Sessions read from the cache (Redis) and kept in the database, so a page does not spend a query on them.

Django's cached_db store, with two changes for a cache that can be away (crm.cache.ResilientRedisCache):
- `exists()` asks the database when the cache cannot answer, so signing in still works without Redis;
- a session stays in the cache for at most CACHE_SECONDS. If Redis is unreachable when someone signs out, the
  cached copy cannot be deleted; when Redis comes back that copy would still open pages. Capping its life
  bounds that window to minutes, at the price of one database read per session every CACHE_SECONDS.
"""

from __future__ import annotations

import logging
from typing import Any

from django.contrib.sessions.backends.cached_db import SessionStore as CachedDBStore

from crm.cache import UNAVAILABLE

logger = logging.getLogger(__name__)
CACHE_SECONDS = 5 * 60


class SessionStore(CachedDBStore):
    # Django's cached_db store has these; django-stubs does not declare them.
    _cache: Any
    _session: dict[str, Any]

    def _cache_seconds(self, expiry: Any = None) -> int:
        return min(self.get_expiry_age(expiry=expiry) if expiry else self.get_expiry_age(), CACHE_SECONDS)

    def load(self) -> dict[str, Any]:
        try:
            data = self._cache.get(self.cache_key)
        except Exception:
            # As Django's own store: a key the cache refuses means "not cached", never an error page.
            data = None
        if data is None:
            stored = self._get_session_from_db()  # type: ignore[attr-defined]  # private, undeclared in stubs
            if stored is None:
                return {}
            data = self.decode(stored.session_data)
            self._cache.set(self.cache_key, data, self._cache_seconds(stored.expire_date))
        return data

    def exists(self, session_key: str | None) -> bool:
        if not session_key:
            return False
        try:
            if (self.cache_key_prefix + session_key) in self._cache:
                return True
        except UNAVAILABLE:
            logger.warning("cache unavailable while checking a session key; asking the database")
        return super(CachedDBStore, self).exists(session_key)

    def save(self, must_create: bool = False) -> None:
        super(CachedDBStore, self).save(must_create)
        try:
            self._cache.set(self.cache_key, self._session, self._cache_seconds())
        except Exception:
            logger.exception("Error saving a session to the cache (%s)", self._cache)
