"""Checks for lesson 06 · Convergence.

- 06.1: the largest eigenvalue of a symmetric matrix by power iteration, ``largest_eigenvalue(A)``,
  evaluated on the notebook's ``spd_matrix``.
- 06.2: the largest stable learning rate of heavy-ball momentum with β = 0.9.
- 06.3: Polyak's optimal learning rate and momentum for a bowl with κ = 100.

The expected answers come from numpy's ``eigvalsh`` and from the core's
:func:`calcwidgets.core.stability_bound` and :func:`calcwidgets.core.convergence_theory`.
The checks name the usual mistakes: returning the vector instead of the
eigenvalue, the smallest eigenvalue, a norm of the matrix; the plain-GD bound
2/L or the folklore ηL ≤ 1 for momentum; Polyak's parameters swapped, β not
squared, κ where √κ belongs, or the best plain-GD step 2/(μ + L).

Hidden checks (grading only, see :func:`~calcwidgets.exercises._framework.hidden_check`)
call the learner's functions on inputs the notebook never uses: ``largest_eigenvalue``
(another symmetric matrix).
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from ...core import convergence_theory, quadratic_bowl, stability_bound
from .._framework import Incorrect, exercise, expect_close, hidden_check

__all__: list[str] = []

#: Exercise 06.1: the seed of the notebook's symmetric positive definite matrix.
POWER_SEED = 21

#: Exercise 06.2: the bowl (condition number, largest eigenvalue) and the momentum β.
MOMENTUM_BOWL = (50.0, 4.0)
MOMENTUM_BETA = 0.9

#: Exercise 06.3: the bowl (condition number, largest eigenvalue).
POLYAK_BOWL = (100.0, 2.0)


def _example_matrix() -> np.ndarray:
    """Return the notebook's ``spd_matrix``: ``M Mᵀ + I`` for a seeded 6 × 6 normal ``M``."""
    rng = np.random.default_rng(POWER_SEED)
    M = rng.standard_normal((6, 6))
    return M @ M.T + np.eye(6)


def _number(answer: Any, name: str) -> float:
    if isinstance(answer, np.ndarray) and answer.size != 1:
        raise Incorrect(
            f"{name} is an array of shape {answer.shape}; it should be one number"
            + (
                " — an eigenvector has this shape; the eigenvalue is the Rayleigh quotient "
                "vᵀAv / vᵀv"
                if answer.ndim == 1
                else ""
            )
        )
    if isinstance(answer, (tuple, list)):
        raise Incorrect(f"{name} should be one number, got a {type(answer).__name__}")
    try:
        value = float(answer)
    except (TypeError, ValueError):
        raise Incorrect(f"{name} should be a number, got {answer!r:.60}") from None
    if not math.isfinite(value):
        raise Incorrect(
            f"{name} is {value}: did the vector overflow? Normalise it after every product"
        )
    return value


@exercise(
    "06.1",
    title="the Lipschitz constant by power iteration",
    hint=(
        (
            "The paragraph above the exercise: multiply a vector by A again and again, "
            "normalising it each time; it turns towards the eigenvector of the largest "
            "eigenvalue."
        ),
        (
            "Draw the start v from np.random.default_rng(0), with A.shape[0] entries. In each "
            "iteration replace v by A @ v, then divide it by its length np.linalg.norm(v)."
        ),
        (
            "Return the eigenvalue, not the vector: the Rayleigh quotient vᵀAv of the final unit "
            "vector, as a number."
        ),
    ),
)
def _check_power_iteration(answer: Any) -> str:
    matrix = _example_matrix()
    if isinstance(answer, np.ndarray) and answer.shape == (matrix.shape[0],):
        raise Incorrect(
            "largest_eigenvalue returned a vector — that is the eigenvector; return the "
            "eigenvalue, the Rayleigh quotient v @ A @ v of the normalised vector"
        )
    value = _number(answer, "largest_eigenvalue(spd_matrix)")
    eigenvalues = np.linalg.eigvalsh(matrix)
    expected = float(eigenvalues[-1])
    if math.isclose(value, expected, rel_tol=1e-8):
        return (
            f"L = {expected:.6g}: each product A·v stretches the top eigen-direction most (here "
            f"{expected:.3g} against {eigenvalues[-2]:.3g} for the next), so v turns towards it "
            "and vᵀAv converges to L — without computing any other eigenvalue."
        )
    candidates = [
        (
            float(eigenvalues[0]),
            "that is the smallest eigenvalue; power iteration on A "
            "amplifies the direction of the largest one",
        ),
        (float(np.trace(matrix)), "that is the trace (the sum of all eigenvalues)"),
        (
            float(np.linalg.norm(matrix)),
            "that is the Frobenius norm ‖A‖_F, which exceeds the "
            "largest eigenvalue whenever A has more than one nonzero eigenvalue",
        ),
        (float(np.max(np.diag(matrix))), "that is the largest diagonal entry, not an eigenvalue"),
        (2.0 * expected, "that is twice the largest eigenvalue; A is already the Hessian here"),
        (math.sqrt(expected), "that is the square root of the largest eigenvalue; return vᵀAv"),
        (
            expected**2,
            "that is the square of the largest eigenvalue: ‖A v‖² = λ² for a unit "
            "eigenvector; return vᵀAv (or ‖A v‖) instead",
        ),
    ]
    for candidate, message in candidates:
        if math.isclose(value, candidate, rel_tol=1e-6):
            raise Incorrect(message)
    if abs(value - expected) < 0.05 * expected:
        raise Incorrect(
            f"close but not converged: {value:.10g} against {expected:.10g}; take more "
            "iterations (100 is plenty here) and return vᵀAv of the unit vector"
        )
    raise Incorrect(
        f"you returned {value:.6g}; the largest eigenvalue of spd_matrix is {expected:.6g}"
    )


