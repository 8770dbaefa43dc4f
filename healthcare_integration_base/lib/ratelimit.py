"""A per-process sliding-window rate limiter (one per Odoo worker)."""

import threading
from collections import defaultdict, deque

WINDOW = 60.0


class RateLimiter:
    def __init__(self):
        self._lock = threading.Lock()
        self._hits = defaultdict(deque)

    def allow(self, key, limit_per_minute, now):
        """Return (allowed, retry_after_seconds)."""
        if not limit_per_minute or limit_per_minute <= 0:
            return True, 0.0
        with self._lock:
            hits = self._hits[key]
            while hits and hits[0] <= now - WINDOW:
                hits.popleft()
            if len(hits) >= limit_per_minute:
                return False, max(0.0, hits[0] + WINDOW - now)
            hits.append(now)
            return True, 0.0
