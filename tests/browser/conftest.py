"""Real-browser fixtures: one Jupyter server on a temporary copy of the course, and Chromium.

The server is ``python -m jupyter lab`` on 127.0.0.1 with a random free port and
token, fresh config, data, runtime, settings and workspace directories, serving a
temporary copy of ``course/`` (so autosave never writes outputs into the
repository). The same server serves JupyterLab (``/lab``), Notebook 7
(``/notebooks``) and Voila (``/voila/render``). It is started once per session
and stopped by its own process group; kernels and sessions are deleted after
every test.

The browser is Debian's Chromium at ``/usr/bin/chromium`` driven by Playwright
(``playwright install`` cannot download a browser here). Without it the browser
tests skip, unless ``CALCWIDGETS_REQUIRE_BROWSER=1`` (set by ``.ci/run``), where
a missing browser is a failure.

Screenshots: on failure into ``tests/screenshots/`` (git-ignored), and of every
notebook and explorer when ``CALCWIDGETS_SCREENSHOTS=<dir>`` is set.
"""

from __future__ import annotations

import json
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

try:
    from playwright.sync_api import TimeoutError as PlaywrightTimeoutError
except ImportError:  # the fixtures skip (or fail in CI) before anything needs it
    PlaywrightTimeoutError = TimeoutError

REPO = Path(__file__).resolve().parents[2]
COURSE = REPO / "course"
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
REQUIRE_BROWSER = os.environ.get("CALCWIDGETS_REQUIRE_BROWSER", "") not in ("", "0")
SCREENSHOT_DIR = os.environ.get("CALCWIDGETS_SCREENSHOTS", "")
FAILURE_SCREENSHOTS = REPO / "tests" / "screenshots"
VIEWPORT = {"width": 1366, "height": 1000}

#: The explorers, each shown alone in a generated notebook ``_explorers/<name>.ipynb``.
EXPLORERS = (
    "LimitExplorer",
    "DerivativeExplorer",
    "IntegralExplorer",
    "GradientDescentExplorer",
    "OverfittingExplorer",
    "ConvergenceExplorer",
)

#: Generous limits: the suite must pass on a loaded 2-core machine.
SERVER_START_TIMEOUT = 180.0
KERNEL_IDLE_TIMEOUT_MS = 120_000
RUN_ALL_TIMEOUT_MS = 300_000
WIDGET_TIMEOUT_MS = 60_000

# JupyterLab user settings: no news or update toasts over the notebook, every cell
# in the DOM (no windowing) so that each output can be inspected.
LAB_SETTINGS = {
    "@jupyterlab/apputils-extension/notification.jupyterlab-settings": {
        "fetchNews": "false",
        "checkForUpdates": False,
        "doNotDisturbMode": True,
    },
    "@jupyterlab/notebook-extension/tracker.jupyterlab-settings": {
        "windowingMode": "none",
    },
    "@jupyterlab/docmanager-extension/plugin.jupyterlab-settings": {
        "autosave": False,
    },
}


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers",
        "browser: drives Chromium against a real Jupyter server (skips without "
        "/usr/bin/chromium unless CALCWIDGETS_REQUIRE_BROWSER=1)",
    )


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo) -> Iterator:
    # Keep each phase's report on the item, so a fixture can see that its test failed.
    report = yield
    setattr(item, f"report_{report.when}", report)
    return report


# The browser ---------------------------------------------------------------------------------


def _missing_browser(reason: str) -> None:
    if REQUIRE_BROWSER:
        pytest.fail(f"{reason} (CALCWIDGETS_REQUIRE_BROWSER=1, so this is a failure)")
    pytest.skip(reason)


@pytest.fixture(scope="session")
def chromium_available() -> None:
    """Skip (or, in CI, fail) when Chromium or Playwright is missing."""
    if not (CHROMIUM.is_file() and os.access(CHROMIUM, os.X_OK)):
        _missing_browser(
            f"no Chromium at {CHROMIUM}: install it with `sudo apt-get install chromium` "
            "(Debian/Ubuntu) to run the browser tests"
        )
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        _missing_browser("Playwright is not installed: pip install -e '.[test]'")


