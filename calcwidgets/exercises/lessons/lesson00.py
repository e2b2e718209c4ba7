"""Checks for lesson 00 · Start here: two warm-up exercises.

- 00.1: the slope of the line through two given points.
- 00.2: a function evaluated on a whole numpy array at once.

Each check recomputes the expected answer from the numbers the exercise states
and names the usual slips: run over rise, a flipped sign, ``x*2`` for ``x**2``.
"""

from __future__ import annotations

import numbers
from typing import Any

import numpy as np

from .._framework import Incorrect, exercise

__all__: list[str] = []

#: Exercise 00.1: the line through these two points.
POINT_A = (1.0, 2.0)
POINT_B = (4.0, 11.0)

#: Exercise 00.2: f(x) = x² − 2x on nine evenly spaced points from −1 to 3.
GRID = (-1.0, 3.0, 9)


def _as_number(answer: Any, name: str) -> float:
    """Return ``answer`` as a float, or say why it is not one number."""
    if isinstance(answer, np.ndarray) and answer.size == 1:
        answer = answer.item()
    if isinstance(answer, bool) or not isinstance(answer, numbers.Real):
        raise Incorrect(
            f"{name} should be a single number (like 2.5), but it is {type(answer).__name__} "
            f"{answer!r:.60}"
        )
    value = float(answer)
    if not np.isfinite(value):
        raise Incorrect(f"{name} is {value}; a slope between two distinct x values is finite")
    return value


def _close(a: float, b: float) -> bool:
    return bool(np.isclose(a, b, rtol=1e-9, atol=1e-12))


@exercise(
    "00.1",
    title="the slope of a line",
    hint=(
        (
            "slope = rise / run: how much y changes between the two points, divided by how much x "
            "changes between them (the formula for m is in the exercise)."
        ),
        (
            "The rise is y2 − y1 and the run is x2 − x1. Subtract in the same order on top and "
            "bottom, so that the sign comes out right."
        ),
    ),
)
def _check_slope(answer: Any) -> str:
    slope = _as_number(answer, "slope")
    (x1, y1), (x2, y2) = POINT_A, POINT_B
    rise, run = y2 - y1, x2 - x1
    expected = rise / run
    intercept = y1 - expected * x1
    if _close(slope, expected):
        return (
            f"slope = {rise:g} / {run:g} = {expected:g}: each step of 1 in x raises y by "
            f"{expected:g}. In lesson 02 the same ratio, taken over ever smaller runs, "
            "becomes the derivative."
        )
    if _close(slope, run / rise):
        raise Incorrect(
            f"{slope:g} is run / rise = Δx / Δy; the slope is the other way up, rise over run"
        )
    if _close(slope, -expected):
        raise Incorrect(
            "right size, wrong sign: subtract in the same order on top and bottom, "
            "(y2 − y1) / (x2 − x1); the line rises from left to right"
        )
    if _close(slope, rise):
        raise Incorrect(f"{slope:g} is the rise Δy alone; divide it by the run Δx = {run:g}")
    if _close(slope, run):
        raise Incorrect(f"{slope:g} is the run Δx; the slope is the rise Δy = {rise:g} over it")
    if _close(slope, y2 / x2) or _close(slope, y1 / x1):
        raise Incorrect(
            "y / x at one point is not the slope (the line does not pass through the origin); "
            "use the differences between the two points"
        )
    if _close(slope, intercept):
        raise Incorrect(
            f"{slope:g} is the intercept, where the line crosses x = 0; the slope is the "
            "number that multiplies x"
        )
    raise Incorrect(f"{slope:g} is not the slope of the line through {POINT_A} and {POINT_B}")


def _grid() -> np.ndarray:
    low, high, count = GRID
    return np.linspace(low, high, count)


@exercise(
    "00.2",
    title="a function on a whole array",
    hint=(
        (
            "Write f(x) = x² − 2x in Python as if xs were a single number: numpy applies the "
            "arithmetic to every entry, so no loop is needed."
        ),
        (
            "In Python the square of xs is xs**2 (xs*2 doubles it, and xs^2 is a bitwise "
            "operation); the second term is 2 times xs."
        ),
    ),
)
def _check_values(answer: Any) -> str:
    if callable(answer):
        raise Incorrect("that is a function; call it on xs and store the array of results")
    try:
        values = np.asarray(answer, dtype=float)
    except (TypeError, ValueError):
        raise Incorrect(
            f"values should be an array of numbers, got {type(answer).__name__}"
        ) from None
    xs = _grid()
    expected = xs**2 - 2 * xs
    if values.ndim == 0:
        raise Incorrect(
            "values is a single number; evaluate f on the whole array xs at once, "
            "which gives one value per entry"
        )
    if values.shape != expected.shape:
        raise Incorrect(
            f"values has shape {values.shape}, expected {expected.shape}: one value for each "
            f"of the {xs.size} entries of xs = np.linspace{GRID}"
        )
    if np.allclose(values, expected):
        return (
            f"{xs.size} values from one expression: numpy applied ** and − to every entry. "
            f"The smallest, f(1) = {expected.min():g}, is the bottom of the parabola."
        )
    if np.allclose(values, xs**2 + 2 * xs):
        raise Incorrect("the sign of the 2x term is flipped: f(x) = x² − 2x")
    if np.allclose(values, 0.0):
        raise Incorrect(
            "every value is 0: x*2 is 2x, not x², so x*2 − 2*x cancels; write xs**2 for the square"
        )
    if np.allclose(values, -expected):
        raise Incorrect("every sign is flipped: f(x) = x² − 2x, not 2x − x²")
    if np.allclose(values, xs**2 - 2):
        raise Incorrect("the x is missing from the second term: it is 2x, i.e. 2*xs")
    if np.allclose(values, expected[::-1]):
        raise Incorrect("the right values in reverse order: evaluate on xs as given")
    wrong = int(np.argmax(~np.isclose(values, expected)))
    raise Incorrect(
        f"at x = {xs[wrong]:g} f(x) should be {expected[wrong]:g}, but values holds "
        f"{values[wrong]:g} there"
    )
