"""A class on JupyterHub, on this machine: learners sign in, open lesson 04 and drag a slider.

Usage::

    python labs/scale_test.py --learners 10            # the full run
    python labs/scale_test.py --learners 2 --moves 8   # the smoke run of tests/test_hub_scale.py
    python labs/scale_test.py --learners 10 --pause 0.5 --server-nodelay   # see --help

It starts JupyterHub with ``labs/jupyterhub_config.py`` (shared-password sign-in,
one local server per learner) and configurable-http-proxy, on 127.0.0.1 ports
that are free, with every file of the hub in a temporary folder. It publishes
the learner copies of the course as a git repository in that folder. Then each
learner, as a browser would, through the proxy:

1. signs in with the roster name and the password (``POST /hub/api/users/NAME/tokens``),
2. starts a server and waits until the hub reports it ready (time to a running server),
3. follows the nbgitpuller link ``/hub/user-redirect/git-pull?repo=…&urlpath=…`` and
   pulls the course into the home folder,
4. opens lesson 04 (a session, so a kernel, through the server's REST API), connects
   to the kernel's websocket and runs the lesson's code cells up to the
   GradientDescentExplorer,
5. drags the learning-rate slider: each move is a ``comm_msg`` with an ``update`` of the
   slider's ``value``, as the widget manager in the browser sends it, timed until the
   Image model's update with the new PNG arrives on iopub (the kernel then going idle
   before the next move, as the widget manager waits for it).

One learner does this alone first (the single-learner latency), then the others
join together, and once all have the explorer on screen all drag at once (the
latency under load). After that it measures the memory of each learner's server
and kernel (RSS of the process tree; PSS too), stops every server through the
hub, stops the hub (which stops the proxy), and then looks for anything left:
every process it saw under the hub and every process that carries this run's
marker in its environment. Whatever survived is killed and reported.

Only loopback addresses are used, every wait has a time limit, and the exit
status is 0 only when every learner got through without a failure and nothing
was left running.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import datetime
import hashlib
import http.cookies
import json
import math
import os
import platform
import random
import re
import secrets
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.parse
import uuid
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import psutil
from tornado.httpclient import AsyncHTTPClient, HTTPRequest, HTTPResponse
from tornado.websocket import WebSocketClientConnection, websocket_connect

REPOSITORY = Path(__file__).resolve().parents[1]
LABS = REPOSITORY / "labs"
CONFIG = LABS / "jupyterhub_config.py"
LOCAL_PROXY = LABS / ".proxy" / "node_modules" / ".bin" / "configurable-http-proxy"
#: The configurable-http-proxy release that ``--install-proxy`` installs (runs on Node.js 20).
PROXY_RELEASE = "configurable-http-proxy@5.2.0"

#: The environment variable that marks every process of one run (hub, proxy, servers, kernels).
RUN_MARKER = "CALCWIDGETS_SCALE_RUN"
#: The folder nbgitpuller makes in a learner's home: the last part of the repository URL.
REPOSITORY_NAME = "calcwidgets"
LESSON = "course/04_gradient_descent.ipynb"
LANDING = "course/00_start_here.ipynb"
WEBSOCKET_PROTOCOL = "v1.kernel.websocket.jupyter.org"

# The moves stay where gradient descent is stable (η from 10⁻³ to about 0.3 on lesson 04's
# data, whose bound 2/L is 0.458) and jump at least 0.3 decades, so that every move shows a
# visibly different run.
_LOWEST_MOVE, _HIGHEST_MOVE = 1.0, 0.5  # decades above the slider's minimum, below its maximum
_SMALLEST_JUMP = 0.3  # decades
_WARM_UP_MOVES = 2


class StageError(Exception):
    """One learner's step failed; ``stage`` says which."""

    def __init__(self, stage: str, message: str) -> None:
        super().__init__(f"{stage}: {message}")
        self.stage = stage


# ---------------------------------------------------------------------------------------------
# Results


@dataclass
class LearnerResult:
    """What happened to one learner."""

    name: str
    phase: str
    seconds_to_running_server: float | None = None
    seconds_to_explorer: float | None = None
    latencies_ms: list[float] = field(default_factory=list)
    frames: list[str] = field(default_factory=list)  # sha256 of each new frame, in order
    frames_changed: bool = False
    server_rss_mib: float | None = None
    kernels_rss_mib: float | None = None
    total_rss_mib: float | None = None
    total_pss_mib: float | None = None
    kernel_cpu_ms_per_move: float | None = None
    server_cpu_ms_per_move: float | None = None
    failure: str | None = None


def _percentile(values: list[float], fraction: float) -> float:
    """Return the ``fraction`` quantile by linear interpolation (numpy's default)."""
    ordered = sorted(values)
    position = (len(ordered) - 1) * fraction
    low = int(position)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


def _summary(values: list[float]) -> dict[str, float | int] | None:
    if not values:
        return None
    return {
        "n": len(values),
        "p50": round(_percentile(values, 0.5), 1),
        "p95": round(_percentile(values, 0.95), 1),
        "max": round(max(values), 1),
        "mean": round(statistics.fmean(values), 1),
    }


# ---------------------------------------------------------------------------------------------
# The proxy, ports and the course repository


def find_proxy(explicit: str | None = None) -> str | None:
    """Return the configurable-http-proxy command to use, or None when there is none.

    Looks at ``explicit``, then ``$CALCWIDGETS_HUB_PROXY``, then ``labs/.proxy`` (where
    ``npm install --prefix labs/.proxy configurable-http-proxy`` puts it), then ``PATH``.
    """
    for candidate in (explicit, os.environ.get("CALCWIDGETS_HUB_PROXY")):
        if candidate:
            return candidate
    if LOCAL_PROXY.exists():
        return str(LOCAL_PROXY)
    return shutil.which("configurable-http-proxy")


def install_proxy() -> str:
    """Install configurable-http-proxy into ``labs/.proxy`` with npm; return its command."""
    npm = shutil.which("npm")
    if npm is None:
        raise SystemExit("scale test: npm is needed to install configurable-http-proxy")
    subprocess.run(
        [npm, "install", "--prefix", str(LABS / ".proxy"), "--no-audit", "--no-fund",
         PROXY_RELEASE],
        check=True,
        timeout=300,
    )  # fmt: skip
    return str(LOCAL_PROXY)


def _free_ports(count: int) -> list[int]:
    """Ask the system for ``count`` distinct free ports on 127.0.0.1."""
    sockets = []
    try:
        for _ in range(count):
            sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            sock.bind(("127.0.0.1", 0))
            sockets.append(sock)
        return [sock.getsockname()[1] for sock in sockets]
    finally:
        for sock in sockets:
            sock.close()


