"""Checks for ``course/04_gradient_descent``: steps by hand, the MSE gradient, the stability bound.

Each check recomputes the right answer from the core or a closed form, then
compares the learner's answer with the typical wrong ones (a step uphill, half
the gradient, one entry per sample instead of one per weight, the penalty left
out of the Hessian, ...) so that the feedback names the mistake.

Hidden checks (grading only, see :func:`~calcwidgets.exercises._framework.hidden_check`)
call the learner's functions on inputs the notebook never uses: ``mse_gradient`` (data
of another size).
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from ...core.datasets import make_linear_data
from .._framework import Incorrect, exercise, expect_close, hidden_check

__all__: list[str] = []

# Exercise 04.1: f(w) = CURVATURE/2 · (w − MINIMUM)², so f'(w) = CURVATURE · (w − MINIMUM).
CURVATURE, MINIMUM = 4.0, 3.0
START, LEARNING_RATE, STEPS = 1.0, 0.1, 2

# Exercises 04.2 and 04.3 use the notebook's data set.
DATA_SAMPLES, DATA_SEED = 50, 0
GRADIENT_WEIGHTS = (1.0, -1.0)
RIDGE = 0.1


def _number(name: str, value: Any) -> float:
    """Return ``value`` as a finite float, or raise Incorrect saying what was given instead."""
    array = np.asarray(value)
    if array.dtype.kind not in "biuf":
        raise Incorrect(f"{name} must be a number, got {value!r}")
    if array.size != 1:
        raise Incorrect(f"{name} must be one number, got an array of shape {array.shape}")
    number = float(array.reshape(()))
    if not math.isfinite(number):
        raise Incorrect(f"{name} must be finite, got {number}")
    return number


def _after_steps(curvature: float, learning_rate: float, steps: int) -> float:
    """Return w after ``steps`` updates w ← w − η·curvature·(w − MINIMUM) from START."""
    return MINIMUM + (1.0 - learning_rate * curvature) ** steps * (START - MINIMUM)


@exercise(
    "04.1",
    title="two gradient-descent steps by hand",
    hint=(
        (
            "Section 1 (Downhill on a parabola) takes two steps from w = 0 on the same f with the "
            "same η; do the same from w = 1."
        ),
        (
            "f′(w) = 4(w − 3), and the update is w ← w − η·f′(w), with a minus sign. At the start "
            "f′(1) = −8."
        ),
        "The first step ends at w = 1.8. The second step uses the slope at 1.8, not at 1.",
    ),
)
def _check_two_steps(answer: Any) -> str:
    """Check ``w`` after two steps of gradient descent on ``f(w) = 2(w − 3)²`` from 1, η = 0.1.

    Parameters
    ----------
    answer : float
        The learner's ``w_after_two_steps``.

    Returns
    -------
    str
        The praise.
    """
    value = _number("w_after_two_steps", answer)
    right = _after_steps(CURVATURE, LEARNING_RATE, STEPS)
    if math.isclose(value, right, rel_tol=1e-9, abs_tol=1e-12):
        factor = 1.0 - LEARNING_RATE * CURVATURE
        return (
            f"w = {right:g}. Each step multiplies the distance to the minimum by 1 − ηa = "
            f"{factor:g}: from 2 to {2 * factor:g} to {2 * factor**2:g}."
        )
    mistakes = {
        _after_steps(CURVATURE, LEARNING_RATE, 1): (
            "that is w after one step; the exercise asks for two",
            "Apply the same update again, with f' evaluated at the new w.",
        ),
        _after_steps(CURVATURE, -LEARNING_RATE, STEPS): (
            "you stepped uphill: the update is w ← w − η·f'(w), with a minus sign, so that w "
            "moves against the slope",
            None,
        ),
        _after_steps(CURVATURE / 2, LEARNING_RATE, STEPS): (
            "your derivative is half the right one: the derivative of 2(w − 3)² is "
            "2·2(w − 3) = 4(w − 3) (the chain rule brings down the exponent 2)",
            None,
        ),
        _after_steps(CURVATURE, 2 * LEARNING_RATE, 1): (
            "one step with 2η is not two steps with η: the second step uses the slope at the new "
            "w, which is smaller",
            None,
        ),
        MINIMUM: (
            "3 is where the steps are heading (the minimum), not where they are after two steps",
            None,
        ),
    }
    for wrong, (message, hint) in mistakes.items():
        if math.isclose(value, wrong, rel_tol=1e-9, abs_tol=1e-12):
            raise Incorrect(message, hint=hint)
    raise Incorrect(f"w_after_two_steps = {value:g} is not where two steps from w = 1 end")


def _regression() -> tuple[np.ndarray, np.ndarray]:
    data = make_linear_data(DATA_SAMPLES, seed=DATA_SEED)
    return np.asarray(data.X), np.asarray(data.y)


@exercise(
    "04.2",
    title="the gradient of the mean squared error",
    hint=(
        (
            "Section 2 (Linear regression and the gradient of its loss) derives the formula that "
            "the exercise states; write it in numpy with @ for matrix products and .T for the "
            "transpose."
        ),
        (
            "The residuals r = Xw − y have one entry per sample, shape (n,). Xᵀ has shape (d, n), "
            "so Xᵀr has one entry per weight, shape (d,)."
        ),
        (
            "Scale Xᵀr by 2/n with n = len(y): the 2 comes from differentiating the square, the "
            "1/n from the mean."
        ),
    ),
)
def _check_mse_gradient(answer: Any) -> str:
    """Check ``mse_gradient(w, X, y)`` at w = (1, −1) on ``make_linear_data(50, seed=0)``.

    Parameters
    ----------
    answer : array_like
        What the learner's ``mse_gradient`` returned there.

    Returns
    -------
    str
        The praise.
    """
    X, y = _regression()
    n, d = X.shape
    w = np.array(GRADIENT_WEIGHTS)
    residual = X @ w - y
    right = 2.0 / n * X.T @ residual
    gradient = np.asarray(answer)
    if gradient.dtype.kind not in "biuf":
        raise Incorrect(f"mse_gradient must return an array of numbers, got {answer!r}")
    gradient = gradient.astype(float)
    if gradient.shape == (n,):
        per_sample = any(
            np.allclose(gradient, scale * residual, rtol=1e-9) for scale in (2.0, 1.0, 2.0 / n)
        )
        what = (
            "a multiple of ŷ − y: a derivative with respect to the predictions, not the weights"
            if per_sample
            else "one entry per sample"
        )
        raise Incorrect(
            f"your gradient has shape ({n},) ({what}); it must have one entry per weight, "
            f"shape ({d},): Xᵀ(…) turns the per-sample residuals into one number per weight",
            hint="Multiply by X.T: (2/n)·X.T @ (X @ w − y).",
        )
    if gradient.shape == (n, d):
        raise Incorrect(
            f"your gradient has shape ({n}, {d}): one gradient per sample. The loss is their "
            f"average, so its gradient is the average over the rows, shape ({d},)",
            hint="(2/n)·X.T @ r sums rᵢ·xᵢ over the samples and divides by n.",
        )
    if gradient.shape != (d,):
        raise Incorrect(
            f"your gradient has shape {gradient.shape}; it must have one entry per weight, "
            f"shape ({d},), like w"
        )
    if not np.all(np.isfinite(gradient)):
        raise Incorrect("your gradient has NaN or infinite entries")
    if np.allclose(gradient, right, rtol=1e-9, atol=1e-12):
        return (
            f"(2/n)·Xᵀ(Xw − y) = {np.array2string(right, precision=4)}: shape ({d},), one "
            "entry per weight, exactly what the update w ← w − η∇ℓ needs."
        )
    factors = {
        0.5: "your gradient is half the right one — the derivative of r² is 2r",
        2.0: "your gradient is twice the right one: the 2 from differentiating r² appears once",
        -1.0: (
            "your gradient has the wrong sign: with r = Xw − y it is +(2/n)·Xᵀr (with y − Xw "
            "you need a minus sign in front)"
        ),
        float(n): (
            f"your gradient is n = {n} times too large: the loss is the mean (1/n)·Σ rᵢ², so "
            "its gradient keeps the 1/n"
        ),
        n / 2.0: (
            f"your gradient is n/2 = {n / 2:g} times too large: it lacks both the 2 from "
            "differentiating r² and the 1/n of the mean"
        ),
        1.0 / n: "your gradient is n times too small: divide by n once, not twice",
    }
    for factor, message in factors.items():
        if np.allclose(gradient, factor * right, rtol=1e-9, atol=1e-12):
            raise Incorrect(message)
    raise Incorrect(
        f"at w = {GRADIENT_WEIGHTS} your gradient is {np.array2string(gradient, precision=4)}, "
        f"but (2/n)·Xᵀ(Xw − y) is {np.array2string(right, precision=4)}",
        hint="Compare it with gradient_check(f, grad, w): the numeric gradient shows which "
        "component is off.",
    )


def _stable_rate(hessian: np.ndarray, *, smallest: bool = False) -> float:
    eigenvalues = np.linalg.eigvalsh(hessian)
    return 2.0 / float(eigenvalues[0] if smallest else eigenvalues[-1])


@exercise(
    "04.3",
    title="the largest stable learning rate",
    hint=(
        (
            "Section 4 (How big a step? The stability bound 2/L) and section 6 (Regularization): "
            "L is the largest eigenvalue of the Hessian, and the L2 penalty adds 2λI to the "
            "Hessian."
        ),
        (
            "Build the 2 × 2 matrix 2(XᵀX/n + λI) from data.X, with n = 50, λ = 0.1 and np.eye(2) "
            "for I. It is symmetric, so np.linalg.eigvalsh gives its eigenvalues."
        ),
        (
            "L is the largest of those eigenvalues (the steepest direction), not the smallest; "
            "eta_max = 2/L."
        ),
    ),
)
def _check_stability_bound(answer: Any) -> str:
    """Check ``2/L`` for the ridge loss on ``make_linear_data(50, seed=0)`` with λ = 0.1.

    Parameters
    ----------
    answer : float
        The learner's ``eta_max``.

    Returns
    -------
    str
        The praise.
    """
    value = _number("eta_max", answer)
    X, _ = _regression()
    n, d = X.shape
    gram = X.T @ X / n
    identity = np.eye(d)
    right = _stable_rate(2.0 * (gram + RIDGE * identity))
    if math.isclose(value, right, rel_tol=1e-6):
        return (
            f"2/L = {right:.4g}: L is the largest eigenvalue of 2(XᵀX/n + λI), the Lipschitz "
            "constant of the gradient; any η below it converges, any η above it diverges."
        )
    mistakes = {
        _stable_rate(gram + RIDGE * identity): (
            "that is twice the bound: the Hessian of (1/n)‖Xw − y‖² is 2XᵀX/n (differentiating "
            "the square brings a 2), and the penalty λ‖w‖² adds 2λI, so H = 2(XᵀX/n + λI)"
        ),
        _stable_rate(2.0 * gram): (
            "you left out the penalty: λ‖w‖² adds 2λ to every eigenvalue of the Hessian, which "
            "makes the loss steeper and the largest stable step smaller"
        ),
        _stable_rate(2.0 * gram + RIDGE * identity): (
            "the penalty λ‖w‖² has second derivative 2λ, not λ: H = 2XᵀX/n + 2λI"
        ),
        right / 2.0: (
            "1/L is a safe step, but not the largest stable one: the error along the steepest "
            "direction is multiplied by 1 − ηL, whose size stays below 1 up to η = 2/L"
        ),
        _stable_rate(2.0 * (gram + RIDGE * identity), smallest=True): (
            "you used the smallest eigenvalue: the step is limited by the steepest direction, "
            "the largest eigenvalue L"
        ),
        _stable_rate(2.0 * (X.T @ X + RIDGE * identity)): (
            f"you used XᵀX without dividing by n = {n}: the loss is a mean over the samples, so "
            "its Hessian is 2(XᵀX/n + λI)"
        ),
    }
    for wrong, message in mistakes.items():
        if math.isclose(value, wrong, rel_tol=1e-6):
            raise Incorrect(message)
    verdict = "diverge" if value > right else "converge, but it is not the largest such rate"
    raise Incorrect(
        f"eta_max = {value:.6g}, but 2/L = {right:.6g} for this loss; a run at your η would "
        f"{verdict}"
    )


# Hidden checks: graded by calcwidgets.grading, never shown in the notebook. ----------------------


def _regression_inputs(rng: np.random.Generator) -> tuple:
    """Return new weights and data of a random size: w, X (n × d) and y."""
    n, d = int(rng.integers(5, 15)), int(rng.integers(2, 5))
    return rng.standard_normal(d), rng.standard_normal((n, d)), rng.standard_normal(n)


@hidden_check(
    "04.2",
    key="new data",
    title="mse_gradient on data of another size",
    function="mse_gradient",
    inputs=_regression_inputs,
    hint="2/n · Xᵀ(Xw − y) with n = len(y), for any X, y and w",
)
def _hidden_mse_gradient(result: Any, w: np.ndarray, X: np.ndarray, y: np.ndarray) -> str:
    expected = 2 / len(y) * X.T @ (X @ w - y)
    expect_close(result, expected, call=f"mse_gradient on {X.shape[0]} × {X.shape[1]} data")
    return "the gradient is right for data of any size."