def _bowl(shape: tuple[float, float]) -> Any:
    condition_number, largest = shape
    return quadratic_bowl(condition_number, largest_eigenvalue=largest)


@exercise(
    "06.2",
    title="the stability bound of momentum",
    hint=(
        (
            "Section 4 (Momentum: the heavy ball), “Stability, derived”: a condition on ηλ that "
            "every eigenvalue λ of the bowl must satisfy."
        ),
        (
            "Heavy ball converges exactly when 0 < ηλ < 2(1 + β) for every eigenvalue λ. The "
            "largest eigenvalue, L, is the first to break it."
        ),
        "For this bowl L = 4 and β = 0.9: the edge is the η with ηL = 2(1 + β).",
    ),
)
def _check_momentum_bound(answer: Any) -> str:
    value = _number(answer, "eta_max")
    bowl = _bowl(MOMENTUM_BOWL)
    beta = MOMENTUM_BETA
    lipschitz, mu = bowl.lipschitz, bowl.mu
    expected = stability_bound(bowl, beta)
    if math.isclose(value, expected, rel_tol=1e-9):
        return (
            f"η < 2(1 + β)/L = {expected:g}: with β = {beta} momentum tolerates steps up to "
            f"{1 + beta:g} times the plain gradient-descent bound 2/L = {2 / lipschitz:g}."
        )
    mistakes = [
        (
            2 / lipschitz,
            "that is 2/L, the bound of plain gradient descent; momentum moves the "
            "edge of stability to ηλ = 2(1 + β)",
        ),
        (
            1 / lipschitz,
            "ηL ≤ 1 is a folklore rule, not the bound: the roots of "
            "r² − (1 + β − ηλ)r + β stay inside the unit circle up to ηλ = 2(1 + β)",
        ),
        ((1 + beta) / lipschitz, "you are missing a factor 2: the bound is 2(1 + β)/L"),
        (2 * (1 - beta) / lipschitz, "the sign of β: the bound is 2(1 + β)/L, larger than 2/L"),
        (2 / ((1 + beta) * lipschitz), "β goes in the numerator: 2(1 + β)/L"),
        (
            2 * (1 + beta) / mu,
            "use L, the largest eigenvalue: the steepest direction is the first to become unstable",
        ),
        (2 * (1 + beta), "that is the bound on ηL; divide by L to get the learning rate"),
    ]
    for candidate, message in mistakes:
        if math.isclose(value, candidate, rel_tol=1e-9):
            raise Incorrect(message)
    raise Incorrect(
        f"{value:g} is not the edge of stability for L = {lipschitz:g} and β = {beta}; "
        "set p(−1) = 0 for p(r) = r² − (1 + β − ηL)r + β and solve for η"
    )


