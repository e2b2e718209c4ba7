"""Profile the ticks of one explorer control with cProfile.

``python -m benchmarks.profile_tick ConvergenceExplorer iterations [--moves 30]``
prints the functions that take the most time over random moves of that control
(the same moves as section 4), by cumulative and by own time.
"""

from __future__ import annotations

import argparse
import contextlib
import cProfile
import io
import os
import pstats
import time

for _variable in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[_variable] = "1"


def profile(
    explorer_name: str,
    control_name: str,
    moves: int,
    seed: int = 0,
    top: int = 25,
    settings: dict[str, str] | None = None,
):
    import calcwidgets

    from .moves import apply_state, control_names, plan_moves

    explorer = getattr(calcwidgets, explorer_name)()
    controls = control_names(explorer)
    with explorer.batch_updates():  # e.g. mode=expectation before profiling a control it shows
        for name, value in (settings or {}).items():
            controls[name].value = value
    control = controls[control_name]
    plan = plan_moves(control, moves + 3, seed)
    for state in plan[:3]:  # warm-up, as in section 4
        apply_state(control, state)
    profiler = cProfile.Profile()
    begin = time.perf_counter()
    profiler.enable()
    for state in plan[3:]:
        apply_state(control, state)
    profiler.disable()
    elapsed = time.perf_counter() - begin
    out = io.StringIO()
    out.write(
        f"{explorer_name}.{control_name}: {moves} moves, {elapsed / moves * 1e3:.1f} ms "
        "per tick under the profiler\n"
    )
    stats = pstats.Stats(profiler, stream=out).strip_dirs()
    stats.sort_stats("cumulative").print_stats(top)
    stats.sort_stats("tottime").print_stats(top)
    return out.getvalue()


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.profile_tick")
    parser.add_argument("explorer")
    parser.add_argument("control")
    parser.add_argument("--moves", type=int, default=30)
    parser.add_argument("--top", type=int, default=25)
    parser.add_argument(
        "--set",
        action="append",
        default=[],
        metavar="CONTROL=VALUE",
        help="set another control first (a string value), e.g. --set mode=expectation",
    )
    arguments = parser.parse_args(argv)
    settings = dict(item.split("=", 1) for item in arguments.set)
    try:
        from threadpoolctl import threadpool_limits
    except ImportError:  # the environment variables above still pin BLAS
        pinned = contextlib.nullcontext()
    else:
        pinned = threadpool_limits(limits=1)
    with pinned:
        report = profile(
            arguments.explorer,
            arguments.control,
            arguments.moves,
            top=arguments.top,
            settings=settings,
        )
    print(report)


if __name__ == "__main__":
    main()
