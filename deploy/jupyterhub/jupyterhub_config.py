# JupyterHub for the course on one machine: every user gets a single-user server that serves
# the course with Voilà, signed in as their hub name, and every server writes to one store.
#
#   COURSE_DB_URL=postgresql+psycopg://course:secret@127.0.0.1/course \
#   COURSE_HUB_PASSWORD='a class password' \
#   .venv/bin/jupyterhub -f deploy/jupyterhub/jupyterhub_config.py
#
# Step-by-step instructions, and the Kubernetes version of the same settings (values.yaml),
# are in README.md beside this file. Every setting is an environment variable:
#
# COURSE_DB_URL              the store every server writes to (required): PostgreSQL for real
#                            use; a sqlite:////absolute/path URL only for a trial
# COURSE_HUB_IP, _PORT       where the hub listens (default all interfaces, port 8000)
# COURSE_HUB_AUTHENTICATOR   how people sign in: shared-password (default), dummy, pam,
#                            or any JupyterHub authenticator's name or class
# COURSE_HUB_PASSWORD        the class password (shared-password; dummy too, for tests)
# COURSE_HUB_ADMINS          comma-separated hub admins; with shared-password they sign in
# COURSE_HUB_ADMIN_PASSWORD  with this password (32 characters or more)
# COURSE_HUB_USERS           comma-separated names allowed in; empty lets in anyone the
#                            authenticator accepts with shared-password or dummy, nobody else
# COURSE_HUB_FACILITATORS    comma-separated names put in the facilitator group at start
# COURSE_HUB_FACILITATOR_GROUP  that group's name (default: facilitators)
# COURSE_HUB_SPAWNER         simple (default: every server runs as the hub's own system user,
#                            from a home folder under COURSE_HUB_HOMES) or localprocess (one
#                            system user per person, with pam), or a spawner's name or class
# COURSE_HUB_HOMES           home folder per user for the simple spawner
#                            (default: homes/{username} in the folder the hub runs in)
# COURSE_HUB_DB_UPGRADE      1 (default): bring the store's schema up to date at hub start
# COURSE_HUB_ALLOW_ROOT      1 lets the user servers run as root (containers and tests only)
# COURSE_HUB_EXTRA_CONFIG    a config file of your own, loaded last (e.g. an OAuth
#                            authenticator's client id and secret)
# Any other COURSE_* variable (COURSE_CULL_IDLE_TIMEOUT, COURSE_FACILITATOR_KEY, ...) is
# passed on to the user servers as it is; COURSE_HUB_* ones stay in the hub.
#
# Facilitators: each user server gets COURSE_HUB_FACILITATOR=1 if its user was in the
# facilitator group when the server started, else 0; the server's API token may also read
# the user's own groups from the hub ($JUPYTERHUB_API_URL/user) for a live answer.

import os
import subprocess
import sys
from pathlib import Path

from widgets.serving import SHARE_DIR

c = get_config()  # noqa: F821 - provided by JupyterHub's config loader

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[1]
BIN = Path(sys.executable).parent  # the environment JupyterHub and the course are installed in


def setting(name: str, default: str = "") -> str:
    return os.environ.get(name, "").strip() or default


def names(name: str) -> list[str]:
    return [n.strip() for n in setting(name).split(",") if n.strip()]


# -- the store ------------------------------------------------------------------------------

DB_URL = setting("COURSE_DB_URL")
if not DB_URL:
    sys.exit(
        "COURSE_DB_URL is not set. Every user server must write to one store: give a "
        "PostgreSQL URL such as postgresql+psycopg://course:secret@127.0.0.1/course"
    )
