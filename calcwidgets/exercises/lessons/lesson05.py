"""Checks for lesson 05 · Overfitting and regularization.

- 05.1: ridge regression in closed form, ``ridge_weights(X, y, l2)`` on the notebook's data.
- 05.2: the strength λ chosen from a grid by validation error.
- 05.3: one proximal-gradient step for the lasso, ``lasso_step(w, gradient, learning_rate, l1)``,
  evaluated on the notebook's example vector.

The expected answers come from the core: :meth:`calcwidgets.core.LeastSquares.solve`
with the penalty ``l2·‖w‖²`` and :func:`calcwidgets.core.soft_threshold`. The
checks name the usual mistakes: λ ignored, λ not matched to the 1/n of the mean
(``XᵀX + λI``), a stray factor 2, ``XᵀX/n + λ`` that adds λ to every entry, an
unpenalized intercept; choosing λ by training error or with the penalty added
to the validation error; a subgradient step instead of the proximal step, a
threshold not scaled by η, a hard threshold, weights frozen at zero.

Hidden checks (grading only, see :func:`~calcwidgets.exercises._framework.hidden_check`)
call the learner's functions on inputs the notebook never uses: ``ridge_weights`` (data
of another size), ``lasso_step`` (other weights and penalties).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ...core import LeastSquares, make_curve_data, polynomial_features, soft_threshold
from .._framework import Incorrect, exercise, expect_close, hidden_check

__all__: list[str] = []

#: Exercise 05.1: the penalty of the ridge fit on the notebook's degree-12 features.
RIDGE_L2 = 1e-3

#: Exercise 05.2: the data, the polynomial degree and the grid of strengths.
CURVE_DATA = {"n_train": 20, "n_validation": 100, "noise": 0.2, "seed": 0}
RIDGE_DEGREE = 12
L2_GRID = tuple(np.logspace(-8, 1, 19))

#: Exercise 05.3: weights, gradient, step and strength of the proximal step.
PROX_WEIGHTS = (0.5, -0.25, 0.0, 0.0, 1.0, 0.03)
PROX_GRADIENT = (1.0, -1.0, 3.0, 0.1, -2.0, 0.1)
PROX_LEARNING_RATE = 0.1
PROX_L1 = 1.0


def _vector(answer: Any, name: str, size: int) -> np.ndarray:
    """Return ``answer`` as a finite float vector of ``size`` entries, or explain."""
    if callable(answer):
        raise Incorrect(f"that is the function itself; pass its result, {name}, as the cell does")
    if isinstance(answer, tuple) and any(np.ndim(part) > 0 for part in answer):
        raise Incorrect(
            f"{name} returned a tuple of {len(answer)} items; return the weight vector alone "
            "(np.linalg.lstsq returns a tuple — np.linalg.solve returns just the solution)"
        )
    try:
        values = np.asarray(answer, dtype=float)
    except (TypeError, ValueError):
        raise Incorrect(f"{name} should return an array of numbers, got {answer!r:.80}") from None
    if values.shape != (size,):
        raise Incorrect(f"{name} returned shape {values.shape}; expected ({size},), one per weight")
    if not np.all(np.isfinite(values)):
        raise Incorrect(f"{name} returned NaN or inf: {values}")
    return values


def _close(a: np.ndarray, b: np.ndarray, rtol: float = 1e-7) -> bool:
    return bool(np.allclose(a, b, rtol=rtol, atol=rtol * max(1e-12, float(np.abs(b).max()))))


def _solve(X: np.ndarray, y: np.ndarray, matrix: np.ndarray) -> np.ndarray:
    return np.linalg.solve(matrix, X.T @ y / X.shape[0])


@exercise(
    "05.1",
    title="ridge regression in closed form",
    hint=(
        (
            "Section 2 (Ridge (L2): a price on large weights): set the gradient of the objective "
            "to zero. The result is a linear system for w, the ridge normal equations."
        ),
        (
            "The system is (XᵀX/n + λI)·w = Xᵀy/n: the 2s of the gradient cancel, and λ is added "
            "to the diagonal only, for every weight, w₀ included."
        ),
        (
            "np.linalg.solve(A, b) returns the w with A·w = b. Here A is XᵀX/n plus l2 times the "
            "d × d identity np.eye(d), b is Xᵀy/n, and n, d = X.shape."
        ),
    ),
)
def _check_ridge(answer: Any) -> str:
    X, y = _curve_problem()
    n, d = X.shape
    l2 = RIDGE_L2
    values = _vector(answer, "ridge_weights(X_train, data.y_train, 1e-3)", d)
    expected = LeastSquares(X, y, l2=l2).solve()
    if _close(values, expected, rtol=1e-6):
        return (
            "(XᵀX/n + λI) w = Xᵀy/n: the gradient (2/n)Xᵀ(Xw − y) + 2λw vanishes, and the added "
            f"λ turns a matrix with condition number {_condition(X, 0.0):.0e} into one with "
            f"{_condition(X, l2):.0e}."
        )
    identity = np.eye(d)
    gram = X.T @ X / n
    unpenalized_intercept = identity.copy()
    unpenalized_intercept[0, 0] = 0.0
    mistakes = [
        (
            gram,
            "your weights ignore λ: they are the plain least-squares solution. Add λ·I to "
            "XᵀX/n before solving",
        ),
        (
            gram + l2 / n * identity,
            "your λ is n times too weak: with our convention (1/n)‖Xw − y‖² + λ‖w‖² the "
            "normal equations are (XᵀX/n + λI)w = Xᵀy/n — so either divide XᵀX and Xᵀy by "
            "n, or add n·λ·I to XᵀX",
        ),
        (
            gram + 2 * l2 * identity,
            "your λ is twice too strong: in the gradient (2/n)Xᵀ(Xw − y) + 2λw both terms "
            "carry a 2, which cancels — the equations are (XᵀX/n + λI)w = Xᵀy/n",
        ),
        (
            gram + l2 / 2 * identity,
            "your λ is half as strong as it should be: the derivative of λ‖w‖² is 2λw, and "
            "its 2 cancels against the 2 of (2/n)Xᵀ(Xw − y), leaving (XᵀX/n + λI)",
        ),
        (
            gram - l2 * identity,
            "the sign of λ: the penalty adds λI to XᵀX/n, it does not subtract it",
        ),
        (
            gram + l2,
            "`X.T @ X / n + l2` adds λ to every entry of the matrix, not only to its "
            "diagonal; add l2 * np.eye(d)",
        ),
        (
            gram + l2 * unpenalized_intercept,
            "you left w₀ unpenalized. Many libraries do that for an intercept, but here "
            "λ‖w‖² covers every weight, so add λ to the whole diagonal",
        ),
    ]
    for matrix, message in mistakes:
        if _close(values, _solve(X, y, matrix), rtol=1e-5):
            raise Incorrect(message)
    raise Incorrect(
        f"your weights are not the minimiser of (1/n)‖Xw − y‖² + λ‖w‖² for λ = {l2:g}: their "
        f"objective is {LeastSquares(X, y, l2=l2).value(values):.6g}, the minimum "
        f"{LeastSquares(X, y, l2=l2).value(expected):.6g}"
    )


def _condition(X: np.ndarray, l2: float) -> float:
    eigenvalues = np.linalg.eigvalsh(X.T @ X / X.shape[0]) + l2
    return float(eigenvalues[-1] / eigenvalues[0])


def _curve_problem() -> tuple[np.ndarray, np.ndarray]:
    """Return the notebook's training features (degree 12) and targets."""
    data = make_curve_data(**CURVE_DATA)
    return polynomial_features(data.x_train, RIDGE_DEGREE), np.asarray(data.y_train)


