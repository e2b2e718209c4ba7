"""Section 4: the server-side cost of one slider tick, per explorer and control.

A tick is timed from setting the control (as the front end's ``index`` or
``value``) to the new PNG bytes in ``explorer.image.value``: the handler runs
synchronously, so that is the time the kernel is busy before it can send the
frame. The baseline is the same explorer with its redraw replaced by an
``interactive_output`` handler that re-creates the figure with pyplot and saves
a PNG (:mod:`benchmarks.pyplot_baseline`), measured in the same run.
"""

from __future__ import annotations

import contextlib
import io
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import ipywidgets as widgets
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

import calcwidgets

from ._report import Goal, Row
from ._timing import Stats
from .moves import apply_state, control_names, current_state, is_live, is_slider, plan_moves
from .pyplot_baseline import PyplotBaseline, record_contours

logger = logging.getLogger("benchmarks")

SECTION = "4"
TITLES = {
    SECTION: "4 · One slider tick, server side (set control → PNG in image.value) vs "
    "interactive_output + pyplot + savefig"
}
GOALS = (
    Goal("p50", "<=", 0.016),
    Goal("p95", "<=", 0.040),
    Goal("ratio", ">=", 10.0),
    Goal("frame_p95", "<=", 64 * 1024),
)


def explorer_names() -> list[str]:
    return [name for name in calcwidgets.__all__ if name.endswith("Explorer")]


@dataclass(frozen=True)
class TickSettings:
    moves: int
    baseline_moves: int
    warmup: int = 3
    explorers: tuple[str, ...] | None = None
    #: Only these controls (by attribute name), for the tests; None means all.
    controls: tuple[str, ...] | None = None
    #: Only the first slider of each explorer (the quick run).
    first_slider_only: bool = False
    seed: int = 0


@dataclass
class TickResult:
    times: list[float]
    sizes: list[int]
    unchanged: int
    errors: list[str]


def _precondition(explorer: Any, name: str, controls: dict[str, widgets.Widget]) -> dict:
    """Find a choice of one list control that makes ``name`` live; {} if it already is."""
    control = controls[name]
    if is_live(control):
        return {}
    for other_name, other in controls.items():
        if other is control or not isinstance(other, widgets.widget_selection._Selection):
            continue
        start = other.index
        for index in range(len(other.options)):
            with explorer.batch_updates():
                other.index = index
            if is_live(control):
                with explorer.batch_updates():
                    other.index = start
                return {other_name: index}
        with explorer.batch_updates():
            other.index = start
    raise RuntimeError(f"{type(explorer).__name__}.{name} is never enabled and displayed")


def _set_states(explorer: Any, controls: dict[str, widgets.Widget], states: dict) -> None:
    with explorer.batch_updates():
        for name, state in states.items():
            apply_state(controls[name], state)


def run_moves(
    explorer: Any,
    control: widgets.Widget,
    moves: list[dict],
    image: widgets.Image,
    errors: Callable[[], list[str]],
    quiet: bool = False,
) -> TickResult:
    times, sizes, unchanged, seen = [], [], 0, set()
    sink = io.StringIO()
    for state in moves:
        previous = image.value
        redirect = contextlib.redirect_stdout(sink) if quiet else contextlib.nullcontext()
        with redirect:
            begin = time.perf_counter()
            apply_state(control, state)
            elapsed = time.perf_counter() - begin
        times.append(elapsed)
        sizes.append(len(image.value))
        unchanged += image.value == previous
        for error in errors():
            if error not in seen:
                seen.add(error)
    return TickResult(times, sizes, unchanged, sorted(seen))


