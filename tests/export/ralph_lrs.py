"""A real LRS for the delivery tests: ralph's LRS API with its file-system backend, on
loopback, started and stopped as its own process (``RalphLrs``).

The one workaround, kept here and nowhere else: ralph 5.1's file-system LRS backend writes with
its data backend's default operation, CREATE, so every write after the first fails with 500
("statements.jsonl already exists and overwrite is not allowed with operation_type create").
An LRS appends, so the launcher below makes APPEND the backend's default before the API
starts. Nothing else of ralph is changed: validation, duplicate and conflict checks, paging
and Basic auth are ralph's own.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

LAUNCHER = """
import sys, uvicorn
from ralph.backends.data.base import BaseOperationType
from ralph.backends.lrs.fs import FSLRSBackend
FSLRSBackend.default_operation_type = BaseOperationType.APPEND  # the workaround (see module)
uvicorn.run("ralph.api:app", host="127.0.0.1", port=int(sys.argv[1]), log_level="warning")
"""
USER, PASSWORD = "course-study", "lrs-secret-5150"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class RalphLrs:
    """ralph's LRS serving ``folder`` (statements and auth file kept there across restarts)."""

    def __init__(self, folder: Path):
        import bcrypt

        self.folder = folder
        folder.mkdir(parents=True, exist_ok=True)
        self.port = _free_port()
        self.endpoint = f"http://127.0.0.1:{self.port}/xAPI"
        self.process: subprocess.Popen | None = None
        auth = folder / "auth.json"
        hashed = bcrypt.hashpw(PASSWORD.encode(), bcrypt.gensalt(rounds=4)).decode()
        user = {"username": USER, "hash": hashed, "scopes": ["all"]}
        user["agent"] = {"mbox": "mailto:study@lrs.example"}
        auth.write_text(json.dumps([user]))
        self.env = {
            **os.environ,
            "RALPH_RUNSERVER_BACKEND": "fs",
            "RALPH_BACKENDS__LRS__FS__DEFAULT_DIRECTORY_PATH": str(folder / "statements"),
            "RALPH_AUTH_FILE": str(auth),
            "RALPH_APP_DIR": str(folder / "app"),
        }

    def start(self, timeout: float = 60.0) -> None:
        self.process = subprocess.Popen(
            [sys.executable, "-c", LAUNCHER, str(self.port)],
            env=self.env,
            stdout=subprocess.DEVNULL,
            stderr=open(self.folder / "ralph.log", "ab"),  # noqa: SIM115 - kept by the child
        )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:  # until ralph answers its heartbeat
            if self.process.poll() is not None:
                raise RuntimeError(f"ralph exited: {(self.folder / 'ralph.log').read_text()}")
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{self.port}/__lbheartbeat__"):
                    return
            except (urllib.error.URLError, OSError):
                time.sleep(0.2)
        raise RuntimeError("ralph did not start")

    def stop(self) -> None:
        if self.process is not None:
            self.process.terminate()
            self.process.wait(timeout=30)
            self.process = None

    def _get(self, url: str) -> dict:
        request = urllib.request.Request(url, headers=self.headers())
        with urllib.request.urlopen(request, timeout=60) as response:
            return json.loads(response.read())

    def headers(self) -> dict[str, str]:
        import base64

        pair = base64.b64encode(f"{USER}:{PASSWORD}".encode()).decode()
        return {"Authorization": f"Basic {pair}", "X-Experience-API-Version": "1.0.3"}

    def statements(self, limit: int = 200) -> tuple[list[dict], int]:
        """Every statement the LRS keeps, read page by page through its ``more`` links, and
        the number of pages read."""
        found, pages = [], 0
        url = f"{self.endpoint}/statements?limit={limit}"
        while url:
            page = self._get(url)
            found += page["statements"]
            pages += 1
            more = page.get("more")
            url = f"http://127.0.0.1:{self.port}{more}" if more else ""
        return found, pages
