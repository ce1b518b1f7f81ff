"""Who a page is for: the one identity function, plus the formats of tokens and codes.

Under JupyterHub the user is ``JUPYTERHUB_USER``. Otherwise a trainee is identified by an
unguessable learner token carried in the page's query string (``?learner=…``), never by the
display name. With preheated Voilà kernels the query string only reaches the kernel after
``voila.utils.wait_for_request()``, so :func:`request_identity` calls it first.
"""

from __future__ import annotations

import os
import re
import secrets
import time
from collections.abc import Mapping
from dataclasses import dataclass
from urllib.parse import parse_qs

# Crockford's base32 alphabet: no I, L, O or U, so a code read aloud or copied from a
# projector is not ambiguous.
ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
_TYPO_FIXES = str.maketrans({"O": "0", "I": "1", "L": "1"})

TOKEN_LENGTH = 12  # 60 bits: too many to guess online, short enough to type from paper
SESSION_CODE_LENGTH = 6
_SESSION_ALPHABET = "ABCDEFGHJKMNPQRSTVWXYZ23456789"  # no 0/1/O/I/L at all for join codes


def new_learner_token() -> str:
    return "".join(secrets.choice(ALPHABET) for _ in range(TOKEN_LENGTH))


def new_session_code() -> str:
    return "".join(secrets.choice(_SESSION_ALPHABET) for _ in range(SESSION_CODE_LENGTH))


def normalise_token(raw: str | None) -> str | None:
    """Return the canonical token for what a person typed or pasted, or None if malformed."""
    if not raw:
        return None
    cleaned = re.sub(r"[\s\-]", "", raw).upper().translate(_TYPO_FIXES)
    if len(cleaned) != TOKEN_LENGTH or any(c not in ALPHABET for c in cleaned):
        return None
    return cleaned


def normalise_session_code(raw: str | None) -> str | None:
    if not raw:
        return None
    cleaned = re.sub(r"[\s\-]", "", raw).upper()
    if len(cleaned) != SESSION_CODE_LENGTH or any(c not in _SESSION_ALPHABET for c in cleaned):
        return None
    return cleaned


def format_token(token: str) -> str:
    """``ABCD-EFGH-JKMN``: easier to copy by hand."""
    return "-".join(token[i : i + 4] for i in range(0, len(token), 4))


@dataclass(frozen=True)
class RequestIdentity:
    """What the request says about who is asking and where they want to go."""

    hub_user: str | None = None
    token: str | None = None  # canonical form, or None
    raw_token: str | None = None  # what the URL held, kept to explain a bad one
    session_code: str | None = None
    raw_session_code: str | None = None
    module: str | None = None
    part: str | None = None

    @property
    def token_was_bad(self) -> bool:
        return bool(self.raw_token) and self.token is None


def parse_query(query: str) -> RequestIdentity:
    """Parse a page query string such as ``learner=…&module=…&part=…&code=…``."""
    values = parse_qs(query or "", keep_blank_values=False, max_num_fields=20)

    def first(name: str) -> str | None:
        got = values.get(name)
        return got[0][:200] if got else None

    raw_token = first("learner")
    raw_code = first("code")
    return RequestIdentity(
        token=normalise_token(raw_token),
        raw_token=raw_token,
        session_code=normalise_session_code(raw_code),
        raw_session_code=raw_code,
        module=first("module"),
        part=first("part"),
    )


def wait_for_request(timeout: float = 24 * 3600) -> None:
    """In a preheated Voilà kernel, block until a page request arrives and take its variables.

    This does what ``voila.utils.wait_for_request()`` does, without importing ``voila``:
    that import pulls in jupyter_server and jsonschema and cost 7 s of CPU per kernel here
    (measured with cProfile), which a class arriving together would queue behind. Outside a
    preheated kernel (JupyterLab, nbclient, a kernel started per request) it returns at once.
    """
    if os.environ.get("VOILA_PREHEAT") != "True":
        return
    import json

    protocol = os.environ.get("VOILA_WS_PROTOCOL", "ws")
    host = os.environ.get("VOILA_APP_IP", "127.0.0.1")
    port = os.environ.get("VOILA_APP_PORT", "8866")
    base = os.environ.get("VOILA_WS_BASE_URL", os.environ.get("VOILA_SERVER_URL", "/"))
    kernel_id = os.environ.get("VOILA_KERNEL_ID", "")
    url = f"{protocol}://{host}:{port}{base}voila/query/{kernel_id}"
    info = _receive_request(url, timeout)
    for key, value in json.loads(info).items():
        os.environ[key] = value


def _receive_request(url: str, timeout: float) -> str:
    """The request's variables from Voilà's query socket, however long the wait and however
    busy the server.

    No keepalive pings: a preheated kernel may wait for minutes, and when a class arrives
    together the server can be too busy to answer a ping in time; the websockets default
    (a 20 s ping timeout) then closed the socket, the cell failed and the trainee's page
    stayed blank (seen in the benchmark: the kernels preheated before a burst of 30). If the
    socket closes anyway, connect again: Voilà keeps the request for the kernel until then.
    """
    from websockets.exceptions import ConnectionClosed
    from websockets.sync.client import connect

    deadline = time.monotonic() + timeout
    while True:
        try:
            with connect(url, open_timeout=60, close_timeout=1, ping_interval=None) as socket:
                return socket.recv(timeout=max(1.0, deadline - time.monotonic()))
        except (ConnectionClosed, OSError, TimeoutError):
            if time.monotonic() > deadline:
                raise
            time.sleep(0.5)


def request_identity(
    environ: Mapping[str, str] | None = None, wait: bool = True
) -> RequestIdentity:
    """The identity of the request this kernel serves.

    ``JUPYTERHUB_USER`` wins when set. Otherwise the query string, read after
    :func:`wait_for_request` so that a preheated kernel sees the real request.
    """
    if wait and environ is None:
        wait_for_request()
    env = os.environ if environ is None else environ
    found = parse_query(env.get("QUERY_STRING", ""))
    hub_user = env.get("JUPYTERHUB_USER") or None
    if hub_user:
        return RequestIdentity(
            hub_user=hub_user,
            session_code=found.session_code,
            raw_session_code=found.raw_session_code,
            module=found.module,
            part=found.part,
        )
    return found
