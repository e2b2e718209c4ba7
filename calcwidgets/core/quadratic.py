"""Quadratic losses: eigenvalues, gradient descent in closed form, and convergence theory.

On ``f(w) = ½ wᵀHw − bᵀw + c`` gradient descent is linear: with ``H = QΛQᵀ``
and ``z = Qᵀw`` every eigen-coordinate evolves on its own,
``z_k − z* = (1 − ηλ)^k (z_0 − z*)``. So a whole trajectory costs O(d) per
recorded iteration plus one rotation back, whatever the number of samples
behind ``H``, and the convergence theory (``L``, ``μ``, ``κ``, ``2/L``, the
best step, the rates, the heavy-ball parameters) can be read off the spectrum.
"""

from __future__ import annotations

import copy
import math
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import cached_property
from typing import Any

import numpy as np

from ._validate import check_array, check_int, check_positive, check_real
from .results import OptimizationResult, Status, divergence_limit

__all__ = [
    "ConvergenceTheory",
    "LearningRateSweep",
    "QuadraticLoss",
    "convergence_theory",
    "gradient_descent_closed_form",
    "gradient_descent_sweep",
    "loss_surface",
    "measured_rate",
    "predicted_rate",
    "quadratic_bowl",
    "stability_bound",
]

_EPS = float(np.finfo(float).eps)

#: Powers below 1e-300 are set to zero: they no longer change any sum, and
#: letting them sink into subnormal numbers slows the arithmetic a hundredfold.
_LOG_TINY = math.log(1e-300)

#: A log-power this negative underflows at the first step (it stands in for log 0).
_LOG_ZERO = -1e4

#: Entries (rates × steps × d) evaluated at once along a trajectory.
_BLOCK_ELEMENTS = 1 << 15

#: Candidate steps evaluated per round of the search for a first crossing.
_SEARCH_POINTS = 128


def _quiet() -> np.errstate:
    """Let a diverging run give inf or NaN instead of a warning."""
    return np.errstate(over="ignore", invalid="ignore", divide="ignore", under="ignore")


def _frozen(array: np.ndarray) -> np.ndarray:
    array = np.array(array, dtype=float, copy=True)
    array.setflags(write=False)
    return array


