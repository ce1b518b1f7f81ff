"""The course server's own HTTP handlers, on top of Voilà's.

- :class:`CoursePage` renders a page only if the course serves it, within the visitor's
  render budget and the kernel cap, gives the browser its client secret and binds the page's
  kernel to it (``guard.py``), and sets the ``_xsrf`` cookie the page's shutdown beacon needs.
- The kernel's websocket, REST endpoint and shutdown beacon answer ``404`` unless the
  request carries the secret of the browser that owns the kernel.
- ``/`` and the file tree lead to the course app.

Voilà's classes are imported inside :func:`course_handlers`, so importing this module (the
CLI does) stays cheap.
"""

from __future__ import annotations

import hmac
import html
import json
import math
import re

REFUSAL_PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title} · Peer Coaching &amp; Mentoring</title>
<style>
body {{ font: 1.1rem/1.5 system-ui, sans-serif; max-width: 36rem; margin: 10vh auto;
  padding: 0 1rem; color: #1d2733; }}
h1 {{ font-size: 1.5rem; }}
a {{ color: #0b5394; }}
</style></head>
<body><main>
<h1>{title}</h1>
<p>{message}</p>
<p><a href="{home}">Try again</a> in about {wait}. Nothing you saved is lost.</p>
</main></body></html>
"""
_SECRET = re.compile(r"^[A-Za-z0-9_\-]{40,64}$")


def _when(seconds: float) -> str:
    minutes = max(1, math.ceil(seconds / 60))
    return "a minute" if minutes == 1 else f"{minutes} minutes"


def course_handlers(app_path: str, base_url_of):
    """(page class, home class, {Voilà handler class: guarded replacement})."""
    from jupyter_server.services.kernels.handlers import KernelHandler
    from jupyter_server.utils import url_path_join
    from tornado import web
    from voila.shutdown_kernel_handler import VoilaShutdownKernelHandler
    from voila.static_file_handler import TemplateStaticFileHandler
    from voila.tornado.handler import TornadoVoilaHandler
    from voila.tornado.kernel_websocket_handler import VoilaKernelWebsocketHandler

    from .guard import (
        CLIENT_ADDRESS_HEADER,
        CLIENT_COOKIE,
        GUESSES,
        OWNERS,
        SERVED_PAGES,
        RenderBudget,
        new_client_secret,
        page_is_served,
    )
    from .kernel_manager import KernelCapReached

    budgets: dict[int, RenderBudget] = {}

    def budget_for(settings) -> RenderBudget:
        key = id(settings)
        if key not in budgets:
            budgets[key] = RenderBudget(
                burst=int(settings.get("course_render_burst", 120)),
                per_minute=float(settings.get("course_render_per_minute", 60)),
            )
        return budgets[key]

    def client_secret(handler) -> str | None:
        value = handler.get_cookie(CLIENT_COOKIE)
        return value if value and _SECRET.match(value) else None

    class CoursePage(TornadoVoilaHandler):
        """A course page: served pages only, bounded, its kernel bound to this browser."""

        async def prepare(self):
            result = await super().prepare()  # (identifies the user; the token needs that)
            # the page's kernel learns the address it was opened from (for guessing limits)
            # from this header, which Voilà passes on as HTTP_X_COURSE_CLIENT_ADDRESS; a
            # browser's own header of that name is replaced, never believed
            self.request.headers[CLIENT_ADDRESS_HEADER] = self.request.remote_ip or "?"
            # Voilà's page shuts its kernel down on leaving with a beacon that carries the
            # _xsrf cookie; a page opened by direct link never had one, so every reload left
            # a kernel behind for the culler (measured: 22 alive after 35 page loads).
            self.xsrf_token  # noqa: B018 - reading it sets the cookie
            return result

        @web.authenticated
        async def get(self, path=None):
            patterns = self.settings.get("course_served_pages", SERVED_PAGES)
            if not page_is_served(path, patterns):
                raise web.HTTPError(404)  # before any kernel is started or handed out
            wait = budget_for(self.settings).take(self.request.remote_ip or "?")
            if wait:
                return self._refuse(
                    429,
                    wait,
                    "Too many pages opened from here",
                    "This network address has opened a great many course pages in a short "
                    "time, so the server is pausing new ones to stay responsive for everyone "
                    "already working.",
                )
            manager = self.kernel_manager
            if getattr(manager, "at_capacity", lambda: False)() and not manager.ready_pool_kernels(
                path
            ):
                return self._refuse_full()
            secret = client_secret(self) or self._new_secret()
            bound = False
            try:
                async for chunk in self.get_generator(path=path):
                    if not bound:
                        bound = OWNERS.bind_from_page(chunk, secret) is not None
                    self.write(chunk)
                    self.flush()
            except KernelCapReached:
                # (raised before the page's first byte: its kernel is started before then)
                return self._refuse_full()

        def _refuse_full(self) -> None:
            self._refuse(
                503,
                60,
                "The course is full right now",
                "Every place on this server is taken at the moment. Places free up as "
                "people finish, usually within a minute or two.",
            )

        def _new_secret(self) -> str:
            secret = new_client_secret()
            self.set_cookie(
                CLIENT_COOKIE,
                secret,
                path=self.settings.get("base_url", "/"),
                httponly=True,
                samesite="Strict",
                secure=self.request.protocol == "https",
            )
            return secret

        def _refuse(self, status: int, wait: float, title: str, message: str) -> None:
            self.set_status(status)
            self.set_header("Retry-After", str(max(1, math.ceil(wait))))
            self.set_header("Cache-Control", "no-store")
            self.set_header("Content-Type", "text/html; charset=utf-8")
            home = url_path_join(base_url_of(self), app_path)
            self.finish(
                REFUSAL_PAGE.format(
                    title=html.escape(title),
                    message=html.escape(message),
                    home=html.escape(home),
                    wait=_when(wait),
                )
            )

    def _refuse_unless_owner(handler, kernel_id: str) -> None:
        if not OWNERS.owns(kernel_id, client_secret(handler)):
            # the same answer as for a kernel that does not exist: no existence oracle
            raise web.HTTPError(404, "Kernel does not exist")

    class OwnedKernelWebsocket(VoilaKernelWebsocketHandler):
        async def get(self, kernel_id):
            _refuse_unless_owner(self, kernel_id)
            return await super().get(kernel_id)

    class OwnedKernel(KernelHandler):
        async def prepare(self):
            result = await super().prepare()
            kernel_id = (self.path_kwargs or {}).get("kernel_id") or (self.path_args or [""])[0]
            _refuse_unless_owner(self, kernel_id)
            return result

    class OwnedShutdown(VoilaShutdownKernelHandler):
        async def post(self, kernel_id):
            _refuse_unless_owner(self, kernel_id)
            return await super().post(kernel_id)

    class TemplateFiles(TemplateStaticFileHandler):
        """Voilà's template files; a malformed or escaping path is a plain 404 (Voilà's own
        handler answered 500 with a traceback in the log for ``/voila/templates/x%2f..``)."""

        def parse_url_path(self, path):
            try:
                return super().parse_url_path(path)
            except (AssertionError, ValueError):
                raise web.HTTPError(404) from None

        @classmethod
        def get_absolute_path(cls, root, path):
            try:
                return super().get_absolute_path(root, path)
            except (AssertionError, ValueError):
                raise web.HTTPError(404) from None

        def validate_absolute_path(self, root, absolute_path):
            try:
                return super().validate_absolute_path(root, absolute_path)
            except web.HTTPError as error:
                raise web.HTTPError(404) from error

    class Guesses(web.RequestHandler):
        """The server's guessing limiter, for its own kernels only (loopback and token)."""

        def check_xsrf_cookie(self):
            pass  # not a browser form: authenticated by the token the server gave its kernels

        def post(self):
            token = self.settings.get("course_guard_token") or ""
            given = self.request.headers.get("X-Course-Guard", "")
            local = (self.request.remote_ip or "") in ("127.0.0.1", "::1")
            if not (token and local and hmac.compare_digest(token, given)):
                raise web.HTTPError(404)
            try:
                asked = json.loads(self.request.body)
                kind, client, action = str(asked["kind"]), str(asked["client"]), asked["action"]
            except (ValueError, KeyError, TypeError):
                raise web.HTTPError(400) from None
            if action == "failed":
                GUESSES.failed(kind, client)
            self.finish({"wait": GUESSES.wait(kind, client)})

    class ToCourseApp(web.RequestHandler):
        """``/`` and the file tree send trainees to the app, keeping the query string; the
        redirect's body says where, for a ``curl`` that does not follow it."""

        def get(self, *_args):
            query = f"?{self.request.query}" if self.request.query else ""
            target = url_path_join(base_url_of(self), app_path) + query
            self.set_status(302)
            self.set_header("Location", target)
            self.set_header("Content-Type", "text/plain; charset=UTF-8")
            self.finish(
                "Peer Coaching & Mentoring course: the course is at "
                f"{self.request.protocol}://{self.request.host}{target}\n"
                "(a browser goes there by itself; curl -L follows the redirect)\n"
            )

        head = get

    guarded = {
        TornadoVoilaHandler: CoursePage,
        VoilaKernelWebsocketHandler: OwnedKernelWebsocket,
        KernelHandler: OwnedKernel,
        VoilaShutdownKernelHandler: OwnedShutdown,
        TemplateStaticFileHandler: TemplateFiles,
    }
    return CoursePage, ToCourseApp, Guesses, guarded
