"""Section 7: the course as a learner runs it, its kernel's memory, and the import time.

Each notebook is executed with nbclient in a fresh kernel, as when a learner
opens it and runs all (the time includes starting the kernel). Then the whole
course runs in ONE kernel, lesson after lesson, and the kernel reports its peak
resident memory (``VmHWM``). ``import calcwidgets`` is timed in fresh
interpreters.
"""

from __future__ import annotations

import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import nbformat
from jupyter_client.manager import AsyncKernelManager
from jupyter_core.utils import run_sync
from nbclient import NotebookClient

from ._report import Goal, Row
from ._timing import Stats
from .kernel_roundtrip import kernel_environment

SECTION = "7"
TITLES = {SECTION: "7 · Course: each notebook (fresh kernel), the whole course, memory, imports"}
COURSE = Path(__file__).resolve().parents[1] / "course"
MEGABYTE = 2**20

_IMPORTS = {
    "import calcwidgets": "import calcwidgets",
    "import calcwidgets.core": "import calcwidgets.core (numpy)",
    "from calcwidgets import GradientDescentExplorer": (
        "from calcwidgets import GradientDescentExplorer (matplotlib, ipywidgets)"
    ),
}

# VmHWM is the peak RSS of the kernel's own address space. ru_maxrss is not: on Linux it
# keeps the high-water mark from before exec, i.e. the RSS of the process that forked the
# kernel (this benchmark, hundreds of MB after section 4).
_PEAK_MEMORY = """
try:
    with open("/proc/self/status") as status:
        print(next(int(line.split()[1]) for line in status if line.startswith("VmHWM:")))
except OSError:
    import resource
    print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)
"""


@dataclass(frozen=True)
class CourseSettings:
    #: The notebooks to run, by file name; None means every one in course/, in order.
    notebooks: tuple[str, ...] | None = None
    repeats: int = 1
    import_repeats: int = 5
    #: The import statements to time in fresh interpreters; None means the three below.
    imports: tuple[str, ...] | None = None
    timeout: float = 600.0
    course: Path = COURSE


def _notebooks(settings: CourseSettings) -> list[Path]:
    paths = sorted(settings.course.glob("*.ipynb"))
    if settings.notebooks is not None:
        paths = [path for path in paths if path.name in settings.notebooks]
    return paths


def _client(path: Path, settings: CourseSettings, manager=None) -> NotebookClient:
    notebook = nbformat.read(path, as_version=4)
    return NotebookClient(
        notebook,
        timeout=settings.timeout,
        kernel_name="python3",
        km=manager,
        resources={"metadata": {"path": str(path.parent)}},
    )


def run_fresh(path: Path, settings: CourseSettings) -> float:
    """Execute one notebook in a new kernel; return the wall time, kernel start included."""
    client = _client(path, settings)
    begin = time.perf_counter()
    client.execute(env=kernel_environment(), stderr=subprocess.DEVNULL)
    return time.perf_counter() - begin


def run_in_one_kernel(
    paths: list[Path], settings: CourseSettings
) -> tuple[list[float], int, list[int]]:
    """Execute the notebooks in order in one kernel.

    Returns their times, the kernel's peak RSS at the end, and its peak RSS after
    each notebook (where the memory grows).
    """
    manager = AsyncKernelManager(kernel_name="python3")
    client_of_kernel = None  # one client for the whole course, stopped at the end
    times, peaks = [], []
    probe = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(_PEAK_MEMORY)])

    def execute(notebook_client: NotebookClient) -> float:
        nonlocal client_of_kernel
        notebook_client.kc = client_of_kernel
        begin = time.perf_counter()
        # The first call starts the kernel; the others find it running.
        notebook_client.execute(env=kernel_environment(), stderr=subprocess.DEVNULL)
        client_of_kernel = notebook_client.kc
        return time.perf_counter() - begin

    try:
        for path in paths:
            times.append(execute(_client(path, settings, manager)))
            execute(NotebookClient(probe, timeout=settings.timeout, km=manager))
            peaks.append(int(probe.cells[0].outputs[0]["text"].strip()) * 1024)
    finally:
        if client_of_kernel is not None:
            client_of_kernel.stop_channels()
        if manager.has_kernel:
            run_sync(manager.shutdown_kernel)(now=True)
    return times, peaks[-1], peaks


def import_time(statement: str, repeats: int) -> Stats:
    code = (
        f"import time\nbegin = time.perf_counter()\n{statement}\nprint(time.perf_counter() - begin)"
    )
    samples = []
    for _ in range(repeats):
        result = subprocess.run(
            [sys.executable, "-c", code],
            capture_output=True,
            text=True,
            check=True,
            env=kernel_environment(),
        )
        samples.append(float(result.stdout.strip().splitlines()[-1]))
    return Stats.of(samples)


def course_rows(settings: CourseSettings, *, full_course: bool) -> list[Row]:
    paths = _notebooks(settings)
    rows: list[Row] = []
    fresh: dict[str, Stats] = {}
    for path in paths:
        fresh[path.name] = Stats.of([run_fresh(path, settings) for _ in range(settings.repeats)])
        rows.append(
            Row(
                SECTION,
                f"{path.name} (fresh kernel, Run All)",
                figure=fresh[path.name],
                note="Notebook rows include starting and stopping their kernel.",
            )
        )
    subset = "" if full_course else f" (--quick: {len(paths)} notebook(s) only)"
    if paths:
        total = Stats.of(
            [sum(samples) for samples in zip(*(s.samples for s in fresh.values()), strict=True)]
        )
        rows.append(
            Row(
                SECTION,
                f"whole course, one fresh kernel per notebook{subset}",
                figure=total,
                goals=(Goal("p50", "<", 60.0),),
            )
        )
        times, peak, peaks = run_in_one_kernel(paths, settings)
        rows.append(
            Row(
                SECTION,
                f"whole course in ONE kernel, in order{subset}",
                figure=Stats.of([sum(times)]),
                goals=(Goal("p50", "<", 60.0),),
                extra={"per_notebook_s": dict(zip([p.name for p in paths], times, strict=True))},
            )
        )
        rows.append(
            Row(
                SECTION,
                f"peak kernel memory (VmHWM) after the course{subset}",
                figure=Stats.of([float(peak)]),
                goals=(Goal("p50", "<", 250.0 * MEGABYTE, unit="bytes"),),
                extra={
                    "unit": "bytes",
                    "max_rss_bytes": peak,
                    "max_rss_bytes_after": dict(zip([p.name for p in paths], peaks, strict=True)),
                },
                note="Peak memory: VmHWM (peak RSS) of the kernel that ran every notebook in "
                "order; "
                "the JSON has the peak after each notebook (max_rss_bytes_after).",
            )
        )
    for statement, label in _IMPORTS.items():
        if settings.imports is not None and statement not in settings.imports:
            continue
        rows.append(
            Row(
                SECTION,
                f"{label}, fresh interpreter",
                figure=import_time(statement, settings.import_repeats),
                note="Import rows: p50 of fresh interpreters; no goal.",
            )
        )
    return rows