class QuadraticLoss:
    """The convex quadratic ``f(w) = ½ wᵀHw − linearᵀw + constant``.

    The eigendecomposition of ``H`` is computed once, at construction, and
    everything else (the minimizer, the gradient-descent trajectories, the
    convergence theory) is read off it.

    Parameters
    ----------
    hessian : array_like, shape (d, d)
        The symmetric positive semi-definite matrix ``H``, not zero.
    linear : array_like, shape (d,)
        The vector ``b`` of the linear term.
    constant : float, default 0
        The constant term.

    Notes
    -----
    Eigenvalues within round-off of zero (below ``d·ε·L``) are set to exactly
    zero: those directions are flat, ``mu`` is 0 and ``condition_number`` is
    infinite.

    The class also offers the parts of the objective protocol that full-batch
    optimizers use (``value``, ``smooth_gradient``, ``n_features``, ``l2 = 0``,
    ``l1 = 0``), so the iterative optimizers can run on it too.

    Examples
    --------
    >>> loss = QuadraticLoss([[2.0, 0.0], [0.0, 0.5]], [2.0, 1.0])
    >>> loss.lipschitz, loss.mu, loss.condition_number
    (2.0, 0.5, 4.0)
    >>> loss.minimizer
    array([1., 2.])
    >>> loss.value(loss.minimizer), loss.min_value
    (-2.0, -2.0)
    >>> loss.gradient([[0.0, 0.0], [1.0, 2.0]])
    array([[-2., -1.],
           [ 0.,  0.]])
    """

    l1 = 0.0
    l2 = 0.0

    def __init__(self, hessian: Any, linear: Any, constant: float = 0.0) -> None:
        hessian = check_array("hessian", hessian, ndim=2)
        d = hessian.shape[0]
        if hessian.shape != (d, d):
            raise ValueError(f"hessian must be a square (d, d) matrix, got shape {hessian.shape}")
        scale = float(np.max(np.abs(hessian)))
        asymmetry = float(np.max(np.abs(hessian - hessian.T)))
        if asymmetry > 1e-10 * scale:
            raise ValueError(
                f"hessian must be symmetric, got max |H − Hᵀ| = {asymmetry:.3g} "
                f"(largest entry {scale:.3g})"
            )
        hessian = (hessian + hessian.T) / 2
        linear = check_array("linear", linear, shape=(d,))
        constant = check_real("constant", constant)
        eigenvalues, eigenvectors = np.linalg.eigh(hessian)
        self._set(hessian, linear, constant, eigenvalues, eigenvectors)

    def _set(
        self,
        hessian: np.ndarray,
        linear: np.ndarray,
        constant: float,
        eigenvalues: np.ndarray,
        eigenvectors: np.ndarray,
    ) -> None:
        roundoff = eigenvalues.size * _EPS * float(np.max(np.abs(eigenvalues)))
        if eigenvalues[0] < -roundoff:
            raise ValueError(
                "hessian must be positive semi-definite (a convex quadratic), "
                f"got smallest eigenvalue {eigenvalues[0]:.3g}"
            )
        if not eigenvalues[-1] > roundoff:
            raise ValueError(
                "hessian must have a positive eigenvalue: a zero Hessian makes f linear, "
                "with no curvature to set a step size"
            )
        self._hessian = _frozen(hessian)
        self._linear = _frozen(linear)
        self._constant = constant
        self._eigenvalues = _frozen(np.where(eigenvalues <= roundoff, 0.0, eigenvalues))
        self._eigenvectors = _frozen(eigenvectors)
        self._linear_eigen = _frozen(eigenvectors.T @ linear)

    @classmethod
    def from_least_squares(cls, objective: Any) -> QuadraticLoss:
        """Return the quadratic ``(1/n)‖Xw − y‖² + l2‖w‖²`` of a least-squares objective.

        ``H = 2(gram + l2·I)``, ``linear = 2·moment``, ``constant =
        target_moment``. The eigenvectors of ``objective.gram_eigen`` are reused
        (the eigenvalues become ``2(g + l2)``), so this costs O(d²) and never
        touches the samples: changing ``l2`` is cheap.

        Parameters
        ----------
        objective : LeastSquares
            Any object with ``gram``, ``moment``, ``target_moment``, ``l2``,
            ``l1`` and ``gram_eigen`` (eigenvalues ascending, eigenvectors).

        Returns
        -------
        QuadraticLoss

        Raises
        ------
        ValueError
            If ``objective.l1 > 0``: ``l1·‖w‖₁`` is not a quadratic.

        Examples
        --------
        >>> class Statistics:  # what LeastSquares(X, y, l2=0.5) precomputes
        ...     gram, moment, target_moment = np.eye(2), np.array([1.0, 2.0]), 5.0
        ...     l2, l1 = 0.5, 0.0
        ...     gram_eigen = (np.ones(2), np.eye(2))
        >>> loss = QuadraticLoss.from_least_squares(Statistics())
        >>> loss.eigenvalues, loss.minimizer
        (array([3., 3.]), array([0.66666667, 1.33333333]))
        """
        required = ("gram", "moment", "target_moment", "l2", "l1", "gram_eigen")
        missing = [name for name in required if not hasattr(objective, name)]
        if missing:
            raise TypeError(
                "objective must be a least-squares objective with "
                + ", ".join(required)
                + f"; {type(objective).__name__} lacks "
                + ", ".join(missing)
            )
        l1 = check_positive("objective.l1", objective.l1, allow_zero=True)
        if l1 > 0:
            raise ValueError(
                f"objective.l1 must be 0 for a quadratic loss, got l1={l1:g}: the L1 penalty "
                "l1·‖w‖₁ has a kink at 0; use objective.with_penalty(l1=0.0), or a proximal "
                "optimizer for the lasso"
            )
        l2 = check_positive("objective.l2", objective.l2, allow_zero=True)
        gram = check_array("objective.gram", objective.gram, ndim=2)
        d = gram.shape[0]
        moment = check_array("objective.moment", objective.moment, shape=(d,))
        target_moment = check_real("objective.target_moment", objective.target_moment)
        gram_eigenvalues, eigenvectors = objective.gram_eigen
        gram_eigenvalues = check_array("gram eigenvalues", gram_eigenvalues, shape=(d,))
        eigenvectors = check_array("gram eigenvectors", eigenvectors, shape=(d, d))
        loss = cls.__new__(cls)
        loss._set(
            2.0 * (gram + l2 * np.eye(d)),
            2.0 * moment,
            target_moment,
            2.0 * (gram_eigenvalues + l2),
            eigenvectors,
        )
        return loss

    def __repr__(self) -> str:
        """Show the dimension and the constants that govern gradient descent."""
        return (
            f"QuadraticLoss(n_features={self.n_features}, lipschitz={self.lipschitz:.4g}, "
            f"mu={self.mu:.4g}, condition_number={self.condition_number:.4g})"
        )

    @property
    def hessian(self) -> np.ndarray:
        """``H``, shape (d, d), read-only."""
        return self._hessian

    @property
    def linear(self) -> np.ndarray:
        """The linear coefficient ``b``, shape (d,), read-only."""
        return self._linear

    @property
    def constant(self) -> float:
        """The constant term."""
        return self._constant

    @property
    def n_features(self) -> int:
        """The dimension d of ``w``."""
        return self._linear.size

    @property
    def eigenvalues(self) -> np.ndarray:
        """The eigenvalues of ``H`` in ascending order, shape (d,), read-only."""
        return self._eigenvalues

    @property
    def eigenvectors(self) -> np.ndarray:
        """The orthonormal eigenvectors of ``H`` as columns, shape (d, d), read-only."""
        return self._eigenvectors

    @property
    def lipschitz(self) -> float:
        """``L``, the largest eigenvalue: the Lipschitz constant of the gradient."""
        return float(self._eigenvalues[-1])

    @property
    def mu(self) -> float:
        """``μ``, the smallest eigenvalue: the strong-convexity constant (0 if flat)."""
        return float(self._eigenvalues[0])

    @property
    def condition_number(self) -> float:
        """``κ = L/μ``, infinite when ``μ = 0``."""
        return self.lipschitz / self.mu if self.mu > 0 else math.inf

    @cached_property
    def minimizer(self) -> np.ndarray:
        """The minimizer ``H⁻¹b``; with flat directions, the one of smallest norm.

        Raises
        ------
        ValueError
            If ``linear`` has a component along a flat direction: then ``f``
            decreases without bound along it and has no minimizer.
        """
        flat = self._eigenvalues == 0
        drift = self._linear_eigen[flat]
        if drift.size and np.max(np.abs(drift)) > 1e-8 * np.linalg.norm(self._linear_eigen):
            raise ValueError(
                "the loss is unbounded below, so it has no minimizer: linear has a component "
                "along an eigenvector of hessian with eigenvalue 0"
            )
        curved = ~flat
        minimizer_eigen = np.zeros_like(self._linear_eigen)
        minimizer_eigen[curved] = self._linear_eigen[curved] / self._eigenvalues[curved]
        return _frozen(self._eigenvectors @ minimizer_eigen)

    @property
    def min_value(self) -> float:
        """``f(minimizer) = constant − ½ bᵀw*``."""
        return self._constant - 0.5 * float(self._linear @ self.minimizer)

    def _weights(self, weights: Any) -> np.ndarray:
        """Return ``weights`` as floats of shape (..., d); inf and NaN pass, as in models."""
        try:
            weights = np.asarray(weights, dtype=float)
        except (TypeError, ValueError):
            raise TypeError(f"weights must be an array of real numbers, got {weights!r}") from None
        if weights.ndim == 0 or weights.shape[-1] != self.n_features:
            raise ValueError(
                f"weights must have shape ({self.n_features},) or (..., {self.n_features}), "
                f"got shape {weights.shape}"
            )
        return weights

    def value(self, weights: Any) -> float | np.ndarray:
        """Return ``f(w)``.

        Parameters
        ----------
        weights : array_like, shape (d,) or (..., d)
            One weight vector or a stack of them.

        Returns
        -------
        float or ndarray of shape (...)
        """
        weights = self._weights(weights)
        with _quiet():
            values = np.sum((0.5 * (weights @ self._hessian) - self._linear) * weights, axis=-1)
            values = values + self._constant
        return float(values) if weights.ndim == 1 else values

    def gradient(self, weights: Any) -> np.ndarray:
        """Return ``∇f(w) = Hw − b``.

        Parameters
        ----------
        weights : array_like, shape (d,) or (..., d)
            One weight vector or a stack of them.

        Returns
        -------
        ndarray, same shape as ``weights``
        """
        weights = self._weights(weights)
        with _quiet():
            return weights @ self._hessian - self._linear

    smooth_gradient = gradient


