"""Delivering xAPI statements to a Learning Record Store (xAPI 1.0.3 ``POST /statements``).

Statements go in batches. Their ids are derived from everything they say (``xapi.py``), so a
re-run never duplicates: the LRS answers 204 (or leaves the id out of its 200 list) for what it
already keeps. A batch the LRS refuses (400, 409, 413) is halved until the statements it
refuses are found alone; each is reported with the LRS's reason and the rest still go. An LRS
that is down or failing (connection error, 5xx, 429) is retried with back-off; if it stays
down, delivery stops and says how many statements were not sent: nothing is lost, the next run
sends them. Wrong credentials stop at once.
"""

from __future__ import annotations

import base64
import json
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from .files import batched
from .xapi import XAPI_VERSION

BATCH = 500  # statements per POST: about 0.5 MB, well under common request-size limits
RETRIES = 4  # tries of a batch while the LRS is down, waiting 0.5, 1, 2 s between them
BACKOFF = 0.5
SPLIT = (400, 409, 413)  # the LRS refuses something in the batch: find what, send the rest
TRANSIENT = (429, 500, 502, 503, 504)


class DeliveryError(Exception):
    """Delivery cannot go on (credentials refused, not an LRS); nothing more was sent."""


@dataclass(frozen=True)
class LrsTarget:
    """Where statements go: the LRS's xAPI endpoint and its Basic-auth credentials."""

    endpoint: str
    username: str = ""
    password: str = field(default="", repr=False)

    @property
    def statements_url(self) -> str:
        base = self.endpoint.rstrip("/")
        return base if base.endswith("/statements") else base + "/statements"


@dataclass
class DeliveryReport:
    """What happened to every statement offered: stored now, kept already, refused (with the
    LRS's reason) or not sent (the LRS was unreachable; the next run sends them)."""

    stored: int = 0
    already: int = 0
    refused: list[tuple[str, str]] = field(default_factory=list)
    unsent: int = 0
    error: str | None = None

    @property
    def complete(self) -> bool:
        return not self.refused and not self.unsent

    def summary(self) -> str:
        text = f"{self.stored:,} statements stored, {self.already:,} already in the LRS"
        if self.refused:
            text += f", {len(self.refused):,} refused"
        if self.unsent:
            text += f", {self.unsent:,} not sent ({self.error}); run again to send them"
        return text


class _Post:
    """One POST to the LRS: (status, body text); connection failures as status 0."""

    def __init__(self, target: LrsTarget, timeout: float):
        self.url = target.statements_url
        self.timeout = timeout
        self.headers = {
            "Content-Type": "application/json",
            "X-Experience-API-Version": XAPI_VERSION,
        }
        if target.username or target.password:
            pair = f"{target.username}:{target.password}".encode()
            self.headers["Authorization"] = "Basic " + base64.b64encode(pair).decode()

    def __call__(self, lines: list[str]) -> tuple[int, str]:
        body = ("[" + ",".join(lines) + "]").encode()
        request = urllib.request.Request(self.url, body, self.headers, method="POST")
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:
                return response.status, response.read().decode("utf-8", "replace")
        except urllib.error.HTTPError as error:
            return error.code, error.read().decode("utf-8", "replace")
        except (urllib.error.URLError, OSError) as error:
            return 0, str(getattr(error, "reason", error))


def _reason(status: int, text: str) -> str:
    """The LRS's answer in one short line: its status and its ``detail`` (or body)."""
    try:
        detail = json.loads(text).get("detail", text)
    except (ValueError, AttributeError):
        detail = text
    detail = detail if isinstance(detail, str) else json.dumps(detail)
    return f"{status}: {' '.join(detail.split())[:300]}"


class _Delivery:
    """Sends batches and keeps the count in ``report``."""

    def __init__(self, post, report: DeliveryReport, retries: int, backoff: float, sleep):
        self.post, self.report = post, report
        self.retries, self.backoff, self.sleep = retries, backoff, sleep

    def send(self, lines: list[str]) -> bool:
        """Send one batch; False when the LRS stayed unreachable (what was not sent is
        counted as unsent, and nothing more is tried)."""
        for attempt in range(self.retries):
            status, text = self.post(lines)
            if status not in TRANSIENT and status != 0:
                break
            if attempt + 1 < self.retries:
                self.sleep(self.backoff * 2**attempt)
        else:
            self.report.error = f"the LRS did not answer ({_reason(status, text)})"
            self.report.unsent += len(lines)
            return False
        if status in (401, 403):
            raise DeliveryError(
                f"The LRS refused the credentials ({_reason(status, text)}); check "
                "COURSE_LRS_USER and COURSE_LRS_PASSWORD."
            )
        if status == 204:
            self.report.already += len(lines)
        elif status == 200:
            try:
                stored = len(json.loads(text))
            except ValueError as error:
                raise DeliveryError(f"Not an xAPI LRS answer: {text[:200]!r}") from error
            self.report.stored += stored
            self.report.already += len(lines) - stored
        elif status in SPLIT and len(lines) > 1:
            half = len(lines) // 2
            if not self.send(lines[:half]):
                self.report.unsent += len(lines) - half
                return False
            return self.send(lines[half:])
        elif status in SPLIT:
            self.report.refused.append((json.loads(lines[0]).get("id", "?"), _reason(status, text)))
        else:
            raise DeliveryError(f"Unexpected answer from {self.post.url}: {_reason(status, text)}")
        return True


def deliver(
    lines: Iterable[str],
    target: LrsTarget,
    batch_size: int = BATCH,
    progress: Callable[[int], None] | None = None,
    retries: int = RETRIES,
    backoff: float = BACKOFF,
    timeout: float = 60.0,
    sleep: Callable[[float], None] = time.sleep,
) -> DeliveryReport:
    """POST ``lines`` (statements as JSON, one each) to ``target`` in batches; ``progress`` is
    called with the number of statements handled after each batch."""
    report = DeliveryReport()
    delivery = _Delivery(_Post(target, timeout), report, retries, backoff, sleep)
    batches = batched(lines, batch_size)
    for batch in batches:
        if not delivery.send(batch):  # counted what it did not send; count the rest too
            report.unsent += sum(len(rest) for rest in batches)
            break
        if progress:
            progress(len(batch))
    return report
