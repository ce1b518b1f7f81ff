"""The export's read-ahead thread: values in order, errors handed over, an early stop stops it."""

import threading
import time

import pytest

from widgets.export.responses import prefetched


def test_values_arrive_in_order_from_another_thread():
    seen_threads = set()

    def numbers():
        for n in range(50):
            seen_threads.add(threading.current_thread().name)
            yield n

    assert list(prefetched(numbers())) == list(range(50))
    assert seen_threads == {"export-prefetch"}


def test_an_error_in_the_reader_is_raised_to_the_consumer_after_the_values_before_it():
    def failing():
        yield 1
        raise ValueError("database went away")

    values = prefetched(failing())
    assert next(values) == 1
    with pytest.raises(ValueError, match="database went away"):
        next(values)


def test_stopping_early_stops_and_closes_the_reader():
    closed = threading.Event()

    def endless():
        try:
            n = 0
            while True:
                n += 1
                yield n
        finally:
            closed.set()

    values = prefetched(endless(), depth=2)
    assert next(values) == 1
    values.close()  # what a consumer breaking out of its loop does
    assert closed.wait(5), "the reading generator was not closed"
    time.sleep(0.3)
    assert not any(t.name == "export-prefetch" for t in threading.enumerate())