def _port_open(port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.settimeout(1.0)
        return sock.connect_ex(("127.0.0.1", port)) == 0


def _publish_course(folder: Path) -> Path:
    """Write the learner copies of course/ into a new git repository; return its folder."""
    from calcwidgets.coursetools import write_learner_copies

    source = folder / REPOSITORY_NAME
    write_learner_copies(REPOSITORY / "course", source / "course")
    git = ["git", "-c", "user.name=calcwidgets", "-c", "user.email=scale-test@localhost"]
    for command in (["init", "-q", "-b", "main"], ["add", "course"], ["commit", "-q", "-m", "x"]):
        subprocess.run([*git, *command], cwd=source, check=True, timeout=60)
    return source


# ---------------------------------------------------------------------------------------------
# Processes: start the hub, remember what runs under it, stop everything


class ProcessLedger:
    """Every process this run started, by pid and start time (so a reused pid is not taken)."""

    def __init__(self, run_id: str) -> None:
        self.run_id = run_id
        self.seen: dict[tuple[int, float], str] = {}

    def note(self, process: psutil.Process) -> None:
        """Remember ``process`` and all its descendants."""
        with contextlib.suppress(psutil.Error):
            for each in [process, *process.children(recursive=True)]:
                with contextlib.suppress(psutil.Error):
                    self.seen.setdefault((each.pid, each.create_time()), _describe(each))

    def marked(self) -> list[psutil.Process]:
        """Return the running processes whose environment carries this run's marker."""
        found = []
        for process in psutil.process_iter():
            with contextlib.suppress(psutil.Error):
                if process.environ().get(RUN_MARKER) == self.run_id:
                    found.append(process)
        return found

    def alive(self) -> list[psutil.Process]:
        """Return every process of this run that is still running (zombies excluded)."""
        alive: dict[int, psutil.Process] = {}
        for (pid, started), _ in self.seen.items():
            with contextlib.suppress(psutil.Error):
                process = psutil.Process(pid)
                if process.create_time() == started:
                    alive[pid] = process
        for process in self.marked():
            alive[process.pid] = process
        running = []
        for process in alive.values():
            with contextlib.suppress(psutil.Error):
                if process.status() != psutil.STATUS_ZOMBIE:
                    running.append(process)
        return running


def _describe(process: psutil.Process) -> str:
    with contextlib.suppress(psutil.Error):
        return f"{process.pid} {' '.join(process.cmdline())[:160]}"
    return str(process.pid)


def _stop_processes(processes: Iterable[psutil.Process], grace: float = 5.0) -> list[str]:
    """Terminate, then kill after ``grace`` seconds; return the descriptions of those stopped."""
    processes = list(processes)
    stopped = [_describe(process) for process in processes]
    for process in processes:
        with contextlib.suppress(psutil.Error):
            process.terminate()
    _, survivors = psutil.wait_procs(processes, timeout=grace)
    for process in survivors:
        with contextlib.suppress(psutil.Error):
            process.kill()
    psutil.wait_procs(survivors, timeout=grace)
    return stopped


@dataclass
class Hub:
    """A running JupyterHub of this run and how to reach it."""

    process: subprocess.Popen
    url: str  # the proxy's public address
    ports: dict[str, int]
    state_dir: Path
    password: str
    instructor_token: str
    log_path: Path

    def log_errors(self, limit: int = 20) -> list[str]:
        """Return the first error lines of the hub's log (``[E …]``: hub, proxy and servers)."""
        with contextlib.suppress(OSError):
            lines = self.log_path.read_text(errors="replace").splitlines()
            return [line[:300] for line in lines if line.startswith("[E ")][:limit]
        return []

    def log_tail(self, characters: int = 3000) -> str:
        """Return the end of the hub's log (the proxy's and the servers' logs are in it)."""
        with contextlib.suppress(OSError):
            return self.log_path.read_text(errors="replace")[-characters:]
        return ""


# An experiment (--server-nodelay): the servers' kernel websockets send each message at once.
# Tornado leaves Nagle's algorithm on for websockets, so during a drag the frame can wait for
# the TCP acknowledgement of a small message sent just before it (Linux delays those by up to
# 40 ms).
_NODELAY_SERVER_CONFIG = """\
from jupyter_server.services.kernels.websocket import KernelWebsocketHandler

_open = KernelWebsocketHandler.open


async def _open_without_nagle(self, kernel_id):
    self.set_nodelay(True)
    return await _open(self, kernel_id)


KernelWebsocketHandler.open = _open_without_nagle
"""


def _write_run_config(
    state_dir: Path, ports: dict[str, int], run_id: str, server_nodelay: bool
) -> Path:
    """Write the config that loads the class config and adds what only this run needs."""
    environment = {RUN_MARKER: run_id}
    if server_nodelay:
        server_config = state_dir / "server-config"
        server_config.mkdir()
        (server_config / "jupyter_server_config.py").write_text(_NODELAY_SERVER_CONFIG)
        environment["JUPYTER_CONFIG_PATH"] = str(server_config)
    path = state_dir / "scale_test_config.py"
    path.write_text(
        f"""# Generated by labs/scale_test.py for one run; removed with its folder.
c = get_config()  # noqa: F821
load_subconfig({str(CONFIG)!r})  # noqa: F821
# Loopback only, on ports that were free.
c.JupyterHub.bind_url = "http://127.0.0.1:{ports["proxy"]}"
c.JupyterHub.hub_bind_url = "http://127.0.0.1:{ports["hub"]}"
c.ConfigurableHTTPProxy.api_url = "http://127.0.0.1:{ports["proxy_api"]}"
c.Spawner.ip = "127.0.0.1"
# Every process of the run carries the marker, so that the cleanup can find it.
c.Spawner.environment = {{**c.Spawner.environment, **{environment!r}}}
"""
    )
    return path


def start_hub(
    state_dir: Path,
    learners: list[str],
    proxy: str,
    run_id: str,
    ledger: ProcessLedger,
    server_nodelay: bool = False,
) -> Hub:
    """Start JupyterHub (which starts the proxy) with the class config, on free loopback ports."""
    ports = dict(zip(("proxy", "hub", "proxy_api"), _free_ports(3), strict=True))
    password = secrets.token_urlsafe(12)
    token = secrets.token_hex(32)
    (state_dir / "roster.txt").write_text("".join(f"{name}\n" for name in learners))
    config = _write_run_config(state_dir, ports, run_id, server_nodelay)
    environment = {
        **os.environ,
        RUN_MARKER: run_id,
        "CALCWIDGETS_HUB_STATE_DIR": str(state_dir),
        "CALCWIDGETS_HUB_ROSTER": str(state_dir / "roster.txt"),
        "CALCWIDGETS_HUB_PASSWORD": password,
        "CALCWIDGETS_HUB_INSTRUCTOR_TOKEN": token,
        "CALCWIDGETS_HUB_PROXY": proxy,
    }
    log_path = state_dir / "jupyterhub.log"
    with open(log_path, "wb") as log:
        process = subprocess.Popen(
            [sys.executable, "-m", "jupyterhub", "-f", str(config)],
            cwd=state_dir,
            env=environment,
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    ledger.note(psutil.Process(process.pid))
    return Hub(
        process=process,
        url=f"http://127.0.0.1:{ports['proxy']}",
        ports=ports,
        state_dir=state_dir,
        password=password,
        instructor_token=token,
        log_path=log_path,
    )


def stop_hub(hub: Hub, ledger: ProcessLedger, timeout: float = 60.0) -> None:
    """Ask the hub to stop (it stops the servers it still runs and the proxy); wait for it."""
    if hub.process.poll() is None:
        with contextlib.suppress(psutil.Error):
            ledger.note(psutil.Process(hub.process.pid))
        hub.process.send_signal(signal.SIGTERM)
        with contextlib.suppress(subprocess.TimeoutExpired):
            hub.process.wait(timeout=timeout)
    if hub.process.poll() is None:
        hub.process.kill()
        hub.process.wait(timeout=10)


# ---------------------------------------------------------------------------------------------
# HTTP and the kernel websocket


class Client:
    """HTTP requests to the hub and the servers, through the proxy, with time limits."""

    def __init__(self, hub: Hub, connections: int) -> None:
        self.hub = hub
        self.http = AsyncHTTPClient(force_instance=True, max_clients=connections)

    async def request(
        self,
        method: str,
        path: str,
        token: str | None,
        body: Any = None,
        *,
        expect: tuple[int, ...] = (200,),
        timeout: float = 60.0,
        follow_redirects: bool = True,
        stage: str = "http",
    ) -> HTTPResponse:
        """Send one request; raise :class:`StageError` unless the status is in ``expect``."""
        headers = {"Authorization": f"token {token}"} if token else {}
        payload = None
        if body is not None:
            payload = json.dumps(body)
            headers["Content-Type"] = "application/json"
        elif method in ("POST", "PUT", "PATCH"):
            payload = ""
        request = HTTPRequest(
            self.hub.url + path,
            method=method,
            headers=headers,
            body=payload,
            connect_timeout=timeout,
            request_timeout=timeout,
            follow_redirects=follow_redirects,
            allow_nonstandard_methods=True,
        )
        try:
            response = await self.http.fetch(request, raise_error=False)
        except Exception as error:  # a refused connection or a time-out
            raise StageError(stage, f"{method} {path}: {error!r}") from error
        if response.code not in expect:
            text = (response.body or b"")[:300].decode(errors="replace")
            raise StageError(stage, f"{method} {path} answered {response.code}: {text}")
        return response

    async def json(self, method: str, path: str, token: str | None, body: Any = None, **kw) -> Any:
        """Send one request and return its JSON answer (None for an empty one)."""
        response = await self.request(method, path, token, body, **kw)
        return json.loads(response.body) if response.body else None

    def close(self) -> None:
        """Close the HTTP client."""
        self.http.close()


class Browser:
    """What a learner's browser does for pages: keep cookies and follow redirects."""

    def __init__(self, client: Client) -> None:
        self.client = client
        self.cookies: dict[tuple[str, str], str] = {}  # (path, name) → value

    def _cookie_header(self, path: str) -> str:
        chosen: dict[str, tuple[int, str]] = {}
        for (cookie_path, name), value in self.cookies.items():
            if path.startswith(cookie_path) and len(cookie_path) >= chosen.get(name, (-1, ""))[0]:
                chosen[name] = (len(cookie_path), value)
        return "; ".join(f"{name}={value}" for name, (_, value) in chosen.items())

    def _keep_cookies(self, response: HTTPResponse) -> None:
        for header in response.headers.get_list("Set-Cookie"):
            jar = http.cookies.SimpleCookie()
            jar.load(header)
            for name, morsel in jar.items():
                self.cookies[(morsel["path"] or "/", name)] = morsel.value

    async def open(
        self, path: str, form: dict[str, str] | None = None, *, stage: str, hops: int = 10
    ) -> tuple[str, HTTPResponse]:
        """Open ``path`` (POST ``form`` if given) and follow redirects; return where it ended."""
        method = "POST" if form is not None else "GET"
        for _ in range(hops):
            headers = {"Cookie": self._cookie_header(urllib.parse.urlsplit(path).path)}
            body = None
            if form is not None:
                body = urllib.parse.urlencode(form)
                headers["Content-Type"] = "application/x-www-form-urlencoded"
            request = HTTPRequest(
                self.client.hub.url + path,
                method=method,
                headers=headers,
                body=body,
                follow_redirects=False,
                connect_timeout=60,
                request_timeout=60,
            )
            try:
                response = await self.client.http.fetch(request, raise_error=False)
            except Exception as error:
                raise StageError(stage, f"{method} {path}: {error!r}") from error
            self._keep_cookies(response)
            if response.code in (301, 302, 303, 307):
                location = urllib.parse.urlsplit(response.headers["Location"])
                path = location.path + (f"?{location.query}" if location.query else "")
                method, form = "GET", None
                continue
            if response.code != 200:
                text = (response.body or b"")[:300].decode(errors="replace")
                raise StageError(stage, f"{method} {path} answered {response.code}: {text}")
            return path, response
        raise StageError(stage, f"more than {hops} redirects from {path}")


def _pack(channel: str, parts: list[bytes]) -> bytes:
    """Frame a message in the ``v1.kernel.websocket.jupyter.org`` protocol.

    The frame is the number of offsets, then the offsets (8-byte little-endian each),
    then the channel name and the parts (header, parent header, metadata, content,
    buffers): offset i is where piece i starts, the last one where the frame ends.
    """
    pieces = [channel.encode(), *parts]
    offsets = [8 * (len(pieces) + 2)]
    for piece in pieces:
        offsets.append(offsets[-1] + len(piece))
    numbers = [len(offsets), *offsets]
    return b"".join(number.to_bytes(8, "little") for number in numbers) + b"".join(pieces)


def _unpack(frame: bytes) -> tuple[str, list[bytes]]:
    """Split a ``v1.kernel.websocket.jupyter.org`` frame into its channel and parts."""
    count = int.from_bytes(frame[:8], "little")
    offsets = [int.from_bytes(frame[8 * (i + 1) : 8 * (i + 2)], "little") for i in range(count)]
    channel = frame[offsets[0] : offsets[1]].decode()
    return channel, [frame[offsets[i] : offsets[i + 1]] for i in range(1, count - 1)]


@dataclass
class Message:
    """A kernel message as received."""

    channel: str
    msg_type: str
    parent_id: str | None
    content: dict
    buffers: list[bytes]


class KernelSocket:
    """One kernel's websocket: send requests, route every reply to whoever waits for it."""

    def __init__(self, connection: WebSocketClientConnection, username: str) -> None:
        self.connection = connection
        self.username = username
        self.session = uuid.uuid4().hex
        self.models: dict[str, dict] = {}  # widget model id → state, from comm_open
        self._waiting: dict[str, asyncio.Queue[Message]] = {}
        self._reader = asyncio.create_task(self._read())

    async def _read(self) -> None:
        try:
            await self._route()
        finally:  # closed or broken: whoever waits hears it at once
            for queue in self._waiting.values():
                queue.put_nowait(Message("", "closed", None, {}, []))

    async def _route(self) -> None:
        while True:
            frame = await self.connection.read_message()
            if frame is None:
                return
            if not isinstance(frame, bytes):
                continue
            channel, parts = _unpack(frame)
            header, parent, _, content = (json.loads(part) for part in parts[:4])
            message = Message(channel, header["msg_type"], parent.get("msg_id"), content, parts[4:])
            # The widget models, kept up to date as the browser's widget manager keeps them.
            if message.msg_type == "comm_open" and content.get("target_name") == "jupyter.widget":
                self.models[content["comm_id"]] = dict(content["data"].get("state", {}))
            elif message.msg_type == "comm_msg" and content.get("comm_id") in self.models:
                data = content.get("data", {})
                if data.get("method") in ("update", "echo_update"):
                    self.models[content["comm_id"]].update(data.get("state", {}))
            queue = self._waiting.get(message.parent_id or "")
            if queue is not None:
                queue.put_nowait(message)

    def send(self, msg_type: str, content: dict) -> tuple[str, asyncio.Queue[Message]]:
        """Send a shell message; return its id and the queue its replies arrive in."""
        msg_id = uuid.uuid4().hex
        header = {
            "msg_id": msg_id,
            "msg_type": msg_type,
            "username": self.username,
            "session": self.session,
            "date": datetime.datetime.now(datetime.UTC).isoformat(),
            "version": "5.3",
        }
        queue: asyncio.Queue[Message] = asyncio.Queue()
        self._waiting[msg_id] = queue
        parts = [json.dumps(part).encode() for part in (header, {}, {}, content)]
        self.connection.write_message(_pack("shell", parts), binary=True)
        return msg_id, queue

    def forget(self, msg_id: str) -> None:
        """Stop routing replies to ``msg_id``."""
        self._waiting.pop(msg_id, None)

    @staticmethod
    async def next(queue: asyncio.Queue[Message], deadline: float, stage: str) -> Message:
        """Return the next reply, or raise :class:`StageError` at ``deadline``."""
        remaining = deadline - time.monotonic()
        try:
            message = await asyncio.wait_for(queue.get(), timeout=max(remaining, 0.001))
        except TimeoutError:
            raise StageError(stage, "the kernel did not answer in time") from None
        if message.msg_type == "closed":
            raise StageError(stage, "the kernel's websocket closed")
        return message

    async def kernel_info(self, timeout: float) -> None:
        """Wait until the kernel answers a ``kernel_info_request`` (it is then ready)."""
        msg_id, queue = self.send("kernel_info_request", {})
        deadline = time.monotonic() + timeout
        try:
            while (await self.next(queue, deadline, "kernel")).msg_type != "kernel_info_reply":
                pass
        finally:
            self.forget(msg_id)

    async def execute(self, code: str, timeout: float) -> list[dict]:
        """Run ``code``; return its display outputs, raise :class:`StageError` on an error."""
        msg_id, queue = self.send(
            "execute_request",
            {
                "code": code,
                "silent": False,
                "store_history": True,
                "user_expressions": {},
                "allow_stdin": False,
                "stop_on_error": True,
            },
        )
        deadline = time.monotonic() + timeout
        displays, replied, idle = [], False, False
        try:
            while not (replied and idle):
                message = await self.next(queue, deadline, "lesson")
                if message.msg_type in ("display_data", "execute_result"):
                    displays.append(message.content)
                elif message.msg_type == "error":
                    evalue = message.content.get("evalue", "")
                    raise StageError("lesson", f"{message.content.get('ename')}: {evalue}")
                elif message.msg_type == "execute_reply":
                    replied = True
                    if message.content.get("status") != "ok":
                        raise StageError("lesson", f"execute_reply {message.content}")
                elif message.msg_type == "status":
                    idle = message.content.get("execution_state") == "idle"
        finally:
            self.forget(msg_id)
        return displays

    async def move(
        self, slider: str, value: float, image: str, timeout: float
    ) -> tuple[float, bytes]:
        """Move ``slider`` to ``value`` as the browser does; return (seconds, new frame).

        The time runs from sending the update until the Image model's update with the
        new PNG arrives; the call returns once the kernel is idle again.
        """
        begin = time.perf_counter()
        msg_id, queue = self.send(
            "comm_msg",
            {
                "comm_id": slider,
                "data": {"method": "update", "state": {"value": value}, "buffer_paths": []},
            },
        )
        deadline = time.monotonic() + timeout
        elapsed, frame = None, None
        try:
            while True:
                message = await self.next(queue, deadline, "slider")
                content = message.content
                if (
                    elapsed is None
                    and message.msg_type == "comm_msg"
                    and content.get("comm_id") == image
                    and content["data"].get("method") == "update"
                    and ["value"] in content["data"].get("buffer_paths", [])
                ):
                    elapsed = time.perf_counter() - begin
                    index = content["data"]["buffer_paths"].index(["value"])
                    frame = message.buffers[index]
                elif message.msg_type == "error":
                    raise StageError("slider", f"{content.get('ename')}: {content.get('evalue')}")
                elif message.msg_type == "status" and content["execution_state"] == "idle":
                    break
        finally:
            self.forget(msg_id)
        if elapsed is None or frame is None:
            raise StageError("slider", f"no new frame after moving the slider to {value:g}")
        return elapsed, frame

    def close(self) -> None:
        """Close the websocket."""
        self.connection.close()
        self._reader.cancel()


# ---------------------------------------------------------------------------------------------
# One learner


@dataclass
class Settings:
    """The run's knobs."""

    learners: int
    moves: int
    pause: float
    seed: int
    step_timeout: float
    server_nodelay: bool = False


class LearnerSession:
    """One learner's way through the hub, step by step, as a browser would go."""

    def __init__(self, client: Client, name: str, phase: str, settings: Settings, index: int):
        self.client = client
        self.name = name
        self.settings = settings
        self.random = random.Random(settings.seed * 1000 + index)
        self.result = LearnerResult(name=name, phase=phase)
        self.browser = Browser(client)
        self.token: str | None = None
        self.kernel: KernelSocket | None = None
        self.slider: str | None = None
        self.image: str | None = None
        self.server_process: psutil.Process | None = None

    async def join(self) -> None:
        """Sign in, start the server, pull the course, open lesson 04 and run it."""
        began = time.perf_counter()
        await self._sign_in()
        await self._start_server()
        await self._pull_course()
        await self._open_lesson()
        self.result.seconds_to_explorer = round(time.perf_counter() - began, 2)
        # The server's process, from the hub (the instructor's token may read server state).
        user = await self.client.json(
            "GET", f"/hub/api/users/{self.name}", self.client.hub.instructor_token, stage="memory"
        )
        self.server_process = psutil.Process(user["servers"][""]["state"]["pid"])

    def _cpu_seconds(self) -> tuple[float, float]:
        """Return the CPU seconds used so far by the server and by its kernels."""

        def used(process: psutil.Process) -> float:
            times = process.cpu_times()
            return times.user + times.system

        kernels = self.server_process.children(recursive=True)
        return used(self.server_process), sum(used(kernel) for kernel in kernels)

    async def _sign_in(self) -> None:
        # The login page, as a browser signs in: the form carries the _xsrf token of its cookie.
        _, page = await self.browser.open("/hub/login", stage="sign-in")
        xsrf = re.search(rb'name="_xsrf"\s+value="([^"]+)"', page.body)
        if xsrf is None:
            raise StageError("sign-in", "the login page has no _xsrf field")
        form = {
            "_xsrf": xsrf.group(1).decode(),
            "username": self.name,
            "password": self.client.hub.password,
        }
        landed, _ = await self.browser.open("/hub/login", form, stage="sign-in")
        if landed.startswith("/hub/login"):
            raise StageError("sign-in", "the login form did not accept the roster name")
        # A token for the scripted requests, through the hub's API with the same password.
        answer = await self.client.json(
            "POST",
            f"/hub/api/users/{self.name}/tokens",
            None,
            {
                "auth": {"username": self.name, "password": self.client.hub.password},
                "note": "calcwidgets scale test",
                "expires_in": 3600,
            },
            expect=(200, 201),
            stage="sign-in",
        )
        self.token = answer["token"]

    async def _start_server(self) -> None:
        began = time.perf_counter()
        await self.client.request(
            "POST", f"/hub/api/users/{self.name}/server", self.token, expect=(201, 202),
            stage="start server",
        )  # fmt: skip
        deadline = time.monotonic() + self.settings.step_timeout
        while time.monotonic() < deadline:
            user = await self.client.json(
                "GET", f"/hub/api/users/{self.name}", self.token, stage="start server"
            )
            server = user.get("servers", {}).get("")
            if server and server.get("ready"):
                self.result.seconds_to_running_server = round(time.perf_counter() - began, 2)
                return
            if not server and not user.get("pending"):
                raise StageError("start server", "the server stopped while starting")
            await asyncio.sleep(0.2)
        raise StageError("start server", f"not ready after {self.settings.step_timeout:g} s")

    async def _pull_course(self) -> None:
        repository = f"file://{self.client.hub.state_dir / 'git' / REPOSITORY_NAME}"
        query = urllib.parse.urlencode(
            {
                "repo": repository,
                "branch": "main",
                "urlpath": f"lab/tree/{REPOSITORY_NAME}/{LANDING}",
            }
        )
        # The link an instructor hands out, clicked in the signed-in browser: the hub sends it
        # to the learner's server, which signs it in with the hub (OAuth) and shows the pull page.
        landed, page = await self.browser.open(
            f"/hub/user-redirect/git-pull?{query}", stage="nbgitpuller link"
        )
        if not landed.startswith(f"/user/{self.name}/git-pull?"):
            raise StageError("nbgitpuller link", f"ended at {landed}")
        if f"lab/tree/{REPOSITORY_NAME}/{LANDING}".encode() not in page.body:
            raise StageError("nbgitpuller link", "the pull page does not lead to the landing page")
        # What the pull page's script then asks for: the pull itself, as an event stream.
        stream = await self.client.request(
            "GET", f"/user/{self.name}/git-pull/api?{query}", self.token,
            timeout=self.settings.step_timeout, stage="nbgitpuller pull",
        )  # fmt: skip
        events = [
            json.loads(line[len("data: ") :])
            for line in stream.body.decode().splitlines()
            if line.startswith("data: ")
        ]
        if not events or events[-1].get("phase") != "finished":
            last = events[-1] if events else {}
            raise StageError("nbgitpuller pull", f"ended with {last.get('message', last)}")
        await self.client.request(
            "GET", f"/user/{self.name}/api/contents/{REPOSITORY_NAME}/{LANDING}?content=0",
            self.token, stage="nbgitpuller pull",
        )  # fmt: skip

    async def _open_lesson(self) -> None:
        base = f"/user/{self.name}"
        path = f"{REPOSITORY_NAME}/{LESSON}"
        notebook = await self.client.json(
            "GET", f"{base}/api/contents/{path}", self.token, stage="open lesson"
        )
        cells = ["".join(cell["source"]) for cell in notebook["content"]["cells"]
                 if cell["cell_type"] == "code"]  # fmt: skip
        explorer_cell = next(
            (i for i, code in enumerate(cells) if "GradientDescentExplorer()" in code), None
        )
        if explorer_cell is None:
            raise StageError("open lesson", f"{LESSON} has no cell that builds the explorer")
        session = await self.client.json(
            "POST",
            f"{base}/api/sessions",
            self.token,
            {"path": path, "name": Path(path).name, "type": "notebook",
             "kernel": {"name": "python3"}},
            expect=(201,),
            stage="open lesson",
        )  # fmt: skip
        kernel_id = session["kernel"]["id"]
        url = self.client.hub.url.replace("http://", "ws://", 1)
        request = HTTPRequest(
            f"{url}{base}/api/kernels/{kernel_id}/channels?session_id={uuid.uuid4().hex}",
            headers={"Authorization": f"token {self.token}"},
            connect_timeout=self.settings.step_timeout,
            request_timeout=self.settings.step_timeout,
        )
        try:
            connection = await websocket_connect(
                request, subprotocols=[WEBSOCKET_PROTOCOL], max_message_size=64 * 2**20
            )
        except Exception as error:
            raise StageError("open lesson", f"kernel websocket: {error!r}") from error
        if connection.selected_subprotocol != WEBSOCKET_PROTOCOL:
            connection.close()
            raise StageError("open lesson", "the server did not take the v1 websocket protocol")
        # Browsers send each websocket frame at once (TCP_NODELAY); so does this client.
        connection.protocol.set_nodelay(True)
        self.kernel = KernelSocket(connection, self.name)
        await self.kernel.kernel_info(self.settings.step_timeout)
        displays: list[dict] = []
        for code in cells[: explorer_cell + 1]:
            displays = await self.kernel.execute(code, self.settings.step_timeout)
        self._find_widgets(displays)

    def _find_widgets(self, displays: list[dict]) -> None:
        views = [
            display["data"]["application/vnd.jupyter.widget-view+json"]["model_id"]
            for display in displays
            if "application/vnd.jupyter.widget-view+json" in display.get("data", {})
        ]
        if not views:
            raise StageError("open lesson", "the explorer cell displayed no widget")
        models = self.kernel.models
        found, pending = set(), [views[-1]]
        while pending:  # every model the explorer's view holds, as the browser renders it
            model_id = pending.pop()
            if model_id in found or model_id not in models:
                continue
            found.add(model_id)
            for value in models[model_id].values():
                for item in value if isinstance(value, list) else [value]:
                    if isinstance(item, str) and item.startswith("IPY_MODEL_"):
                        pending.append(item[len("IPY_MODEL_") :])
        for model_id in found:
            state = models[model_id]
            if state.get("_model_name") == "FloatLogSliderModel" and "learning rate" in str(
                state.get("description")
            ):
                self.slider = model_id
            elif state.get("_model_name") == "ImageModel":
                self.image = model_id
        if self.slider is None or self.image is None:
            kinds = sorted({str(models[model_id].get("_model_name")) for model_id in found})
            raise StageError(
                "open lesson",
                f"no learning-rate slider or image in the explorer; its models: {kinds} "
                f"of {len(models)} widget models",
            )

    def _plan(self, count: int) -> list[float]:
        state = self.kernel.models[self.slider]
        low, high = state["min"] + _LOWEST_MOVE, state["max"] - _HIGHEST_MOVE
        step, base = state["step"], state["base"]
        positions = range(round(low / step), round(high / step) + 1)
        current = round(math.log(state["value"], base) / step)
        plan = []
        for _ in range(count):
            far = [p for p in positions if abs(p - current) * step >= _SMALLEST_JUMP]
            current = self.random.choice(far)
            plan.append(float(base ** (current * step)))
        return plan

    async def drag(self) -> None:
        """Move the learning-rate slider ``moves`` times (after two untimed warm-up moves)."""
        frames = []
        plan = self._plan(_WARM_UP_MOVES + self.settings.moves)
        server_before, kernels_before = self._cpu_seconds()
        for number, value in enumerate(plan):
            elapsed, frame = await self.kernel.move(
                self.slider, value, self.image, self.settings.step_timeout
            )
            if not frame.startswith(b"\x89PNG"):
                raise StageError("slider", "the new frame is not a PNG image")
            frames.append(hashlib.sha256(frame).hexdigest())
            if number >= _WARM_UP_MOVES:
                self.result.latencies_ms.append(round(1000 * elapsed, 2))
            if self.settings.pause:
                await asyncio.sleep(self.settings.pause * (0.5 + self.random.random()))
        server_after, kernels_after = self._cpu_seconds()
        self.result.kernel_cpu_ms_per_move = round(
            1000 * (kernels_after - kernels_before) / len(plan), 1
        )
        self.result.server_cpu_ms_per_move = round(
            1000 * (server_after - server_before) / len(plan), 1
        )
        self.result.frames = frames
        self.result.frames_changed = all(a != b for a, b in zip(frames, frames[1:], strict=False))
        if not self.result.frames_changed:
            raise StageError("slider", "a move of the slider left the frame unchanged")


async def _run_step(session: LearnerSession, step) -> bool:
    """Run one step of a learner; record a failure instead of raising."""
    if session.result.failure:
        return False
    try:
        await step()
    except StageError as error:
        session.result.failure = str(error)
    except Exception as error:  # anything else still fails only this learner
        session.result.failure = f"unexpected: {error!r}"
    return session.result.failure is None


# ---------------------------------------------------------------------------------------------
# Memory


def _memory(process: psutil.Process) -> tuple[float, float, float, float]:
    """Return (server RSS, kernels RSS, total RSS, total PSS) in MiB for a server's tree."""
    mib = 2**20
    tree = [process, *process.children(recursive=True)]
    rss = [each.memory_info().rss for each in tree]
    try:
        pss = sum(each.memory_full_info().pss for each in tree)
    except (psutil.Error, AttributeError):
        pss = float("nan")
    return rss[0] / mib, sum(rss[1:]) / mib, sum(rss) / mib, pss / mib


async def _measure_memory(session: LearnerSession) -> None:
    server, kernels, total, pss = _memory(session.server_process)
    session.result.server_rss_mib = round(server, 1)
    session.result.kernels_rss_mib = round(kernels, 1)
    session.result.total_rss_mib = round(total, 1)
    session.result.total_pss_mib = round(pss, 1)


# ---------------------------------------------------------------------------------------------
# The run


async def _watch(hub: Hub, ledger: ProcessLedger, stop: asyncio.Event) -> None:
    """Note every process under the hub every half second, so that none escapes the cleanup."""
    while not stop.is_set():
        with contextlib.suppress(psutil.Error):
            ledger.note(psutil.Process(hub.process.pid))
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), timeout=0.5)


