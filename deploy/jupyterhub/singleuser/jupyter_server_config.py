# Configuration of each user's single-user server under JupyterHub: it serves the course
# with Voilà and nothing else.
#
# JupyterHub's spawner points JUPYTER_CONFIG_PATH at this folder (see ../jupyterhub_config.py
# and ../values.yaml), so `jupyterhub-singleuser` reads this file on start. The Voilà
# settings come from widgets.serving, the same ones `course serve` uses, so the two ways of
# serving the course cannot drift apart. Voilà runs here as a Jupyter server extension
# (/voila/render/...), not as the standalone app, and that changes three things:
#   - no preheated kernels (the extension has no kernel pool): each visit starts a kernel;
#   - the standalone app refuses code sent from the browser, the extension does not: the
#     kernel manager's allowed_message_types below restores that rule;
#   - the rest of the Jupyter server (file API, terminals, JupyterLab) is there too: it is
#     switched off or made read-only below, so a trainee can only use the course.
# Environment it reads: COURSE_DB_URL (the shared store, set by the hub), COURSE_NOTEBOOK_DIR,
# COURSE_VAR_DIR and the other COURSE_* settings of `course serve` (see README.md).

import os
import tempfile
from pathlib import Path

from jupyter_core.paths import jupyter_path, jupyter_runtime_dir
from tornado.web import HTTPError
from traitlets.config import Config

from widgets.serving import SHARE_DIR, ServeSettings, kernel_environment, voila_config

c = get_config()  # noqa: F821 - provided by the config loader

settings = ServeSettings(pool_size=0)  # the server extension cannot preheat kernels
course = voila_config(settings)
c.merge(
    Config(
        {
            section: course[section]
            for section in ("VoilaConfiguration", "MappingKernelManager", "KernelManager")
        }
    )
)

# The course notebooks are the server's whole world; / leads to the course app.
c.ServerApp.root_dir = settings.course_dir
c.ServerApp.default_url = "/voila/render/index.ipynb"
c.ServerApp.tornado_settings = {
    "compress_response": settings.compress,
    # Without these two keys Voilà's extension points pages at MathJax on a CDN (seen in the
    # test's browser); set to None, as the standalone app does, no page asks for it.
    "mathjax_url": None,
    "mathjax_config": None,
}
c.ServerApp.terminals_enabled = False
c.ServerApp.jpserver_extensions = {
    "jupyterlab": False,
    "notebook": False,
    "jupyter_lsp": False,
    "notebook_shim": False,
    "voila": True,
}
# Widgets talk over comms only; an execute_request from a browser is dropped, as in the
# standalone Voilà app (Voilà itself runs the notebook's cells server-side, not through this).
c.MappingKernelManager.allowed_message_types = [
    "comm_open",
    "comm_close",
    "comm_msg",
    "comm_info_request",
    "kernel_info_request",
    "shutdown_request",
]


def _refuse(*_args, **_kwargs):
    raise HTTPError(403, "The course files are read-only.")


def _read_only_contents():
    """The default contents manager with every write refused: nobody can drop a notebook of
    their own next to the course and have Voilà run it."""
    from jupyter_server.services.contents.largefilemanager import AsyncLargeFileManager

    class CourseContents(AsyncLargeFileManager):
        async def save(self, model, path=""):
            _refuse()

        async def delete_file(self, path):
            _refuse()

        async def rename_file(self, old_path, new_path):
            _refuse()

        async def create_checkpoint(self, path):
            _refuse()

        async def restore_checkpoint(self, checkpoint_id, path):
            _refuse()

    return CourseContents


c.ServerApp.contents_manager_class = _read_only_contents()

# The kernels inherit the server's environment: the course template on JUPYTER_PATH, the
# notebook folder, a private runtime folder (keys generated on first use go there).
var_dir = Path(
    os.environ.get("COURSE_VAR_DIR") or Path.home() / ".local" / "share" / "peer-coaching-course"
)
os.environ.update(kernel_environment(settings, var_dir))

# Kernels talk over IPC sockets named after their connection files, and a socket path may
# not exceed 107 bytes: under a long home folder (a long user name) every kernel failed to
# start (measured). Such a server keeps its runtime files in a short private folder instead.
if len(jupyter_runtime_dir()) > 50:
    os.environ["JUPYTER_RUNTIME_DIR"] = tempfile.mkdtemp(prefix="course-jupyter-")

# JupyterHub's disable_user_config fixes the Jupyter data path before this file runs, so the
# course template must already be on JUPYTER_PATH when the server starts (the hub config and
# the image set it). Without it every page would hang on a missing template: stop here instead.
if str(SHARE_DIR) not in jupyter_path():
    raise SystemExit(
        f"The course's Voilà template is not on the Jupyter path: start this server with "
        f"JUPYTER_PATH={SHARE_DIR}"
    )
