"""Run every section, print the table, write the JSON."""

from __future__ import annotations

import datetime
import os
import platform
import subprocess
import sys
import time
import traceback
from collections.abc import Callable
from contextlib import nullcontext
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TextIO

import matplotlib
import numpy as np

from . import browser, core_speed, course_timing, explorer_ticks, kernel_roundtrip
from ._report import Row, markdown_table, table_lines, write_json
from .core_speed import GDSettings, MismatchError, SurfaceSettings, SweepSettings
from .course_timing import CourseSettings
from .explorer_ticks import TickSettings
from .kernel_roundtrip import KernelSettings

REPOSITORY = Path(__file__).resolve().parents[1]
DEFAULT_JSON = Path(__file__).resolve().parent / "results" / "latest.json"
THREAD_VARIABLES = (
    "OPENBLAS_NUM_THREADS",
    "OMP_NUM_THREADS",
    "MKL_NUM_THREADS",
    "OPENBLAS_CORETYPE",
    "OPENBLAS_L2_SIZE",
)

TITLES = {
    **core_speed.TITLES,
    **explorer_ticks.TITLES,
    **kernel_roundtrip.TITLES,
    **browser.TITLES,
    **course_timing.TITLES,
}


@dataclass(frozen=True)
class Config:
    mode: str
    gd: GDSettings
    sweep: SweepSettings
    surface: SurfaceSettings
    ticks: TickSettings
    kernel: KernelSettings | None
    course: CourseSettings | None
    #: Explorers of sections 4 to 6; None means every one in calcwidgets.__all__.
    explorers: tuple[str, ...] | None = None
    browser_file: Path = browser.LATENCY_FILE
    build_repeats: int = 3
    full_course: bool = True
    skipped: dict[str, str] = field(default_factory=dict)


QUICK = Config(
    mode="quick",
    gd=GDSettings(
        sizes=(100, 100_000),
        dimensions=(2, 20),
        iteration_counts=(100, 10_000),
        repeats=7,
        baseline_repeats=2,
        baseline_work=2e7,
        budget=0.5,
    ),
    sweep=SweepSettings(
        n=10_000,
        d=20,
        iterations=1_000,
        rates=64,
        repeats=5,
        baseline_repeats=2,
        loop_iterations=20,
        budget=0.5,
    ),
    surface=SurfaceSettings(sizes=(1_000,), grid=200, repeats=5, baseline_repeats=2, budget=0.5),
    ticks=TickSettings(moves=5, baseline_moves=1, warmup=1, first_slider_only=True),
    kernel=KernelSettings(moves=4, warmup=1, explorers=("GradientDescentExplorer",)),
    course=CourseSettings(notebooks=("00_start_here.ipynb",), repeats=1, import_repeats=3),
    build_repeats=0,
    full_course=False,
    skipped={
        "1": "--quick: n ∈ {10², 10⁵}, d ∈ {2, 20}; the large baselines are timed on 10 "
        "iterations and scaled",
        "3": "--quick: n = 10³ only",
        "4": "--quick: the first slider of each explorer, 5 moves (baseline 1)",
        "5": "--quick: GradientDescentExplorer only, 4 moves per slider",
        "7": "--quick: 00_start_here only",
    },
)

FULL = Config(
    mode="full",
    gd=GDSettings(
        sizes=(100, 10_000, 100_000),
        dimensions=(1, 2, 20),
        iteration_counts=(100, 10_000),
        repeats=30,
        baseline_repeats=5,
        baseline_work=4e8,
        budget=3.0,
    ),
    sweep=SweepSettings(
        n=10_000,
        d=20,
        iterations=10_000,
        rates=64,
        repeats=20,
        baseline_repeats=5,
        loop_iterations=100,
        budget=5.0,
    ),
    surface=SurfaceSettings(
        sizes=(100, 10_000), grid=200, repeats=20, baseline_repeats=3, budget=5.0
    ),
    ticks=TickSettings(moves=100, baseline_moves=10, warmup=3),
    kernel=KernelSettings(moves=20, warmup=2),
    course=CourseSettings(repeats=3, import_repeats=7),
)


def _git(*arguments: str) -> str:
    try:
        result = subprocess.run(
            ["git", *arguments], cwd=REPOSITORY, capture_output=True, text=True, check=True
        )
    except (OSError, subprocess.CalledProcessError):
        return "unknown"
    return result.stdout.strip()


def _cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def blas_info() -> list[dict[str, Any]]:
    try:
        from threadpoolctl import threadpool_info
    except ImportError:
        return []
    keys = ("user_api", "internal_api", "version", "num_threads", "architecture", "threading_layer")
    return [{key: pool.get(key) for key in keys} for pool in threadpool_info()]


