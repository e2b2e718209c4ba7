"""Every explorer in JupyterLab and Chromium: the keyboard (and, for one, the mouse) moves it.

Each explorer is shown alone in a small generated notebook. A slider handle is
focused and moved with ArrowRight, PageUp and End; after each move the plot
must go quiet with a frame whose pixels differ from the one before, and the
summary must state the value the slider's readout shows. The
GradientDescentExplorer's learning-rate handle is also dragged with the mouse.

Then ≥ 20 more key presses measure keypress → new pixels in the page
(``performance.now()`` at the keydown, a MutationObserver on the image's
``src``, the new frame decoded and handed to the next animation frame). The
figures go to ``benchmarks/results/browser_latency.json`` for the benchmarks;
the goal (p95 ≤ 150 ms) is recorded, never asserted.
"""

from __future__ import annotations

import datetime
import html
import io
import json
import math
import os
import platform
import re
import subprocess
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

import numpy as np
import pytest
from PIL import Image

import calcwidgets

from .conftest import EXPLORERS, REPO, ExplorerView, explorer_roots, format_problems

pytestmark = pytest.mark.browser

LATENCY_FILE = REPO / "benchmarks" / "results" / "browser_latency.json"
LATENCY_PRESSES = 24
LATENCY_RUN = 8  # presses in one direction before turning back
GOAL_P95_MS = 150.0
KEYS = ("ArrowRight", "PageUp", "End")

#: A number as the readouts and summaries write it: "0.316", "1.2e-05", "−0.98", "1000".
NUMBER = r"[-−]?\d+(?:\.\d+)?(?:e[-+−]?\d+)?"


@dataclass(frozen=True)
class ExplorerCheck:
    name: str
    slider: str  # the description of the slider moved from the keyboard
    summary: str  # where the summary states that slider's value; {number} is the value
    drag: bool = False


CHECKS = [
    ExplorerCheck("LimitExplorer", "band ε", "ε = {number}"),
    ExplorerCheck("DerivativeExplorer", "point x₀", "x₀ = {number}"),
    ExplorerCheck("IntegralExplorer", "pieces n", "n = {number}"),
    ExplorerCheck("GradientDescentExplorer", "learning rate η", "η = {number}", drag=True),
    ExplorerCheck("OverfittingExplorer", "degree", "degree {number}"),
    ExplorerCheck("ConvergenceExplorer", "condition κ", "κ = {number}"),
]


def test_every_public_explorer_is_checked_in_the_browser():
    explorers = {name for name in calcwidgets.__all__ if name.endswith("Explorer")}
    assert explorers == {check.name for check in CHECKS} == set(EXPLORERS)


# Reading numbers -----------------------------------------------------------------------------


def _decimal(text: str) -> Decimal:
    return Decimal(text.replace("−", "-").replace("\u2009", "").replace(" ", ""))


def _resolution(text: str) -> Decimal:
    """Half a unit in the last digit the text shows: "0.316" → 0.0005, "1.2e-05" → 5e-07."""
    exponent = _decimal(text).as_tuple().exponent
    return Decimal(5) * Decimal(10) ** (exponent - 1)


def values_agree(readout: str, stated: str) -> bool:
    """True when two printed numbers can be the same value, to the precision each shows."""
    try:
        shown, said = _decimal(readout), _decimal(stated)
    except InvalidOperation:
        return False
    return abs(shown - said) < _resolution(readout) + _resolution(stated)


def stated_values(check: ExplorerCheck, summary: str) -> list[str]:
    pattern = re.escape(check.summary).replace(re.escape("{number}"), f"({NUMBER})")
    return re.findall(pattern, summary)


def _plain(text: str) -> str:
    return " ".join(html.unescape(re.sub(r"<[^>]+>", "", text)).split())


def built_summary(page) -> str:
    """The summary the generated notebook printed when it built the explorer."""
    printed = page.locator('[data-mime-type="application/vnd.jupyter.stdout"]').first.inner_text()
    return _plain(printed.strip().removeprefix("built:"))


