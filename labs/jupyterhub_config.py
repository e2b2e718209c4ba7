"""JupyterHub configuration for a calcwidgets lab on one machine.

One hub, one proxy and one Jupyter server per learner, each running the Python
that runs the hub (install calcwidgets there). Learners sign in with their
name from the roster and the password of the session. ``labs/README.md``
explains the settings and the measured memory per learner;
``labs/scale_test.py`` starts exactly this configuration on loopback and
drives a class of learners through it.

Set through the environment (or edit the defaults below):

``CALCWIDGETS_HUB_STATE_DIR``
    Where the hub keeps its database, cookie secret, pid files and the learners'
    home folders (default ``/srv/calcwidgets-hub``; created if missing).
``CALCWIDGETS_HUB_ROSTER``
    A text file with one learner name per line; ``#`` starts a comment
    (default ``roster.txt`` in the state folder). Only these names can sign in.
``CALCWIDGETS_HUB_PASSWORD``
    The password every learner signs in with, at least 8 characters.
``CALCWIDGETS_HUB_INSTRUCTOR_TOKEN``
    Optional: an API token for the instructor's scripts (start or stop servers,
    add learners, read their state) through ``/hub/api``.
``CALCWIDGETS_HUB_PROXY``
    Optional: the ``configurable-http-proxy`` command. By default the one
    installed by ``npm install --prefix labs/.proxy configurable-http-proxy``,
    else the one on ``PATH``.

Warning: learners share one operating-system account here (JupyterHub's
``SimpleLocalProcessSpawner``), so one learner's code can read another's files.
That suits a workshop on a machine that holds nothing else; for a course with
graded work, give each learner an account of their own (see ``labs/README.md``).
"""

import os
import shutil
import sys
from pathlib import Path

c = get_config()  # noqa: F821 -- provided by JupyterHub when it loads this file

LABS = Path(__file__).resolve().parent
STATE_DIR = Path(os.environ.get("CALCWIDGETS_HUB_STATE_DIR", "/srv/calcwidgets-hub"))
ROSTER = Path(os.environ.get("CALCWIDGETS_HUB_ROSTER", STATE_DIR / "roster.txt"))
PASSWORD = os.environ.get("CALCWIDGETS_HUB_PASSWORD", "")
INSTRUCTOR_TOKEN = os.environ.get("CALCWIDGETS_HUB_INSTRUCTOR_TOKEN", "")

#: What one learner's server may use, from the memory measured by labs/scale_test.py
#: (server, one kernel per open lesson and headroom; see labs/README.md). The local
#: spawner does not enforce it; it only passes it on to the server as MEM_LIMIT (which
#: jupyter-resource-usage shows), while spawners with cgroups (Systemd, Docker) enforce it.
MEMORY_PER_LEARNER = "1G"


def _read_roster(path: Path) -> set[str]:
    if not path.is_file():
        raise SystemExit(
            f"calcwidgets hub: no roster at {path}; write one learner name per line there "
            "or point CALCWIDGETS_HUB_ROSTER at your file"
        )
    names = {line.split("#", 1)[0].strip() for line in path.read_text().splitlines()}
    names.discard("")
    if not names:
        raise SystemExit(f"calcwidgets hub: the roster {path} names no learner")
    return names


def _proxy_command() -> str:
    configured = os.environ.get("CALCWIDGETS_HUB_PROXY")
    if configured:
        return configured
    local = LABS / ".proxy" / "node_modules" / ".bin" / "configurable-http-proxy"
    if local.exists():
        return str(local)
    return shutil.which("configurable-http-proxy") or "configurable-http-proxy"


if len(PASSWORD) < 8:
    raise SystemExit(
        "calcwidgets hub: set CALCWIDGETS_HUB_PASSWORD to the learners' password (8 characters "
        "or more)"
    )
STATE_DIR.mkdir(parents=True, exist_ok=True, mode=0o700)