def machine_info() -> dict[str, Any]:
    import ipywidgets
    import PIL

    return {
        "cpu": _cpu_model(),
        "cores": os.cpu_count(),
        "platform": platform.platform(),
        "python": platform.python_version(),
        "numpy": np.__version__,
        "matplotlib": matplotlib.__version__,
        "ipywidgets": ipywidgets.__version__,
        "pillow": PIL.__version__,
        "blas": blas_info(),
        "thread_variables": {name: os.environ.get(name) for name in THREAD_VARIABLES},
        "load_average_at_start": os.getloadavg(),
        "git_commit": _git("rev-parse", "HEAD"),
        "git_dirty": bool(_git("status", "--porcelain")),
    }


def _limit_threads():
    try:
        from threadpoolctl import threadpool_limits
    except ImportError:  # the environment variables set by __main__ still apply
        return nullcontext()
    return threadpool_limits(limits=1)


def run(
    config: Config,
    json_path: Path | None = DEFAULT_JSON,
    *,
    log: TextIO = sys.stderr,
    command: str = "python -m benchmarks",
) -> dict[str, Any]:
    """Run the sections of ``config``; return the JSON payload (also written to ``json_path``)."""
    started = time.perf_counter()
    stamp = datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds")
    rows: list[Row] = []
    durations: dict[str, float] = {}
    errors: list[str] = []
    names = list(config.explorers or explorer_ticks.explorer_names())

    def section(key: str, title: str, produce: Callable[[], list[Row]]) -> None:
        print(f"[benchmarks] {title} …", file=log, flush=True)
        begin = time.perf_counter()
        try:
            produced = produce()
        except MismatchError:
            raise
        except Exception as error:  # report the section as failed, keep measuring the rest
            traceback.print_exc(file=log)
            errors.append(f"section {key}: {error!r}")
            produced = [Row(key, "the section failed", missing=f"ERROR: {error!r}"[:200])]
        durations[key] = time.perf_counter() - begin
        print(f"[benchmarks] … {durations[key]:.1f} s", file=log, flush=True)
        rows.extend(produced)

    with _limit_threads():
        machine = machine_info()
        section("1", "gradient descent", lambda: core_speed.gradient_descent_rows(config.gd))
        section("2", "sweep", lambda: core_speed.sweep_rows(config.sweep))
        section("3", "loss surface", lambda: core_speed.surface_rows(config.surface))
        ticks = TickSettings(**{**config.ticks.__dict__, "explorers": tuple(names)})
        section(
            "4",
            "explorer ticks",
            lambda: explorer_ticks.tick_rows(ticks, config.build_repeats),
        )
        if config.kernel is not None:
            kernel_names = list(config.kernel.explorers or names)
            section(
                "5",
                "kernel round trips",
                lambda: kernel_roundtrip.kernel_rows(config.kernel, kernel_names),
            )
        section("6", "browser", lambda: browser.browser_rows(names, config.browser_file))
        if config.course is not None:
            section(
                "7",
                "course",
                lambda: course_timing.course_rows(config.course, full_course=config.full_course),
            )
    errors += [
        f"section {row.section}: {row.case}: {row.missing}"
        for row in rows
        if row.missing.startswith("ERROR") and row.case != "the section failed"
    ]
    total = time.perf_counter() - started
    machine["load_average_at_end"] = os.getloadavg()
    machine["blas_during_run"] = "1 thread (threadpoolctl)" if blas_info() else "environment"

    header = (
        f"calcwidgets benchmarks, {config.mode} run, {stamp} — {machine['cpu']}, "
        f"{machine['cores']} cores, numpy {machine['numpy']}, matplotlib "
        f"{machine['matplotlib']}, BLAS pinned to 1 thread; total {total:.0f} s"
    )
    lines = [header, *table_lines(rows, TITLES)]
    if config.skipped:
        lines += ["", "Reduced in this run:"] + [
            f"  · section {key}: {text}" for key, text in config.skipped.items()
        ]
    missed = [f"{row.section} {row.case}" for row in rows if row.status == "MISSED"]
    lines += [
        "",
        f"{len(missed)} row(s) missed their goal; "
        f"{sum(1 for row in rows if row.goals)} row(s) have a goal.",
    ]
    if errors:
        lines += ["ERRORS: " + "; ".join(errors)]
    payload = {
        "schema": 1,
        "generated_utc": stamp,
        "command": command,
        "mode": config.mode,
        "machine": machine,
        "durations_s": {**durations, "total": total},
        "reduced": config.skipped,
        "titles": TITLES,
        "rows": [row.to_json() for row in rows],
        "missed": missed,
        "errors": errors,
        "table": lines,
        "markdown": markdown_table(rows, TITLES),
    }
    if json_path is not None:
        write_json(json_path, payload)
    return payload