def _grid_errors() -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Return the grid, train MSE, validation MSE and validation MSE + penalty per λ."""
    data = make_curve_data(**CURVE_DATA)
    X_train = polynomial_features(data.x_train, RIDGE_DEGREE)
    X_validation = polynomial_features(data.x_validation, RIDGE_DEGREE)
    loss = LeastSquares(X_train, data.y_train)
    grid = np.array(L2_GRID)
    weights = np.array([loss.with_penalty(l2=l2).solve() for l2 in grid])
    train = loss.data_loss(weights)
    validation = loss.mse(weights, X_validation, data.y_validation)
    penalized = validation + grid * np.sum(weights**2, axis=1)
    return grid, train, validation, penalized


@exercise(
    "05.2",
    title="choosing λ by validation error",
    hint=(
        (
            "Section 3 (Choosing λ with validation data): fit on the training points for each λ, "
            "and judge each fit on the validation points."
        ),
        (
            "For each λ in lambdas, solve the ridge problem on the degree-12 training features, "
            "then compute the plain mean squared error of that fit on the validation points, "
            "without the penalty."
        ),
        (
            "np.argmin of those errors gives a position in the grid. best_l2 is the λ at that "
            "position, lambdas[position], not the position and not the error."
        ),
    ),
)
def _check_best_l2(answer: Any) -> str:
    if isinstance(answer, np.ndarray) and answer.size != 1:
        raise Incorrect(
            f"best_l2 is an array of {answer.size} values; it should be one number, the λ "
            "from the grid (use the argmin of the validation errors to index the grid)"
        )
    try:
        value = float(answer)
    except (TypeError, ValueError):
        raise Incorrect(f"best_l2 should be one number, got {answer!r:.60}") from None
    grid, train, validation, penalized = _grid_errors()
    best = int(np.argmin(validation))
    if np.isclose(value, grid[best], rtol=1e-6):
        return (
            f"λ = {grid[best]:.2g} gives the smallest validation error, {validation[best]:.4f}, "
            f"against {validation[0]:.3g} for λ = {grid[0]:.0e} and {validation[-1]:.3g} for "
            f"λ = {grid[-1]:g}: too little penalty fits the noise, too much flattens the curve."
        )
    in_grid = bool(np.any(np.isclose(value, grid, rtol=1e-6)))
    if value == best or (float(value).is_integer() and 0 <= value < grid.size and not in_grid):
        raise Incorrect(
            f"{value:g} looks like a position in the grid (np.argmin gives positions); report "
            f"the λ itself, lambdas[{int(value)}] = {grid[int(value)]:.3g}"
        )
    if np.isclose(value, validation[best], rtol=1e-6):
        raise Incorrect("that is the smallest validation error; report the λ that achieves it")
    if np.isclose(value, grid[int(np.argmin(train))], rtol=1e-6):
        raise Incorrect(
            "that λ minimises the training error — the smallest penalty always does, because "
            "it lets the polynomial chase every training point. Compare validation errors"
        )
    if np.isclose(value, grid[int(np.argmin(penalized))], rtol=1e-6):
        raise Incorrect(
            "you added the penalty λ‖w‖² to the validation error. The penalty is part of the "
            "training objective only; judge each fit by its plain mean squared error on the "
            "validation points"
        )
    if not in_grid:
        raise Incorrect(f"{value:g} is not one of the values in lambdas; pick λ from the grid")
    position = int(np.argmin(np.abs(np.log(grid) - np.log(value))))
    raise Incorrect(
        f"λ = {value:.3g} has validation error {validation[position]:.4f}; another λ of the "
        "grid does better"
    )


@exercise(
    "05.3",
    title="the proximal step of the lasso",
    hint=(
        (
            "Two stages, as in section 4 (L1, the lasso): an ordinary gradient step, then "
            "soft-thresholding of its result with threshold η·λ₁."
        ),
        (
            "The gradient step is v = w − η·gradient. Soft-thresholding moves every entry of v by "
            "η·λ₁ towards zero and stops at zero: entries within η·λ₁ of zero become exactly 0."
        ),
        (
            "Entry by entry, keep the sign of v (np.sign) and shrink the size np.abs(v) by η·λ₁, "
            "with np.maximum(…, 0) so that no entry crosses zero."
        ),
    ),
)
def _check_lasso_step(answer: Any) -> str:
    w = np.array(PROX_WEIGHTS)
    gradient = np.array(PROX_GRADIENT)
    eta, l1 = PROX_LEARNING_RATE, PROX_L1
    values = _vector(answer, "lasso_step(w_example, gradient_example, 0.1, 1.0)", w.size)
    v = w - eta * gradient
    threshold = eta * l1
    expected = soft_threshold(v, threshold)
    if _close(values, expected, rtol=1e-12):
        return (
            "gradient step, then soft-thresholding by η·λ₁: entries within η·λ₁ of zero land "
            "exactly on zero, and w₂, which was zero, leaves it because its gradient 3 "
            "exceeds λ₁ = 1."
        )
    frozen = np.where(w == 0, 0.0, expected)
    mistakes = [
        (
            frozen,
            "the weights that were zero stayed frozen at zero. The proximal step re-examines "
            "every weight: w₂ = 0 has gradient 3 > λ₁ = 1, so it must leave zero",
        ),
        (
            w - eta * (gradient + l1 * np.sign(w)),
            "that is a subgradient step w − η(gradient + λ₁·sign(w)): it overshoots zero "
            "instead of landing on it, so no weight ever becomes exactly zero. Soft-threshold "
            "the gradient step instead",
        ),
        (
            np.sign(v) * np.maximum(np.abs(v) - l1, 0.0),
            "the threshold must be η·λ₁, not λ₁: the proximal step shrinks by the penalty's "
            "slope times the step size",
        ),
        (
            np.where(np.abs(v) <= threshold, 0.0, v),
            "that is a hard threshold: it zeroes the small entries but leaves the others "
            "unshrunk. Soft-thresholding also moves every surviving entry η·λ₁ towards zero",
        ),
        (
            np.sign(w) * np.maximum(np.abs(w) - threshold, 0.0) - eta * gradient,
            "you shrank w before the gradient step; take the gradient step first, then "
            "soft-threshold its result",
        ),
        (
            np.sign(v) * np.maximum(np.abs(v) + threshold, 0.0),
            "the shrinkage goes the wrong way: |v| − η·λ₁, towards zero, not |v| + η·λ₁",
        ),
        (
            np.sign(w + eta * gradient) * np.maximum(np.abs(w + eta * gradient) - threshold, 0.0),
            "the gradient step has the wrong sign: descend with w − η·gradient",
        ),
    ]
    for candidate, message in mistakes:
        if _close(values, candidate, rtol=1e-9):
            raise Incorrect(message)
    wrong = np.flatnonzero(~np.isclose(values, expected, rtol=1e-9, atol=1e-12))
    raise Incorrect(
        f"entries {wrong.tolist()} differ from the proximal step: got "
        f"{np.round(values[wrong], 4).tolist()}, expected {np.round(expected[wrong], 4).tolist()}"
    )


# Hidden checks: graded by calcwidgets.grading, never shown in the notebook. ----------------------


def _ridge_inputs(rng: np.random.Generator) -> tuple:
    """Return new data and a penalty: X (n × d), y and l2."""
    n, d = int(rng.integers(8, 20)), int(rng.integers(2, 6))
    return rng.standard_normal((n, d)), rng.standard_normal(n), float(rng.uniform(0.01, 1.0))


@hidden_check(
    "05.1",
    key="new data",
    title="ridge_weights on data of another size",
    function="ridge_weights",
    inputs=_ridge_inputs,
    hint="solve (XᵀX/n + λI) w = Xᵀy/n with n, d = X.shape",
)
def _hidden_ridge(result: Any, X: np.ndarray, y: np.ndarray, l2: float) -> str:
    n, d = X.shape
    expected = np.linalg.solve(X.T @ X / n + l2 * np.eye(d), X.T @ y / n)
    expect_close(result, expected, call=f"ridge_weights on {n} × {d} data", rtol=1e-6)
    return "the solve is right for data of any size and any λ."


def _lasso_inputs(rng: np.random.Generator) -> tuple:
    """Return weights, a gradient, a learning rate and a penalty that zero some weights."""
    size = int(rng.integers(5, 10))
    return (
        rng.standard_normal(size),
        rng.standard_normal(size),
        float(rng.uniform(0.05, 0.5)),
        float(rng.uniform(0.5, 3.0)),
    )


@hidden_check(
    "05.3",
    key="new weights",
    title="lasso_step on other weights, gradients, rates and penalties",
    function="lasso_step",
    inputs=_lasso_inputs,
    hint="v = w − η·g, then sign(v)·max(|v| − η·λ, 0) entry by entry",
)
def _hidden_lasso_step(
    result: Any, w: np.ndarray, gradient: np.ndarray, learning_rate: float, l1: float
) -> str:
    expected = soft_threshold(w - learning_rate * gradient, learning_rate * l1)
    expect_close(result, expected, call=f"lasso_step(w, gradient, {learning_rate:.3g}, {l1:.3g})")
    return "the proximal step is right for any weights, rate and penalty."