# The hub's own state, all in one folder.
c.JupyterHub.db_url = f"sqlite:///{STATE_DIR / 'jupyterhub.sqlite'}"
c.JupyterHub.cookie_secret_file = str(STATE_DIR / "jupyterhub_cookie_secret")
c.JupyterHub.pid_file = str(STATE_DIR / "jupyterhub.pid")
c.ConfigurableHTTPProxy.pid_file = str(STATE_DIR / "proxy.pid")
c.ConfigurableHTTPProxy.command = [_proxy_command()]
# Learners reach the hub on port 8000 of every address; put TLS in front of it, or set
# c.JupyterHub.ssl_cert and c.JupyterHub.ssl_key, before passwords cross a network.
c.JupyterHub.bind_url = "http://:8000"

# Sign-in: the roster's names, one shared password.
c.JupyterHub.authenticator_class = "shared-password"
c.SharedPasswordAuthenticator.user_password = PASSWORD
c.Authenticator.allowed_users = _read_roster(ROSTER)

# One server per learner, started from the hub's own Python, home folders in the state folder.
c.JupyterHub.spawner_class = "simple"
c.SimpleLocalProcessSpawner.home_dir_template = str(STATE_DIR / "home" / "{username}")
c.Spawner.cmd = [sys.executable, "-m", "jupyterhub.singleuser"]
c.Spawner.default_url = "/lab"
if os.geteuid() == 0:
    # The shared account is root when the hub runs as root; Jupyter refuses that unless told.
    c.Spawner.args = ["--ServerApp.allow_root=True"]
c.Spawner.mem_limit = MEMORY_PER_LEARNER
# A whole class signing in at once starts its servers together: on a small machine each
# start takes longer than JupyterHub's defaults (60 s to start, 30 s to answer) allow.
c.Spawner.start_timeout = 180
c.Spawner.http_timeout = 120
c.JupyterHub.concurrent_spawn_limit = 50
# Many kernels share few cores: one BLAS thread per kernel keeps them from fighting over
# the cores (the explorers compute on small arrays, where more threads do not help).
c.Spawner.environment = {
    "OMP_NUM_THREADS": "1",
    "OPENBLAS_NUM_THREADS": "1",
    "MKL_NUM_THREADS": "1",
}
# The spawner passes on only the variables it is told to: JupyterHub's list, plus OpenBLAS's
# processor settings, without which some processors compute wrong results.
c.LocalProcessSpawner.env_keep = [
    "CONDA_DEFAULT_ENV",
    "CONDA_ROOT",
    "JUPYTERHUB_SINGLEUSER_APP",
    "LANG",
    "LC_ALL",
    "LD_LIBRARY_PATH",
    "PATH",
    "PYTHONPATH",
    "VIRTUAL_ENV",
    "OPENBLAS_CORETYPE",
    "OPENBLAS_L2_SIZE",
]

services: list[dict] = []
roles: list[dict] = []
if INSTRUCTOR_TOKEN:
    services.append({"name": "instructor", "api_token": INSTRUCTOR_TOKEN})
    roles.append(
        {
            "name": "instructor",
            "description": "The instructor's scripts: manage learners and their servers.",
            "scopes": ["admin:users", "admin:servers", "tokens", "access:servers", "read:hub"],
            "services": ["instructor"],
        }
    )
# Servers idle for an hour are stopped, if the culler is installed
# (pip install jupyterhub-idle-culler): their memory goes back to the class.
try:
    import jupyterhub_idle_culler  # noqa: F401
except ImportError:
    pass
else:
    services.append(
        {
            "name": "idle-culler",
            "command": [sys.executable, "-m", "jupyterhub_idle_culler", "--timeout=3600"],
        }
    )
    roles.append(
        {
            "name": "idle-culler",
            "scopes": ["list:users", "read:users:activity", "read:servers", "delete:servers"],
            "services": ["idle-culler"],
        }
    )
c.JupyterHub.services = services
c.JupyterHub.load_roles = roles