async def _wait_for_hub(client: Client, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if client.hub.process.poll() is not None:
            raise StageError("hub", f"JupyterHub exited; its log ends:\n{client.hub.log_tail()}")
        with contextlib.suppress(StageError):
            await client.request("GET", "/hub/api/", None, timeout=5, stage="hub")
            return
        await asyncio.sleep(0.25)
    raise StageError("hub", f"not answering after {timeout:g} s; log:\n{client.hub.log_tail()}")


async def _stop_servers(client: Client, names: list[str], timeout: float) -> None:
    """Stop every learner's server through the hub and wait until the hub says they are gone."""
    token = client.hub.instructor_token
    for name in names:
        with contextlib.suppress(StageError):
            await client.request(
                "DELETE", f"/hub/api/users/{name}/server", token, expect=(202, 204, 400),
                stage="stop",
            )  # fmt: skip
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            users = await client.json("GET", "/hub/api/users", token, stage="stop")
        except StageError:
            return
        if not any(user.get("servers") or user.get("pending") for user in users):
            return
        await asyncio.sleep(0.25)


async def _class(hub: Hub, ledger: ProcessLedger, settings: Settings, report: dict) -> None:
    client = Client(hub, connections=max(16, 4 * settings.learners))
    stop_watching = asyncio.Event()
    watcher = asyncio.create_task(_watch(hub, ledger, stop_watching))
    names = [f"learner-{i:02d}" for i in range(1, settings.learners + 1)]
    sessions = [
        LearnerSession(client, name, "single" if i == 0 else "class", settings, i)
        for i, name in enumerate(names)
    ]
    report["learner_results"] = [session.result for session in sessions]
    try:
        began = time.perf_counter()
        await _wait_for_hub(client, settings.step_timeout)
        report["seconds_to_hub"] = round(time.perf_counter() - began, 2)

        # 1. One learner alone: the reference figures.
        first = sessions[0]
        if await _run_step(first, first.join):
            await _run_step(first, first.drag)
        first_latencies = list(first.result.latencies_ms)

        # 2. The rest of the class signs in at once and opens the lesson.
        others = sessions[1:]
        await asyncio.gather(*(_run_step(session, session.join) for session in others))

        # 3. Everybody drags at once.
        if settings.learners > 1:
            first.result.latencies_ms = []
            ready = [session for session in sessions if session.result.failure is None]
            await asyncio.gather(*(_run_step(session, session.drag) for session in ready))
        report["single_latencies_ms"] = first_latencies

        for session in sessions:
            if session.result.failure is None:
                await _run_step(session, lambda session=session: _measure_memory(session))
        with contextlib.suppress(psutil.Error, OSError, ValueError):
            report["hub_rss_mib"] = round(
                psutil.Process(hub.process.pid).memory_info().rss / 2**20, 1
            )
            proxy_pid = int((hub.state_dir / "proxy.pid").read_text())
            report["proxy_rss_mib"] = round(psutil.Process(proxy_pid).memory_info().rss / 2**20, 1)
    finally:
        for session in sessions:
            if session.kernel is not None:
                session.kernel.close()
        began = time.perf_counter()
        with contextlib.suppress(Exception):
            await _stop_servers(client, names, timeout=60)
        report["seconds_to_stop_servers"] = round(time.perf_counter() - began, 2)
        stop_watching.set()
        await watcher
        client.close()


def _machine() -> dict[str, Any]:
    model = platform.processor() or platform.machine()
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    import jupyterhub

    return {
        "cpu": model,
        "cores": os.cpu_count(),
        "memory_gib": round(psutil.virtual_memory().total / 2**30, 1),
        "system": f"{platform.system()} {platform.release()}",
        "python": platform.python_version(),
        "jupyterhub": jupyterhub.__version__,
    }


def run(settings: Settings, proxy: str, run_id: str, keep: bool = False) -> dict[str, Any]:
    """Run the scale test; return the report (see :func:`main` for what it holds)."""
    ledger = ProcessLedger(run_id)
    report: dict[str, Any] = {
        "date": datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
        "run_id": run_id,
        "settings": asdict(settings),
        "machine": _machine(),
        # Other work on the machine slows everything measured here: look at this first.
        "load_average_before": [round(load, 2) for load in os.getloadavg()],
        "proxy_command": proxy,
    }
    with contextlib.suppress(OSError, subprocess.SubprocessError):
        report["proxy_version"] = subprocess.run(
            [proxy, "--version"], capture_output=True, text=True, timeout=30
        ).stdout.strip()
    state_dir = Path(tempfile.mkdtemp(prefix="calcwidgets-hub-"))
    hub: Hub | None = None
    errors: list[str] = []
    try:
        _publish_course(state_dir / "git")
        names = [f"learner-{i:02d}" for i in range(1, settings.learners + 1)]
        hub = start_hub(state_dir, names, proxy, run_id, ledger, settings.server_nodelay)
        report["ports"] = hub.ports
        overall = settings.step_timeout * 6 + 60 * settings.learners
        try:
            asyncio.run(asyncio.wait_for(_class(hub, ledger, settings, report), overall))
        except TimeoutError:
            errors.append(f"the run took longer than its limit of {overall:g} s")
        except StageError as error:
            errors.append(str(error))
    except BaseException as error:  # interrupted or broken: stop everything all the same
        errors.append(f"{type(error).__name__}: {error}")
    finally:
        if hub is not None:
            stop_hub(hub, ledger)
            report["hub_exit_code"] = hub.process.returncode
            report["hub_log_errors"] = hub.log_errors()
            report["hub_log_tail"] = hub.log_tail(1500)
        time.sleep(0.5)  # the proxy and servers exit just after the hub
        survivors = ledger.alive()
        report["left_running_after_stop"] = [_describe(process) for process in survivors]
        _stop_processes(survivors)
        report["still_running"] = [_describe(process) for process in ledger.alive()]
        report["processes_seen"] = len(ledger.seen)
        if hub is not None:
            report["ports_still_open"] = [p for p in hub.ports.values() if _port_open(p)]
        if keep:
            report["state_dir"] = str(state_dir)
        else:
            shutil.rmtree(state_dir, ignore_errors=True)
        report["load_average_after"] = [round(load, 2) for load in os.getloadavg()]
        _finish_report(report, errors)
    return report


def _finish_report(report: dict[str, Any], errors: list[str]) -> None:
    results: list[LearnerResult] = report.pop("learner_results", [])
    report["learners"] = [asdict(result) for result in results]
    failures = [f"{result.name}: {result.failure}" for result in results if result.failure]
    report["failures"] = errors + failures
    single = report.get("single_latencies_ms", [])
    under_load = [ms for result in results for ms in result.latencies_ms]
    if len(results) == 1:
        under_load = []
    report["latency_single_ms"] = _summary(single)
    report["latency_under_load_ms"] = _summary(under_load)
    if single and under_load:
        report["p95_ratio"] = round(
            report["latency_under_load_ms"]["p95"] / report["latency_single_ms"]["p95"], 2
        )
    spawns = [r.seconds_to_running_server for r in results[1:] if r.seconds_to_running_server]
    report["seconds_to_running_server"] = {
        "single": results[0].seconds_to_running_server if results else None,
        "class": _summary(spawns),
    }
    totals = [r.total_rss_mib for r in results if r.total_rss_mib is not None]
    report["memory_per_learner_rss_mib"] = _summary(totals)
    report["memory_per_learner_pss_mib"] = _summary(
        [r.total_pss_mib for r in results if r.total_pss_mib is not None]
    )
    report["kernel_cpu_ms_per_move"] = _summary(
        [r.kernel_cpu_ms_per_move for r in results if r.kernel_cpu_ms_per_move is not None]
    )
    report["server_cpu_ms_per_move"] = _summary(
        [r.server_cpu_ms_per_move for r in results if r.server_cpu_ms_per_move is not None]
    )
    report["stopped_cleanly"] = not report.get("left_running_after_stop") and not report.get(
        "still_running"
    )
    report["ok"] = (
        not report["failures"] and report["stopped_cleanly"] and not report.get("ports_still_open")
    )


def _text(report: dict[str, Any]) -> str:
    """Format the report for a person."""
    machine = report["machine"]
    lines = [
        f"calcwidgets hub scale test, {report['date']}",
        f"machine: {machine['cores']} cores ({machine['cpu']}), {machine['memory_gib']} GiB, "
        f"{machine['system']}, Python {machine['python']}, JupyterHub {machine['jupyterhub']}, "
        f"configurable-http-proxy {report.get('proxy_version', '?')}",
        f"load average (1, 5, 15 min) before: {report['load_average_before']}, after: "
        f"{report['load_average_after']}",
        f"learners: {report['settings']['learners']}, timed moves each: "
        f"{report['settings']['moves']}, pause between moves: {report['settings']['pause']} s"
        + (", servers without Nagle's delay" if report["settings"]["server_nodelay"] else ""),
        "",
        f"{'learner':<12}{'server s':>9}{'explorer s':>11}{'p50 ms':>8}{'p95 ms':>8}"
        f"{'server MiB':>11}{'kernel MiB':>11}{'RSS MiB':>9}{'PSS MiB':>9}  failure",
    ]

    def cell(value: Any, width: int) -> str:
        return f"{'—' if value is None else value:>{width}}"

    for learner in report["learners"]:
        latencies = learner["latencies_ms"]
        lines.append(
            f"{learner['name']:<12}"
            + cell(learner["seconds_to_running_server"], 9)
            + cell(learner["seconds_to_explorer"], 11)
            + cell(round(_percentile(latencies, 0.5), 1) if latencies else None, 8)
            + cell(round(_percentile(latencies, 0.95), 1) if latencies else None, 8)
            + cell(learner["server_rss_mib"], 11)
            + cell(learner["kernels_rss_mib"], 11)
            + cell(learner["total_rss_mib"], 9)
            + cell(learner["total_pss_mib"], 9)
            + f"  {learner['failure'] or ''}"
        )
    lines += [
        "",
        f"slider latency, one learner alone: {report['latency_single_ms']}",
        f"slider latency, all learners at once: {report['latency_under_load_ms']}",
        f"p95 under load / p95 alone: {report.get('p95_ratio', '—')} (goal ≤ 3)",
        f"time to a running server: {report['seconds_to_running_server']}",
        f"memory per learner (server + kernel), RSS MiB: {report['memory_per_learner_rss_mib']}",
        f"memory per learner (server + kernel), PSS MiB: {report['memory_per_learner_pss_mib']}",
        f"CPU per move, kernel ms: {report['kernel_cpu_ms_per_move']}",
        f"CPU per move, server ms: {report['server_cpu_ms_per_move']}",
        f"hub RSS MiB: {report.get('hub_rss_mib', '—')}, proxy RSS MiB: "
        f"{report.get('proxy_rss_mib', '—')}",
        f"error lines in the hub's log: {len(report.get('hub_log_errors', []))}",
        *(f"  {line}" for line in report.get("hub_log_errors", [])),
        f"failures: {len(report['failures'])}",
        *(f"  {failure}" for failure in report["failures"]),
        f"processes started and watched: {report.get('processes_seen')}; left running after the "
        f"hub stopped: {report['left_running_after_stop'] or 'none'}; still running: "
        f"{report['still_running'] or 'none'}; ports still open: "
        f"{report.get('ports_still_open') or 'none'}",
        "OK" if report["ok"] else "NOT OK",
    ]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    """Run the scale test from the command line; exit 0 when nothing failed and nothing is left.

    The JSON report (``--json``) holds the settings, the machine, each learner's
    times, latencies, frame hashes and memory, the summaries (``latency_single_ms``,
    ``latency_under_load_ms``, ``p95_ratio``, ``seconds_to_running_server``,
    ``memory_per_learner_rss_mib``), ``failures``, and what was found running after
    the stop (``left_running_after_stop``, ``still_running``, ``ports_still_open``).
    """
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--learners", type=int, default=10, help="learners in the class (≥ 1)")
    parser.add_argument("--moves", type=int, default=30, help="timed slider moves per learner")
    parser.add_argument(
        "--pause",
        type=float,
        default=0.0,
        help="mean seconds a learner looks at a frame before the next move (0: drag non-stop)",
    )
    parser.add_argument("--seed", type=int, default=0, help="seed of the slider moves")
    parser.add_argument(
        "--step-timeout", type=float, default=180.0, help="seconds allowed for any one step"
    )
    parser.add_argument(
        "--server-nodelay",
        action="store_true",
        help="experiment: the servers send kernel websocket messages without Nagle's delay",
    )
    parser.add_argument("--proxy", help="the configurable-http-proxy command")
    parser.add_argument(
        "--install-proxy", action="store_true", help=f"npm install {PROXY_RELEASE} if missing"
    )
    parser.add_argument("--json", type=Path, help="also write the report here as JSON")
    parser.add_argument("--run-id", default=None, help="the marker of this run's processes")
    parser.add_argument("--keep", action="store_true", help="keep the hub's folder (and logs)")
    arguments = parser.parse_args(argv)
    if arguments.learners < 1 or arguments.moves < 1:
        parser.error("--learners and --moves must be at least 1")
    proxy = find_proxy(arguments.proxy)
    if proxy is None and arguments.install_proxy:
        proxy = install_proxy()
    if proxy is None:
        parser.error(
            "configurable-http-proxy not found: run with --install-proxy, or "
            f"npm install --prefix labs/.proxy {PROXY_RELEASE}"
        )
    settings = Settings(
        learners=arguments.learners,
        moves=arguments.moves,
        pause=arguments.pause,
        seed=arguments.seed,
        step_timeout=arguments.step_timeout,
        server_nodelay=arguments.server_nodelay,
    )

    def stop_on_signal(number: int, _frame: Any) -> None:
        raise KeyboardInterrupt(f"signal {number}")

    signal.signal(signal.SIGTERM, stop_on_signal)
    report = run(settings, proxy, arguments.run_id or uuid.uuid4().hex, keep=arguments.keep)
    if arguments.json:
        arguments.json.write_text(json.dumps(report, indent=1, ensure_ascii=False) + "\n")
    print(_text(report))
    return 0 if report["ok"] else 1


if __name__ == "__main__":
    sys.exit(main())