def _as_quadratic(loss: Any) -> QuadraticLoss:
    if isinstance(loss, QuadraticLoss):
        return loss
    if hasattr(loss, "gram_eigen"):
        return QuadraticLoss.from_least_squares(loss)
    raise TypeError(
        "loss must be a QuadraticLoss or a least-squares objective (with gram_eigen), "
        f"got {type(loss).__name__}"
    )


def quadratic_bowl(
    condition_number: float,
    *,
    largest_eigenvalue: float = 1.0,
    angle: float = 0.0,
    center: Any = (0.0, 0.0),
) -> QuadraticLoss:
    """Return a 2-D bowl ``½ (w − c)ᵀH(w − c)`` with a chosen conditioning.

    Parameters
    ----------
    condition_number : float
        ``κ = L/μ ≥ 1``: the ratio of the steepest to the flattest curvature.
    largest_eigenvalue : float, default 1
        ``L > 0``; the smallest eigenvalue is ``L/κ``.
    angle : float, default 0
        The angle in radians between the steepest direction and the first axis.
    center : array_like, shape (2,), default (0, 0)
        The minimizer; the minimum value is 0.

    Returns
    -------
    QuadraticLoss

    Examples
    --------
    >>> bowl = quadratic_bowl(10.0, largest_eigenvalue=2.0, center=(1.0, -1.0))
    >>> bowl.eigenvalues, bowl.minimizer, bowl.min_value
    (array([0.2, 2. ]), array([ 1., -1.]), 0.0)
    >>> quadratic_bowl(4.0, angle=np.pi / 4).hessian
    array([[0.625, 0.375],
           [0.375, 0.625]])
    """
    condition_number = check_real("condition_number", condition_number)
    if condition_number < 1:
        raise ValueError(f"condition_number must be ≥ 1, got {condition_number:g}")
    largest = check_positive("largest_eigenvalue", largest_eigenvalue)
    angle = check_real("angle", angle)
    center = check_array("center", center, shape=(2,))
    cosine, sine = math.cos(angle), math.sin(angle)
    # Columns: the flat direction, then the steep one along (cos θ, sin θ).
    eigenvectors = np.array([[-sine, cosine], [cosine, sine]])
    eigenvalues = np.array([largest / condition_number, largest])
    hessian = (eigenvectors * eigenvalues) @ eigenvectors.T
    hessian = (hessian + hessian.T) / 2
    linear = hessian @ center
    bowl = QuadraticLoss.__new__(QuadraticLoss)
    bowl._set(hessian, linear, 0.5 * float(center @ linear), eigenvalues, eigenvectors)
    return bowl


