"""Section 5: slider ticks through a real kernel, sent as the browser sends them.

A kernel is started with jupyter_client; each explorer is built and displayed
there. For each of its sliders the client sends ``comm_msg`` messages on the
shell channel with ``{"method": "update", "state": {"value": …}}`` (``index``
for selection sliders), exactly as the widget manager in the browser does, and
times each one until the Image model's ``update`` with the new PNG buffer
arrives on iopub; it then waits for the kernel to go idle before the next move.
"""

from __future__ import annotations

import json
import os
import queue
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from jupyter_client.manager import KernelManager

from ._report import Row
from ._timing import Stats

SECTION = "5"
TITLES = {SECTION: "5 · Through a real kernel: comm update sent → new Image frame on iopub"}
REPOSITORY = Path(__file__).resolve().parents[1]

_SETUP = """
import json
import calcwidgets
from IPython.display import display
from benchmarks.moves import control_names, current_state, is_live, is_slider, plan_moves
_benchmark_explorers = {}
"""

_BUILD = """
_explorer = calcwidgets.{name}()
display(_explorer)
_benchmark_explorers["{name}"] = _explorer
print(json.dumps({{
    "image": _explorer.image.model_id,
    "controls": {{
        name: {{"id": control.model_id, "slider": is_slider(control), "live": is_live(control)}}
        for name, control in control_names(_explorer).items()
    }},
}}))
"""

_PLAN = """
print(json.dumps(plan_moves(control_names(_benchmark_explorers["{name}"])["{control}"], {count},
                            {seed})))
"""


class KernelError(RuntimeError):
    """The kernel failed to run the benchmark's code or to answer in time."""


@dataclass(frozen=True)
class KernelSettings:
    moves: int
    warmup: int = 2
    explorers: tuple[str, ...] | None = None
    timeout: float = 60.0
    seed: int = 0


def kernel_environment() -> dict[str, str]:
    environment = dict(os.environ)
    # The kernel imports the benchmark's move planner from the repository.
    environment["PYTHONPATH"] = os.pathsep.join(
        [str(REPOSITORY), *filter(None, [environment.get("PYTHONPATH")])]
    )
    environment.setdefault("PYDEVD_DISABLE_FILE_VALIDATION", "1")
    return environment


class Kernel:
    """A kernel and a blocking client, stopped on exit."""

    def __init__(self, timeout: float) -> None:
        self.timeout = timeout
        self.manager = KernelManager(kernel_name="python3")

    def __enter__(self) -> Kernel:
        # The kernel's own log (a warning about TCP without encryption) stays out of the table.
        self.log = tempfile.TemporaryFile(mode="w+")
        self.manager.start_kernel(
            cwd=str(REPOSITORY), env=kernel_environment(), stdout=self.log, stderr=self.log
        )
        self.client = self.manager.client()
        self.client.start_channels()
        self.client.wait_for_ready(timeout=self.timeout)
        return self

    def __exit__(self, *exc_info) -> None:
        self.client.stop_channels()
        self.manager.shutdown_kernel(now=True)
        self.log.close()

    def log_tail(self) -> str:
        self.log.seek(0)
        return self.log.read()[-2000:]

    def _next_iopub(self, deadline: float) -> dict:
        remaining = deadline - time.perf_counter()
        if remaining <= 0:
            raise KernelError(f"the kernel did not answer within {self.timeout:g} s")
        try:
            return self.client.get_iopub_msg(timeout=remaining)
        except queue.Empty:
            raise KernelError(
                f"the kernel did not answer within {self.timeout:g} s; its log ends:\n"
                + self.log_tail()
            ) from None

    def run(self, code: str) -> str:
        """Execute ``code``; return its stdout, raise :class:`KernelError` on an error."""
        msg_id = self.client.execute(code, store_history=False)
        deadline = time.perf_counter() + self.timeout
        out: list[str] = []
        while True:
            message = self._next_iopub(deadline)
            if message["parent_header"].get("msg_id") != msg_id:
                continue
            kind, content = message["msg_type"], message["content"]
            if kind == "stream" and content["name"] == "stdout":
                out.append(content["text"])
            elif kind == "error":
                raise KernelError("\n".join(content["traceback"][-3:]))
            elif kind == "status" and content["execution_state"] == "idle":
                return "".join(out)

    def tick(self, comm_id: str, state: dict, image_id: str) -> float | None:
        """Send one front-end update; return the seconds until the new frame arrives.

        None means the kernel went idle without sending a frame: the move left the
        picture exactly as it was (the widget sends only values that changed).
        """
        content = {
            "comm_id": comm_id,
            "data": {"method": "update", "state": state, "buffer_paths": []},
        }
        message = self.client.session.msg("comm_msg", content)
        msg_id = message["header"]["msg_id"]
        begin = time.perf_counter()
        self.client.shell_channel.send(message)
        deadline = begin + self.timeout
        arrived = None
        while True:
            reply = self._next_iopub(deadline)
            if reply["parent_header"].get("msg_id") != msg_id:
                continue
            kind, body = reply["msg_type"], reply["content"]
            if (
                arrived is None
                and kind == "comm_msg"
                and body["comm_id"] == image_id
                and body["data"].get("method") == "update"
                and ["value"] in body["data"].get("buffer_paths", [])
            ):
                arrived = time.perf_counter() - begin
            elif kind == "error":
                raise KernelError("\n".join(body["traceback"][-3:]))
            elif kind == "status" and body["execution_state"] == "idle":
                return arrived


def kernel_rows(settings: KernelSettings, names: list[str]) -> list[Row]:
    rows: list[Row] = []
    start = time.perf_counter()
    with Kernel(settings.timeout) as kernel:
        started = time.perf_counter() - start
        kernel.run(_SETUP)
        for position, name in enumerate(names):
            try:
                layout = json.loads(kernel.run(_BUILD.format(name=name)))
            except KernelError as error:  # one broken explorer must not hide the others
                rows.append(Row(SECTION, f"{name}: ticks", missing=f"ERROR: {error}"[:300]))
                continue
            sliders = [
                c for c, info in layout["controls"].items() if info["slider"] and info["live"]
            ]
            times: list[float] = []
            unchanged = 0
            for index, control in enumerate(sliders):
                plan = json.loads(
                    kernel.run(
                        _PLAN.format(
                            name=name,
                            control=control,
                            count=settings.warmup + settings.moves,
                            seed=settings.seed * 1000 + position * 50 + index,
                        )
                    )
                )
                comm_id = layout["controls"][control]["id"]
                for number, state in enumerate(plan):
                    elapsed = kernel.tick(comm_id, state, layout["image"])
                    if number < settings.warmup:
                        continue
                    if elapsed is None:
                        unchanged += 1
                    else:
                        times.append(elapsed)
            if not times:
                continue
            same = (
                f"; {unchanged} move(s) left the frame unchanged (no frame sent)"
                if unchanged
                else ""
            )
            rows.append(
                Row(
                    SECTION,
                    f"{name}: {len(times)} moves over its sliders ({', '.join(sliders)}){same}",
                    figure=Stats.of(times),
                    note=f"One kernel for all explorers (started in {started:.1f} s); after "
                    f"{settings.warmup} warm-up moves per slider, each move waits for the "
                    "kernel to go idle. No goal of its own: the browser goal (section 6) "
                    "covers the whole path.",
                    extra={
                        "explorer": name,
                        "sliders": sliders,
                        "moves": len(times),
                        "unchanged_frames": unchanged,
                    },
                )
            )
    return rows