def _measure_explorer(name: str, settings: TickSettings) -> tuple[list[Row], list[float]]:
    """Return the rows of each control, and the time of the construction.

    The explorer's own ticks are measured first, control after control; then the
    same explorer is rewired to the pyplot baseline and each control's baseline
    moves follow (the core's caches are warm by then, which only helps the baseline).
    """
    factory = getattr(calcwidgets, name)
    begin = time.perf_counter()
    explorer = factory()
    builds = [time.perf_counter() - begin]
    controls = control_names(explorer)
    defaults = {control_name: current_state(control) for control_name, control in controls.items()}
    wanted = [c for c in controls if settings.controls is None or c in settings.controls]
    if settings.first_slider_only:
        wanted = [c for c in wanted if is_slider(controls[c]) and is_live(controls[c])][:1]

    def own_errors():
        text = explorer.message.value
        return [text] if text else []

    measured = []
    for position, control_name in enumerate(wanted):
        control = controls[control_name]
        condition = _precondition(explorer, control_name, controls)
        states = {other: {"index": index} for other, index in condition.items()}
        _set_states(explorer, controls, states)
        precondition = {other: controls[other].value for other in condition}
        plan = plan_moves(
            control, settings.warmup + settings.moves, settings.seed * 1000 + position
        )
        if not plan:
            continue
        run_moves(explorer, control, plan[: settings.warmup], explorer.image, own_errors)
        ours = run_moves(explorer, control, plan[settings.warmup :], explorer.image, own_errors)
        _set_states(explorer, controls, defaults)  # back to the defaults, for the next control
        measured.append((control_name, states, precondition, plan, ours))

    with record_contours(), contextlib.redirect_stdout(io.StringIO()):
        # Its first frame, drawn here, is the baseline's warm-up.
        baseline = PyplotBaseline(explorer)

    def baseline_errors():
        found, baseline.errors[:] = list(baseline.errors), []
        return found

    rows = []
    for control_name, states, precondition, plan, ours in measured:
        control = controls[control_name]
        with record_contours():
            with contextlib.redirect_stdout(io.StringIO()):
                _set_states(explorer, controls, states)
            theirs = run_moves(
                explorer,
                control,
                plan[: settings.baseline_moves],
                baseline.image,
                baseline_errors,
                quiet=True,
            )
            with contextlib.redirect_stdout(io.StringIO()):
                _set_states(explorer, controls, defaults)
        rows.append(_row(name, control_name, control, precondition, ours, theirs, settings))
    return rows, builds


def _row(
    name: str,
    control_name: str,
    control: widgets.Widget,
    precondition: dict,
    ours: TickResult,
    theirs: TickResult,
    settings: TickSettings,
) -> Row:
    kind = type(control).__name__
    when = ", ".join(f"{other}={value!r}" for other, value in precondition.items())
    notes = []
    if when:
        notes.append(f"measured with {when}")
    if ours.unchanged:
        notes.append(f"{ours.unchanged} of {len(ours.times)} moves gave an identical frame")
    if ours.errors:
        notes.append("ERRORS shown in place: " + " | ".join(ours.errors))
    return Row(
        SECTION,
        f"{name}.{control_name} ({kind})" + (f" [{'; '.join(notes)}]" if notes else ""),
        figure=Stats.of(ours.times),
        baseline=Stats.of(theirs.times),
        baseline_label="interactive_output + pyplot + savefig",
        goals=GOALS,
        frames=Stats.of(ours.sizes),
        note=(
            f"p50/p95 over random moves after {settings.warmup} warm-up move(s); the "
            "baseline's moves are the first of the same sequence, after its first frame. "
            "Frame size is the PNG sent to the browser."
        ),
        extra={
            "explorer": name,
            "control": control_name,
            "kind": kind,
            "precondition": precondition,
            "moves": len(ours.times),
            "baseline_moves": len(theirs.times),
            "baseline_frame_p95_bytes": Stats.of(theirs.sizes).p95 if theirs.sizes else None,
            "unchanged_frames": ours.unchanged,
            "errors": ours.errors,
            "baseline_errors": theirs.errors,
        },
    )


def _warm_matplotlib() -> None:
    """Pay matplotlib's one-off start-up (fonts, mathtext) before the first explorer is timed."""
    figure = Figure(figsize=(2, 1))
    FigureCanvasAgg(figure)
    axes = figure.add_subplot()
    axes.plot([0, 1], [0, 1], label="x")
    axes.set_title(r"$f(x_0)$ ‖w‖²")
    axes.legend()
    figure.canvas.draw()


def tick_rows(settings: TickSettings, build_repeats: int = 0) -> list[Row]:
    """The build rows (one construction, plus ``build_repeats``), then a row per control."""
    names = list(settings.explorers or explorer_names())
    _warm_matplotlib()
    builds, rows = [], []
    for name in names:
        try:
            getattr(calcwidgets, name)  # the import, outside the timings
            controls, samples = _measure_explorer(name, settings)
        except Exception as error:  # one broken explorer must not hide the others
            logger.exception("benchmarking %s failed", name)
            rows.append(Row(SECTION, f"{name}: ticks", missing=f"ERROR: {error!r}"[:300]))
            continue
        for _ in range(build_repeats):
            begin = time.perf_counter()
            getattr(calcwidgets, name)()
            samples.append(time.perf_counter() - begin)
        builds.append(
            Row(
                SECTION,
                f"{name}: build + first frame",
                figure=Stats.of(samples),
                note="Build rows: constructing the explorer and drawing its first frame, its "
                "module already imported; no goal.",
            )
        )
        rows += controls
    return builds + rows