@pytest.fixture(scope="module")
def browser(chromium_available):
    # Module scope: Playwright's sync API keeps an event loop running in the main
    # thread while it is open, which would break asyncio code in later test files.
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True
        )
        try:
            yield chromium
        finally:
            chromium.close()


# The server ----------------------------------------------------------------------------------


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class JupyterServer:
    """A ``jupyter lab`` process serving a temporary directory, with REST helpers."""

    def __init__(self, base: Path) -> None:
        base.mkdir(parents=True, exist_ok=True)
        self.base = base
        self.root = base / "root"
        self.token = secrets.token_hex(24)
        self.port = _free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log_path = base / "server.log"
        self.process: subprocess.Popen | None = None

    # Lifecycle

    def environment(self) -> dict[str, str]:
        env = {
            key: value
            for key, value in os.environ.items()
            if not key.startswith(("JUPYTER", "JPY_", "IPYTHON"))
        }
        dirs = {
            "JUPYTER_CONFIG_DIR": "config",
            # The venv's own share/jupyter (lab extensions of ipywidgets, voila's
            # templates, the python3 kernel) stays on the path through sys.prefix.
            "JUPYTER_DATA_DIR": "data",
            "JUPYTER_RUNTIME_DIR": "runtime",
            "JUPYTERLAB_SETTINGS_DIR": "settings",
            "JUPYTERLAB_WORKSPACES_DIR": "workspaces",
            "IPYTHONDIR": "ipython",
        }
        for variable, name in dirs.items():
            path = self.base / name
            path.mkdir(parents=True, exist_ok=True)
            env[variable] = str(path)
        env["PYTHONUNBUFFERED"] = "1"
        # Matplotlib's font cache is kept (its default place): rebuilding it would
        # cost every kernel several seconds.
        return env

    def write_settings(self) -> None:
        for relative, values in LAB_SETTINGS.items():
            path = self.base / "settings" / relative
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(json.dumps(values, indent=1), encoding="utf-8")
        # Lab 4's "would you like news?" announcement plugin, off for Lab and Notebook 7.
        labconfig = self.base / "config" / "labconfig"
        labconfig.mkdir(parents=True, exist_ok=True)
        (labconfig / "page_config.json").write_text(
            json.dumps(
                {"disabledExtensions": {"@jupyterlab/apputils-extension:announcements": True}}
            ),
            encoding="utf-8",
        )

    def command(self) -> list[str]:
        return [
            sys.executable,
            "-m",
            "jupyter",
            "lab",
            "--no-browser",
            "--allow-root",
            "--ServerApp.ip=127.0.0.1",
            f"--ServerApp.port={self.port}",
            "--ServerApp.port_retries=0",
            f"--ServerApp.root_dir={self.root}",
            f"--IdentityProvider.token={self.token}",
            "--ServerApp.password=",
            "--ServerApp.terminals_enabled=False",
            "--LabApp.expose_app_in_browser=True",
            "--JupyterNotebookApp.expose_app_in_browser=True",
            "--LabApp.news_url=",
            "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate",
            "--LanguageServerManager.autodetect=False",
            # Voila as a server extension: show tracebacks, so a failing cell says why.
            "--VoilaConfiguration.show_tracebacks=True",
        ]

    def start(self) -> None:
        self.write_settings()
        log = self.log_path.open("wb")
        self.process = subprocess.Popen(
            self.command(),
            cwd=self.root,
            env=self.environment(),
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group, so it is stopped alone
        )
        log.close()
        deadline = time.monotonic() + SERVER_START_TIMEOUT
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(
                    f"jupyter lab exited with {self.process.returncode}:\n{self.log_tail()}"
                )
            try:
                status = self.api("GET", "/api/status")
            except (OSError, urllib.error.URLError):
                time.sleep(0.25)
                continue
            if "started" in status:
                return
        self.stop()
        raise RuntimeError(f"jupyter lab did not answer /api/status in time:\n{self.log_tail()}")

    def stop(self) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        try:
            self.delete_kernels_and_sessions()
        except (OSError, urllib.error.URLError):
            pass
        for sig, wait in ((signal.SIGTERM, 30), (signal.SIGKILL, 10)):
            try:
                os.killpg(self.process.pid, sig)
            except ProcessLookupError:
                break
            try:
                self.process.wait(timeout=wait)
                break
            except subprocess.TimeoutExpired:
                continue

    def log_tail(self, lines: int = 60) -> str:
        try:
            text = self.log_path.read_text(encoding="utf-8", errors="replace")
        except OSError:
            return ""
        return "\n".join(text.splitlines()[-lines:])

    # REST

    def api(self, method: str, path: str) -> dict | list | None:
        request = urllib.request.Request(
            self.url + path,
            method=method,
            headers={"Authorization": f"token {self.token}"},
        )
        with urllib.request.urlopen(request, timeout=30) as response:
            body = response.read()
        return json.loads(body) if body else None

    def delete_kernels_and_sessions(self) -> None:
        for session in self.api("GET", "/api/sessions") or []:
            try:
                self.api("DELETE", f"/api/sessions/{session['id']}")
            except urllib.error.HTTPError:
                pass
        for kernel in self.api("GET", "/api/kernels") or []:
            try:
                self.api("DELETE", f"/api/kernels/{kernel['id']}")
            except urllib.error.HTTPError:
                pass

    # URLs

    def page_url(self, prefix: str, path: str, query: str = "") -> str:
        quoted = urllib.request.pathname2url(path)
        separator = "&" if query else ""
        return f"{self.url}/{prefix}/{quoted.lstrip('/')}?{query}{separator}token={self.token}"


