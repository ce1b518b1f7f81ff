"""Who may reach a kernel, which pages are served, and what a stranger's requests may cost.

The course server is open to a room: anyone on its network can send it requests. Three
rules keep one person out of another's page and keep a stranger from exhausting the server
(docs/security.md has the threat model):

- **A kernel belongs to the browser whose page started it.** Every page render gives the
  browser an unguessable client secret (an ``HttpOnly``, ``SameSite=Strict`` cookie) and
  binds the page's kernel to it. The kernel's websocket, its REST endpoint and the shutdown
  beacon answer ``404`` to any request without the matching cookie, the same answer as for a
  kernel that does not exist, so a kernel id alone is worth nothing and existence is not
  revealed. A reload, a second tab or a resumed visit in the same browser carry the cookie.
- **Only the pages trainees and facilitators open are served** (:data:`SERVED_PAGES`):
  anything else under ``/voila/render/`` is a ``404`` that starts no kernel; the research
  notebook is for JupyterLab, never the course server.
- **Bounded cost per stranger**: a cap on live kernels (from the machine's memory unless
  set) and a per-address budget of page renders (a token bucket sized for a whole class
  arriving behind one school router). Past either, the visitor gets a page that says so and
  when to try again, and no kernel; everyone already working keeps working.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
import threading
import time
from dataclasses import dataclass, field

CLIENT_COOKIE = "course_client"
SERVED_PAGES = (r"index\.ipynb", r"facilitator/[A-Za-z0-9_\-]+\.ipynb")
KERNEL_MIB_BUDGET = 60  # a forked trainee kernel after a whole module, with headroom (PSS ~40)
RESERVED_MIB = 2048  # the server, the template, the database and the operating system
_KERNEL_IN_PAGE = re.compile(r'"kernelId"\s*:\s*"([0-9a-f\-]{36})"')


def page_is_served(path: str | None, patterns=SERVED_PAGES) -> bool:
    """Is ``path`` (relative to the course folder) one of the pages the course serves?"""
    if not path:
        return False
    return any(re.fullmatch(p, path) for p in patterns)


def default_kernel_cap() -> int:
    """How many kernels this machine holds: its memory less a reserve, ~60 MiB each."""
    try:
        import psutil

        total_mib = psutil.virtual_memory().total / (1024 * 1024)
    except Exception:  # noqa: BLE001 - no psutil: a cautious fixed cap
        return 100
    return max(10, int((total_mib - RESERVED_MIB) // KERNEL_MIB_BUDGET))


def _digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


class KernelOwners:
    """Kernel id → the digest of the client secret of the browser whose page started it."""

    def __init__(self):
        self._owners: dict[str, str] = {}
        self._lock = threading.Lock()

    def bind(self, kernel_id: str, client_secret: str) -> None:
        with self._lock:
            self._owners.setdefault(kernel_id, _digest(client_secret))

    def owns(self, kernel_id: str, client_secret: str | None) -> bool:
        owner = self._owners.get(kernel_id)
        return bool(owner and client_secret) and hmac.compare_digest(owner, _digest(client_secret))

    def forget(self, kernel_id: str) -> None:
        with self._lock:
            self._owners.pop(kernel_id, None)

    def bind_from_page(self, html: str, client_secret: str) -> str | None:
        """Bind the kernel named in a page's config (its first chunk), returning its id."""
        found = _KERNEL_IN_PAGE.search(html)
        if found:
            self.bind(found.group(1), client_secret)
            return found.group(1)
        return None


OWNERS = KernelOwners()


def new_client_secret() -> str:
    return secrets.token_urlsafe(32)


@dataclass
class RenderBudget:
    """Page renders per client address: a token bucket (``burst`` at once, ``per_minute``
    refilled). A class of 30 behind one school router arriving together fits in the burst."""

    burst: int = 120
    per_minute: float = 60.0
    _buckets: dict[str, tuple[float, float]] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def take(self, address: str, now: float | None = None) -> float:
        """Take one render for ``address``: 0 if allowed, else seconds until one is free."""
        now = time.monotonic() if now is None else now
        rate = self.per_minute / 60.0
        with self._lock:
            tokens, last = self._buckets.get(address, (float(self.burst), now))
            tokens = min(float(self.burst), tokens + (now - last) * rate)
            if tokens >= 1:
                self._buckets[address] = (tokens - 1, now)
                if len(self._buckets) > 10_000:  # a flood of addresses: forget the full ones
                    self._buckets = {
                        a: b for a, b in self._buckets.items() if b[0] < self.burst - 1
                    }
                return 0.0
            self._buckets[address] = (tokens, now)
            return (1 - tokens) / rate if rate > 0 else 60.0


@dataclass
class GuessLimiter:
    """Wrong facilitator keys and unknown join codes, counted per server and per address.

    Every page runs in its own kernel, so a delay kept in a page slowed one page only (three
    pages guessed three times as fast). The server's one limiter sees every page's failures:
    after ``free`` failures from one address within ``window`` seconds each further try
    waits twice as long as the last (up to ``longest``), and the whole server allows at most
    ``server_per_minute`` failures a minute, whoever makes them.
    """

    free: int = 5
    window: float = 600.0
    longest: float = 300.0
    server_per_minute: int = 60
    _failures: dict[tuple[str, str], list[float]] = field(default_factory=dict)
    _server: dict[str, list[float]] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def wait(self, kind: str, address: str, now: float | None = None) -> float:
        """Seconds ``address`` must wait before its next ``kind`` try (0: go ahead)."""
        now = time.monotonic() if now is None else now
        with self._lock:
            mine = self._recent(self._failures.get((kind, address), []), now, self.window)
            every = self._recent(self._server.get(kind, []), now, 60.0)
        waits = [0.0]
        if len(mine) >= self.free:
            pause = min(self.longest, 2.0 ** (len(mine) - self.free + 1))
            waits.append(mine[-1] + pause - now)
        if len(every) >= self.server_per_minute:
            waits.append(every[0] + 60.0 - now)
        return max(waits)

    def failed(self, kind: str, address: str, now: float | None = None) -> None:
        now = time.monotonic() if now is None else now
        with self._lock:
            key = (kind, address)
            self._failures[key] = [
                *self._recent(self._failures.get(key, []), now, self.window),
                now,
            ]
            self._server[kind] = [*self._recent(self._server.get(kind, []), now, 60.0), now]
            if len(self._failures) > 10_000:  # a flood of addresses: keep the recent ones
                self._failures = {k: v for k, v in self._failures.items() if now - v[-1] < 60}

    @staticmethod
    def _recent(times: list[float], now: float, span: float) -> list[float]:
        return [t for t in times if now - t < span]


GUESSES = GuessLimiter()
GUARD_TOKEN_ENV = "COURSE_GUARD_TOKEN"  # kernels prove to the server they are its own
CLIENT_ADDRESS_HEADER = "X-Course-Client-Address"  # set by the server, never by the browser
