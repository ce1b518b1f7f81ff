"""Front-end files cached like a real web app's: versioned addresses, ``immutable``.

A Voilà page loads ~70 webpack chunks from ``/voila/static/`` (names like ``9981.voila.js``,
not content-hashed) and Voilà serves them without any cache header, so every visit
re-requested about 100 files. Here the same files are also served under
``/voila/static-<version>/``, where ``<version>`` is a digest of every file's name, size and
modification time taken when the server starts; the page is told to load from there
(``fullStaticUrl`` in its page config, which webpack also uses for its chunks), and those
answers say ``Cache-Control: public, max-age=31536000, immutable``. A changed file changes the
address, so a browser never keeps a stale one. The page itself stays ``no-store``.
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

IMMUTABLE = "public, max-age=31536000, immutable"

_versioned_static_url: str | None = None  # set once the server knows its static folders


def static_version(paths: list[str]) -> str:
    """A short digest of every file under ``paths`` (name, size, modification time)."""
    digest = hashlib.sha256()
    for root in paths:
        base = Path(root)
        if not base.is_dir():
            continue
        for path in sorted(base.rglob("*")):
            if path.is_file():
                stat = path.stat()
                digest.update(
                    f"{path.relative_to(base)}\0{stat.st_size}\0{stat.st_mtime_ns}\n".encode()
                )
    return digest.hexdigest()[:16]


def versioned_static_prefix(server_url: str, paths: list[str]) -> str:
    """``<server_url>voila/static-<version>``, and remember it for the pages' config."""
    global _versioned_static_url
    _versioned_static_url = f"{server_url.rstrip('/')}/voila/static-{static_version(paths)}"
    return _versioned_static_url


def use_versioned_static(page_config: dict) -> dict:
    """Point a page (and webpack's chunk loading) at the versioned, cacheable address."""
    if _versioned_static_url:
        page_config["fullStaticUrl"] = _versioned_static_url
    return page_config


def immutable_static_handler():
    """Voilà's static handler, answering with a cache header that never revalidates."""
    from voila.static_file_handler import MultiStaticFileHandler

    class ImmutableStaticHandler(MultiStaticFileHandler):
        def set_extra_headers(self, path):
            self.set_header("Cache-Control", IMMUTABLE)

        def compute_etag(self):
            return None  # the address is the version: nothing to revalidate

    return ImmutableStaticHandler


def hashed_file_handler(base):
    """A handler class like ``base`` whose answers to versioned requests are immutable.

    For the labextension bundles (content-hashed names) and the template's own files
    (``?v=<hash>`` added by Voilà's ``static_url``)."""

    class HashedFileHandler(base):
        def set_headers(self):
            super().set_headers()  # (jupyter_server's FileFindHandler sets no-cache here)
            if self.get_argument("v", None) or _hashed_name(self.request.path):
                self.set_header("Cache-Control", IMMUTABLE)

    HashedFileHandler.__name__ = f"Hashed{base.__name__}"
    return HashedFileHandler


def _hashed_name(path: str) -> bool:
    """``remoteEntry.0123abcd4567ef89.js`` or ``496.ad7666673ba278088e95.js``: a webpack hash."""
    parts = os.path.basename(path).split(".")
    return any(len(p) >= 8 and all(c in "0123456789abcdef" for c in p) for p in parts[:-1])
