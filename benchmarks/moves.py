"""Random slider moves, as the state a browser sends: ``{"value": …}`` or ``{"index": …}``.

The same plan drives the in-process ticks (section 4) and the comm messages sent
to a real kernel (section 5), so both measure the same moves.
"""

from __future__ import annotations

import math
from typing import Any

import ipywidgets as widgets
import numpy as np

#: Controls whose front end syncs ``index`` rather than ``value``.
_SELECTIONS = (widgets.widget_selection._Selection,)
_RANGES = (widgets.FloatRangeSlider, widgets.IntRangeSlider)


def control_names(explorer: widgets.Widget) -> dict[str, widgets.Widget]:
    """Return the explorer's controls by attribute name, in the order it lays them out."""
    by_id = {id(value): name for name, value in vars(explorer).items()}
    names: dict[str, widgets.Widget] = {}
    for position, control in enumerate(explorer._controls):
        names[by_id.get(id(control), f"control{position}")] = control
    return names


def is_slider(control: widgets.Widget) -> bool:
    """Whether the learner drags it (a slider of any kind), rather than picks from a list."""
    return "Slider" in type(control).__name__


def is_live(control: widgets.Widget) -> bool:
    """Whether a learner can move it now: enabled and displayed."""
    return not getattr(control, "disabled", False) and control.layout.display != "none"


def _grid(low: float, high: float, step: float) -> np.ndarray:
    count = int(math.floor((high - low) / step + 1e-9)) + 1
    return low + step * np.arange(count)


def current_state(control: widgets.Widget) -> dict[str, Any]:
    if isinstance(control, _SELECTIONS):
        return {"index": control.index}
    value = control.value
    return {"value": list(value) if isinstance(value, tuple) else value}


def _candidates(control: widgets.Widget) -> list[dict[str, Any]]:
    if isinstance(control, _SELECTIONS):
        return [{"index": index} for index in range(len(control.options))]
    if isinstance(control, widgets.FloatLogSlider):
        exponents = _grid(control.min, control.max, control.step)
        return [{"value": float(control.base**exponent)} for exponent in exponents]
    if isinstance(control, _RANGES):
        points = _grid(control.min, control.max, control.step)
        if isinstance(control, widgets.IntRangeSlider):
            points = points.round().astype(int)
        return [
            {"value": [points[i].item(), points[j].item()]}
            for i in range(points.size)
            for j in range(i + 1, points.size)
        ]
    if isinstance(control, widgets.IntSlider):
        return [
            {"value": int(value)} for value in range(control.min, control.max + 1, control.step)
        ]
    if isinstance(control, widgets.FloatSlider):
        return [{"value": float(value)} for value in _grid(control.min, control.max, control.step)]
    if isinstance(control, widgets.Checkbox | widgets.ToggleButton):
        return [{"value": False}, {"value": True}]
    raise TypeError(f"no random moves for a {type(control).__name__}")


def plan_moves(control: widgets.Widget, count: int, seed: int) -> list[dict[str, Any]]:
    """Return ``count`` states, each different from the one before (the first from now)."""
    rng = np.random.default_rng(seed)
    candidates = _candidates(control)
    if len(candidates) < 2:
        return []
    moves: list[dict[str, Any]] = []
    previous = current_state(control)
    while len(moves) < count:
        state = candidates[int(rng.integers(len(candidates)))]
        if _same(state, previous):
            continue
        moves.append(state)
        previous = state
    return moves


def _same(first: dict[str, Any], second: dict[str, Any]) -> bool:
    (key, a), (other, b) = next(iter(first.items())), next(iter(second.items()))
    if key != other:
        return False
    if isinstance(a, list):
        return all(
            math.isclose(x, y, rel_tol=1e-9, abs_tol=1e-12) for x, y in zip(a, b, strict=True)
        )
    if isinstance(a, float | int) and isinstance(b, float | int):
        return math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-12)
    return a == b


def apply_state(control: widgets.Widget, state: dict[str, Any]) -> None:
    """Set the control as the front end would (``index`` for selections, else ``value``)."""
    for key, value in state.items():
        setattr(control, key, tuple(value) if isinstance(value, list) else value)