if setting("COURSE_HUB_DB_UPGRADE", "1") == "1":
    # One schema upgrade here, before any server starts, rather than one per server racing.
    done = subprocess.run(
        [sys.executable, "-m", "widgets.cli", "db", "upgrade"],
        env={**os.environ, "COURSE_DB_URL": DB_URL},
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode:
        sys.exit(f"Could not prepare the course database:\n{done.stderr or done.stdout}")
    print("Course database ready.", file=sys.stderr)

# -- where the hub listens ------------------------------------------------------------------

c.JupyterHub.bind_url = (
    f"http://{setting('COURSE_HUB_IP', '0.0.0.0')}:{setting('COURSE_HUB_PORT', '8000')}"
)

# -- who may sign in ------------------------------------------------------------------------

AUTHENTICATOR = setting("COURSE_HUB_AUTHENTICATOR", "shared-password")
c.JupyterHub.authenticator_class = AUTHENTICATOR
PASSWORD = setting("COURSE_HUB_PASSWORD")
if AUTHENTICATOR == "shared-password":
    c.SharedPasswordAuthenticator.user_password = PASSWORD or None
    c.SharedPasswordAuthenticator.admin_password = setting("COURSE_HUB_ADMIN_PASSWORD") or None
elif AUTHENTICATOR == "dummy" and PASSWORD:
    c.DummyAuthenticator.password = PASSWORD
c.Authenticator.admin_users = set(names("COURSE_HUB_ADMINS"))
c.Authenticator.allowed_users = set(names("COURSE_HUB_USERS"))
# A class password is the gate, so anyone who has it may come in. With any other
# authenticator (GitHub, a school's single sign-on ...) name the people in COURSE_HUB_USERS.
c.Authenticator.allow_all = not names("COURSE_HUB_USERS") and AUTHENTICATOR in (
    "shared-password",
    "dummy",
)

# -- facilitators: a hub group ---------------------------------------------------------------

GROUP = setting("COURSE_HUB_FACILITATOR_GROUP", "facilitators")
c.JupyterHub.load_groups = {GROUP: {"users": names("COURSE_HUB_FACILITATORS")}}


def is_facilitator(spawner) -> str:
    return "1" if any(group.name == GROUP for group in spawner.user.groups) else "0"


# The server's token may also read its own user's groups: a page can ask the hub
# (GET $JUPYTERHUB_API_URL/user) instead of trusting the flag set at start.
c.Spawner.server_token_scopes = [
    "users:activity!user",
    "access:servers!server",
    "read:users:groups!user",
]

# -- each user's server: the course in Voilà, nothing else -----------------------------------

SPAWNER = setting("COURSE_HUB_SPAWNER", "simple")
c.JupyterHub.spawner_class = SPAWNER
c.Spawner.cmd = [str(BIN / "jupyterhub-singleuser")]
if setting("COURSE_HUB_ALLOW_ROOT") == "1":
    c.Spawner.args = ["--ServerApp.allow_root=True"]
c.Spawner.default_url = "/voila/render/index.ipynb"
c.Spawner.notebook_dir = setting("COURSE_NOTEBOOK_DIR", str(REPO / "course"))
c.Spawner.disable_user_config = True  # nothing in a user's ~/.jupyter can undo the lock-down
c.Spawner.start_timeout = 120
c.SimpleLocalProcessSpawner.home_dir_template = setting(
    "COURSE_HUB_HOMES", os.path.abspath(os.path.join("homes", "{username}"))
)

passed_on = {
    key: value
    for key, value in os.environ.items()
    if key.startswith("COURSE_") and not key.startswith("COURSE_HUB_")
}
c.Spawner.environment = {
    **passed_on,
    "COURSE_DB_URL": DB_URL,
    "COURSE_NOTEBOOK_DIR": c.Spawner.notebook_dir,
    "COURSE_HUB_FACILITATOR": is_facilitator,
    # the course's Voilà template; it must be there from the start (see singleuser/)
    "JUPYTER_PATH": str(SHARE_DIR),
    # singleuser/jupyter_server_config.py: Voilà with the course's settings, locked down
    "JUPYTER_CONFIG_PATH": str(HERE / "singleuser"),
}

# -- anything else: a file of your own, loaded last ---------------------------------------

if setting("COURSE_HUB_EXTRA_CONFIG"):
    load_subconfig(setting("COURSE_HUB_EXTRA_CONFIG"))  # noqa: F821 - from the config loader