@pytest.fixture(scope="session")
def jupyter_server(chromium_available, tmp_path_factory) -> Iterator[JupyterServer]:
    """Start ``jupyter lab`` on a temporary copy of the course; stop it at the end."""
    base = tmp_path_factory.mktemp("jupyter")
    for attempt in range(3):
        server = JupyterServer(base / f"attempt{attempt}")
        shutil.copytree(
            COURSE, server.root, ignore=shutil.ignore_patterns(".ipynb_checkpoints", "__pycache__")
        )
        try:
            server.start()
            break
        except RuntimeError as error:
            # Another process may have taken the free port between probe and bind.
            if attempt == 2 or "address already in use" not in str(error).lower():
                raise
    try:
        yield server
    finally:
        server.stop()


def _one_cell_notebook(source: str) -> dict:
    return {
        "cells": [
            {
                "cell_type": "code",
                "id": "explorer",
                "metadata": {},
                "execution_count": None,
                "outputs": [],
                "source": source,
            }
        ],
        "metadata": {
            "kernelspec": {
                "display_name": "Python 3 (ipykernel)",
                "language": "python",
                "name": "python3",
            }
        },
        "nbformat": 4,
        "nbformat_minor": 5,
    }


@pytest.fixture(scope="session")
def explorer_notebooks(jupyter_server) -> dict[str, str]:
    """A one-cell notebook per explorer in the server's root: its path there, by name."""
    folder = jupyter_server.root / "_explorers"
    folder.mkdir(exist_ok=True)
    paths = {}
    for name in EXPLORERS:
        path = folder / f"{name}.ipynb"
        # The summary as built, printed before any front end has seen the explorer.
        source = (
            f"import html\nimport re\n\nfrom calcwidgets import {name}\n\n"
            f"explorer = {name}()\n"
            'print("built:", html.unescape(re.sub("<[^>]+>", "", explorer.summary.value)))\n'
            "explorer"
        )
        path.write_text(json.dumps(_one_cell_notebook(source), indent=1), encoding="utf-8")
        paths[name] = path.relative_to(jupyter_server.root).as_posix()
    return paths


# Pages ---------------------------------------------------------------------------------------


def _screenshot_name(item: pytest.Item) -> str:
    return re.sub(r"[^A-Za-z0-9_.-]+", "_", item.name).strip("_")