class _GradientDescentRuns:
    """Gradient descent from one start at m learning rates, evaluated in the eigenbasis.

    Per-rate arrays have shape (m, d). Step arrays passed to the methods have
    shape (m, s): row r holds the iterations wanted for learning rate r.
    """

    def __init__(self, loss: QuadraticLoss, w0: np.ndarray, learning_rates: np.ndarray) -> None:
        eigenvalues = loss.eigenvalues
        self.loss = loss
        self.learning_rates = learning_rates
        self.start = w0
        self.start_loss = loss.value(w0)
        self.half_eigenvalues = 0.5 * eigenvalues
        self.start_gradient = eigenvalues * (loss.eigenvectors.T @ w0) - loss._linear_eigen
        curved = eigenvalues > 0
        # w_0 − w* along each curved direction; along a flat one the gradient is constant
        # and the iterate moves by η·k·gradient instead.
        self.start_error = np.zeros_like(eigenvalues)
        self.start_error[curved] = self.start_gradient[curved] / eigenvalues[curved]
        self.flat = ~curved
        self.negative_start_error = -self.start_error
        self.ones = np.ones_like(eigenvalues)
        self._set_rates(learning_rates)

    def _set_rates(self, learning_rates: np.ndarray) -> None:
        scaled = np.multiply.outer(learning_rates, self.loss.eigenvalues)
        with _quiet():
            # log|1 − ηλ| with log1p where 1 − ηλ is close to 1, so that tiny ηλ keep their digits.
            log_abs_factor = np.where(scaled < 1.0, np.log1p(-scaled), np.log(scaled - 1.0))
            log_start_gradient_sq = 2.0 * np.log(np.abs(self.start_gradient))
        log_abs_factor = np.maximum(log_abs_factor, _LOG_ZERO)
        # Both exponents are affine in k: [k, 1] @ [[slope], [intercept]]. A product
        # with two columns runs in BLAS, several times faster than broadcasting.
        self.power_exponents = np.stack([log_abs_factor, np.zeros_like(log_abs_factor)], axis=1)
        self.gradient_exponents = np.stack(
            [2.0 * log_abs_factor, np.broadcast_to(log_start_gradient_sq, scaled.shape)], axis=1
        )
        self.negative_factor = scaled > 1.0
        self.flips = bool(self.negative_factor.any())
        self.growing = (scaled > 2.0) & (self.start_gradient != 0)
        self.drift = np.multiply.outer(learning_rates, self.start_gradient[self.flat])

    @property
    def count(self) -> int:
        return self.learning_rates.size

    def take(self, rows: np.ndarray | slice) -> _GradientDescentRuns:
        subset = copy.copy(self)
        for name in (
            "learning_rates",
            "power_exponents",
            "gradient_exponents",
            "negative_factor",
            "growing",
            "drift",
        ):
            setattr(subset, name, getattr(self, name)[rows])
        subset.flips = bool(subset.negative_factor.any())
        return subset

    @staticmethod
    def _design(steps: np.ndarray) -> np.ndarray:
        """``[k, 1]`` for each step, shape (m, s, 2)."""
        design = np.ones((*steps.shape, 2))
        design[..., 0] = steps
        return design

    def gradient_norms(self, steps: np.ndarray) -> np.ndarray:
        """``‖∇f(w_k)‖ = ‖(1 − ηλ)^k ∇f(w_0)‖`` (the rotation keeps norms), shape (m, s)."""
        with _quiet():
            squares = self._design(steps) @ self.gradient_exponents
            significant = squares >= _LOG_TINY
            np.maximum(squares, _LOG_TINY, out=squares)
            np.exp(squares, out=squares)
            squares *= significant
            return np.sqrt(squares @ self.ones)

    def displacements(self, steps: np.ndarray) -> np.ndarray:
        """``z_0 − z_k`` in the eigenbasis, shape (m, s, d).

        ``z_0 − z_k = (1 − (1 − ηλ)^k)(z_0 − z*)``; ``1 − ρ^k = −expm1(k·log ρ)``
        keeps full precision when ``ρ`` is close to 1, and a negative ``ρ``
        flips the sign of the power at odd ``k``.
        """
        with _quiet():
            powers = self._design(steps) @ self.power_exponents
            np.maximum(powers, _LOG_TINY, out=powers)
            np.expm1(powers, out=powers)
            if self.flips:
                odd = (steps % 2 == 1)[:, :, None] & self.negative_factor[:, None, :]
                powers[odd] = -2.0 - powers[odd]
            powers *= self.negative_start_error
            if self.drift.size:
                powers[..., self.flat] = steps[:, :, None] * self.drift[:, None, :]
        return powers

    def _losses_from(self, displacements: np.ndarray) -> np.ndarray:
        """``f(w_k) = f(w_0) − ∇f(w_0)·D + ½ Σ λ D²`` with ``D = z_0 − z_k``, shape (m, s)."""
        with _quiet():
            quadratic = (displacements * displacements) @ self.half_eigenvalues
            return self.start_loss - displacements @ self.start_gradient + quadratic

    def losses(self, steps: np.ndarray) -> np.ndarray:
        """``f(w_k)``, shape (m, s)."""
        return self._losses_from(self.displacements(steps))

    def _blocks(self, size: int) -> Iterator[tuple[slice, slice]]:
        """Cover (rates, steps) with blocks of about ``_BLOCK_ELEMENTS`` (rates·steps·d).

        Small blocks keep every temporary in cache and let the allocator reuse
        it, instead of mapping fresh pages for arrays as large as the output.
        """
        d = self.loss.n_features
        columns = max(1, min(size, _BLOCK_ELEMENTS // d))
        rows = max(1, _BLOCK_ELEMENTS // (columns * d))
        for first_row in range(0, self.count, rows):
            for first_column in range(0, size, columns):
                yield (
                    slice(first_row, first_row + rows),
                    slice(first_column, first_column + columns),
                )

    def trajectory(self, steps: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Return the path (s, d), losses (s,) and gradient norms (s,) of the first rate."""
        path = np.empty((steps.size, self.loss.n_features))
        losses = np.empty(steps.size)
        gradient_norms = np.empty(steps.size)
        rotation = self.loss.eigenvectors.T
        for _, columns in self._blocks(steps.size):
            part = steps[None, columns]
            gradient_norms[columns] = self.gradient_norms(part)[0]
            displacements = self.displacements(part)
            losses[columns] = self._losses_from(displacements)[0]
            np.matmul(displacements[0], rotation, out=path[columns])
        np.subtract(self.start, path, out=path)
        return path, losses, gradient_norms

    def loss_curves(self, steps: np.ndarray) -> np.ndarray:
        """Return ``f(w_k)`` for every rate at the shared ``steps``, shape (m, s)."""
        losses = np.empty((self.count, steps.size))
        for rows, columns in self._blocks(steps.size):
            part = self.take(rows)
            wanted = np.broadcast_to(steps[columns], (part.count, steps[columns].size))
            losses[rows, columns] = part.losses(wanted)
        return losses


def _first_true(
    holds: Callable[[np.ndarray], np.ndarray], low: np.ndarray, high: np.ndarray
) -> np.ndarray:
    """Return, per row, the first integer ``k`` in ``(low, high]`` where ``holds`` is true.

    ``holds(steps)`` maps an (r, s) array of steps to booleans and must be
    monotone along each row (false, then true). It is taken to hold at
    ``high``, so ``high`` is returned where it never does. Each round evaluates
    128 evenly spaced candidates per row, so 10 000 iterations need two rounds.
    """
    fractions = np.arange(1, _SEARCH_POINTS + 1) / _SEARCH_POINTS
    rows = np.arange(low.size)
    while np.any(high - low > 1):
        offsets = np.ceil(np.multiply.outer(high - low, fractions)).astype(np.int64)
        candidates = low[:, None] + offsets
        found = holds(candidates)
        found[:, -1] = True
        first = np.argmax(found, axis=1)
        low = np.where(first > 0, candidates[rows, first - 1], low)
        high = candidates[rows, first]
    return high


@dataclass(frozen=True)
class _Outcome:
    """How each of m runs ends: status, last recorded iteration, and events (−1: none)."""

    statuses: tuple[Status, ...]
    last_steps: np.ndarray
    converged_at: np.ndarray
    diverged_at: np.ndarray


def _outcomes(
    runs: _GradientDescentRuns, iterations: int, tolerance: float, limit: float
) -> _Outcome:
    """Find where each run converges (‖∇f‖ ≤ tolerance) or diverges (loss > limit).

    Along the iterations, both the loss and ``‖∇f‖²`` are sums of terms
    ``a·ρ^{2k}`` (plus, on a flat direction, a term linear in k), so they are
    convex in k. With ``f(w_0) ≤ limit``, the loss passes the limit at most
    once, and the gradient norm falls until its turning point and then rises:
    monotone predicates that a search over k finds exactly.
    """
    m = runs.count
    diverged_at = np.full(m, -1, dtype=np.int64)
    converged_at = np.full(m, -1, dtype=np.int64)
    ends = np.full(m, iterations, dtype=np.int64)

    growing = np.flatnonzero(runs.growing.any(axis=1))
    grows = runs.take(growing)
    if growing.size:
        passes = ~(grows.losses(np.full((growing.size, 1), iterations)) <= limit)[:, 0]
        rows = growing[passes]
        if rows.size:
            beyond = runs.take(rows)
            diverged_at[rows] = _first_true(
                lambda steps: ~(beyond.losses(steps) <= limit),
                np.zeros(rows.size, dtype=np.int64),
                np.full(rows.size, iterations),
            )

    start_norm = float(np.linalg.norm(runs.start_gradient))
    if start_norm <= tolerance:
        converged_at[:] = 0
    else:
        turning = np.full(m, iterations, dtype=np.int64)
        if growing.size:
            turning[growing] = _first_true(
                lambda steps: grows.gradient_norms(steps + 1) >= grows.gradient_norms(steps),
                np.full(growing.size, -1, dtype=np.int64),
                np.full(growing.size, iterations),
            )
        # The turning point of a run that still falls at its last iteration is that iteration.
        rows = np.flatnonzero(runs.gradient_norms(turning[:, None])[:, 0] <= tolerance)
        if rows.size:
            falls = runs.take(rows)
            converged_at[rows] = _first_true(
                lambda steps: falls.gradient_norms(steps) <= tolerance,
                np.zeros(rows.size, dtype=np.int64),
                turning[rows],
            )

    statuses = []
    for r in range(m):
        converged, diverged = converged_at[r], diverged_at[r]
        if converged >= 0 and (diverged < 0 or converged < diverged):
            statuses.append(Status.CONVERGED)
            ends[r] = converged
            diverged_at[r] = -1
        elif diverged >= 0:
            statuses.append(Status.DIVERGED)
            ends[r] = diverged - 1
            converged_at[r] = -1
        else:
            statuses.append(Status.MAX_ITERATIONS)
    return _Outcome(tuple(statuses), ends, converged_at, diverged_at)


def _recorded_steps(last: int, max_points: int | None) -> np.ndarray:
    """Return every iteration 0…last, or ``max_points`` log-spaced ones including 0 and last.

    The first iterations are all kept, up to the point where geometric spacing
    of the rest puts consecutive recorded steps at least one iteration apart.
    """
    if max_points is None or last + 1 <= max_points:
        return np.arange(last + 1)
    if max_points == 2:
        return np.array([0, last])
    dense = np.arange(1, max_points - 1)
    ratios = (last / dense) ** (1.0 / (max_points - dense - 1))
    start = int(dense[np.argmax(dense * (ratios - 1.0) >= 1.0)])
    spaced = np.floor(np.geomspace(start, last, max_points - start) + 0.5).astype(np.int64)
    return np.concatenate([np.arange(start), spaced])


def _check_run(
    loss: Any, w0: Any, iterations: Any, max_points: Any, tolerance: Any
) -> tuple[QuadraticLoss, np.ndarray, int, int | None, float]:
    loss = _as_quadratic(loss)
    w0 = check_array("w0", w0, shape=(loss.n_features,))
    iterations = check_int("iterations", iterations, minimum=1)
    if max_points is not None:
        max_points = check_int("max_points", max_points, minimum=2)
    tolerance = check_positive("tolerance", tolerance, allow_zero=True)
    return loss, w0, iterations, max_points, tolerance


def _distinct(value: float, reference: float) -> str:
    """Format ``value`` with enough digits to tell it from ``reference``."""
    for digits in range(3, 17):
        if f"{value:.{digits}g}" != f"{reference:.{digits}g}":
            break
    return f"{value:.{digits}g}"


def _run_message(
    runs: _GradientDescentRuns,
    status: Status,
    last_step: int,
    diverged_at: int,
    final_gradient_norm: float,
    final_loss: float,
    tolerance: float,
    limit: float,
) -> str:
    loss = runs.loss
    eta = float(runs.learning_rates[0])
    bound = 2.0 / loss.lipschitz
    steepest = _distinct(abs(1.0 - eta * loss.lipschitz), 1.0)
    comparison = f"η = {_distinct(eta, bound)} > 2/L = {_distinct(bound, eta)}"
    scaled = eta * loss.eigenvalues
    moves = runs.start_gradient != 0
    # The rate the start actually sees: directions it has no component along do not count.
    rate = float(np.max(np.abs(1.0 - scaled[moves]), initial=0.0))
    # η within round-off of 2/λ: |1 − ηλ| = 1 up to a rounding error that would take
    # far longer than any run to matter.
    at_bound = np.abs(scaled - 2.0) <= 2e-9
    unstable = (scaled > 2.0) & ~at_bound
    if status is Status.DIVERGED:
        return (
            f"{comparison}: each step multiplies the error along the steepest direction by "
            f"|1 − ηL| = {steepest}, so the loss passed the divergence limit {limit:.3g} "
            f"at iteration {diverged_at}"
        )
    if status is Status.CONVERGED:
        text = (
            f"‖∇f‖ fell to {final_gradient_norm:.3g} ≤ tolerance {tolerance:.3g} at iteration "
            f"{last_step}"
        )
        if unstable.any():
            return (
                f"{text}, although {comparison}: the start has (almost) no component along "
                "the directions this step size makes unstable"
            )
        return f"{text}; the error shrinks by a factor of at most {rate:.3g} per step"
    if np.any(unstable & moves):
        return (
            f"{comparison}: the error along the steepest direction grows by |1 − ηL| = "
            f"{steepest} per step; after {last_step} iterations the loss "
            f"({final_loss:.3g}) has not yet passed the divergence limit {limit:.3g}"
        )
    if np.any(at_bound & moves):
        return (
            f"η = {eta:.3g} is the stability bound 2/L: the error along the steepest direction "
            "flips sign at every step without shrinking (|1 − ηL| = 1), so gradient descent "
            f"oscillates forever and cannot converge; ‖∇f‖ is still {final_gradient_norm:.3g} "
            f"after {last_step} iterations. Choose η < 2/L"
        )
    text = (
        f"reached {last_step} iterations with ‖∇f‖ = {final_gradient_norm:.3g} > tolerance "
        f"{tolerance:.3g}"
    )
    if unstable.any():
        return (
            f"{text}. {comparison} makes gradient descent unstable along the steepest "
            "direction, but the start has no component along it, so the run stays bounded "
            f"(any error there would grow by |1 − ηL| = {steepest} per step)"
        )
    return f"{text}; the error shrinks by a factor of at most {rate:.3g} per step"


def gradient_descent_closed_form(
    loss: Any,
    w0: Any,
    learning_rate: float,
    iterations: int,
    *,
    max_points: int | None = None,
    tolerance: float = 1e-8,
) -> OptimizationResult:
    """Run gradient descent ``w ← w − η∇f(w)`` on a quadratic, in closed form.

    In the eigenbasis of ``H`` each coordinate of the error shrinks or grows
    geometrically, ``z_k − z* = (1 − ηλ)^k (z_0 − z*)``, so the iterates cost
    O(d) each plus O(d²) to rotate back, with no loop over iterations or
    samples. The run stops where an iterative one would: at the first
    iteration with ``‖∇f‖ ≤ tolerance`` (converged), or just before the first
    whose loss exceeds :func:`~calcwidgets.core.results.divergence_limit` of
    the starting loss (diverged). Both iterations are found exactly.

    Parameters
    ----------
    loss : QuadraticLoss or LeastSquares
        A least-squares objective is converted with
        :meth:`QuadraticLoss.from_least_squares`.
    w0 : array_like, shape (d,)
        The starting point.
    learning_rate : float
        The step size ``η > 0``.
    iterations : int
        The largest number of steps, ≥ 1.
    max_points : int, optional
        Record at most this many iterations (≥ 2), log-spaced and always
        including 0 and the last; by default every iteration is recorded.
    tolerance : float, default 1e-8
        Converged once ``‖∇f‖ ≤ tolerance``; 0 runs all ``iterations`` (unless
        the gradient vanishes exactly).

    Returns
    -------
    OptimizationResult
        ``method="gd"``, with ``steps``, ``path``, ``losses``,
        ``gradient_norms``, ``status``, a ``message`` that explains it (for a
        divergence, in terms of ``η`` against ``2/L``) and ``diverged_at``.

    Examples
    --------
    >>> bowl = quadratic_bowl(4.0)
    >>> run = gradient_descent_closed_form(bowl, [1.0, 1.0], 1.0, 100, tolerance=1e-6)
    >>> run.status, int(run.steps[-1])
    (<Status.CONVERGED: 'converged'>, 44)
    >>> run.path[:3]
    array([[1.    , 1.    ],
           [0.    , 0.75  ],
           [0.    , 0.5625]])
    >>> run = gradient_descent_closed_form(bowl, [1.0, 1.0], 2.5, 100)
    >>> run.status, run.diverged_at
    (<Status.DIVERGED: 'diverged'>, 35)
    >>> run.message[:34]
    'η = 2.5 > 2/L = 2: each step multi'
    """
    loss, w0, iterations, max_points, tolerance = _check_run(
        loss, w0, iterations, max_points, tolerance
    )
    learning_rate = check_positive("learning_rate", learning_rate)
    runs = _GradientDescentRuns(loss, w0, np.array([learning_rate]))
    limit = divergence_limit(runs.start_loss)
    outcome = _outcomes(runs, iterations, tolerance, limit)
    last_step = int(outcome.last_steps[0])
    steps = _recorded_steps(last_step, max_points)
    path, losses, gradient_norms = runs.trajectory(steps)
    status = outcome.statuses[0]
    diverged_at = int(outcome.diverged_at[0])
    message = _run_message(
        runs,
        status,
        last_step,
        diverged_at,
        float(gradient_norms[-1]),
        float(losses[-1]),
        tolerance,
        limit,
    )
    return OptimizationResult(
        method="gd",
        steps=steps,
        path=path,
        losses=losses,
        gradient_norms=gradient_norms,
        status=status,
        message=message,
        diverged_at=diverged_at if diverged_at >= 0 else None,
    )


@dataclass(frozen=True)
class LearningRateSweep:
    """Gradient-descent loss curves for many learning rates from one start.

    Attributes
    ----------
    learning_rates : ndarray, shape (m,)
        The learning rates, in the order given.
    steps : ndarray of int, shape (k,)
        The recorded iterations, shared by all rates.
    losses : ndarray, shape (m, k)
        ``f(w_k)`` per rate and recorded step, over the whole horizon (not cut
        at convergence); NaN from the iteration where a run diverged on.
    statuses : tuple of Status, length m
        How a single run with the same tolerance ends for each rate.
    converged_at : tuple of (int or None), length m
        The first iteration with ``‖∇f‖ ≤ tolerance``, per rate.
    diverged_at : tuple of (int or None), length m
        The first iteration whose loss passed the divergence limit, per rate.
    predicted_rates : ndarray, shape (m,)
        ``max|1 − ηλ|`` per rate: the contraction of ``‖w_k − w*‖`` per step
        (above 1: growth).
    """

    learning_rates: np.ndarray
    steps: np.ndarray
    losses: np.ndarray
    statuses: tuple[Status, ...]
    converged_at: tuple[int | None, ...]
    diverged_at: tuple[int | None, ...]
    predicted_rates: np.ndarray

    def __post_init__(self) -> None:
        """Keep private, read-only copies of the arrays."""
        for name in ("learning_rates", "steps", "losses", "predicted_rates"):
            array = np.array(getattr(self, name), copy=True)
            array.setflags(write=False)
            object.__setattr__(self, name, array)


def gradient_descent_sweep(
    loss: Any,
    w0: Any,
    learning_rates: Any,
    iterations: int,
    *,
    max_points: int | None = 512,
    tolerance: float = 1e-8,
) -> LearningRateSweep:
    """Return the gradient-descent loss curves for many learning rates in one call.

    Every row equals the losses of :func:`gradient_descent_closed_form` with
    that rate at the same iterations, up to where the single run stops; here
    the curves continue to the horizon (the ``statuses`` and ``converged_at``
    still say where a single run would stop), except that a diverged curve is
    NaN from ``diverged_at`` on.

    Parameters
    ----------
    loss : QuadraticLoss or LeastSquares
        The quadratic (a least-squares objective is converted).
    w0 : array_like, shape (d,)
        The common starting point.
    learning_rates : array_like, shape (m,)
        The step sizes, each > 0.
    iterations : int
        The horizon, ≥ 1.
    max_points : int or None, default 512
        Record at most this many log-spaced iterations (≥ 2) including 0 and
        ``iterations``; None records all of them.
    tolerance : float, default 1e-8
        The gradient-norm tolerance that defines convergence.

    Returns
    -------
    LearningRateSweep

    Examples
    --------
    >>> bowl = quadratic_bowl(10.0)
    >>> sweep = gradient_descent_sweep(bowl, [1.0, 1.0], [0.5, 1.0, 1.9, 2.1], 1000)
    >>> [status.name for status in sweep.statuses]
    ['CONVERGED', 'CONVERGED', 'CONVERGED', 'DIVERGED']
    >>> sweep.converged_at, sweep.diverged_at
    ((315, 153, 175, None), (None, None, None, 149))
    >>> sweep.predicted_rates
    array([0.95, 0.9 , 0.9 , 1.1 ])
    """
    loss, w0, iterations, max_points, tolerance = _check_run(
        loss, w0, iterations, max_points, tolerance
    )
    learning_rates = check_array("learning_rates", learning_rates, ndim=1)
    if np.any(learning_rates <= 0):
        raise ValueError(
            f"learning_rates must all be > 0, got minimum {float(learning_rates.min()):g}"
        )
    runs = _GradientDescentRuns(loss, w0, learning_rates)
    limit = divergence_limit(runs.start_loss)
    outcome = _outcomes(runs, iterations, tolerance, limit)
    steps = _recorded_steps(iterations, max_points)
    losses = runs.loss_curves(steps)
    diverged = outcome.diverged_at >= 0
    losses[diverged[:, None] & (steps[None, :] >= outcome.diverged_at[:, None])] = np.nan
    return LearningRateSweep(
        learning_rates=learning_rates,
        steps=steps,
        losses=losses,
        statuses=outcome.statuses,
        converged_at=tuple(int(k) if k >= 0 else None for k in outcome.converged_at),
        diverged_at=tuple(int(k) if k >= 0 else None for k in outcome.diverged_at),
        predicted_rates=np.asarray(predicted_rate(loss, learning_rates)),
    )


def loss_surface(
    loss: Any,
    first_values: Any,
    second_values: Any,
    *,
    axes: tuple[int, int] = (0, 1),
    through: Any = None,
) -> np.ndarray:
    """Return ``f`` on a grid in the plane of two coordinates, for a contour plot.

    With ``p`` the point ``through``, ``s = w_a − p_a`` and ``t = w_b − p_b``,
    ``f = f(p) + g_a s + g_b t + ½H_aa s² + H_ab s t + ½H_bb t²`` with
    ``g = ∇f(p)``: a few outer products, never a loop over the grid or the
    samples.

    Parameters
    ----------
    loss : QuadraticLoss or LeastSquares
        The quadratic (a least-squares objective is converted).
    first_values, second_values : array_like, 1-D
        The values of coordinates ``axes[0]`` and ``axes[1]``.
    axes : tuple of two ints, default (0, 1)
        The two coordinates that vary.
    through : array_like, shape (d,), optional
        The point that fixes the other coordinates; by default the minimizer.

    Returns
    -------
    ndarray, shape (len(second_values), len(first_values))
        ``f`` with ``w[axes[0]] = first_values[i]`` in column i and
        ``w[axes[1]] = second_values[j]`` in row j, as ``contour(first_values,
        second_values, surface)`` expects.

    Examples
    --------
    >>> bowl = quadratic_bowl(4.0)
    >>> loss_surface(bowl, [-1.0, 0.0, 1.0], [0.0, 2.0])
    array([[0.5, 0. , 0.5],
           [1. , 0.5, 1. ]])
    """
    loss = _as_quadratic(loss)
    d = loss.n_features
    if d < 2:
        raise ValueError(f"loss_surface needs at least 2 coordinates, the loss has {d}")
    first_values = check_array("first_values", first_values, ndim=1)
    second_values = check_array("second_values", second_values, ndim=1)
    if not (isinstance(axes, tuple | list) and len(axes) == 2):
        raise TypeError(f"axes must be a pair of coordinate indices, got {axes!r}")
    first_axis = check_int("axes[0]", axes[0], minimum=0, maximum=d - 1)
    second_axis = check_int("axes[1]", axes[1], minimum=0, maximum=d - 1)
    if first_axis == second_axis:
        raise ValueError(f"axes must name two different coordinates, got {axes!r}")
    if through is None:
        through = loss.minimizer
    else:
        through = check_array("through", through, shape=(d,))
    gradient = loss.gradient(through)
    hessian = loss.hessian
    first_offsets = first_values - through[first_axis]
    second_offsets = second_values - through[second_axis]
    along_first = loss.value(through) + first_offsets * (
        gradient[first_axis] + 0.5 * hessian[first_axis, first_axis] * first_offsets
    )
    along_second = second_offsets * (
        gradient[second_axis] + 0.5 * hessian[second_axis, second_axis] * second_offsets
    )
    surface = np.multiply.outer(hessian[first_axis, second_axis] * second_offsets, first_offsets)
    surface += along_second[:, None]
    surface += along_first[None, :]
    return surface


def stability_bound(loss: Any, momentum: float = 0.0) -> float:
    """Return the largest stable step size ``2(1 + β)/L`` (``2/L`` for plain GD).

    On a quadratic, gradient descent with heavy-ball momentum ``β``
    (``w_{k+1} = w_k − η∇f(w_k) + β(w_k − w_{k−1})``, 0 ≤ β < 1) is stable
    exactly when ``0 < ηλ < 2(1 + β)`` for every eigenvalue ``λ``: the
    characteristic roots of ``r² − (1 + β − ηλ)r + β`` then lie inside the unit
    circle (Polyak 1964; Goh, "Why Momentum Really Works", Distill 2017). With
    ``β = 0`` this is ``η < 2/L``. (An eigenvalue 0 gives a root 1: no
    contraction along that flat direction, whatever ``η``.)

    Parameters
    ----------
    loss : QuadraticLoss or LeastSquares
        The quadratic.
    momentum : float, default 0
        ``β`` in [0, 1).

    Returns
    -------
    float

    Examples
    --------
    >>> bowl = quadratic_bowl(10.0, largest_eigenvalue=4.0)
    >>> stability_bound(bowl), stability_bound(bowl, momentum=0.5)
    (0.5, 0.75)
    """
    loss = _as_quadratic(loss)
    momentum = _check_momentum(momentum)
    return 2.0 * (1.0 + momentum) / loss.lipschitz


def _check_momentum(momentum: Any) -> float:
    momentum = check_positive("momentum", momentum, allow_zero=True)
    if momentum >= 1:
        raise ValueError(f"momentum must be in [0, 1), got {momentum:g}")
    return momentum


def predicted_rate(loss: Any, learning_rate: Any, momentum: float = 0.0) -> float | np.ndarray:
    """Return the linear rate of (heavy-ball) gradient descent on a quadratic.

    For plain gradient descent (``momentum = 0``) the rate is
    ``ρ = max_i |1 − ηλ_i|``: along eigenvector i the error is multiplied by
    ``1 − ηλ_i`` at every step, so ``‖w_k − w*‖ ≤ ρ^k ‖w_0 − w*‖`` for every k,
    and the loss gap ``f(w_k) − f* = ½ Σ λ_i (1 − ηλ_i)^{2k} (z_0 − z*)_i²``
    shrinks by at most ``ρ²`` per step. Both are attained asymptotically when
    the start has a component along the slowest direction.

    With momentum ``β`` the rate is the spectral radius ``max_i |r_i|`` of the
    two-step recursion, ``r_i`` the roots of ``r² − (1 + β − ηλ_i)r + β``; it
    holds asymptotically only (a double root adds a factor growing like k).

    Parameters
    ----------
    loss : QuadraticLoss or LeastSquares
        The quadratic.
    learning_rate : float or array_like
        ``η > 0``; an array gives one rate per entry.
    momentum : float, default 0
        ``β`` in [0, 1).

    Returns
    -------
    float or ndarray
        Below 1 the iteration converges linearly; above 1 it diverges.

    Examples
    --------
    >>> bowl = quadratic_bowl(10.0)
    >>> predicted_rate(bowl, [0.5, 1.0, 2.5])
    array([0.95, 0.9 , 1.5 ])
    >>> theory = convergence_theory(bowl)
    >>> predicted_rate(bowl, theory.heavy_ball_learning_rate, theory.heavy_ball_momentum)
    0.51949
    """
    loss = _as_quadratic(loss)
    momentum = _check_momentum(momentum)
    rates = check_array("learning_rate", learning_rate, ndim=(0, 1))
    if np.any(rates <= 0):
        raise ValueError(f"learning_rate must be > 0, got {float(rates.min()):g}")
    # r² − a·r + β = 0 with a = 1 + β − ηλ: complex roots have |r| = √β,
    # real ones |r| = (|a| + √(a² − 4β))/2.
    trace = 1.0 + momentum - np.multiply.outer(rates, loss.eigenvalues)
    with _quiet():
        discriminant = trace * trace - 4.0 * momentum
        real_root = 0.5 * (np.abs(trace) + np.sqrt(np.maximum(discriminant, 0.0)))
    radius = np.where(discriminant >= 0, real_root, math.sqrt(momentum)).max(axis=-1)
    return float(radius) if radius.ndim == 0 else radius


@dataclass(frozen=True)
class ConvergenceTheory:
    """What the spectrum of a quadratic predicts for gradient descent and heavy ball.

    Attributes
    ----------
    lipschitz : float
        ``L``, the largest eigenvalue of ``H``.
    mu : float
        ``μ``, the smallest eigenvalue (0 when ``H`` is singular).
    condition_number : float
        ``κ = L/μ`` (infinite when ``μ = 0``).
    stability_bound : float
        ``2/L``: gradient descent diverges along the steepest direction for
        ``η > 2/L`` and oscillates without shrinking at ``η = 2/L``.
    best_learning_rate : float
        ``2/(μ + L)``, the fixed step with the smallest worst-case rate.
    best_rate : float
        ``(κ − 1)/(κ + 1)``, the rate of ``‖w_k − w*‖`` at the best step.
    heavy_ball_learning_rate : float
        ``4/(√L + √μ)²``, Polyak's optimal step for momentum.
    heavy_ball_momentum : float
        ``β = ((√κ − 1)/(√κ + 1))²``.
    heavy_ball_rate : float
        ``√β = (√κ − 1)/(√κ + 1)``, the asymptotic rate at those parameters.
    """

    lipschitz: float
    mu: float
    condition_number: float
    stability_bound: float
    best_learning_rate: float
    best_rate: float
    heavy_ball_learning_rate: float
    heavy_ball_momentum: float
    heavy_ball_rate: float


def convergence_theory(loss: Any) -> ConvergenceTheory:
    """Return the step sizes and rates the spectrum of a quadratic predicts.

    The rates are written with ``L`` and ``μ`` rather than ``κ`` so that
    ``μ = 0`` gives rate 1 (no linear convergence) instead of ``∞/∞``.

    Parameters
    ----------
    loss : QuadraticLoss or LeastSquares
        The quadratic.

    Returns
    -------
    ConvergenceTheory

    Examples
    --------
    >>> theory = convergence_theory(quadratic_bowl(100.0))
    >>> theory.best_learning_rate, theory.best_rate
    (1.9802, 0.9802)
    >>> theory.heavy_ball_momentum, theory.heavy_ball_rate
    (0.66942, 0.81818)
    """
    loss = _as_quadratic(loss)
    lipschitz, mu = loss.lipschitz, loss.mu
    root_l, root_mu = math.sqrt(lipschitz), math.sqrt(mu)
    # Polyak (1964), "Some methods of speeding up the convergence of iteration
    # methods", USSR Comp. Math. & Math. Phys. 4(5): the heavy ball on a quadratic
    # with these parameters converges at rate (√κ − 1)/(√κ + 1).
    heavy_ball_rate = (root_l - root_mu) / (root_l + root_mu)
    return ConvergenceTheory(
        lipschitz=lipschitz,
        mu=mu,
        condition_number=loss.condition_number,
        stability_bound=stability_bound(loss),
        best_learning_rate=2.0 / (mu + lipschitz),
        best_rate=(lipschitz - mu) / (lipschitz + mu),
        heavy_ball_learning_rate=4.0 / (root_l + root_mu) ** 2,
        heavy_ball_momentum=heavy_ball_rate**2,
        heavy_ball_rate=heavy_ball_rate,
    )


def measured_rate(values: Any, steps: Any = None, *, floor: float | None = None) -> float:
    """Fit the linear rate per step of a converging (or diverging) sequence.

    ``values`` are suboptimalities ``f(w_k) − f*`` or error norms
    ``‖w_k − w*‖`` (for the loss gap the fitted rate is the square of the
    error-norm rate). The fit is a least-squares line through
    ``log(value)`` against the step over the second half of the usable
    range, where the asymptotic rate has taken over. The values are first
    replaced by their envelope (the largest value from there on, for a
    decreasing sequence; up to there, for an increasing one), so oscillating
    sequences such as heavy-ball errors are fitted through their peaks. A
    decreasing sequence is used only down to its round-off floor.

    Parameters
    ----------
    values : array_like, shape (k,)
        The finite, non-negative sequence, k ≥ 3.
    steps : array_like of int, shape (k,), optional
        The iteration of each value (as ``OptimizationResult.steps``); by
        default 0, 1, 2, ….
    floor : float, optional
        Values at or below it are round-off; by default ``√ε`` times the
        largest value.

    Returns
    -------
    float
        The factor by which the sequence shrinks (< 1) or grows (> 1) per step.

    Examples
    --------
    >>> measured_rate(0.9 ** np.arange(50))
    0.9
    >>> measured_rate([8.0, 4.0, 2.0, 1.0, 0.5], steps=[0, 2, 4, 6, 8])
    0.70711
    """
    values = check_array("values", values, ndim=1, min_length=3)
    if np.any(values < 0):
        raise ValueError(
            f"values must be non-negative (suboptimalities or error norms), got minimum "
            f"{float(values.min()):g}"
        )
    if steps is None:
        steps = np.arange(values.size, dtype=float)
    else:
        steps = check_array("steps", steps, shape=(values.size,))
        if np.any(np.diff(steps) <= 0):
            raise ValueError("steps must be strictly increasing")
    if values[-1] <= values[0]:
        envelope = np.maximum.accumulate(values[::-1])[::-1]
        if floor is None:
            floor = math.sqrt(_EPS) * float(envelope[0])
        floor = check_positive("floor", floor, allow_zero=True)
        usable = int(np.count_nonzero(envelope > floor))
    else:
        envelope = np.maximum.accumulate(values)
        usable = values.size
    tail = slice(min(usable // 2, usable - 3), usable)
    if usable < 3 or not np.all(envelope[tail] > 0):
        raise ValueError(
            f"values has {usable} usable entries (positive, above the round-off floor), need "
            "at least 3: record more steps, or lower floor"
        )
    x = steps[tail] - steps[tail].mean()
    log_values = np.log(envelope[tail])
    slope = float(x @ (log_values - log_values.mean()) / (x @ x))
    return math.exp(slope)
