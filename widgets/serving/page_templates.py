"""Voilà's page templates compiled once per server, not once per page.

Voilà builds a fresh nbconvert exporter, and so a fresh Jinja environment, for every page it
renders: re-compiling the course template cost the server ~114 ms of CPU per arrival
(../shared/research/move-cost.md), a third of a first page's server time. A shared in-memory
bytecode cache keeps the compiled templates; Jinja still checks each template's source, so an
edited template is compiled again.
"""

from __future__ import annotations

import threading

from jinja2 import BytecodeCache


class MemoryBytecodeCache(BytecodeCache):
    """Compiled Jinja templates kept in memory for the life of the server."""

    def __init__(self):
        self._store: dict[str, bytes] = {}
        self._lock = threading.Lock()

    def load_bytecode(self, bucket) -> None:
        code = self._store.get(bucket.key)
        if code is not None:
            bucket.bytecode_from_string(code)

    def dump_bytecode(self, bucket) -> None:
        with self._lock:
            self._store[bucket.key] = bucket.bytecode_to_string()

    def clear(self) -> None:
        with self._lock:
            self._store.clear()

    def __len__(self) -> int:
        return len(self._store)


PAGE_TEMPLATE_CACHE = MemoryBytecodeCache()


def cache_page_templates() -> None:
    """Make every Voilà exporter's Jinja environment share :data:`PAGE_TEMPLATE_CACHE`."""
    from voila.exporter import VoilaExporter

    if getattr(VoilaExporter, "_course_cached", False):
        return
    create = VoilaExporter._create_environment

    def _create_environment(self):
        environment = create(self)
        environment.bytecode_cache = PAGE_TEMPLATE_CACHE
        return environment

    VoilaExporter._create_environment = _create_environment
    VoilaExporter._course_cached = True