class Screenshots:
    """Save screenshots on request (CALCWIDGETS_SCREENSHOTS) and on failure."""

    def __init__(self, item: pytest.Item) -> None:
        self.item = item
        self.requested = Path(SCREENSHOT_DIR) if SCREENSHOT_DIR else None
        self.saved: list[Path] = []

    def take(self, target, name: str) -> Path | None:
        """Save ``target`` (a page or a locator) as ``<name>.png`` when asked to."""
        if self.requested is None:
            return None
        self.requested.mkdir(parents=True, exist_ok=True)
        path = self.requested / f"{name}.png"
        target.screenshot(path=str(path), animations="disabled", timeout=30_000)
        self.saved.append(path)
        return path

    def on_failure(self, page) -> Path | None:
        directory = self.requested or FAILURE_SCREENSHOTS
        directory.mkdir(parents=True, exist_ok=True)
        path = directory / f"FAILED-{_screenshot_name(self.item)}.png"
        try:
            page.screenshot(path=str(path), full_page=True, timeout=30_000)
        except Exception:  # the page may be gone; the test's own error is what matters
            return None
        return path


@pytest.fixture
def screenshots(request) -> Screenshots:
    return Screenshots(request.node)


@pytest.fixture
def page(browser, jupyter_server, screenshots, request):
    """A fresh page (its own browser context); kernels and sessions deleted afterwards."""
    context = browser.new_context(viewport=VIEWPORT, device_scale_factor=1)
    context.set_default_timeout(WIDGET_TIMEOUT_MS)
    new_page = context.new_page()
    new_page.console_errors = []
    new_page.on(
        "console",
        lambda message: (
            new_page.console_errors.append(message.text) if message.type == "error" else None
        ),
    )
    new_page.on("pageerror", lambda error: new_page.console_errors.append(f"pageerror: {error}"))
    try:
        yield new_page
    finally:
        report = getattr(request.node, "report_call", None)
        if report is not None and report.failed:
            saved = screenshots.on_failure(new_page)
            if saved is not None:
                print(f"screenshot of the failure: {saved}")
        context.close()
        jupyter_server.delete_kernels_and_sessions()


# Notebooks in JupyterLab and Notebook 7 --------------------------------------------------------

# The open notebook, read from the models (window.jupyterapp): every code cell's
# execution count and every error or stderr output, with the cell's source.
_NOTEBOOK_STATE_JS = r"""
() => {
  const app = window.jupyterapp;
  const panel = app && app.shell && app.shell.currentWidget;
  if (!panel || !panel.content || !panel.content.widgets || !panel.sessionContext) return null;
  const strip = text => String(text).replace(/\u001b\[[0-9;]*m/g, '');
  const cells = [];
  const errors = [];
  panel.content.widgets.forEach((cell, index) => {
    if (cell.model.type !== 'code') return;
    const source = cell.model.sharedModel.getSource();
    cells.push({index, executionCount: cell.model.executionCount});
    for (const output of cell.model.outputs.toJSON()) {
      if (output.output_type === 'error') {
        errors.push({index, source, kind: `${output.ename}: ${output.evalue}`,
                     text: strip((output.traceback || []).join('\n'))});
      } else if (output.output_type === 'stream' && output.name === 'stderr') {
        const text = Array.isArray(output.text) ? output.text.join('') : output.text;
        errors.push({index, source, kind: 'stderr', text: strip(text)});
      }
    }
  });
  const kernel = panel.sessionContext.session && panel.sessionContext.session.kernel;
  return {path: panel.context.path, cells, errors, kernel: kernel ? kernel.status : null};
}
"""

