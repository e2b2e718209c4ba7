"""Checks for lesson 02 · Derivatives.

- 02.1: the gradient of f(w) = w₀²·w₁ + sin(w₁) at (1, 2), by hand.
- 02.2: a central difference, evaluated at three steps.
- 02.3: the gradient of the ridge loss (1/n)·‖Xw − y‖² + λ·‖w‖² on a seeded data set.

The expected answers come from closed forms and from the core (its central
differences and the exact gradient of `calcwidgets.core.LeastSquares`). The
checks name the usual mistakes: a forward difference or a division by h
instead of 2h, ``/2*h`` for ``/(2*h)``, the per-sample derivative 2(ŷ − y) for
the parameter gradient, a missing factor 2 or 1/n, a forgotten penalty.

Hidden checks (grading only, see :func:`~calcwidgets.exercises._framework.hidden_check`)
call the learner's functions on inputs the notebook never uses: ``central_difference``
(another function, point and steps), ``ridge_gradient`` (data of another size).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ...core import LeastSquares, finite_difference, make_regression_data
from .._framework import Incorrect, exercise, expect_close, hidden_check

__all__: list[str] = []

#: Exercise 02.1: the point where the gradient of w₀²·w₁ + sin(w₁) is taken.
GRADIENT_POINT = (1.0, 2.0)

#: Exercise 02.2: the central difference of exp at 0.5 for these steps.
CENTRAL_POINT = 0.5
CENTRAL_STEPS = (0.1, 0.01, 0.001)

#: Exercise 02.3: the data set, the weights and the penalty strength.
RIDGE_DATA = {"n_samples": 30, "n_features": 3, "noise": 0.5, "seed": 7}
RIDGE_WEIGHTS = (1.0, -2.0, 0.5)
RIDGE_L2 = 0.3


def _as_array(answer: Any, name: str, shape: tuple[int, ...]) -> np.ndarray:
    """Return ``answer`` as a float array of ``shape``, or say what is wrong with it."""
    if callable(answer):
        raise Incorrect(f"that is a function; pass its values ({name}), as the cell does")
    try:
        values = np.asarray(answer, dtype=float)
    except (TypeError, ValueError):
        raise Incorrect(f"{name} should hold numbers, got {type(answer).__name__}") from None
    if values.shape != shape:
        raise Incorrect(f"{name} has shape {values.shape}, expected {shape}")
    if not np.all(np.isfinite(values)):
        raise Incorrect(f"{name} contains NaN or inf: {values}")
    return values


def _same(a: np.ndarray, b: np.ndarray, rtol: float = 1e-7) -> bool:
    return bool(np.allclose(a, b, rtol=rtol, atol=1e-12 * max(1.0, float(np.abs(b).max()))))


@exercise(
    "02.1",
    title="a gradient by hand",
    hint=(
        (
            "Section 3 (Partial derivatives and the gradient): for ∂f/∂w₀ hold w₁ fixed, for "
            "∂f/∂w₁ hold w₀ fixed, and differentiate as in one variable."
        ),
        (
            "With w₁ held fixed, w₀²·w₁ is a constant times w₀² and sin(w₁) is a constant. With "
            "w₀ held fixed, w₀²·w₁ is a constant times w₁, and the derivative of sin is cos."
        ),
        (
            "∂f/∂w₀ = 2·w₀·w₁ and ∂f/∂w₁ = w₀² + cos(w₁). Evaluate both at (1, 2) and put them in "
            "one array, ∂f/∂w₀ first."
        ),
    ),
)
def _check_gradient_by_hand(answer: Any) -> str:
    if np.ndim(answer) == 0 and not callable(answer):
        raise Incorrect(
            "grad_at_point is a single number; the gradient has one partial derivative per "
            "variable: np.array([∂f/∂w₀, ∂f/∂w₁])"
        )
    values = _as_array(answer, "grad_at_point", (2,))
    w0, w1 = GRADIENT_POINT
    expected = np.array([2 * w0 * w1, w0**2 + np.cos(w1)])
    if _same(values, expected, rtol=1e-6):
        return (
            f"∇f(1, 2) = (2·w₀·w₁, w₀² + cos w₁) = ({expected[0]:g}, {expected[1]:.6g}): "
            "each partial derivative holds the other variable fixed."
        )
    if _same(values, expected[::-1], rtol=1e-6):
        raise Incorrect("the two partial derivatives are swapped: ∂f/∂w₀ comes first")
    first_ok = bool(np.isclose(values[0], expected[0], rtol=1e-6))
    second_ok = bool(np.isclose(values[1], expected[1], rtol=1e-6))
    problems = []
    if not first_ok:
        if np.isclose(values[0], 2 * w0):
            problems.append(
                "∂f/∂w₀ = 2·w₀ forgets the factor w₁: in w₀²·w₁ the w₁ is a constant "
                "multiplier, so the partial derivative is 2·w₀·w₁"
            )
        elif np.isclose(values[0], 2 * w0 * w1 + np.cos(w1)):
            problems.append("∂f/∂w₀ has no cos term: sin(w₁) does not change with w₀")
        else:
            problems.append(f"∂f/∂w₀ should be 2·w₀·w₁ at (1, 2), your value is {values[0]:g}")
    if not second_ok:
        if np.isclose(values[1], w0**2):
            problems.append("∂f/∂w₁ forgets the derivative of sin(w₁), which is cos(w₁)")
        elif np.isclose(values[1], w0**2 - np.cos(w1)):
            problems.append("the sign of the cos term: d/dw sin(w) = +cos(w)")
        elif np.isclose(values[1], w0**2 + np.sin(w1)) or np.isclose(values[1], w0**2 - np.sin(w1)):
            problems.append("∂f/∂w₁: the derivative of sin(w₁) is cos(w₁), not ±sin(w₁)")
        elif np.isclose(values[1], np.cos(w1)):
            problems.append("∂f/∂w₁ forgets the term w₀² (from w₀²·w₁, w₁'s coefficient)")
        else:
            problems.append(
                f"∂f/∂w₁ should be w₀² + cos(w₁) at (1, 2), your value is {values[1]:.6g}"
            )
    raise Incorrect("; ".join(problems))


@exercise(
    "02.2",
    title="a central difference",
    hint=(
        (
            "Section 4 (Numerical differentiation: forward versus central): the central "
            "difference uses two points placed symmetrically around x, not x itself."
        ),
        (
            "The two points are x − h and x + h. Take f at the right one minus f at the left one: "
            "that is the rise, and the run between the points is 2h, not h."
        ),
        (
            "Divide the rise by the run, with parentheses around it: / (2 * h). Writing / 2 * h "
            "divides by 2 and then multiplies by h."
        ),
    ),
)
def _check_central(answer: Any) -> str:
    steps = np.array(CENTRAL_STEPS)
    x = CENTRAL_POINT
    if np.ndim(answer) == 0 and not callable(answer):
        raise Incorrect(
            "a single number, but steps holds three values: write central_difference with numpy "
            "operations only (no float(), no math.exp), so it works on the whole array"
        )
    values = _as_array(answer, "central_difference(np.exp, 0.5, steps)", steps.shape)
    expected = finite_difference(np.exp, x, steps, method="central")
    forward = finite_difference(np.exp, x, steps, method="forward")
    backward = finite_difference(np.exp, x, steps, method="backward")
    exact = np.exp(x)
    if _same(values, expected, rtol=1e-9):
        errors = np.abs(values - exact)
        ratios = errors[:-1] / errors[1:]
        return (
            f"central differences: the error fell from {errors[0]:.1e} to {errors[-1]:.1e}, "
            f"about {np.mean(ratios):.0f} times per factor 10 in h, so it is O(h²), "
            "second order."
        )
    if _same(values, forward, rtol=1e-9) or _same(values, backward, rtol=1e-9):
        kind = "forward" if _same(values, forward, rtol=1e-9) else "backward"
        raise Incorrect(
            f"your values match the {kind} difference — divide by 2h and use "
            "f(x + h) − f(x − h), which puts x in the middle of the two points"
        )
    if _same(values, 2 * expected, rtol=1e-9):
        raise Incorrect(
            "each value is twice f′(x): x + h and x − h are 2h apart, so divide by 2h, not h"
        )
    if _same(values, expected * steps**2, rtol=1e-9):
        raise Incorrect(
            "you wrote / 2 * h, which divides by 2 and then multiplies by h; write / (2 * h)"
        )
    if _same(values, -expected, rtol=1e-9):
        raise Incorrect("wrong sign: the later point comes first, f(x + h) − f(x − h)")
    if _same(values, 2 * steps * expected, rtol=1e-9):
        raise Incorrect("these are the differences f(x + h) − f(x − h); divide them by 2h")
    if _same(values, np.full(steps.shape, exact), rtol=1e-12):
        raise Incorrect(
            "these are the exact f′(0.5) = e^0.5 at every h; the exercise is the difference "
            "quotient, computed from values of f only"
        )
    wrong = int(np.argmax(~np.isclose(values, expected, rtol=1e-9)))
    raise Incorrect(
        f"at h = {steps[wrong]:g} the central difference of exp at 0.5 is "
        f"{expected[wrong]:.12g}, your value is {values[wrong]:.12g}"
    )


def _ridge_problem() -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    data = make_regression_data(**RIDGE_DATA)
    return data.X, data.y, np.array(RIDGE_WEIGHTS)


def _diagnose_data_part(part: np.ndarray, correct: np.ndarray, n: int, what: str) -> str | None:
    """Name the mistake when ``part`` is the data gradient ``correct`` off by a known factor."""
    factors = {
        0.5: "is half the right size: the square's derivative brings a factor 2",
        float(n): f"is n = {n} times too large: the loss is a mean, so divide by n",
        n / 2: "misses both the factor 2 and the 1/n: use 2/n · Xᵀ(Xw − y)",
        -1.0: "has the wrong sign: the residual is Xw − y (prediction minus target)",
    }
    for factor, message in factors.items():
        if _same(part, factor * correct):
            return f"{what} {message}"
    return None


@exercise(
    "02.3",
    title="the gradient of the ridge loss",
    hint=(
        (
            "Differentiate the two terms separately and add. Section 8 (A cautionary tale) "
            "derives the gradient of the data term: the chain rule runs from the predictions Xw "
            "back to the weights."
        ),
        (
            "λ‖w‖² = λ·Σ wⱼ², so ∂/∂wⱼ = 2λwⱼ and its gradient is 2λw. For the data term, each "
            "squared residual rᵢ² with r = Xw − y contributes (2/n)·rᵢ·Xᵢⱼ to ∂/∂wⱼ."
        ),
        (
            "Summed over the samples that is (2/n)·Xᵀ(Xw − y): X.T @ (…) turns the n residuals "
            "into one number per weight. Then add 2·l2·w; the result has one entry per weight."
        ),
    ),
)
def _check_ridge_gradient(answer: Any) -> str:
    X, y, w = _ridge_problem()
    n, d = X.shape
    name = "ridge_gradient(w_test, data.X, data.y, 0.3)"
    if np.ndim(answer) == 1 and np.shape(answer)[0] == n:
        values = np.asarray(answer, dtype=float)
        residual = X @ w - y
        if _same(values, 2 * residual) or _same(values, 2 * residual / n):
            raise Incorrect(
                f"shape ({n},): one number per sample. That is the derivative with respect to "
                "each prediction, 2(ŷ − y), not with respect to the weights; the chain rule "
                "multiplies by ∂ŷ/∂w = X, giving 2/n · Xᵀ(Xw − y), one entry per weight"
            )
        raise Incorrect(
            f"shape ({n},) has one entry per sample; the gradient has one entry per weight, "
            f"shape ({d},): X.T @ (…) turns per-sample terms into per-weight sums"
        )
    if np.ndim(answer) == 0 and not callable(answer):
        raise Incorrect(f"a single number; the gradient has one entry per weight, shape ({d},)")
    values = _as_array(answer, name, (d,))
    objective = LeastSquares(X, y, l2=RIDGE_L2)
    expected = objective.smooth_gradient(w)
    data_part = LeastSquares(X, y).smooth_gradient(w)
    penalty = 2 * RIDGE_L2 * w
    if _same(values, expected):
        return (
            "2/n · Xᵀ(Xw − y) + 2λw, equal to the core's LeastSquares gradient: the data pull "
            "w toward a fit, the penalty pulls it toward 0."
        )
    if _same(values, data_part):
        raise Incorrect(
            "this is the gradient of the mean squared error alone: you forgot the penalty's "
            "gradient, 2·λ·w"
        )
    if _same(values, data_part + RIDGE_L2 * w):
        raise Incorrect("the penalty term is off by a factor 2: d/dw (λ·‖w‖²) = 2·λ·w, not λ·w")
    if _same(values, data_part + RIDGE_L2 * np.sign(w)) or _same(
        values, data_part + 2 * RIDGE_L2 * np.sign(w)
    ):
        raise Incorrect(
            "λ·sign(w) is the (sub)gradient of the L1 penalty λ·‖w‖₁; ridge uses λ·‖w‖², "
            "whose gradient is 2·λ·w"
        )
    if _same(values, data_part + 2 * RIDGE_L2):
        raise Incorrect("the penalty's gradient is 2·λ·w, a vector proportional to w, not 2·λ")
    if _same(values, data_part - penalty):
        raise Incorrect("the penalty's gradient enters with a plus sign: + 2·λ·w")
    diagnosis = _diagnose_data_part(values - penalty, data_part, n, "the data term")
    if diagnosis is not None:
        raise Incorrect(diagnosis)
    worst = int(np.argmax(np.abs(values - expected)))
    raise Incorrect(
        f"component {worst} should be {expected[worst]:.6g}, yours is {values[worst]:.6g}; "
        "check each term against a gradient_check of your function"
    )


# Hidden checks: graded by calcwidgets.grading, never shown in the notebook. ----------------------


def _central_inputs(rng: np.random.Generator) -> tuple:
    """Return another function, point and steps for central_difference."""
    functions = (np.sin, np.cos, np.exp)
    function = functions[int(rng.integers(len(functions)))]
    return function, float(rng.uniform(-2.0, 2.0)), 10.0 ** -rng.uniform(1.0, 4.0, size=4)


@hidden_check(
    "02.2",
    key="other functions",
    title="central_difference on another function, point and steps",
    function="central_difference",
    inputs=_central_inputs,
    hint="(f(x + h) - f(x - h)) / (2 * h) for whatever f, x and h it is given",
)
def _hidden_central(result: Any, f: Any, x: float, h: np.ndarray) -> str:
    expected = (f(x + h) - f(x - h)) / (2 * h)
    expect_close(result, expected, call=f"central_difference(np.{f.__name__}, {x:.4g}, h)")
    return "the function works for any f, x and array of steps."


def _regression_inputs(rng: np.random.Generator) -> tuple:
    """Return new data, weights and a penalty: X (n × d), y, w and l2."""
    n, d = int(rng.integers(5, 15)), int(rng.integers(2, 5))
    X = rng.standard_normal((n, d))
    return rng.standard_normal(d), X, rng.standard_normal(n), float(rng.uniform(0.05, 1.0))


@hidden_check(
    "02.3",
    key="new data",
    title="ridge_gradient on data of another size",
    function="ridge_gradient",
    inputs=_regression_inputs,
    hint="2/n · Xᵀ(Xw − y) + 2·λ·w, with n = len(y), for any X, y, w and λ",
)
def _hidden_ridge_gradient(result: Any, w: np.ndarray, X: np.ndarray, y: np.ndarray, l2: float):
    expected = 2 / len(y) * X.T @ (X @ w - y) + 2 * l2 * w
    expect_close(result, expected, call=f"ridge_gradient on {X.shape[0]} × {X.shape[1]} data")
    return "the gradient is right for data of any size."
