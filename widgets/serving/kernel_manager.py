"""The course server's kernel manager: kernels freed when no page wants them.

Voilà wraps this class with its preheated pool (``VoilaKernelManager`` subclasses whatever
``VoilaConfiguration.multi_kernel_manager_class`` names), so pooled kernels waiting for a
trainee are never culled here: Voilà's own ``cull_kernel_if_idle`` returns before it calls
this one for them.

Two rules on top of Jupyter's idle culling (``cull_idle_timeout``, kernels with an open page
never culled):

- a kernel that was handed to a page but that no browser ever connected to (a ``curl`` of the
  page, a tab closed while it loaded) is shut down once it has been idle for
  ``unconnected_timeout`` seconds (60), not 15 minutes;
- a closed page's kernel is shut down at once by the page itself (Voilà's ``beforeunload``
  beacon, which the render handler now makes possible by setting the ``_xsrf`` cookie).
"""

from __future__ import annotations

import asyncio
from datetime import timedelta

from jupyter_server.services.kernels.kernelmanager import AsyncMappingKernelManager
from jupyter_server.utils import ensure_async
from traitlets import Integer


class KernelCapReached(RuntimeError):
    """Every place on the server is taken: the visitor is told so and gets no kernel."""


class CourseKernelManager(AsyncMappingKernelManager):
    """Jupyter's kernel manager, culling kernels that no page ever connected to."""

    unconnected_timeout = Integer(
        60,
        help="Seconds an idle kernel that no browser ever connected to is kept "
        "(COURSE_UNCONNECTED_TIMEOUT). A page connects within seconds of loading.",
    ).tag(config=True)

    pool_starts_at_once = Integer(
        2,
        help="Preheated-pool kernels started at the same time (COURSE_POOL_STARTS_AT_ONCE). "
        "When a class of 30 takes 30 pooled kernels, Voilà asks for 30 replacements at once; "
        "started two at a time they trickle in behind the class instead of competing with it. "
        "Kernels for a visitor who found the pool empty never wait for this.",
    ).tag(config=True)

    max_kernels = Integer(
        0,
        help="Most kernels alive at once, pooled ones included (COURSE_MAX_KERNELS; 0: from "
        "the machine's memory, ~60 MiB a kernel). At the cap a new visitor is told the course "
        "is full and gets no kernel; the pool refills only below it.",
    ).tag(config=True)

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self._ever_connected: set[str] = set()
        self._pool_slots: asyncio.Semaphore | None = None
        self._starting = 0  # kernels asked for and not yet in self._kernels
        if self.max_kernels <= 0:
            from .guard import default_kernel_cap

            self.max_kernels = default_kernel_cap()

    def at_capacity(self) -> bool:
        """No room for one more kernel (those being started count already)."""
        return len(self._kernels) + self._starting >= self.max_kernels

    def ready_pool_kernels(self, notebook_path: str) -> int:
        """Preheated kernels ready to hand out for ``notebook_path`` (Voilà's pool)."""
        pool = getattr(self, "_pools", {}).get(notebook_path, [])
        return sum(
            1 for task in pool if task.done() and not task.cancelled() and not task.exception()
        )

    async def start_kernel(self, *args, **kwargs):
        env = kwargs.get("env") or {}
        if env.get("VOILA_PREHEAT") != "True":  # someone is waiting for this one
            if self.at_capacity():
                raise KernelCapReached(self.max_kernels)
            return await self._counted_start(*args, **kwargs)
        if self._pool_slots is None:
            self._pool_slots = asyncio.Semaphore(max(1, self.pool_starts_at_once))
        async with self._pool_slots:
            while self.at_capacity():  # refill only below the cap
                await asyncio.sleep(1)
            return await self._counted_start(*args, **kwargs)

    async def _counted_start(self, *args, **kwargs):
        # counted from the moment it is asked for: two pages rendered at once cannot both
        # take the last place
        self._starting += 1
        try:
            return await super().start_kernel(*args, **kwargs)
        finally:
            self._starting -= 1

    def notify_connect(self, kernel_id):
        self._ever_connected.add(kernel_id)
        super().notify_connect(kernel_id)

    def remove_kernel(self, kernel_id):
        from .guard import OWNERS

        self._ever_connected.discard(kernel_id)
        OWNERS.forget(kernel_id)
        return super().remove_kernel(kernel_id)

    def never_connected(self, kernel_id: str) -> bool:
        return kernel_id not in self._ever_connected

    async def cull_kernel_if_idle(self, kernel_id):
        kernel = self._kernels.get(kernel_id)
        if kernel is None:
            return
        if self.never_connected(kernel_id) and self._unconnected_too_long(kernel):
            self.log.warning(
                "Culling kernel %s: no page connected to it within %s s",
                kernel_id,
                self.unconnected_timeout,
            )
            await ensure_async(self.shutdown_kernel(kernel_id))
            return
        await super().cull_kernel_if_idle(kernel_id)

    def _unconnected_too_long(self, kernel) -> bool:
        if getattr(kernel, "execution_state", None) == "busy":
            return False  # still rendering the page, on a busy machine
        last = getattr(kernel, "last_activity", None)
        if last is None:
            return False
        from jupyter_server._tz import utcnow

        return utcnow() - last > timedelta(seconds=self.unconnected_timeout)