# What the page shows, whatever the models say: stderr and error outputs, widgets
# that failed to render or never did, and explorers' in-place error messages.
_DOM_PROBLEMS_JS = r"""
(root) => {
  root = root || document;
  const problems = [];
  const where = node => {
    const cell = node.closest('.jp-Cell');
    const input = cell && cell.querySelector('.jp-InputArea-editor');
    return input ? input.innerText.slice(0, 300) : '';
  };
  for (const node of root.querySelectorAll('[data-mime-type="application/vnd.jupyter.stderr"]')) {
    problems.push({kind: 'stderr or error output', text: node.innerText.slice(0, 2000),
                   source: where(node)});
  }
  for (const node of root.querySelectorAll('.jp-OutputArea-output')) {
    const text = node.innerText || '';
    const failed = new RegExp(['Error displaying widget', 'Error rendering', 'Model not found',
      'Failed to load model class', 'Could not create a view'].join('|'), 'i');
    if (failed.test(text.slice(0, 300))) {
      problems.push({kind: 'widget error', text: text.slice(0, 2000), source: where(node)});
    } else if (/^\s*Loading widget\.\.\.\s*$/.test(text)) {
      problems.push({kind: 'widget never rendered', text: text, source: where(node)});
    }
  }
  for (const node of root.querySelectorAll('.jupyter-widgets [role="alert"]')) {
    if (node.offsetParent !== null && node.innerText.trim()) {
      problems.push({kind: 'explorer message', text: node.innerText.slice(0, 1000),
                     source: where(node)});
    }
  }
  return problems;
}
"""


def format_problems(problems: list[dict]) -> str:
    parts = []
    for problem in problems:
        header = problem["kind"]
        if problem.get("index") is not None:
            header += f" in code cell #{problem['index']}"
        source = "\n".join("    | " + line for line in problem.get("source", "").splitlines()[:12])
        text = "\n".join("    " + line for line in problem.get("text", "").splitlines()[-25:])
        parts.append(f"{header}\n  cell:\n{source}\n  output:\n{text}")
    return "\n\n".join(parts)


class NotebookPage:
    """A notebook opened in JupyterLab (``/lab/tree``) or Notebook 7 (``/notebooks``)."""

    def __init__(self, page, server: JupyterServer) -> None:
        self.page = page
        self.server = server
        self.path = ""

    def open_in_lab(self, path: str) -> None:
        self.path = path
        self.page.goto(
            self.server.page_url("lab/tree", path, "reset"), timeout=KERNEL_IDLE_TIMEOUT_MS
        )
        self.page.locator(".jp-NotebookPanel .jp-Notebook").first.wait_for(
            timeout=KERNEL_IDLE_TIMEOUT_MS
        )
        # The status bar's kernel text, not the execution indicator (idle too early).
        self.page.locator("#jp-main-statusbar").get_by_text(re.compile(r"\|\s*Idle\s*$")).wait_for(
            timeout=KERNEL_IDLE_TIMEOUT_MS
        )
        self._wait_for_model()

    def open_in_notebook7(self, path: str) -> None:
        self.path = path
        self.page.goto(self.server.page_url("notebooks", path), timeout=KERNEL_IDLE_TIMEOUT_MS)
        self.page.locator(".jp-NotebookPanel .jp-Notebook").first.wait_for(
            timeout=KERNEL_IDLE_TIMEOUT_MS
        )
        # Notebook 7 has no status bar; the toolbar names the kernel once it is connected.
        self.page.locator(".jp-NotebookPanel-toolbar").get_by_text(
            "Python 3 (ipykernel)"
        ).first.wait_for(timeout=KERNEL_IDLE_TIMEOUT_MS)
        self._wait_for_model()

    def _wait_for_model(self) -> None:
        self.page.wait_for_function(
            f"(path) => {{ const s = ({_NOTEBOOK_STATE_JS})(); "
            "return s !== null && s.path === path && s.kernel === 'idle'; }",
            arg=self.path,
            timeout=KERNEL_IDLE_TIMEOUT_MS,
        )

    def state(self) -> dict:
        return self.page.evaluate(_NOTEBOOK_STATE_JS)

    def run_all(self, timeout_ms: float = RUN_ALL_TIMEOUT_MS) -> dict:
        """Run every cell; return the state once each code cell ran or one failed."""
        # Outputs and counts saved in the file must not pass for this run's.
        self.page.evaluate(
            """async () => {
              const commands = window.jupyterapp.commands;
              await commands.execute('notebook:clear-all-cell-outputs');
              commands.execute('notebook:run-all-cells');
            }"""
        )
        self.page.wait_for_function(
            f"""() => {{
              const s = ({_NOTEBOOK_STATE_JS})();
              if (s === null || s.kernel !== 'idle') return false;
              const pending = document.querySelectorAll('.jp-InputPrompt');
              for (const prompt of pending) if (prompt.textContent.includes('*')) return false;
              return s.errors.length > 0 || s.cells.every(cell => cell.executionCount !== null);
            }}""",
            timeout=timeout_ms,
            polling=250,
        )
        return self.state()

    def dom_problems(self) -> list[dict]:
        # Widgets render after their output arrives: give them time to leave
        # "Loading widget..." before calling one that stays so a problem.
        try:
            self.page.wait_for_function(
                r"""() => ![...document.querySelectorAll('.jp-OutputArea-output')]
                    .some(node => /^\s*Loading widget\.\.\.\s*$/.test(node.innerText || ''))""",
                timeout=WIDGET_TIMEOUT_MS,
                polling=250,
            )
        except PlaywrightTimeoutError:
            pass
        return self.page.evaluate(_DOM_PROBLEMS_JS, None)

    def problems(self) -> list[dict]:
        """Every error and stderr output (from the models) and every problem the page shows."""
        state = self.state()
        found = list(state["errors"])
        unran = [cell["index"] for cell in state["cells"] if cell["executionCount"] is None]
        if unran and not found:
            found.append({"kind": "cells never ran", "index": unran[0], "text": str(unran)})
        modelled = {problem.get("source", "")[:300] for problem in found}
        for problem in self.dom_problems():
            # A stderr output already reported from the model is not reported twice.
            if problem["kind"] == "stderr or error output" and problem["source"] in modelled:
                continue
            found.append(problem)
        return found

    def widget_outputs(self):
        """Each output that shows a widget."""
        return self.page.locator(".jp-OutputArea-output").filter(
            has=self.page.locator(".jupyter-widgets")
        )


