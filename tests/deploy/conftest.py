"""A real JupyterHub on this machine, run with deploy/jupyterhub/jupyterhub_config.py.

What it needs, and where it comes from:

- JupyterHub itself (the ``test`` extra of pyproject.toml);
- configurable-http-proxy, installed from the npm registry into the git-ignored
  ``.cache/chp`` on first use (``COURSE_CHP`` names another one);
- a real PostgreSQL (``COURSE_TEST_PG_URL``, as for the store tests): the hub's user servers
  share a database created for this module and dropped afterwards;
- Chromium, as for the browser tests.

Without one of them these tests are skipped, except under CI (``CI`` set), where they fail.
The user servers run as the current user with JupyterHub's SimpleLocalProcessSpawner; as root
(CI) they need the config's COURSE_HUB_ALLOW_ROOT=1.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import tempfile
import uuid
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.engine import URL, make_url

from ..browser.conftest import CHROMIUM, free_port, launched_chromium, wait_until_serving
from ..conftest import OUTPUT, REPO, prerequisite_missing
from ..store.conftest import _admin_engine, pg_database_url  # noqa: F401 - a fixture

CONFIG = REPO / "deploy" / "jupyterhub" / "jupyterhub_config.py"
CHP_DIR = REPO / ".cache" / "chp"
CHP_VERSION = "5"
PASSWORD = "a class password"
FACILITATOR_GROUP = "facilitators"


def missing(message: str) -> None:
    """A prerequisite of the JupyterHub tests is missing: fail under CI, skip elsewhere."""
    prerequisite_missing(message, "the JupyterHub tests")


@pytest.fixture(scope="session")
def chp() -> Path:
    """configurable-http-proxy's executable, installed from npm into .cache/chp if needed."""
    named = os.environ.get("COURSE_CHP")
    if named:
        if not Path(named).exists():
            missing(f"COURSE_CHP names {named}, which does not exist")
        return Path(named)
    executable = CHP_DIR / "node_modules" / ".bin" / "configurable-http-proxy"
    if executable.exists():
        return executable
    npm = shutil.which("npm")
    if npm is None:
        missing("npm is not installed, so configurable-http-proxy cannot be installed")
    CHP_DIR.mkdir(parents=True, exist_ok=True)
    done = subprocess.run(
        [
            npm,
            "install",
            "--prefix",
            str(CHP_DIR),
            "--no-audit",
            "--no-fund",
            "--loglevel=error",
            f"configurable-http-proxy@{CHP_VERSION}",
        ],
        capture_output=True,
        text=True,
        check=False,
        timeout=300,
    )
    if done.returncode or not executable.exists():
        missing(f"npm could not install configurable-http-proxy:\n{done.stderr or done.stdout}")
    return executable


@pytest.fixture(scope="module")
def hub_db_url(pg_database_url: URL):  # noqa: F811 - the fixture imported above
    """A fresh PostgreSQL database for the hub's user servers, dropped afterwards."""
    name = f"course_hub_{uuid.uuid4().hex[:12]}"
    server = _admin_engine(pg_database_url.set(database="postgres"))
    with server.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield pg_database_url.set(database=name).render_as_string(hide_password=False)
    finally:
        with server.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        server.dispose()


class Hub:
    """A running ``jupyterhub -f deploy/jupyterhub/jupyterhub_config.py``."""

    def __init__(self, state_dir: Path, chp: Path, db_url: str, facilitators: list[str]):
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.state_dir = state_dir
        self.db_name = make_url(db_url).database
        self.log_path = state_dir / "hub.log"
        env = {k: v for k, v in os.environ.items() if not k.startswith(("COURSE_", "JUPYTER"))}
        env.update(
            PATH=os.pathsep.join([str(chp.parent), str(Path(sys.executable).parent), env["PATH"]]),
            COURSE_DB_URL=db_url,
            COURSE_HUB_IP="127.0.0.1",
            COURSE_HUB_PORT=str(self.port),
            COURSE_HUB_AUTHENTICATOR="shared-password",
            COURSE_HUB_PASSWORD=PASSWORD,
            COURSE_HUB_FACILITATORS=",".join(facilitators),
            COURSE_HUB_HOMES=str(state_dir / "homes" / "{username}"),
            COURSE_CULL_IDLE_TIMEOUT="600",  # any other COURSE_* is passed on to the servers
        )
        if os.geteuid() == 0:
            env["COURSE_HUB_ALLOW_ROOT"] = "1"
        self._log = open(self.log_path, "w")  # noqa: SIM115 - closed in stop()
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "jupyterhub",
                "-f",
                str(CONFIG),
                # internal ports: free ones, so the test never meets another hub
                f"--JupyterHub.hub_port={free_port()}",
                f"--ConfigurableHTTPProxy.api_url=http://127.0.0.1:{free_port()}",
            ],
            cwd=state_dir,
            env=env,
            stdout=self._log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        try:
            self._wait_ready()
        except BaseException:
            self.stop()
            raise

    def _wait_ready(self, timeout: float = 60) -> None:
        wait_until_serving(self, self.url + "/hub/login", "jupyterhub", timeout)

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")

    def servers(self) -> dict[str, dict[str, str]]:
        """The environment of each running user server, by hub user name."""
        import psutil

        found = {}
        for child in psutil.Process(self.process.pid).children(recursive=True):
            try:
                if "jupyterhub-singleuser" not in " ".join(child.cmdline()):
                    continue
                environ = child.environ()
            except psutil.Error:
                continue
            found[environ.get("JUPYTERHUB_USER", "")] = environ
        return found

    def stop(self) -> None:
        """Stop the hub (it stops the user servers and the proxy); end whatever is left."""
        import psutil

        try:
            leftovers = psutil.Process(self.process.pid).children(recursive=True)
        except psutil.Error:
            leftovers = []
        proxy_pid = self.state_dir / "jupyterhub-proxy.pid"
        if proxy_pid.exists():
            try:
                leftovers.append(psutil.Process(int(proxy_pid.read_text().strip())))
            except (ValueError, psutil.Error):
                pass
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        for process in leftovers:
            try:
                process.kill()
            except psutil.Error:
                pass
        self._log.close()


@pytest.fixture(scope="module")
def hub(chp, hub_db_url):
    try:
        import jupyterhub  # noqa: F401
    except ImportError:
        missing("jupyterhub is not installed (pip install -e '.[test]')")
    # Home folders stay short: a kernel's IPC socket path must fit in 107 bytes.
    state_dir = Path(tempfile.mkdtemp(prefix="hub-"))
    try:
        running = Hub(state_dir, chp, hub_db_url, facilitators=["alice"])
        yield running
        running.stop()
    finally:
        # the hub's log (with its user servers') stays for a look after a failure
        OUTPUT.mkdir(exist_ok=True)
        if (state_dir / "hub.log").exists():
            shutil.copy(state_dir / "hub.log", OUTPUT / "jupyterhub.log")
        shutil.rmtree(state_dir, ignore_errors=True)


@pytest.fixture(scope="module")
def browser():
    if not Path(CHROMIUM).exists():
        missing(f"Chromium not found at {CHROMIUM}: install Debian's chromium package")
    with launched_chromium() as chromium:
        yield chromium
