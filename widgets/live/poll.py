"""Run a check every few seconds inside a kernel, on its event loop, without blocking it.

Voilà keeps a page's kernel running after the notebook has executed; its asyncio loop goes on
serving widget messages, so a task on that loop can poll the store and update widgets. A
failing check is logged and tried again at the next tick: a database hiccup must not end a
live session's updates.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable

log = logging.getLogger(__name__)


class Poller:
    """Calls ``check()`` every ``interval`` seconds once started, until stopped."""

    def __init__(self, check: Callable[[], None], interval: float = 1.0):
        self.check = check
        self.interval = interval
        self._task: asyncio.Task | None = None
        self.failures = 0

    @property
    def running(self) -> bool:
        return self._task is not None and not self._task.done()

    def start(self) -> bool:
        """Start polling on the running event loop; False (and no polling) if there is none,
        e.g. in a plain script or a test, which call :meth:`tick` themselves."""
        if self.running:
            return True
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:
            try:
                loop = asyncio.get_event_loop()
            except RuntimeError:
                return False
            if not loop.is_running():
                return False
        self._task = loop.create_task(self._run())
        return True

    def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            self._task = None

    def tick(self) -> bool:
        """One check now; True if it worked."""
        try:
            self.check()
        except Exception:
            self.failures += 1
            log.exception("live update failed (will try again)")
            return False
        return True

    async def _run(self) -> None:
        while True:
            await asyncio.sleep(self.interval)
            self.tick()