@pytest.fixture
def notebook(page, jupyter_server) -> NotebookPage:
    return NotebookPage(page, jupyter_server)


# Explorers -----------------------------------------------------------------------------------

#: No new frame for this long (and an idle kernel) means the plot is quiet.
QUIET_MS = 300
FRAME_TIMEOUT_MS = 30_000

# Watches an explorer's <img>: counts new frames (src changes) and times each
# key press on one of its slider handles to the new frame being decoded and
# handed to the next animation frame (the pixels on screen).
_WATCH_JS = r"""
(img) => {
  if (img.__calcwidgets) return;
  const watch = img.__calcwidgets = {
    frames: 0, lastChange: performance.now(), pending: null, samples: [],
  };
  new MutationObserver(() => {
    watch.frames += 1;
    watch.lastChange = performance.now();
    const pending = watch.pending;
    if (pending && pending.src === undefined) {
      pending.src = performance.now();
      img.decode().catch(() => null).then(() => requestAnimationFrame(() => {
        pending.painted = performance.now();
        watch.samples.push(pending);
        watch.pending = null;
      }));
    }
  }).observe(img, {attributes: true, attributeFilter: ['src']});
  img.closest('.widget-vbox').addEventListener('keydown', (event) => {
    if (event.target.classList.contains('noUi-handle')) {
      watch.pending = {key: event.key, start: performance.now()};
    }
  }, true);
}
"""

_QUIET_JS = r"""
([img, quietMs]) => {
  const watch = img.__calcwidgets;
  const app = window.jupyterapp;
  const panel = app && app.shell && app.shell.currentWidget;
  const session = panel && panel.sessionContext && panel.sessionContext.session;
  const kernelIdle = !session || !session.kernel || session.kernel.status === 'idle';
  return kernelIdle && img.complete && img.naturalWidth > 0 && watch.pending === null
    && performance.now() - watch.lastChange > quietMs;
}
"""

