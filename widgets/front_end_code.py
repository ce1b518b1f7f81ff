"""Each anywidget class's front-end code sent to the page once, not with every instance.

anywidget puts a widget's whole ESM and CSS in every instance's state: one move to a
practice part sent 61 kB of script and 19.5 kB of CSS, a third of its bytes, most of it
the same files again (../shared/research/move-cost.md). Inside the course app
(:func:`code_sent_once`), the first instance of a class in a kernel brings a *carrier*
model holding the class's code and CSS, which the page imports once; every instance then
carries only a stub of a few hundred bytes that runs the carried code. Anywhere else (a
module notebook opened on its own, JupyterLab, a test) instances carry their code as
anywidget does.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from pathlib import Path

import anywidget
import traitlets

_sent_once: ContextVar[bool] = ContextVar("course_front_end_code_sent_once", default=False)
_carriers: dict[str, CodeCarrier] = {}

STUB = """const key = {key};
const registry = (globalThis.courseFrontEndCode ??= {{ modules: new Map(), waiting: new Map() }});
const widget = registry.modules.has(key)
  ? Promise.resolve(registry.modules.get(key))
  : new Promise((resolve) => {{
      const waiting = registry.waiting.get(key) ?? [];
      waiting.push(resolve);
      registry.waiting.set(key, waiting);
    }});
export default {{
  async initialize(context) {{ return (await widget).initialize?.(context); }},
  async render(context) {{ return (await widget).render?.(context); }},
}};
"""


class CodeCarrier(anywidget.AnyWidget):
    """One widget class's front-end code and CSS, imported by the page once (never shown)."""

    _esm = Path(__file__).parent / "static" / "code_carrier.js"
    key = traitlets.Unicode(help="The widget class this code belongs to.").tag(sync=True)
    code = traitlets.Unicode(help="The class's ES module.").tag(sync=True)
    css = traitlets.Unicode(help="The class's CSS.").tag(sync=True)


@contextmanager
def code_sent_once() -> Iterator[None]:
    """Widgets made inside this block carry a stub; their class's code goes once, by carrier."""
    token = _sent_once.set(True)
    try:
        yield
    finally:
        _sent_once.reset(token)


def instance_code(cls: type[anywidget.AnyWidget]) -> dict[str, str]:
    """What an instance of ``cls`` made now should carry instead of its code ({} : its own)."""
    if not _sent_once.get() or not hasattr(cls, "_esm"):
        return {}
    key = f"{cls.__module__}.{cls.__qualname__}"
    carrier = _carriers.get(key)
    if carrier is None or carrier.comm is None:  # none yet in this kernel (or closed)
        from ipywidgets import Layout

        from .looks import shared  # looks builds on this module

        _carriers[key] = CodeCarrier(
            key=key,
            code=str(cls._esm),
            css=str(getattr(cls, "_css", "")),
            layout=shared(Layout),
        )
    carried = {"_esm": stub(key)}
    if hasattr(cls, "_css"):
        carried["_css"] = ""
    return carried


def stub(key: str) -> str:
    """The few lines an instance carries: wait for its class's code, then run it."""
    return STUB.format(key=json.dumps(key))