def changed_pixels(before: bytes, after: bytes) -> int:
    old = np.asarray(Image.open(io.BytesIO(before)).convert("RGB"))
    new = np.asarray(Image.open(io.BytesIO(after)).convert("RGB"))
    if old.shape != new.shape:
        return max(old.size, new.size) // 3
    return int(np.count_nonzero(np.any(old != new, axis=-1)))


def test_values_agree_to_the_precision_shown():
    assert values_agree("0.11", "0.1122")
    assert values_agree("6.3e-1", "0.63")
    assert values_agree("1000", "1000")
    assert values_agree("−0.98", "-0.984")
    assert not values_agree("0.11", "0.126")
    assert not values_agree("15", "14")
    check = ExplorerCheck("X", "s", "η = {number}")
    assert stated_values(check, "GD, η = 0.316 < 2/L = 0.458") == ["0.316"]


# Notebooks -----------------------------------------------------------------------------------


def open_explorer(notebook, path: str) -> ExplorerView:
    notebook.open_in_lab(path)
    state = notebook.run_all()
    problems = notebook.problems()
    assert not problems, f"{path} did not run cleanly:\n{format_problems(problems)}"
    assert all(cell["executionCount"] is not None for cell in state["cells"])
    roots = explorer_roots(notebook.page)
    roots.first.wait_for()
    view = ExplorerView(notebook.page, roots.first)
    view.wait_rendered()
    return view


# Moving the explorers ------------------------------------------------------------------------


def check_move(view: ExplorerView, check: ExplorerCheck, move, what: str) -> str:
    """Make one move; assert a new value, new pixels and a summary stating that value."""
    readout_before = view.readout(check.slider)
    frame_before = view.frame_png()
    summary_before = view.summary_text()
    move()
    readout = view.readout(check.slider)
    assert readout != readout_before, f"{what}: the readout stayed at {readout_before!r}"
    changed = changed_pixels(frame_before, view.frame_png())
    assert changed > 0, f"{what}: the plot's pixels did not change ({readout_before} → {readout})"
    summary = view.summary_text()
    assert summary != summary_before, f"{what}: the summary did not change: {summary!r}"
    stated = stated_values(check, summary)
    assert any(values_agree(readout, value) for value in stated), (
        f"{what}: the slider reads {readout!r} but the summary says "
        f"{check.summary.format(number=stated or '?')!r}: {summary!r}"
    )
    assert not view.root.locator('[role="alert"]').filter(has_text=re.compile(r"\S")).count(), (
        f"{what}: the explorer shows an error message"
    )
    return f"{what}: {readout_before} → {readout}, {changed} pixels changed"


def measure_latency(view: ExplorerView, check: ExplorerCheck) -> dict:
    """Press arrow keys ≥ LATENCY_PRESSES times, turning back at the ends; time each frame."""
    handle = view.handle(check.slider)
    handle.focus()
    direction = "ArrowLeft"  # End left the handle at the right end
    in_run = 0
    missed = []
    samples_before = len(view.latency_samples())
    pressed = 0
    attempts = 0
    while pressed < LATENCY_PRESSES and attempts < 3 * LATENCY_PRESSES:
        attempts += 1
        position = view.slider_position(check.slider)
        frames = view.frames()
        handle.press(direction)
        if view.slider_position(check.slider) == position:  # at an end: turn back
            direction = "ArrowRight" if direction == "ArrowLeft" else "ArrowLeft"
            in_run = 0
            continue
        try:
            view.wait_for_new_frame(frames)
        except Exception:  # recorded, and asserted below with the value that failed
            missed.append(view.readout(check.slider))
        view.wait_quiet()
        pressed += 1
        in_run += 1
        if in_run == LATENCY_RUN:
            direction = "ArrowRight" if direction == "ArrowLeft" else "ArrowLeft"
            in_run = 0
    samples = view.latency_samples()[samples_before:]
    painted = np.array([sample["painted"] - sample["start"] for sample in samples])
    to_src = np.array([sample["src"] - sample["start"] for sample in samples])
    assert not missed, f"no new frame after key presses that moved the slider to {missed}"
    assert pressed >= 20 and len(painted) >= 20, f"only {len(painted)} timed key presses"
    p50, p95 = (float(np.percentile(painted, q)) for q in (50, 95))
    return {
        "slider": check.slider,
        "presses": int(len(painted)),
        "p50_ms": round(p50, 1),
        "p95_ms": round(p95, 1),
        "max_ms": round(float(painted.max()), 1),
        "to_new_src_p50_ms": round(float(np.percentile(to_src, 50)), 1),
        "to_new_src_p95_ms": round(float(np.percentile(to_src, 95)), 1),
        "goal_p95_ms": GOAL_P95_MS,
        "meets_goal": bool(p95 <= GOAL_P95_MS),
        "samples_ms": [round(float(value), 1) for value in painted],
    }