_FRAME_PNG_JS = r"""
async (img) => {
  const bytes = new Uint8Array(await (await fetch(img.src)).arrayBuffer());
  let text = '';
  for (let i = 0; i < bytes.length; i += 0x8000) {
    text += String.fromCharCode.apply(null, bytes.subarray(i, i + 0x8000));
  }
  return btoa(text);
}
"""


class ExplorerView:
    """One explorer as the page shows it: its sliders, frame and summary."""

    def __init__(self, page, root) -> None:
        self.page = page
        self.root = root
        self.image = root.locator("img.widget-image").first
        self.summary = root.locator('[role="status"]').first

    def wait_rendered(self, timeout_ms: float = WIDGET_TIMEOUT_MS) -> None:
        self.image.wait_for(state="visible", timeout=timeout_ms)
        self.page.wait_for_function(
            "(img) => img.complete && img.naturalWidth > 0",
            arg=self.image.element_handle(),
            timeout=timeout_ms,
        )
        self.summary.wait_for(state="visible", timeout=timeout_ms)
        self.image.evaluate(_WATCH_JS)
        self.wait_quiet()

    # Controls

    def slider(self, description: str):
        label = self.page.locator("label.widget-label").filter(
            has_text=re.compile(rf"^\s*{re.escape(description)}\s*$")
        )
        return self.root.locator(".widget-hslider").filter(has=label).first

    def handle(self, description: str):
        return self.slider(description).locator(".noUi-handle").first

    def readout(self, description: str) -> str:
        return self.slider(description).locator(".widget-readout").inner_text().strip()

    def slider_position(self, description: str) -> str:
        return self.handle(description).get_attribute("aria-valuetext") or ""

    # Frames

    def frames(self) -> int:
        return self.image.evaluate("(img) => img.__calcwidgets.frames")

    def frame_png(self) -> bytes:
        import base64

        return base64.b64decode(self.image.evaluate(_FRAME_PNG_JS))

    def summary_text(self) -> str:
        return self.summary.inner_text().strip()

    def wait_for_new_frame(self, frames_before: int, timeout_ms: float = FRAME_TIMEOUT_MS) -> None:
        self.page.wait_for_function(
            "([img, before]) => img.__calcwidgets.frames > before",
            arg=[self.image.element_handle(), frames_before],
            timeout=timeout_ms,
            polling=20,
        )

    def wait_quiet(self, timeout_ms: float = FRAME_TIMEOUT_MS) -> None:
        self.page.wait_for_function(
            _QUIET_JS, arg=[self.image.element_handle(), QUIET_MS], timeout=timeout_ms, polling=50
        )

    def latency_samples(self) -> list[dict]:
        return self.image.evaluate("(img) => img.__calcwidgets.samples")

    def press(self, description: str, key: str, timeout_ms: float = FRAME_TIMEOUT_MS) -> None:
        """Press ``key`` on a slider's handle; wait for the new frame and for quiet."""
        frames = self.frames()
        self.handle(description).press(key)
        self.wait_for_new_frame(frames, timeout_ms)
        self.wait_quiet(timeout_ms)

    def drag(self, description: str, fraction: float, timeout_ms: float = FRAME_TIMEOUT_MS) -> None:
        """Drag a slider's handle with the mouse by ``fraction`` of its track's width."""
        track = self.slider(description).locator(".noUi-base").first.bounding_box()
        self.handle(description).scroll_into_view_if_needed()
        box = self.handle(description).bounding_box()
        start_x, y = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
        frames = self.frames()
        self.page.mouse.move(start_x, y)
        self.page.mouse.down()
        self.page.mouse.move(start_x + fraction * track["width"], y, steps=12)
        self.page.mouse.up()
        self.wait_for_new_frame(frames, timeout_ms)
        self.wait_quiet(timeout_ms)


def explorer_roots(page):
    """Each explorer on the page: a widget box holding a frame and a summary."""
    return (
        page.locator(".widget-vbox")
        .filter(has=page.locator("img.widget-image"))
        .filter(has=page.locator('[role="status"]'))
    )
