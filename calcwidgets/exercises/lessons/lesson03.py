"""Checks for ``course/03_integrals``: Riemann sums, the order of a rule, the expected loss.

Each check recomputes the right answer from the core or a closed form, then
compares the learner's answer with the typical wrong ones (the left endpoints
instead of the midpoints, order 1 instead of 2, the noise term left out, ...)
so that the feedback names the mistake.

Hidden checks (grading only, see :func:`~calcwidgets.exercises._framework.hidden_check`)
call the learner's functions on inputs the notebook never uses: ``midpoint_sum``
(another function, interval and n), ``expected_loss`` (another weight).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import numpy as np

from ...core.integrals import riemann_sum
from .._framework import Incorrect, exercise, expect_close, hidden_check

__all__: list[str] = []

# Exercise 03.1: the learner's midpoint_sum is called on these cases, in this order.
MIDPOINT_CASES: tuple[tuple[str, Callable[[np.ndarray], np.ndarray], float, float, int], ...] = (
    ("exp(x) on [1, 3] with n = 5", np.exp, 1.0, 3.0, 5),
    ("cos(x) on [0.5, 2] with n = 4", np.cos, 0.5, 2.0, 4),
)

# Exercise 03.2: the midpoint rule on the integral of exp over [0, 1].
PIECES_TOLERANCE = 1e-10
PIECES_START = 10

# Exercise 03.3: X ~ Normal(mean, std²), Y = slope·X + ε with ε ~ Normal(0, noise²).
LOSS_MEAN, LOSS_STD, LOSS_SLOPE, LOSS_NOISE = -1.0, 2.0, 0.5, 0.8
LOSS_WEIGHTS = (-1.0, 0.5, 2.0)


def _as_number(name: str, value: Any, *, many: str = "") -> float:
    """Return ``value`` as a float, or raise Incorrect saying what was given instead.

    ``many`` is added to the message when ``value`` holds several numbers.
    """
    array = np.asarray(value)
    if array.dtype.kind not in "biuf":
        raise Incorrect(f"{name} must be a number, got {value!r}")
    if array.size != 1:
        raise Incorrect(f"{name} must be one number, got an array of shape {array.shape}{many}")
    number = float(array.reshape(()))
    if not math.isfinite(number):
        raise Incorrect(f"{name} must be finite, got {number}")
    return number


def _midpoint_mistakes(f: Callable, a: float, b: float, n: int) -> dict[str, float]:
    """Return what the typical mistakes give on one case, by name."""
    h = (b - a) / n
    midpoint = riemann_sum(f, a, b, n, rule="midpoint")
    return {
        "left": riemann_sum(f, a, b, n, rule="left"),
        "right": riemann_sum(f, a, b, n, rule="right"),
        "trapezoid": riemann_sum(f, a, b, n, rule="trapezoid"),
        "no width": midpoint / h,
        "mean": midpoint / (b - a),
        "from zero": h * float(np.sum(f((np.arange(n) + 0.5) * h))),
        "linspace": h * float(np.sum(f(np.linspace(a, b, n)))),
    }


_MIDPOINT_FEEDBACK = {
    "left": (
        "you used the left endpoints a + i·h; the exercise asks for midpoints",
        "The midpoint of piece i is a + (i + 1/2)·h.",
    ),
    "right": (
        "you used the right endpoints a + (i + 1)·h; the exercise asks for midpoints",
        "The midpoint of piece i is a + (i + 1/2)·h.",
    ),
    "trapezoid": (
        "that is the trapezoid rule (the average of f at both ends of each piece); the "
        "exercise asks for f at the middle of each piece",
        "Evaluate f once per piece, at a + (i + 1/2)·h.",
    ),
    "no width": (
        "you added the heights f(mᵢ) but not the areas: each rectangle's area is its height "
        "times its width h",
        "Multiply the sum by h = (b − a)/n.",
    ),
    "mean": (
        "you computed the average height of f, mean(f(mᵢ)); the area is that average times "
        "the length b − a of the interval",
        "h · Σ f(mᵢ) = (b − a) · mean(f(mᵢ)).",
    ),
    "from zero": (
        "your midpoints start at 0 instead of at a: they are (i + 1/2)·h, which is right only "
        "when a = 0",
        "The midpoint of piece i is a + (i + 1/2)·h.",
    ),
    "linspace": (
        "you evaluated f at np.linspace(a, b, n), which are n points from a to b including both "
        "ends, not the midpoints of n pieces",
        "np.linspace(a + h/2, b − h/2, n) gives the n midpoints.",
    ),
}


@exercise(
    "03.1",
    title="a midpoint Riemann sum by hand",
    hint=(
        (
            "Section 1 (Area as a sum of thin rectangles): cut [a, b] into n pieces of equal "
            "width, take f at the middle of each piece as its height, and add up the rectangles' "
            "areas."
        ),
        (
            "Each piece has width h = (b − a)/n, and the midpoint of piece i is a + (i + ½)·h for "
            "i = 0, …, n − 1; np.arange(n) gives all the i at once."
        ),
        (
            "Evaluate f once on the array of midpoints, add the heights with np.sum and multiply "
            "by h, so that the function returns one number."
        ),
    ),
)
def _check_midpoint_sum(answer: Any) -> str:
    """Check the values of the learner's ``midpoint_sum`` on :data:`MIDPOINT_CASES`.

    Parameters
    ----------
    answer : sequence
        ``[midpoint_sum(f, a, b, n) for each case]``.

    Returns
    -------
    str
        The praise.
    """
    if not isinstance(answer, (list, tuple)) or len(answer) != len(MIDPOINT_CASES):
        raise Incorrect(
            f"the check expects the list of {len(MIDPOINT_CASES)} values that the exercise cell "
            f"builds from midpoint_sum, got {answer!r}; run the exercise cell unchanged"
        )
    for value, (label, f, a, b, n) in zip(answer, MIDPOINT_CASES, strict=True):
        value = _as_number(
            f"midpoint_sum for {label}",
            value,
            many=": add the areas of the pieces up with np.sum to get one total",
        )
        expected = riemann_sum(f, a, b, n, rule="midpoint")
        if math.isclose(value, expected, rel_tol=1e-10, abs_tol=1e-12):
            continue
        for mistake, wrong in _midpoint_mistakes(f, a, b, n).items():
            if math.isclose(value, wrong, rel_tol=1e-10, abs_tol=1e-12):
                message, hint = _MIDPOINT_FEEDBACK[mistake]
                raise Incorrect(f"for {label}: {message}", hint=hint)
        raise Incorrect(
            f"for {label} your sum is {value:.10g}, but the midpoint sum is {expected:.10g}",
        )
    return (
        "your midpoint sums match the core's riemann_sum(..., rule='midpoint') on both cases, "
        "including intervals that do not start at 0."
    )


def _midpoint_error(n: int) -> float:
    return abs(riemann_sum(np.exp, 0.0, 1.0, n, rule="midpoint") - (math.e - 1.0))


def _smallest_pieces(tolerance: float) -> int:
    """Return the smallest n whose midpoint error on exp over [0, 1] is at most ``tolerance``."""
    low, high = 1, 1
    while _midpoint_error(high) > tolerance:
        low, high = high + 1, 2 * high
    while low < high:
        middle = (low + high) // 2
        if _midpoint_error(middle) <= tolerance:
            high = middle
        else:
            low = middle + 1
    return low


@exercise(
    "03.2",
    title="pieces for a target accuracy",
    hint=(
        (
            "Section 3, “What an order buys you”: one measured error and the order p of the rule "
            "predict how many pieces any tolerance needs."
        ),
        (
            "Measure E(10), the distance between riemann_sum(np.exp, 0, 1, 10, rule='midpoint') "
            "and exact_exp. With p = 2, E(n) ≈ E(10)·(10/n)²; set that equal to 10⁻¹⁰."
        ),
        "Solving for n gives n ≈ 10·(E(10)/10⁻¹⁰)^(1/2). Round up to a whole number of pieces.",
    ),
)
def _check_pieces_needed(answer: Any) -> str:
    """Check the number of midpoint pieces that brings the error on ∫₀¹ eˣ dx to 1e-10.

    Parameters
    ----------
    answer : int
        The predicted number of pieces.

    Returns
    -------
    str
        The praise.
    """
    value = _as_number("n_needed", answer)
    if not value.is_integer():
        raise Incorrect(
            f"n_needed = {value:g} is not a whole number: a rule cannot use a fraction of a piece",
            hint="Round your prediction up with math.ceil.",
        )
    n = int(value)
    if n < 1:
        raise Incorrect(f"n_needed must be at least 1, got {n}")
    smallest = _smallest_pieces(PIECES_TOLERANCE)
    start_error = _midpoint_error(PIECES_START)
    ratio = start_error / PIECES_TOLERANCE
    predictions = {
        1: PIECES_START * ratio,
        4: PIECES_START * ratio**0.25,
    }
    for order, predicted in predictions.items():
        if abs(n - predicted) <= 0.02 * predicted + 1:
            rule = "the left or right rule" if order == 1 else "Simpson's rule"
            raise Incorrect(
                f"n_needed = {n} is what an order-{order} rule ({rule}) would need; the midpoint "
                f"rule has order 2, so the error falls like n⁻² and n must grow like the square "
                f"root of the error ratio E(10)/10⁻¹⁰ ≈ {ratio:.3g}",
            )
    if abs(n - math.sqrt(ratio)) <= 0.02 * math.sqrt(ratio) + 1:
        raise Incorrect(
            f"n_needed = {n} leaves out the starting n: E(n) ≈ E(10)·(10/n)², so n = "
            "10·√(E(10)/10⁻¹⁰), not √(E(10)/10⁻¹⁰)",
        )
    if n < 0.99 * smallest:
        raise Incorrect(
            f"with n = {n} pieces the error is {_midpoint_error(n):.3g}, still above 10⁻¹⁰",
        )
    if n > 1.05 * smallest:
        raise Incorrect(
            f"n = {n} pieces are enough (error {_midpoint_error(n):.3g}), but far more than "
            f"needed: about {100 * (n / smallest - 1):.0f} % too many",
        )
    closeness = (
        "exactly that"
        if n == smallest
        else f"{n}, within {100 * abs(n / smallest - 1):.2g} % of it"
    )
    return (
        f"the true smallest n is {smallest}, and your prediction is {closeness}: once n is past "
        "a handful of pieces, E(n) ≈ C·n⁻² predicts the cost of an accuracy almost exactly."
    )


def _expected_loss(w: float, second_moment: float, noise_variance: float) -> float:
    return (w - LOSS_SLOPE) ** 2 * second_moment + noise_variance


_SECOND_MOMENT = LOSS_MEAN**2 + LOSS_STD**2
_LOSS_MISTAKES: dict[str, tuple[Callable[[float], float], str]] = {
    "noise": (
        lambda w: _expected_loss(w, _SECOND_MOMENT, 0.0),
        "at w = a your expected loss is 0, but even the true slope cannot predict the noise ε: "
        "add its variance s² = E[ε²]",
    ),
    "variance": (
        lambda w: _expected_loss(w, LOSS_STD**2, LOSS_NOISE**2),
        "you used Var(X) = σ² where the formula needs E[X²] = μ² + σ²; X here has mean "
        f"μ = {LOSS_MEAN:g}, not 0",
    ),
    "mean": (
        lambda w: _expected_loss(w, LOSS_MEAN**2, LOSS_NOISE**2),
        "you used μ² where the formula needs E[X²] = μ² + σ²: the spread of X counts too",
    ),
    "std": (
        lambda w: _expected_loss(w, LOSS_MEAN**2 + LOSS_STD, LOSS_NOISE**2),
        "you used the standard deviation σ where E[X²] = μ² + σ² needs the variance σ²",
    ),
    "noise std": (
        lambda w: _expected_loss(w, _SECOND_MOMENT, LOSS_NOISE),
        "the noise adds its variance s² to the expected loss, not its standard deviation s",
    ),
    "root": (
        lambda w: math.sqrt(_expected_loss(w, _SECOND_MOMENT, LOSS_NOISE**2)),
        "you returned the square root of the expected loss (a root-mean-square error); the "
        "exercise asks for E[(wX − Y)²] itself",
    ),
}


@exercise(
    "03.3",
    title="the expected loss of a linear model",
    hint=(
        (
            "Section 7 (The expected loss of a model) derives a closed form for this kind of data "
            "model; here a = 0.5, μ_X = −1, σ_X = 2 and s = 0.8."
        ),
        (
            "Write wX − Y = (w − a)X − ε and square it. The cross term has expectation 0, because "
            "ε is independent of X and has mean 0, and E[ε²] = s²."
        ),
        (
            "R(w) = (w − a)²·E[X²] + s². X does not have mean 0, so E[X²] = μ_X² + σ_X², not σ_X² "
            "alone."
        ),
    ),
)
def _check_expected_loss(answer: Any) -> str:
    """Check the learner's closed form of ``E[(wX − Y)²]`` at :data:`LOSS_WEIGHTS`.

    Parameters
    ----------
    answer : sequence of float
        ``[expected_loss(w) for w in (-1.0, 0.5, 2.0)]``.

    Returns
    -------
    str
        The praise.
    """
    if not isinstance(answer, (list, tuple)) or len(answer) != len(LOSS_WEIGHTS):
        raise Incorrect(
            f"the check expects the list of {len(LOSS_WEIGHTS)} values that the exercise cell "
            f"builds from expected_loss, got {answer!r}; run the exercise cell unchanged"
        )
    values = [
        _as_number(f"expected_loss({w:g})", value)
        for w, value in zip(LOSS_WEIGHTS, answer, strict=True)
    ]
    right = [_expected_loss(w, _SECOND_MOMENT, LOSS_NOISE**2) for w in LOSS_WEIGHTS]
    if np.allclose(values, right, rtol=1e-9, atol=1e-12):
        return (
            f"E[(wX − Y)²] = (w − {LOSS_SLOPE:g})²·{_SECOND_MOMENT:g} + {LOSS_NOISE**2:.2g}: "
            "the model's error grows like (w − a)², and the noise s² stays even at the best w."
        )
    for mistake, message in _LOSS_MISTAKES.values():
        if np.allclose(values, [mistake(w) for w in LOSS_WEIGHTS], rtol=1e-9, atol=1e-12):
            raise Incorrect(message)
    if any(value < 0 for value in values):
        raise Incorrect("an expected squared loss is an average of squares: it cannot be negative")
    worst = int(np.argmax(np.abs(np.subtract(values, right))))
    raise Incorrect(
        f"expected_loss({LOSS_WEIGHTS[worst]:g}) returned {values[worst]:.6g}, but "
        f"E[(wX − Y)²] there is {right[worst]:.6g}",
    )


# Hidden checks: graded by calcwidgets.grading, never shown in the notebook. ----------------------


def _midpoint_inputs(rng: np.random.Generator) -> tuple:
    """Return another function, interval and number of pieces for midpoint_sum."""
    functions = (np.sin, np.cos, np.exp)
    function = functions[int(rng.integers(len(functions)))]
    a = float(rng.uniform(-1.0, 0.5))
    return function, a, a + float(rng.uniform(0.5, 2.0)), int(rng.integers(3, 40))


@hidden_check(
    "03.1",
    key="other integrals",
    title="midpoint_sum on another function, interval and n",
    function="midpoint_sum",
    inputs=_midpoint_inputs,
    hint="h = (b − a)/n; sum f at a + (i + ½)·h for i = 0 … n − 1 and multiply by h",
)
def _hidden_midpoint(result: Any, f: Callable, a: float, b: float, n: int) -> str:
    expected = riemann_sum(f, a, b, n, rule="midpoint")
    expect_close(result, expected, call=f"midpoint_sum(np.{f.__name__}, {a:.4g}, {b:.4g}, {n})")
    return "the sum is right for any function, interval and n."


def _loss_weight(rng: np.random.Generator) -> tuple[float]:
    """Return a weight the notebook does not try."""
    return (float(rng.uniform(-3.0, 3.0)),)


@hidden_check(
    "03.3",
    key="other weights",
    title="expected_loss at a weight the notebook does not try",
    function="expected_loss",
    inputs=_loss_weight,
    hint="E[(wX − Y)²] = (w − a)²·E[X²] + s², a quadratic in w",
)
def _hidden_expected_loss(result: Any, w: float) -> str:
    expected = _expected_loss(w, _SECOND_MOMENT, LOSS_NOISE**2)
    expect_close(result, expected, call=f"expected_loss({w:.6g})")
    return "the closed form is right at every weight."
