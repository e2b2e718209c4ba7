"""Checks for lesson 07 · Capstone: logistic regression from scratch.

- 07.1: the gradient of the penalised mean cross-entropy, ``cross_entropy_gradient(w, X, y, l2)``.
- 07.2: a gradient-descent training loop, ``train_logistic(X, y, l2, learning_rate, iterations)``.
- 07.3: one Newton step, ``newton_step(w, X, y, l2)``.

Each function is evaluated in the notebook on its training data and the check
receives the result. The expected answers come from the core's
:class:`calcwidgets.core.LogisticRegression` (its exact gradient and Hessian)
and :func:`calcwidgets.core.optimize`; when an answer to 07.1 matches no known
mistake, the check compares it with central differences
(:func:`calcwidgets.core.gradient`) and names the worst component. The checks
name the usual mistakes: the per-sample vector p − y instead of the gradient,
y − p instead of p − y, a missing 1/n, a missing or halved penalty, an extra
factor σ′ carried over from a squared-error loss; a step uphill or one step too
many or too few; a Newton step without the penalty's curvature, with the bound
XᵀX/(4n) instead of the Hessian, or without solving the linear system.

Hidden checks (grading only, see :func:`~calcwidgets.exercises._framework.hidden_check`)
call the learner's functions on inputs the notebook never uses:
``cross_entropy_gradient``, ``train_logistic`` and ``newton_step`` (other data).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ...core import LogisticRegression, gradient, make_two_classes, optimize, sigmoid
from .._framework import Incorrect, exercise, expect_close, hidden_check

__all__: list[str] = []

#: The notebook's training data: every exercise is evaluated on it.
TRAINING_DATA = {"n_samples": 200, "separation": 2.0, "seed": 0}

#: Exercises 07.1 and 07.3: the weights and the penalty strength.
EXAMPLE_WEIGHTS = (0.4, -1.3)
EXAMPLE_L2 = 0.1

#: Exercise 07.2: the penalty, learning rate and number of steps.
TRAINING_L2 = 0.01
TRAINING_LEARNING_RATE = 1.0
TRAINING_ITERATIONS = 50


def _training_data() -> tuple[np.ndarray, np.ndarray]:
    data = make_two_classes(**TRAINING_DATA)
    return np.asarray(data.X), np.asarray(data.labels, dtype=float)


def _array(value: Any, name: str) -> np.ndarray:
    if callable(value):
        raise Incorrect(f"that is the function itself; pass its result, {name}, as the cell does")
    try:
        array = np.asarray(value, dtype=float)
    except (TypeError, ValueError):
        raise Incorrect(f"{name} should give an array of numbers, got {value!r:.80}") from None
    if not np.all(np.isfinite(array)):
        raise Incorrect(f"{name} contains NaN or inf: {array}")
    return array


def _close(a: np.ndarray, b: np.ndarray, rtol: float = 1e-7) -> bool:
    return a.shape == b.shape and bool(
        np.allclose(a, b, rtol=rtol, atol=rtol * max(1e-12, float(np.abs(b).max())))
    )


def _shape(values: np.ndarray, d: int, what: str) -> None:
    if values.shape != (d,):
        raise Incorrect(
            f"{what} should have shape ({d},), one entry per weight; got {values.shape}"
        )


@exercise(
    "07.1",
    title="the gradient of the mean cross-entropy",
    hint=(
        (
            "Section 2 (Deriving the gradient): one sample's loss has derivative p − y with "
            "respect to its logit, and the chain rule carries that back to the weights."
        ),
        (
            "With p = σ(Xw), computed with sigmoid(X @ w), the data term is (1/n)·Xᵀ(p − y), one "
            "entry per weight; the penalty λ‖w‖² adds 2λw."
        ),
        (
            "Only the data term is a mean: divide Xᵀ(p − y) by n = len(y), then add 2·l2·w. The "
            "result has shape (d,)."
        ),
    ),
)
def _check_gradient(answer: Any) -> str:
    X, y = _training_data()
    n, d = X.shape
    w, l2 = np.array(EXAMPLE_WEIGHTS), EXAMPLE_L2
    values = _array(answer, "cross_entropy_gradient(w_test, X, y, 0.1)")
    if values.shape == (n,):
        raise Incorrect(
            f"your function returned {n} numbers, one per sample: that is p − y (the "
            "derivative with respect to each logit). The gradient with respect to w has one "
            "entry per weight: X.T @ (p - y) / n (+ 2·λ·w)"
        )
    _shape(values, d, "the gradient")
    objective = LogisticRegression(X, y, l2=l2)
    expected = objective.smooth_gradient(w)
    if _close(values, expected):
        return (
            "∇ℓ(w) = (1/n)·Xᵀ(σ(Xw) − y) + 2λw: the chain rule through σ′ = σ(1 − σ) cancels to "
            "the plain residual p − y — and it matches central differences."
        )
    p = sigmoid(X @ w)
    data_part = X.T @ (p - y) / n
    mistakes = [
        (
            X.T @ (y - p) / n + 2 * l2 * w,
            "the sign of the data term: it is p − y (prediction minus label), so that the "
            "gradient points uphill, as gradients do",
        ),
        (
            -expected,
            "the whole gradient has the wrong sign — that is the direction of steepest descent, "
            "−∇ℓ; return ∇ℓ itself",
        ),
        (
            X.T @ (p - y) + 2 * l2 * w,
            "your sigmoid gradient is missing the 1/n: the loss is a mean over the n samples, "
            "so the data term is X.T @ (p - y) / n",
        ),
        (data_part, "the penalty's gradient is missing: λ‖w‖² adds 2λw"),
        (data_part + l2 * w, "the penalty λ‖w‖² has gradient 2λw, not λw"),
        (
            data_part + 2 * l2 * np.sign(w),
            "2λ·sign(w) would come from an L1 penalty; λ‖w‖² gives 2λw",
        ),
        (
            (X.T @ (p - y) + 2 * l2 * w) / n,
            "only the data term is a mean: divide X.T @ (p - y) by n, but add the full 2λw",
        ),
        (
            X.T @ ((p - y) * p * (1 - p)) / n + 2 * l2 * w,
            "the extra factor p(1 − p) belongs to a squared error; for the cross-entropy it "
            "cancels: dℓᵢ/dzᵢ = pᵢ − yᵢ exactly",
        ),
        (
            2 * data_part + 2 * l2 * w,
            "a factor 2 too many in the data term: that 2 comes from a squared error; the "
            "cross-entropy's derivative is p − y",
        ),
        (
            X.T @ (sigmoid(-(X @ w)) - y) / n + 2 * l2 * w,
            "p is sigmoid(X @ w), not sigmoid(−X @ w)",
        ),
    ]
    for candidate, message in mistakes:
        if _close(values, candidate, rtol=1e-6):
            raise Incorrect(message)
    numeric = gradient(objective.value, w)
    errors = np.abs(values - numeric) / np.maximum(np.abs(numeric), 1e-12)
    worst = int(np.argmax(errors))
    raise Incorrect(
        f"a gradient check fails: component {worst} is {values[worst]:.6g}, but central "
        f"differences of the loss give {numeric[worst]:.6g} (relative error {errors[worst]:.2g})"
    )


@exercise(
    "07.2",
    title="a training loop",
    hint=(
        (
            "Section 3 (Training with gradient descent): start at w = 0 and repeat w ← w − "
            "η∇ℓ(w), with the gradient of exercise 07.1 written out inside the function."
        ),
        (
            "Start from zeros with one entry per column of X, and loop exactly `iterations` "
            "times, computing the gradient at the current w in every step."
        ),
        (
            "The gradient is Xᵀ(σ(Xw) − y)/n + 2λw, penalty included; subtract learning_rate "
            "times it, and return only the final weights."
        ),
    ),
)
def _check_training(answer: Any) -> str:
    X, y = _training_data()
    d = X.shape[1]
    l2, eta, iterations = TRAINING_L2, TRAINING_LEARNING_RATE, TRAINING_ITERATIONS
    values = _array(answer, "train_logistic(X, y, 0.01, 1.0, 50)")
    if values.ndim == 2 and values.shape[1] == d:
        raise Incorrect(
            f"you returned {values.shape[0]} weight vectors (a history?); return only the final "
            "weights"
        )
    _shape(values, d, "the weights")
    objective = LogisticRegression(X, y, l2=l2)

    def run(steps: int, sign: float = -1.0, loss: Any = objective) -> np.ndarray:
        w = np.zeros(d)
        for _ in range(steps):
            w = w + sign * eta * loss.smooth_gradient(w)
        return w

    expected = optimize(
        objective, np.zeros(d), learning_rate=eta, iterations=iterations, tolerance=0.0
    ).final_weights
    if _close(values, expected, rtol=1e-8):
        return (
            f"{iterations} steps of w ← w − η∇ℓ(w) from w = 0 reach loss "
            f"{objective.value(values):.4f} (penalty included), exactly as the core's optimize."
        )
    mistakes = [
        (run(iterations, +1.0), "your loop climbs: w + η·∇ℓ is gradient ascent. Subtract"),
        (run(iterations - 1), f"one step too few: take exactly {iterations} steps"),
        (run(iterations + 1), f"one step too many: take exactly {iterations} steps"),
        (
            run(iterations, loss=objective.with_penalty(l2=0.0)),
            "the penalty is missing from your gradient: add 2λw",
        ),
    ]
    for candidate, message in mistakes:
        if _close(values, candidate, rtol=1e-6):
            raise Incorrect(message)
    if objective.value(values) > objective.value(expected) + 1e-9:
        raise Incorrect(
            f"your weights reach loss {objective.value(values):.5f}; {iterations} steps of "
            f"gradient descent from w = 0 reach {objective.value(expected):.5f}. Start from zeros "
            "and use the full gradient, penalty included"
        )
    raise Incorrect(
        f"these are not the weights after exactly {iterations} gradient-descent steps from "
        f"w = 0 with η = {eta:g}"
    )


@exercise(
    "07.3",
    title="one Newton step",
    hint=(
        (
            "Section 5 (Newton's method): w ← w − (∇²ℓ(w))⁻¹∇ℓ(w), with the gradient and the "
            "Hessian of section 2, both at the current w and both including the penalty."
        ),
        (
            "The Hessian is (1/n)·Xᵀ diag(p(1 − p)) X + 2λI with p = σ(Xw). Multiplying X.T by "
            "the vector p(1 − p) weights each sample's column, so no n × n diagonal matrix is "
            "needed."
        ),
        (
            "Do not invert H: np.linalg.solve(H, g) returns the step s with H·s = g, and the new "
            "weights are w − s."
        ),
    ),
)
def _check_newton(answer: Any) -> str:
    X, y = _training_data()
    n, d = X.shape
    w, l2 = np.array(EXAMPLE_WEIGHTS), EXAMPLE_L2
    values = _array(answer, "newton_step(w_test, X, y, 0.1)")
    _shape(values, d, "the new weights")
    objective = LogisticRegression(X, y, l2=l2)
    g = objective.smooth_gradient(w)
    hessian = objective.hessian(w)
    step = np.linalg.solve(hessian, g)
    expected = w - step
    if _close(values, expected, rtol=1e-8):
        before = np.linalg.norm(g)
        after = np.linalg.norm(objective.smooth_gradient(values))
        return (
            f"w − H⁻¹∇ℓ: one step cut the gradient norm from {before:.2e} to {after:.2e} — it "
            "jumps to the minimum of the local quadratic model."
        )
    p = sigmoid(X @ w)
    identity = np.eye(d)
    data_hessian = (X.T * (p * (1 - p))) @ X / n
    mistakes = [
        (w + step, "the sign: Newton moves to w − H⁻¹∇ℓ"),
        (step, "that is the step H⁻¹∇ℓ itself; return the new weights w − H⁻¹∇ℓ"),
        (w - hessian @ g, "H·∇ℓ multiplies by the Hessian; Newton divides by it: solve H s = ∇ℓ"),
        (
            w - np.linalg.solve(data_hessian, g),
            "the Hessian is missing the penalty's curvature: λ‖w‖² adds 2λI",
        ),
        (
            w - np.linalg.solve(data_hessian + l2 * identity, g),
            "the penalty λ‖w‖² adds 2λI to the Hessian, not λI",
        ),
        (
            w - np.linalg.solve(X.T @ X / (4 * n) + 2 * l2 * identity, g),
            "XᵀX/(4n) + 2λI is the upper bound on the Hessian (p(1 − p) ≤ 1/4), not the Hessian "
            "at w: weight each sample by pᵢ(1 − pᵢ)",
        ),
        (
            w - np.linalg.solve(X.T @ X / n + 2 * l2 * identity, g),
            "each sample's term in the Hessian is weighted by pᵢ(1 − pᵢ) = σ′(zᵢ)",
        ),
        (
            w - g / np.diag(hessian),
            "dividing by the diagonal of H ignores how the weights interact; solve the full "
            "system H s = ∇ℓ",
        ),
        (
            w - np.linalg.solve(hessian, X.T @ (p - y) / n),
            "the gradient in the step is missing the penalty's 2λw",
        ),
    ]
    for candidate, message in mistakes:
        if _close(values, candidate, rtol=1e-6):
            raise Incorrect(message)
    raise Incorrect(
        f"your new weights {np.round(values, 5)} differ from w − H⁻¹∇ℓ = {np.round(expected, 5)}"
    )


# Hidden checks: graded by calcwidgets.grading, never shown in the notebook. ----------------------


def _classification_inputs(rng: np.random.Generator) -> tuple:
    """Return new weights, data and labels of a random size, and a penalty."""
    n, d = int(rng.integers(10, 30)), int(rng.integers(2, 5))
    X = rng.standard_normal((n, d))
    y = (rng.uniform(size=n) < 0.5).astype(float)
    return rng.standard_normal(d), X, y, float(rng.uniform(0.01, 0.5))


def _penalised_gradient(w: np.ndarray, X: np.ndarray, y: np.ndarray, l2: float) -> np.ndarray:
    return X.T @ (sigmoid(X @ w) - y) / len(y) + 2 * l2 * w


@hidden_check(
    "07.1",
    key="new data",
    title="cross_entropy_gradient on data of another size",
    function="cross_entropy_gradient",
    inputs=_classification_inputs,
    hint="Xᵀ(σ(Xw) − y)/n + 2·λ·w with n = len(y), for any X, y, w and λ",
)
def _hidden_cross_entropy(result: Any, w: np.ndarray, X: np.ndarray, y: np.ndarray, l2: float):
    expected = _penalised_gradient(w, X, y, l2)
    expect_close(
        result, expected, call=f"cross_entropy_gradient on {X.shape[0]} × {X.shape[1]} data"
    )
    return "the gradient is right for data of any size."


def _training_inputs(rng: np.random.Generator) -> tuple:
    """Return new data and labels, a penalty, a learning rate and a number of steps."""
    _, X, y, l2 = _classification_inputs(rng)
    return X, y, l2, float(rng.uniform(0.1, 1.0)), int(rng.integers(5, 30))


@hidden_check(
    "07.2",
    key="new data",
    title="train_logistic on other data, rates and numbers of steps",
    function="train_logistic",
    inputs=_training_inputs,
    hint="start from w = 0 and take exactly `iterations` steps w ← w − η·∇ℓ(w)",
)
def _hidden_training(
    result: Any, X: np.ndarray, y: np.ndarray, l2: float, learning_rate: float, iterations: int
) -> str:
    w = np.zeros(X.shape[1])
    for _ in range(iterations):
        w = w - learning_rate * _penalised_gradient(w, X, y, l2)
    expect_close(
        result, w, call=f"train_logistic(X, y, {l2:.3g}, {learning_rate:.3g}, {iterations})"
    )
    return "training is right for any data, rate and number of steps."


@hidden_check(
    "07.3",
    key="new data",
    title="newton_step on data of another size",
    function="newton_step",
    inputs=_classification_inputs,
    hint="w − H⁻¹∇ℓ with H = Xᵀ diag(p(1 − p)) X / n + 2λI, for any X, y, w and λ",
)
def _hidden_newton(result: Any, w: np.ndarray, X: np.ndarray, y: np.ndarray, l2: float) -> str:
    n, d = X.shape
    p = sigmoid(X @ w)
    hessian = (X.T * (p * (1 - p))) @ X / n + 2 * l2 * np.eye(d)
    expected = w - np.linalg.solve(hessian, _penalised_gradient(w, X, y, l2))
    expect_close(result, expected, call=f"newton_step on {n} × {d} data", rtol=1e-6)
    return "the Newton step is right for data of any size."
