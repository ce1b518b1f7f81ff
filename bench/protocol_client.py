"""A trainee without a browser: Voilà's HTTP page plus the Jupyter widget protocol.

What a browser's widget manager does, reduced to what moves the course app along:

1. ``GET`` the page and read the whole streamed body; ``kernelId`` and ``baseUrl`` come from
   ``<script id="jupyter-config-data">``.
2. Open ``ws://…/api/kernels/<kernelId>/channels`` (Jupyter messaging v5 as JSON; binary
   frames carry buffers), open a comm on ``jupyter.widget.control`` and send
   ``{"method": "request_states"}``; the ``update_states`` reply holds every model.
3. "Click" a Button by sending ``{"method": "custom", "content": {"event": "click"}}`` to its
   comm, then wait for the kernel's new ``comm_open`` messages (new widgets) and ``update``
   messages (a container's new children).

Models are found by their ``_dom_classes`` (``widget.add_class`` in the app), the same classes
the browser tests select on. The sorting board is an anywidget whose ``sort-board`` element
exists only in the browser; here it is recognised as the model with the sorting traits
(``categories``, ``items``, ``placements``) inside a ``course-activity-sorting`` container.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import gzip
import http.cookiejar
import json
import struct
import time
import urllib.request
import uuid
import zlib
from collections.abc import Callable
from urllib.parse import urlparse

import websocket

DEFAULT_TIMEOUT = 120.0


class ProtocolError(RuntimeError):
    """The page or the kernel did not do what a trainee's browser needed."""


def fetch(url: str, timeout: float = DEFAULT_TIMEOUT, opener=None) -> bytes:
    """GET ``url`` as a browser would (gzip accepted) and return the whole decoded body.

    ``opener`` keeps the trainee's cookies (the course binds a page's kernel to the browser's
    client cookie; its websocket refuses a client without it)."""
    req = urllib.request.Request(url, headers={"Accept-Encoding": "gzip"})
    with (opener.open if opener else urllib.request.urlopen)(req, timeout=timeout) as resp:
        body = resp.read()
        if resp.headers.get("Content-Encoding") == "gzip":
            body = gzip.decompress(body) if body[:2] == b"\x1f\x8b" else zlib.decompress(body)
        return body


def page_config(html: str) -> dict:
    """The JSON in ``<script id="jupyter-config-data">`` of a Voilà page."""
    marker = 'id="jupyter-config-data"'
    start = html.find(marker)
    if start < 0:
        raise ProtocolError("no jupyter-config-data in the page (did the render fail?)")
    start = html.find(">", start) + 1
    end = html.find("</script>", start)
    return json.loads(html[start:end])


def _decode_binary(frame: bytes) -> dict:
    """jupyter_server's binary websocket frame: n, n offsets, JSON message, buffers."""
    (count,) = struct.unpack("!I", frame[:4])
    offsets = list(struct.unpack(f"!{count}I", frame[4 : 4 + 4 * count]))
    offsets.append(len(frame))
    msg = json.loads(frame[offsets[0] : offsets[1]].decode("utf-8"))
    msg["buffers"] = [frame[offsets[i] : offsets[i + 1]] for i in range(1, count)]
    return msg


def has_class(state: dict, css: str) -> bool:
    return css in (state.get("_dom_classes") or ())


def is_sort_board(state: dict) -> bool:
    """The anywidget that draws ``.sort-board`` in the browser."""
    return {"categories", "items", "placements", "mode"} <= state.keys() and (
        "_esm" in state or "_anywidget_id" in state
    )


