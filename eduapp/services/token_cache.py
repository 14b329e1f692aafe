"""Bearer-token checks kept per process for a few seconds (EDUAPP_TOKEN_CACHE_SECONDS, default 5; 0: off).

Every API request is authenticated by its bearer token, and on exam day thousands of candidates send an
autosave every few seconds: reading the token, its user and the user's roles for each of them was a
quarter of an autosave's time. eduapp.services.api_tokens reads them in one Core statement as plain rows
and keeps the result here, under the token's SHA-256 (never the token), for at most the TTL.

The bound (docs/security.md): a token revoked (sign-out, DELETE /api/v1/auth/token, the sessions page),
a password change and a deactivation take effect at once in the process that made the change (its
entries are dropped here) and within the TTL in every other process (their entries expire). The same
holds for a change of roles and for the first-password flag. Only valid tokens are kept, at most
MAX_ENTRIES (beyond that the cache starts afresh), so unknown tokens cannot fill a process's memory.

One cache per app (``app.extensions``): a second app in the same process stands for another process in
the tests. The clock is ``time.time`` (so that tests can move it); an entry from the future is stale.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass
from datetime import datetime

from flask import Flask, current_app

from eduapp.domain.roles import Role

MAX_ENTRIES = 20_000
EXTENSION = "eduapp.token_cache"


@dataclass(frozen=True)
class Entry:
    """One valid token's check: its row id and expiry, its user's columns and roles, when it was read."""

    token_id: int
    expires_at: datetime
    user: dict
    roles: frozenset[Role]
    read_at: float


class TokenCache:
    def __init__(self) -> None:
        self._entries: dict[str, Entry] = {}
        self._lock = threading.Lock()

    def get(self, digest: str, ttl: float) -> Entry | None:
        entry = self._entries.get(digest)
        if entry is None:
            return None
        age = time.time() - entry.read_at
        if 0 <= age < ttl:
            return entry
        with self._lock:
            if self._entries.get(digest) is entry:
                del self._entries[digest]
        return None

    def put(self, digest: str, entry: Entry) -> None:
        with self._lock:
            if len(self._entries) >= MAX_ENTRIES:
                self._entries.clear()
            self._entries[digest] = entry

    def forget(self, digest: str | None = None, token_id: int | None = None, user_id: int | None = None) -> None:
        """Drop the entry of a token (by digest or row id), or every entry of a user."""
        with self._lock:
            if digest is not None:
                self._entries.pop(digest, None)
            if token_id is not None or user_id is not None:
                for key, entry in list(self._entries.items()):
                    if entry.token_id == token_id or entry.user["id"] == user_id:
                        del self._entries[key]

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()

    def __len__(self) -> int:
        return len(self._entries)


def of(app: Flask | None = None) -> TokenCache:
    """The cache of ``app`` (the current app by default)."""
    app = app or current_app._get_current_object()
    cache = app.extensions.get(EXTENSION)
    if cache is None:
        cache = app.extensions.setdefault(EXTENSION, TokenCache())
    return cache


def ttl() -> int:
    return current_app.config.get("TOKEN_CACHE_SECONDS", 0)