def _chromium_version() -> str:
    try:
        out = subprocess.run(
            ["/usr/bin/chromium", "--version"], capture_output=True, text=True, timeout=30
        )
    except (OSError, subprocess.SubprocessError):
        return "unknown"
    return out.stdout.strip() or "unknown"


def record_latency(name: str, figures: dict) -> None:
    """Merge one explorer's figures into the JSON file the benchmarks read."""
    LATENCY_FILE.parent.mkdir(parents=True, exist_ok=True)
    try:
        data = json.loads(LATENCY_FILE.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        data = {}
    if data.get("schema") != 1:
        data = {"schema": 1, "explorers": {}}
    data["measured"] = (
        "key press on a focused slider handle (performance.now() at keydown) to the new frame "
        "decoded and handed to the next animation frame (MutationObserver on the image's src); "
        "JupyterLab in headless Chromium, kernel and server on the same machine"
    )
    data["goal_p95_ms"] = GOAL_P95_MS
    data["updated_utc"] = datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds")
    data["machine"] = {
        "cpus": os.cpu_count(),
        "platform": platform.platform(),
        "python": platform.python_version(),
        "chromium": _chromium_version(),
    }
    data["explorers"][name] = figures
    LATENCY_FILE.write_text(json.dumps(data, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")


@pytest.mark.parametrize("check", CHECKS, ids=[check.name for check in CHECKS])
def test_explorer_moves_from_the_keyboard_and_redraws(
    check, notebook, explorer_notebooks, screenshots
):
    view = open_explorer(notebook, explorer_notebooks[check.name])
    screenshots.take(view.root, f"explorer-{check.name}-start")
    # Showing an explorer must not change it: a slider that snaps its value to its
    # own grid when drawn sends the snapped value back, and the learner sees other
    # numbers than the ones the explorer was built with. Asserted at the end, so
    # the moves and the latency are still checked and recorded.
    shown, built = _plain(view.summary_text()), built_summary(notebook.page)
    changed_by_rendering = (
        None
        if shown == built
        else f"rendering changed the explorer: built with\n  {built}\nbut the page shows\n  {shown}"
    )
    log = []
    for key in KEYS:
        log.append(
            check_move(
                view,
                check,
                lambda key=key: view.press(check.slider, key),
                f"{key} on '{check.slider}'",
            )
        )
    if check.drag:
        log.append(
            check_move(
                view,
                check,
                lambda: view.drag(check.slider, -0.35),
                f"mouse drag of '{check.slider}'",
            )
        )
        # Back to the right end, where the latency run expects to start.
        view.press(check.slider, "End")
    screenshots.take(view.root, f"explorer-{check.name}-moved")
    screenshots.take(notebook.page, f"explorer-{check.name}-page")

    figures = measure_latency(view, check)
    figures["moves"] = log
    record_latency(check.name, figures)
    print(
        f"{check.name}: keypress → pixels p50 {figures['p50_ms']} ms, p95 {figures['p95_ms']} ms "
        f"over {figures['presses']} presses (goal p95 ≤ {GOAL_P95_MS:g} ms)"
    )
    problems = notebook.problems()
    assert not problems, format_problems(problems)
    assert math.isfinite(figures["p95_ms"])
    assert changed_by_rendering is None, changed_by_rendering
