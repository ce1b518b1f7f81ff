"""The course server's kernel manager: pool refills trickle, visitors never wait for them."""

from __future__ import annotations

import asyncio

from jupyter_server.services.kernels.kernelmanager import AsyncMappingKernelManager

from widgets.serving.kernel_manager import CourseKernelManager


def _track(monkeypatch):
    """Replace the real start by one that records how many run at once (no kernel needed)."""
    seen = {"now": 0, "most": 0, "order": []}

    async def fake_start(self, *args, **kwargs):
        seen["now"] += 1
        seen["most"] = max(seen["most"], seen["now"])
        seen["order"].append(kwargs["env"].get("VOILA_PREHEAT", "visitor"))
        await asyncio.sleep(0.05)
        seen["now"] -= 1
        return "kernel"

    monkeypatch.setattr(AsyncMappingKernelManager, "start_kernel", fake_start)
    return seen


def test_pool_refills_start_a_few_at_a_time(monkeypatch):
    """Are 10 replacement kernels for the pool started at most 2 at a time?"""
    seen = _track(monkeypatch)
    manager = CourseKernelManager(pool_starts_at_once=2)

    async def refill():
        await asyncio.gather(
            *[manager.start_kernel(env={"VOILA_PREHEAT": "True"}) for _ in range(10)]
        )

    asyncio.run(refill())
    assert seen["most"] == 2
    assert len(seen["order"]) == 10


def test_a_visitor_does_not_wait_behind_the_refill(monkeypatch):
    """Does a kernel someone is waiting for start at once, while refills queue?"""
    seen = _track(monkeypatch)
    manager = CourseKernelManager(pool_starts_at_once=1)

    async def both():
        refills = [manager.start_kernel(env={"VOILA_PREHEAT": "True"}) for _ in range(5)]
        tasks = [asyncio.ensure_future(r) for r in refills]
        await asyncio.sleep(0)  # the first refill is running, four are queued
        await manager.start_kernel(env={})
        await asyncio.gather(*tasks)

    asyncio.run(both())
    assert seen["order"].index("visitor") <= 1, seen["order"]


def test_at_the_cap_a_visitor_gets_no_kernel_and_two_at_once_cannot_share_the_last(monkeypatch):
    """With one place left, do two pages asking at the same moment get one kernel between
    them, the other refused (KernelCapReached), and a refill wait instead?"""
    import pytest

    from widgets.serving.kernel_manager import KernelCapReached

    seen = _track(monkeypatch)
    manager = CourseKernelManager(max_kernels=1, pool_starts_at_once=1)

    async def both():
        return await asyncio.gather(
            manager.start_kernel(env={}), manager.start_kernel(env={}), return_exceptions=True
        )

    results = asyncio.run(both())
    assert sum(r == "kernel" for r in results) == 1
    assert sum(isinstance(r, KernelCapReached) for r in results) == 1
    assert manager._starting == 0
    with pytest.raises(KernelCapReached):
        manager._kernels["k1"] = object()  # the one place is now taken
        asyncio.run(manager.start_kernel(env={}))
    assert len(seen["order"]) == 1
