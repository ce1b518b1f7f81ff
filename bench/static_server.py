"""``python -m http.server``, with a listen backlog a whole class can fill.

The standard module listens with a backlog of 5: when 30 trainees connect at once the
kernel drops the extra SYNs and those clients retry after a second, which measured the
server's backlog instead of static HTML (first run: p50 1.2 s for a 0.3 MB file).

    python bench/static_server.py PORT DIRECTORY
"""

from __future__ import annotations

import functools
import http.server
import sys


class ClassroomHTTPServer(http.server.ThreadingHTTPServer):
    request_queue_size = 128  # tornado's default backlog, as Voilà has
    daemon_threads = True


def main(argv: list[str]) -> None:
    port, directory = int(argv[0]), argv[1]
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=directory)
    with ClassroomHTTPServer(("127.0.0.1", port), handler) as httpd:
        httpd.serve_forever()


if __name__ == "__main__":
    main(sys.argv[1:])
