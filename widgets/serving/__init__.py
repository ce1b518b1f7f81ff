"""How the course is served: every runtime knob in one configurable, and the Voilà config.

Each setting has a default, help, and an environment variable, so ``course serve`` needs no
arguments in a school and every knob can still be turned. Measured reasons for the defaults
are in ../shared/research/voila-notes.md.
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Any

from traitlets import Bool, Float, Int, Unicode, default
from traitlets.config import Config, Configurable

from .guard import CLIENT_ADDRESS_HEADER, GUARD_TOKEN_ENV

PACKAGE_DIR = Path(__file__).resolve().parent
SHARE_DIR = PACKAGE_DIR / "share"
REPO_DIR = PACKAGE_DIR.parents[1]

# Front-end extensions a trainee page needs. plotly's 4.8 MB bundle is only for the
# facilitator and research pages (measured: a bare Voilà page pulls 10.2 MB with it).
TRAINEE_EXTENSIONS = (
    "@jupyter-widgets/jupyterlab-manager",
    "@voila-dashboards/widgets-manager8",  # provides the widget registry Voilà pages need
    "anywidget",
)
CHART_PAGES = re.compile(r"^(facilitator|research)/")


def _env(name: str, fallback: Any) -> Any:
    value = os.environ.get(name)
    if value is None or value == "":
        return fallback
    return (
        type(fallback)(value)
        if not isinstance(fallback, bool)
        else value.lower() in ("1", "true", "yes")
    )


class ServeSettings(Configurable):
    """Everything ``course serve`` can be told; each also reads a COURSE_* variable."""

    ip = Unicode(help="Address to listen on (COURSE_IP). 0.0.0.0 for a room's network.").tag(
        config=True
    )
    port = Int(help="Port (COURSE_PORT).").tag(config=True)
    fork_kernels = Bool(
        help="Fork kernels from one warm template process (COURSE_FORK_KERNELS; Linux). A "
        "forked kernel starts for ~0.1-0.2 CPU-s and ~25 MiB of its own memory instead of "
        "1-2.5 CPU-s and 90 MiB (docs/capacity.md). Off, or where fork is not available: "
        "every kernel is an ordinary new Python process."
    ).tag(config=True)
    trainee_niceness = Int(
        help="How much lower the CPU priority of trainee kernels is than the server's and the "
        "facilitator's (COURSE_TRAINEE_NICE, 0-19): while a class arrives, the dashboard stays "
        "responsive."
    ).tag(config=True)
    pool_size = Int(
        help="Preheated kernels kept ready for the course app (COURSE_POOL_SIZE): a class "
        "arriving together gets them without waiting for a start. Forked kernels idle at "
        "~25 MiB each, so the default is a class and a bit (32, see docs/capacity.md)."
    ).tag(config=True)
    pool_fill_delay = Float(
        help="Seconds the pool waits before starting a kernel to replace one taken "
        "(COURSE_POOL_FILL_DELAY). 0 refills at once; with a pool as large as the class, a "
        "delay moves the refill's CPU out of the arrival (but into whatever comes next)."
    ).tag(config=True)
    pool_starts_at_once = Int(
        help="Pool kernels started at the same time when the pool refills "
        "(COURSE_POOL_STARTS_AT_ONCE): a class taking 30 kernels gets its replacements a few at "
        "a time, behind it, not 30 starts competing with it."
    ).tag(config=True)
    max_kernels = Int(
        help="Most kernels alive at once (COURSE_MAX_KERNELS); 0 derives it from the machine's "
        "memory (~60 MiB a kernel, 2 GiB kept back: about 370 on 24 GiB). Past it a new "
        "visitor is told the course is full; trainees already working are not touched."
    ).tag(config=True)
    render_burst = Int(
        help="Pages one network address may open at once (COURSE_RENDER_BURST): a whole "
        "class behind one school router arriving together, with reloads, fits."
    ).tag(config=True)
    render_per_minute = Float(
        help="Pages per minute an address gets back after its burst (COURSE_RENDER_PER_MINUTE)."
    ).tag(config=True)
    cull_idle_timeout = Int(
        help="Seconds before an idle kernel whose page is closed is shut down "
        "(COURSE_CULL_IDLE_TIMEOUT). A kernel outlives its tab, so culling is what frees it; "
        "kernels with an open page are never culled, so nobody loses a reflection mid-sentence."
    ).tag(config=True)
    cull_interval = Int(help="Seconds between culling sweeps (COURSE_CULL_INTERVAL).").tag(
        config=True
    )
    unconnected_timeout = Int(
        help="Seconds before a kernel that no browser ever connected to (a page fetched by a "
        "script, a tab closed while loading) is shut down (COURSE_UNCONNECTED_TIMEOUT)."
    ).tag(config=True)
    course_dir = Unicode(help="Folder of notebooks Voilà serves (COURSE_NOTEBOOK_DIR).").tag(
        config=True
    )
    db_url = Unicode(help="Database URL (COURSE_DB_URL); empty means SQLite under var/.").tag(
        config=True
    )
    facilitator_key = Unicode(
        help="Key that unlocks facilitator pages (COURSE_FACILITATOR_KEY); generated and kept "
        "in var/facilitator-key when unset."
    ).tag(config=True)
    compress = Bool(help="gzip responses (COURSE_COMPRESS); assets shrink about 4x.").tag(
        config=True
    )
    show_tracebacks = Bool(
        False, help="Show Python tracebacks on error pages (never in class)."
    ).tag(config=True)

    @default("ip")
    def _ip(self):
        return _env("COURSE_IP", "127.0.0.1")

    @default("port")
    def _port(self):
        return _env("COURSE_PORT", 8866)

    @default("fork_kernels")
    def _fork_kernels(self):
        return _env("COURSE_FORK_KERNELS", True)

    @default("trainee_niceness")
    def _trainee_niceness(self):
        return _env("COURSE_TRAINEE_NICE", 5)

    @default("pool_size")
    def _pool(self):
        return _env("COURSE_POOL_SIZE", 32)

    @default("pool_fill_delay")
    def _pool_fill_delay(self):
        return _env("COURSE_POOL_FILL_DELAY", 0.0)

    @default("pool_starts_at_once")
    def _pool_starts_at_once(self):
        return _env("COURSE_POOL_STARTS_AT_ONCE", 2)

    @default("max_kernels")
    def _max_kernels(self):
        return _env("COURSE_MAX_KERNELS", 0)

    @default("render_burst")
    def _render_burst(self):
        return _env("COURSE_RENDER_BURST", 120)

    @default("render_per_minute")
    def _render_per_minute(self):
        return _env("COURSE_RENDER_PER_MINUTE", 60.0)

    @default("cull_idle_timeout")
    def _cull(self):
        return _env("COURSE_CULL_IDLE_TIMEOUT", 900)

    @default("cull_interval")
    def _cull_interval(self):
        return _env("COURSE_CULL_INTERVAL", 15)

    @default("unconnected_timeout")
    def _unconnected_timeout(self):
        return _env("COURSE_UNCONNECTED_TIMEOUT", 60)

    @default("course_dir")
    def _course_dir(self):
        return _env("COURSE_NOTEBOOK_DIR", str(REPO_DIR / "course"))

    @default("db_url")
    def _db_url(self):
        return _env("COURSE_DB_URL", "")

    @default("facilitator_key")
    def _key(self):
        return _env("COURSE_FACILITATOR_KEY", "")

    @default("compress")
    def _compress(self):
        return _env("COURSE_COMPRESS", True)

    def resolved_facilitator_key(self, var_dir: Path) -> str:
        """The configured key, or one generated once and kept beside the database."""
        from ..keys import FACILITATOR_KEY_FILE, kept_secret

        return kept_secret(var_dir / FACILITATOR_KEY_FILE, self.facilitator_key)


def page_config_hook(page_config: dict, **kwargs) -> dict:
    """Load only the front-end extensions a page needs (trainee pages: no plotly), from
    versioned, cacheable addresses."""
    from .assets import use_versioned_static

    use_versioned_static(page_config)
    notebook_path = str(kwargs.get("notebook_path") or "")
    if CHART_PAGES.match(notebook_path):
        return page_config
    page_config["federated_extensions"] = [
        ext
        for ext in page_config.get("federated_extensions", [])
        if ext.get("name") in TRAINEE_EXTENSIONS
    ]
    return page_config


def voila_config(settings: ServeSettings) -> Config:
    """The Voilà configuration for serving the course."""
    c = Config()
    c.Voila.ip = settings.ip
    c.Voila.port = settings.port
    c.Voila.open_browser = False
    c.Voila.port_retries = 0
    c.Voila.tornado_settings = {
        "compress_response": settings.compress,
        "course_render_burst": settings.render_burst,
        "course_render_per_minute": settings.render_per_minute,
        "course_guard_token": os.environ.get(GUARD_TOKEN_ENV, ""),
    }
    vc = c.VoilaConfiguration
    vc.template = "course"
    vc.theme = "light"
    vc.strip_sources = True
    # the address a page was opened from reaches its kernel (set by the server: handlers.py)
    vc.http_header_envs = [CLIENT_ADDRESS_HEADER]
    vc.show_tracebacks = settings.show_tracebacks
    vc.allow_template_override = "NO"  # ?template=<unknown> makes a request hang forever
    vc.allow_theme_override = "NO"
    vc.preheat_kernel = settings.pool_size > 0
    vc.default_pool_size = 0
    vc.page_config_hook = page_config_hook
    vc.file_allowlist = [r".*\.(png|jpg|jpeg|gif|svg|webp|mp4|webm|vtt|css)"]
    if settings.pool_size > 0:
        c.VoilaKernelManager.kernel_pools_config = {
            "default": {"pool_size": 0},
            "index.ipynb": {"pool_size": settings.pool_size},
        }
        # (no preheat_denylist: Voilà matches it against absolute paths, so a pattern meant
        # for "everything but index.ipynb" also denied the app; pool size 0 does the job)
        c.VoilaKernelManager.fill_delay = settings.pool_fill_delay
    # After a cell's reply, nbclient waits iopub_timeout (4 s) for its outputs and then drops
    # them: a server busy with a class arriving together can take longer, and the app's
    # widget view was missing from the page (a blank page; bench/repro_preheated_burst.py).
    c.VoilaExecutor.iopub_timeout = 120
    # Kernels forked from the warm template (widgets/kernels/), unless turned off.
    c.ForkProvisioner.enabled = settings.fork_kernels
    c.ForkProvisioner.trainee_niceness = settings.trainee_niceness
    # A kernel lives on after its tab closes unless the page's beacon shuts it down (the
    # render handler sets the _xsrf cookie it needs); culling frees the rest.
    vc.multi_kernel_manager_class = "widgets.serving.kernel_manager.CourseKernelManager"
    c.MappingKernelManager.cull_idle_timeout = settings.cull_idle_timeout
    c.MappingKernelManager.cull_interval = settings.cull_interval
    c.MappingKernelManager.cull_connected = False
    c.CourseKernelManager.unconnected_timeout = settings.unconnected_timeout
    c.CourseKernelManager.pool_starts_at_once = settings.pool_starts_at_once
    c.CourseKernelManager.max_kernels = settings.max_kernels
    # IPC instead of TCP ports: a burst of 30 kernel starts raced for ports and one page
    # then streamed heartbeats forever (measured).
    # Each kernel's sockets are named after its own connection file (jupyter_client's default
    # for IPC); one shared prefix made concurrent kernels collide ("Invalid Signature").
    c.KernelManager.transport = "ipc"
    return c


def kernel_environment(settings: ServeSettings, var_dir: Path) -> dict[str, str]:
    """Environment every kernel inherits (Voilà starts kernels with the server's)."""
    env = {
        "JUPYTER_PATH": os.pathsep.join(
            filter(None, [str(SHARE_DIR), os.environ.get("JUPYTER_PATH")])
        ),
        "COURSE_NOTEBOOK_DIR": settings.course_dir,
        "COURSE_VAR_DIR": str(var_dir),
        "PYDEVD_DISABLE_FILE_VALIDATION": "1",
    }
    if settings.db_url:
        env["COURSE_DB_URL"] = settings.db_url
    if settings.facilitator_key:  # else the facilitator page reads the kept key in var/
        env["COURSE_FACILITATOR_KEY"] = settings.facilitator_key
    return env


APP_PATH = "voila/render/index.ipynb"


def course_voila_class():
    """Voilà, with the course's own handlers (``handlers.py``): the home address leads to the
    app, only served pages render, and a kernel answers only the browser that owns it."""
    from jupyter_server.utils import url_path_join
    from tornado import web
    from voila.app import Voila
    from voila.tornado.treehandler import TornadoVoilaTreeHandler

    from ..guessing import ENDPOINT as GUESSES_PATH
    from .assets import hashed_file_handler, immutable_static_handler, versioned_static_prefix
    from .handlers import course_handlers
    from .page_templates import cache_page_templates

    cache_page_templates()
    _page, ToCourseApp, Guesses, guarded = course_handlers(
        APP_PATH, lambda handler: handler.settings.get("base_url", "/")
    )

    class CourseVoila(Voila):
        def init_handlers(self):
            handlers = []
            for pattern, handler, *rest in super().init_handlers():
                if handler is TornadoVoilaTreeHandler:
                    handlers.append((pattern, ToCourseApp))
                    continue
                handler = guarded.get(handler, handler)
                if pattern.endswith("/voila/labextensions/(.*)") and rest:
                    # extension bundles are content-hashed: let browsers keep them
                    rest = [{**rest[0], "no_cache_paths": []}]
                if pattern.endswith(("/voila/labextensions/(.*)", "/voila/templates/(.*)")):
                    handler = hashed_file_handler(handler)
                if pattern.endswith("/voila/static/(.*)") and rest:
                    # the same files at a versioned address the pages load from (assets.py)
                    prefix = versioned_static_prefix(self.server_url, rest[0]["paths"])
                    handlers.append((prefix + "/(.*)", immutable_static_handler(), *rest))
                handlers.append((pattern, handler, *rest))
            handlers.append((url_path_join(self.server_url, GUESSES_PATH), Guesses))
            return handlers

        def listen(self):
            # Voilà applies tornado_settings after the Application exists, too late for
            # compress_response to take effect, so add tornado's gzip transform here.
            if self.tornado_settings.get("compress_response"):
                self.app.add_transform(web.GZipContentEncoding)
            if self.config.ForkProvisioner.get("enabled", True):
                from tornado.ioloop import IOLoop

                from ..kernels.provisioner import warm_template

                IOLoop.current().add_callback(warm_template, self.log)
            super().listen()

    return CourseVoila
