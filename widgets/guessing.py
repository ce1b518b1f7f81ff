"""Limits on guessing (the facilitator key, join codes), shared by every page of a server.

A trainee's or facilitator's page runs in its own kernel, so a limit kept in the page limited
one page only. Under ``course serve`` the kernel asks the server's one limiter
(``widgets/serving/guard.py``, over a loopback endpoint the server guards with a token it
gave its kernels) and names the address the page was opened from, which the server put in
the page's environment. Where there is no such server (JupyterLab, JupyterHub user servers,
tests) a limiter in this process does the same for this page.
"""

from __future__ import annotations

import json
import os
import urllib.request

KEY = "key"
JOIN_CODE = "join"
ENDPOINT = "course/api/guesses"


def _local():
    from .serving.guard import GuessLimiter

    global _LOCAL
    if _LOCAL is None:
        _LOCAL = GuessLimiter()
    return _LOCAL


_LOCAL = None


def client_address(environ=None) -> str:
    env = os.environ if environ is None else environ
    return env.get("HTTP_X_COURSE_CLIENT_ADDRESS") or "this page"


def _ask_server(action: str, kind: str, environ=None) -> float | None:
    """The server's answer (seconds to wait), or None where there is no course server."""
    env = os.environ if environ is None else environ
    token = env.get("COURSE_GUARD_TOKEN")
    port = env.get("VOILA_APP_PORT")
    if not token or not port:
        return None
    base = env.get("VOILA_SERVER_URL") or env.get("VOILA_BASE_URL") or "/"
    url = f"http://127.0.0.1:{port}{base.rstrip('/')}/{ENDPOINT}"
    body = json.dumps({"action": action, "kind": kind, "client": client_address(env)}).encode()
    request = urllib.request.Request(
        url, data=body, headers={"X-Course-Guard": token, "Content-Type": "application/json"}
    )
    try:
        with urllib.request.urlopen(request, timeout=10) as answer:
            return float(json.loads(answer.read())["wait"])
    except (OSError, ValueError, KeyError):
        return None  # the server did not answer: fall back on this page's own limiter


def wait_before_try(kind: str, environ=None) -> float:
    """Seconds to wait before trying ``kind`` again from this page's address (0: go ahead)."""
    answer = _ask_server("wait", kind, environ)
    return answer if answer is not None else _local().wait(kind, client_address(environ))


def record_failure(kind: str, environ=None) -> None:
    if _ask_server("failed", kind, environ) is None:
        _local().failed(kind, client_address(environ))


def try_again_in(seconds: float) -> str:
    seconds = max(1, round(seconds))
    return f"{seconds} seconds" if seconds < 120 else f"{round(seconds / 60)} minutes"