@exercise(
    "06.3",
    title="Polyak's optimal heavy ball",
    hint=(
        (
            "The subsection “The optimal heavy ball” gives both parameters in terms of the "
            "extreme eigenvalues L and μ and of κ = L/μ."
        ),
        (
            "Here L = 2 and μ = 0.02, so κ = 100 and √κ = 10. Polyak's learning rate is 4/(√L + "
            "√μ)², with square roots of L and μ."
        ),
        (
            "Polyak's momentum is β = ((√κ − 1)/(√κ + 1))², the square of the rate. Store the "
            "pair in the order (learning_rate, momentum)."
        ),
    ),
)
def _check_polyak(answer: Any) -> str:
    if not isinstance(answer, (tuple, list)) or len(answer) != 2:
        raise Incorrect("give two numbers, (learning_rate, momentum), as a tuple")
    learning_rate = _number(answer[0], "learning_rate")
    momentum = _number(answer[1], "momentum")
    theory = convergence_theory(_bowl(POLYAK_BOWL))
    good_rate = math.isclose(learning_rate, theory.heavy_ball_learning_rate, rel_tol=1e-6)
    good_momentum = math.isclose(momentum, theory.heavy_ball_momentum, rel_tol=1e-6)
    if good_rate and good_momentum:
        return (
            f"η = {learning_rate:.4g}, β = {momentum:.4f}: the rate is √β = "
            f"{theory.heavy_ball_rate:.4f} per step instead of plain gradient descent's best "
            f"{theory.best_rate:.4f} — √κ in place of κ."
        )
    if math.isclose(learning_rate, theory.heavy_ball_momentum, rel_tol=1e-6) and math.isclose(
        momentum, theory.heavy_ball_learning_rate, rel_tol=1e-6
    ):
        raise Incorrect("the two are swapped: give (learning_rate, momentum)")
    problems = []
    if not good_momentum:
        kappa = theory.condition_number
        if math.isclose(momentum, theory.heavy_ball_rate, rel_tol=1e-6):
            problems.append("β is the square of (√κ − 1)/(√κ + 1); that ratio itself is the rate")
        elif math.isclose(momentum, ((kappa - 1) / (kappa + 1)) ** 2, rel_tol=1e-6):
            problems.append("β uses √κ, not κ: ((√κ − 1)/(√κ + 1))²")
        elif math.isclose(momentum, (kappa - 1) / (kappa + 1), rel_tol=1e-6):
            problems.append("β = ((√κ − 1)/(√κ + 1))²: square roots of κ, and the whole squared")
        else:
            problems.append(f"momentum {momentum:g} is not ((√κ − 1)/(√κ + 1))² for κ = {kappa:g}")
    if not good_rate:
        lipschitz, mu = theory.lipschitz, theory.mu
        if math.isclose(learning_rate, theory.best_learning_rate, rel_tol=1e-6):
            problems.append(
                "2/(μ + L) is the best step of plain gradient descent; with momentum it is "
                "4/(√L + √μ)²"
            )
        elif math.isclose(learning_rate, 4 / (lipschitz + mu) ** 2, rel_tol=1e-6) or math.isclose(
            learning_rate, 4 / (lipschitz + mu), rel_tol=1e-6
        ):
            problems.append("the step is 4/(√L + √μ)²: square roots of L and μ inside")
        else:
            problems.append(
                f"learning_rate {learning_rate:g} is not 4/(√L + √μ)² for L = {lipschitz:g}, "
                f"μ = {mu:g}"
            )
    raise Incorrect("; ".join(problems))


# Hidden checks: graded by calcwidgets.grading, never shown in the notebook. ----------------------


def _symmetric_matrix(rng: np.random.Generator) -> tuple[np.ndarray]:
    """Return a symmetric positive definite matrix whose top eigenvalue stands well apart."""
    size = int(rng.integers(3, 8))
    basis, _ = np.linalg.qr(rng.standard_normal((size, size)))
    top = float(rng.uniform(5.0, 20.0))
    eigenvalues = np.concatenate([[top], rng.uniform(0.1, top / 2, size=size - 1)])
    return ((basis * eigenvalues) @ basis.T,)


@hidden_check(
    "06.1",
    key="other matrices",
    title="largest_eigenvalue of another symmetric matrix",
    function="largest_eigenvalue",
    inputs=_symmetric_matrix,
    hint="repeat v ← Av/‖Av‖ from any nonzero v, then return vᵀAv, for a matrix of any size",
)
def _hidden_power_iteration(result: Any, matrix: np.ndarray) -> str:
    expected = float(np.linalg.eigvalsh(matrix).max())
    expect_close(
        result,
        expected,
        call=f"largest_eigenvalue of a {len(matrix)} × {len(matrix)} matrix",
        rtol=1e-6,
    )
    return "power iteration finds the top eigenvalue of other matrices too."
