"""The poller: a check every interval on the kernel's event loop, failures counted, not fatal."""

from __future__ import annotations

import asyncio

from widgets.live.poll import Poller


def test_tick_counts_failures_and_keeps_going(caplog):
    """Does a failing check count as a failure, get logged, and the next tick run again?"""
    calls = []

    def check():
        calls.append(len(calls))
        if len(calls) in (1, 2):
            raise RuntimeError("database hiccup")

    poller = Poller(check)
    assert poller.tick() is False
    assert poller.tick() is False
    assert poller.tick() is True
    assert poller.failures == 2
    assert calls == [0, 1, 2]
    assert "live update failed" in caplog.text


def test_start_without_a_running_loop_returns_false():
    """Outside an event loop, does start() refuse (False) and leave nothing running?"""
    poller = Poller(lambda: None)
    assert poller.start() is False
    assert poller.running is False
    poller.stop()  # harmless when never started
    assert poller.running is False


def test_polls_repeatedly_on_a_running_loop_and_stop_cancels():
    """On a running loop, does start() call check repeatedly, and stop() end it?"""
    calls = []

    async def scenario():
        poller = Poller(lambda: calls.append(1), interval=0.01)
        assert poller.start() is True
        assert poller.running
        assert poller.start() is True  # a second start does not add a second task
        task = poller._task
        for _ in range(200):
            await asyncio.sleep(0.01)
            if len(calls) >= 3:
                break
        poller.stop()
        assert not poller.running
        await asyncio.sleep(0)  # let the cancellation land
        assert task.cancelled()
        seen = len(calls)
        await asyncio.sleep(0.05)
        return seen

    seen = asyncio.run(scenario())
    assert seen >= 3
    assert len(calls) == seen  # nothing more after stop()


def test_failing_check_does_not_end_the_loop():
    """On a loop, does polling go on after checks that raise?"""
    calls = []

    def check():
        calls.append(1)
        raise ValueError("always broken")

    async def scenario():
        poller = Poller(check, interval=0.01)
        poller.start()
        for _ in range(200):
            await asyncio.sleep(0.01)
            if len(calls) >= 3:
                break
        running = poller.running
        poller.stop()
        return poller, running

    poller, running = asyncio.run(scenario())
    assert running
    assert poller.failures >= 3