class ProtocolTrainee:
    """One trainee, driven at the protocol level. Not thread-safe: one thread per trainee."""

    def __init__(self, base_url: str, timeout: float = DEFAULT_TIMEOUT):
        self.base_url = base_url if base_url.endswith("/") else base_url + "/"
        self.timeout = timeout
        self.session = uuid.uuid4().hex
        self.kernel_id: str | None = None
        self.ws: websocket.WebSocket | None = None
        self.models: dict[str, dict] = {}  # model id → state
        self.order: list[str] = []  # model ids in the order the kernel opened them
        self.opened_since_mark: list[str] = []
        self.updated_since_mark: list[str] = []
        self.html = ""
        self.cookies = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.cookies))

    # -- page and kernel -------------------------------------------------------------

    def load_page(self, path: str) -> dict:
        """GET a Voilà page until its last byte (the kernel has run every cell)."""
        self.html = fetch(self.base_url + path, self.timeout, self.opener).decode("utf-8")
        config = page_config(self.html)
        self.kernel_id = config.get("kernelId")
        if not self.kernel_id:
            raise ProtocolError("the page names no kernel")
        return config

    def connect(self) -> None:
        """Open the kernel's websocket and fetch every widget model's state."""
        host = urlparse(self.base_url)
        url = (
            f"ws://{host.netloc}{host.path}api/kernels/{self.kernel_id}/channels"
            f"?session_id={self.session}"
        )
        cookie = "; ".join(f"{c.name}={c.value}" for c in self.cookies)
        self.ws = websocket.create_connection(
            url, timeout=self.timeout, enable_multithread=False, cookie=cookie or None
        )
        control = uuid.uuid4().hex
        self._send(
            "comm_open",
            {"comm_id": control, "target_name": "jupyter.widget.control", "data": {}},
            {"version": "1.0.0"},  # ipywidgets' control protocol version
        )
        self._send("comm_msg", {"comm_id": control, "data": {"method": "request_states"}})

        def got_states(msg: dict) -> bool:
            content = msg.get("content", {})
            data = content.get("data", {})
            if msg.get("msg_type") == "comm_msg" and data.get("method") == "update_states":
                for model_id, model in data.get("states", {}).items():
                    self._remember(model_id, model.get("state", {}))
                return True
            return False

        self.wait(got_states, "the widget states (update_states)")

    def close(self) -> None:
        if self.ws is not None:
            with contextlib.suppress(Exception):  # closing is best effort
                self.ws.close()
            self.ws = None

    # -- widgets ---------------------------------------------------------------------

    def find(self, css: str) -> list[str]:
        """Model ids with ``css`` in their ``_dom_classes``, newest first."""
        return [m for m in reversed(self.order) if has_class(self.models[m], css)]

    def find_inside(self, container_css: str, css: str) -> list[str]:
        """Models with ``css`` inside the newest container with ``container_css``."""
        for container in self.find(container_css):
            inside = self.descendants(container)
            return [m for m in self.find(css) if m in inside]
        return []

    def click(self, css: str, inside: str | None = None) -> None:
        """Click the newest Button with class ``css`` (within the newest ``.inside``)."""
        found = self.find_inside(inside, css) if inside else self.find(css)
        if not found:
            where = f" inside .{inside}" if inside else ""
            raise ProtocolError(
                f"no widget with class {css!r}{where} among {len(self.models)} models"
            )
        self.mark()
        self._send(
            "comm_msg",
            {"comm_id": found[0], "data": {"method": "custom", "content": {"event": "click"}}},
        )

    def mark(self) -> None:
        """Start collecting the models opened and updated from now on."""
        self.opened_since_mark = []
        self.updated_since_mark = []

    def wait_for_class(self, css: str) -> str:
        """Wait until a new model with ``css`` is opened and shown (a container updated)."""
        return self._wait_new(lambda state: has_class(state, css), f"a new .{css} widget")

    def wait_for_sort_board(self) -> str:
        """Wait until a sorting board is opened and its part shown."""
        return self._wait_new(is_sort_board, "the sorting board")

    def descendants(self, model_id: str) -> set[str]:
        seen: set[str] = set()
        stack = [model_id]
        while stack:
            current = stack.pop()
            if current in seen:
                continue
            seen.add(current)
            for child in self.models.get(current, {}).get("children") or ():
                if isinstance(child, str) and child.startswith("IPY_MODEL_"):
                    stack.append(child[len("IPY_MODEL_") :])
        return seen

    def _wait_new(self, predicate: Callable[[dict], bool], what: str) -> str:
        """A model matching ``predicate`` opened since :meth:`mark`, and a container that was
        already on the page updated since then so that its children reach it (what makes the
        browser draw it)."""

        def shown() -> str | None:
            opened = set(self.opened_since_mark)
            for model_id in self.opened_since_mark:
                if predicate(self.models.get(model_id, {})):
                    for parent in self.updated_since_mark:
                        if parent in opened:
                            continue  # a container on the page already must show it
                        if model_id in self.descendants(parent):
                            return model_id
            return None

        found = shown()
        if found:
            return found
        result: list[str] = []

        def check(_msg: dict) -> bool:
            hit = shown()
            if hit:
                result.append(hit)
            return bool(hit)

        self.wait(check, what)
        return result[0]

    # -- messages --------------------------------------------------------------------

    def _remember(self, model_id: str, state: dict) -> None:
        if model_id not in self.models:
            self.order.append(model_id)
        self.models.setdefault(model_id, {}).update(state)

    def _send(self, msg_type: str, content: dict, metadata: dict | None = None) -> None:
        header = {
            "msg_id": uuid.uuid4().hex,
            "username": "bench",
            "session": self.session,
            "date": dt.datetime.now(dt.UTC).isoformat(),
            "msg_type": msg_type,
            "version": "5.3",
        }
        msg = {
            "header": header,
            "parent_header": {},
            "metadata": metadata or {},
            "content": content,
            "channel": "shell",
            "buffers": [],
        }
        self.ws.send(json.dumps(msg))

    def _receive(self, deadline: float) -> dict | None:
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            return None
        self.ws.settimeout(remaining)
        try:
            opcode, frame = self.ws.recv_data()
        except websocket.WebSocketTimeoutException:
            return None
        if opcode == websocket.ABNF.OPCODE_BINARY:
            msg = _decode_binary(frame)
        elif opcode == websocket.ABNF.OPCODE_TEXT:
            msg = json.loads(frame.decode("utf-8") if isinstance(frame, bytes) else frame)
        else:
            return {}
        msg.setdefault("msg_type", msg.get("header", {}).get("msg_type"))
        content = msg.get("content", {})
        if msg["msg_type"] == "comm_open":
            model_id = content.get("comm_id")
            self._remember(model_id, content.get("data", {}).get("state", {}))
            self.opened_since_mark.append(model_id)
        elif msg["msg_type"] == "comm_msg":
            data = content.get("data", {})
            if data.get("method") == "update" and content.get("comm_id") in self.models:
                self._remember(content["comm_id"], data.get("state", {}))
                self.updated_since_mark.append(content["comm_id"])
        elif msg["msg_type"] == "error":
            raise ProtocolError(f"kernel error: {content.get('ename')}: {content.get('evalue')}")
        return msg

    def idle(self, seconds: float) -> None:
        """Read whatever arrives for ``seconds``, as an open page does while nobody clicks.

        Reading is what answers the server's websocket pings (websocket-client sends the
        pong inside ``recv``): a client that stops reading while it waits for the others is
        disconnected after the server's ping timeout, which a browser never is.
        """
        if self.ws is None:
            time.sleep(seconds)
            return
        deadline = time.monotonic() + seconds
        while self._receive(deadline) is not None:
            pass

    def wait(self, done: Callable[[dict], bool], what: str) -> None:
        deadline = time.monotonic() + self.timeout
        while True:
            msg = self._receive(deadline)
            if msg is None:
                raise ProtocolError(f"timed out after {self.timeout:.0f} s waiting for {what}")
            if msg and done(msg):
                return


def app_journey(
    base_url: str, app_path: str, module: str, timeout: float = DEFAULT_TIMEOUT
) -> dict:
    """One trainee through the app, untimed: join, the module's theory, practice.

    Returns the trainee's kernel id and the sorting board's state."""
    trainee = ProtocolTrainee(base_url, timeout)
    try:
        trainee.load_page(app_path)
        trainee.connect()
        trainee.click("course-join-start")
        trainee.wait_for_class("course-module-card")
        trainee.click("course-part-theory", inside=f"course-module-{module}")
        trainee.wait_for_class("course-part-body")
        trainee.click("course-tab-practice")
        board = trainee.wait_for_sort_board()
        return {"kernel_id": trainee.kernel_id, "sort_board": trainee.models[board]}
    finally:
        trainee.close()
