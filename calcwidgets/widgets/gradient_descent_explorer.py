"""GradientDescentExplorer: fit a line by gradient descent and watch the step size decide."""

from __future__ import annotations

import math
from collections import OrderedDict
from dataclasses import dataclass
from typing import Any

import ipywidgets as widgets
import numpy as np

from ..core._validate import check_array
from ..core.datasets import make_linear_data
from ..core.models import LeastSquares
from ..core.optimizers import optimize
from ..core.quadratic import (
    ConvergenceTheory,
    QuadraticLoss,
    convergence_theory,
    gradient_descent_closed_form,
    loss_surface,
    predicted_rate,
    stability_bound,
)
from ..core.results import OptimizationResult, Status
from ..plotting.gradient_descent_view import GradientDescentView, is_line_design
from ._base import CONTROL_LAYOUT, DESCRIPTION_STYLE, Explorer, penalty_controls

__all__ = [
    "GRID_POINTS",
    "ITERATION_COUNTS",
    "MOMENTUM",
    "OPTIMIZERS",
    "RECORDED_POINTS",
    "REGULARIZATION_STRENGTHS",
    "SEED",
    "TOLERANCE",
    "GradientDescentExplorer",
]

# Ten round numbers per decade, so that doubling stays possible (10, 20, 40, 80).
_ROUND_STEPS = (1.0, 1.2, 1.5, 2.0, 2.5, 3.0, 4.0, 5.0, 6.0, 8.0)

#: Iteration counts offered by the ``iterations`` slider: 1 to 9, then ten round
#: numbers per decade up to 10⁴.
ITERATION_COUNTS: tuple[int, ...] = (
    tuple(range(1, 10))
    + tuple(round(step * 10**decade) for decade in range(1, 4) for step in _ROUND_STEPS)
    + (10_000,)
)

#: Strengths offered by the ``regularization`` slider: zero, then 1e-4 to 10 in steps of about ×3.
REGULARIZATION_STRENGTHS: tuple[float, ...] = (
    0.0,
    1e-4,
    3e-4,
    1e-3,
    3e-3,
    1e-2,
    3e-2,
    0.1,
    0.3,
    1.0,
    3.0,
    10.0,
)

#: The optimizers, by the ``method`` name of :func:`calcwidgets.core.optimizers.optimize`.
OPTIMIZERS = {"gd": "GD", "sgd": "SGD", "momentum": "momentum", "adam": "Adam"}

#: β of the heavy-ball ("momentum") optimizer.
MOMENTUM = 0.9

#: Closed-form gradient descent records at most this many (log-spaced) iterations.
RECORDED_POINTS = 512

#: The loss surface is evaluated on a square grid of this many points per weight.
GRID_POINTS = 81

#: A run has converged once the gradient norm is at most this.
TOLERANCE = 1e-8

#: The seed of the minibatch order, so that a state always gives the same run.
SEED = 0

_LEARNING_RATE_STEP = 0.01  # in decades
_NICE_HALF_WIDTHS = (1.0, 1.5, 2.0, 3.0, 5.0, 7.5)
_BATCH_SIZES = (1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000, 10_000)
_RUN_CACHE = 64
# The minimum of the lasso has no closed form: it is found once per strength by
# proximal gradient descent with η = 1/L, which converges without overshooting.
_MINIMUM_ITERATIONS = 20_000
_MINIMUM_TOLERANCE = 1e-11


@dataclass(frozen=True)
class _Landscape:
    """Everything that depends on the penalty but not on the other controls."""

    objective: LeastSquares
    quadratic: QuadraticLoss | None  # the whole objective, when it is a quadratic
    smooth: QuadraticLoss  # the part without the L1 term: its L sets the stable steps
    theory: ConvergenceTheory
    minimiser: np.ndarray
    minimum: float
    first_values: np.ndarray
    second_values: np.ndarray
    surface: np.ndarray


def _check_data(X: Any, y: Any) -> tuple[np.ndarray, np.ndarray]:
    if X is None and y is None:
        data = make_linear_data()
        return np.asarray(data.X), np.asarray(data.y)
    if X is None or y is None:
        raise TypeError(
            "pass both X and y (your own data) or neither (the default line data); "
            f"got {'only y' if X is None else 'only X'}"
        )
    X = check_array("X", X, ndim=(1, 2))
    y = check_array("y", y, ndim=1)
    if X.ndim == 1:
        # A 1-D x is the input of a line: the column of ones adds its intercept.
        X = np.column_stack([np.ones_like(X), X])
    if y.shape[0] != X.shape[0]:
        raise ValueError(
            f"y must have one entry per row of X ({X.shape[0]}), got {y.shape[0]} entries"
        )
    if X.shape[0] < 2:
        raise ValueError(f"X and y must hold at least 2 samples, got {X.shape[0]}")
    if X.shape[1] < 2:
        raise ValueError(
            f"X must have at least 2 columns (weights) for a loss surface, got shape {X.shape}; "
            "pass a 1-D x instead to fit a line y = w₀ + w₁·x with an intercept"
        )
    if not np.any(X):
        raise ValueError("X must not be all zeros: then every weight gives the same loss")
    return X, y


def _nice_half_width(centre: np.ndarray, scale: float) -> float:
    """Return a round half-width of at least 1.5 × the largest |centre| and at least ``scale``."""
    wanted = max(1.5 * float(np.max(np.abs(centre))), scale)
    if not wanted > 0:
        return 1.0
    decade = 10.0 ** math.floor(math.log10(wanted))
    return next(step * decade for step in (*_NICE_HALF_WIDTHS, 10.0) if step * decade >= wanted)


def _nice_floor(value: float) -> float:
    """Return the largest of 1, 2, 5 × 10^k at or below ``value`` (> 0)."""
    decade = 10.0 ** math.floor(math.log10(value))
    return max(step * decade for step in (1.0, 2.0, 5.0) if step * decade <= value * (1 + 1e-12))


def _alternates(path: np.ndarray) -> bool:
    """Return whether the last iterates of ``path`` bounce between two distinct points."""
    if len(path) < 4:
        return False
    last, before = path[-1], path[-2]
    return (
        np.allclose(last, path[-3])
        and np.allclose(before, path[-4])
        and not np.allclose(last, before)
    )


def _factor(rate: float) -> str:
    """Format a contraction factor so that one just below 1 still reads as below 1."""
    return f"1 − {1.0 - rate:.2g}" if 0.999 < rate < 1.0 else f"{rate:.3g}"


class GradientDescentExplorer(Explorer):
    """Fit a line by gradient descent: learning rate, iterations, penalty, optimizer, start.

    The loss is the mean squared error ``f(w) = (1/n)‖Xw − y‖²`` plus a penalty
    ``λ‖w‖²`` (L2) or ``λ‖w‖₁`` (L1). The left panel shows the data and the line
    of the last iterate (with faint lines of earlier ones), the middle one the
    loss per step on a log axis with its minimum dashed, and the right one the
    loss surface over the two weights with the descent path. Plain gradient
    descent on a quadratic (no penalty or L2) is evaluated in closed form, so a
    tick costs about a millisecond of computing whatever the number of samples
    and steps; SGD, momentum, Adam and the L1 penalty (proximal steps) run the
    iterative optimizers, whose cost grows with the number of steps.

    Parameters
    ----------
    X : array_like, shape (n, d) or (n,), optional
        Your own features: a 1-D ``x`` is fitted by a line ``w₀ + w₁·x`` (a
        column of ones is added); a 2-D ``X`` needs at least two columns, and
        for ``d > 2`` (or two columns that are not ``[1, x]``) the left panel
        shows predictions against targets and the right one the loss on the
        plane of ``w₀, w₁`` through the minimiser, with the path projected onto
        it (the other weights start at 0). By default, 50 points around the
        line ``y = 0.5 + 1.5x`` from :func:`~calcwidgets.core.datasets.make_linear_data`.
    y : array_like, shape (n,), optional
        Your own targets; give both ``X`` and ``y`` or neither.

    Attributes
    ----------
    learning_rate : ipywidgets.FloatLogSlider
        The step size η, over four decades around the stability bound 2/L.
    iterations : ipywidgets.SelectionSlider
        The number of steps, 1 to 10⁴ on a log-like scale.
    optimizer : ipywidgets.Dropdown
        "gd", "sgd", "momentum" (heavy ball, β = 0.9) or "adam".
    batch_size : ipywidgets.SelectionSlider
        The minibatch size of SGD (disabled for the other optimizers).
    regularization : ipywidgets.SelectionSlider
        The penalty strength λ: 0, then 1e-4 to 10.
    penalty : ipywidgets.ToggleButtons
        "l2" (ridge, λ‖w‖²) or "l1" (lasso, λ‖w‖₁).
    start_intercept, start_slope : ipywidgets.FloatSlider
        The starting weights w₀ and w₁ (intercept and slope of a line).
    view : GradientDescentView
        The figure.

    Examples
    --------
    >>> explorer = GradientDescentExplorer()
    >>> explorer.learning_rate.value = 0.6
    >>> "GD, η = 0.6 &gt; 2/L = 0.458, 200 steps: diverged at step" in explorer.summary.value
    True
    >>> explorer.warnings_caught, explorer.message.value
    ([], '')
    """

    def __init__(self, X: Any = None, y: Any = None) -> None:
        super().__init__()
        X, y = _check_data(X, y)
        self._objective = LeastSquares(X, y)
        self._n_samples, self._n_features = X.shape
        self._line = is_line_design(X)
        base = QuadraticLoss.from_least_squares(self._objective)
        theory = convergence_theory(base)
        self._landscapes: dict[tuple[float, str], _Landscape] = {}
        self._runs: OrderedDict[tuple, OptimizationResult] = OrderedDict()
        self._shown_landscape: tuple[float, str] | None = None

        # A square box of weights around the minimiser that holds 0: the start
        # sliders span it and the contour axes show it, so they never move. It is
        # at least as wide as a step in w that raises the loss by f(0) along the
        # steepest direction (½·L·r² = f(0)), so that it shows the bowl even when
        # the minimiser sits at 0.
        scale = math.sqrt(
            2.0 * max(float(base.value(np.zeros(self._n_features))), 0.0) / base.lipschitz
        )
        half = _nice_half_width(base.minimizer[:2], scale)
        unit = _nice_floor(half / 5)
        centre = np.round(base.minimizer[:2] / unit) * unit
        self._box = [(float(c - half), float(c + half)) for c in centre]
        self._grid = [np.linspace(low, high, GRID_POINTS) for low, high in self._box]

        # Four decades of learning rate whose top lies above 1.5 × (2/L): both
        # crawling and diverging steps are on the slider.
        bound = theory.stability_bound
        top = math.ceil(math.log10(1.5 * bound))
        self._rate_range = (top - 4, top)
        good = min(theory.best_learning_rate, 0.9 * bound)

        self.learning_rate = widgets.FloatLogSlider(
            value=self._snap(0.75 * good),
            base=10,
            min=top - 4,
            max=top,
            step=_LEARNING_RATE_STEP,
            description="learning rate η",
            readout_format=".3g",
            continuous_update=True,
            style=DESCRIPTION_STYLE,
            layout=CONTROL_LAYOUT,
        )
        self.iterations = widgets.SelectionSlider(
            options=ITERATION_COUNTS,
            value=200,
            description="iterations",
            continuous_update=True,
            style=DESCRIPTION_STYLE,
            layout=CONTROL_LAYOUT,
        )
        self.optimizer = widgets.Dropdown(
            options=[
                ("GD (full batch)", "gd"),
                ("SGD (minibatches)", "sgd"),
                (f"momentum (β = {MOMENTUM:g})", "momentum"),
                ("Adam", "adam"),
            ],
            value="gd",
            description="optimizer",
            style=DESCRIPTION_STYLE,
            layout=CONTROL_LAYOUT,
        )
        n = self._n_samples
        batch_sizes = tuple(sorted({size for size in _BATCH_SIZES if size < n} | {n}))
        self.batch_size = widgets.SelectionSlider(
            options=batch_sizes,
            value=max(size for size in batch_sizes if size <= 5),
            description="batch size (SGD)",
            disabled=True,
            continuous_update=True,
            style=DESCRIPTION_STYLE,
            layout=CONTROL_LAYOUT,
        )
        self.regularization, self.penalty = penalty_controls(REGULARIZATION_STRENGTHS)
        names = ("intercept", "slope") if self._line else ("w₀", "w₁")
        self.start_intercept, self.start_slope = (
            widgets.FloatSlider(
                value=0.0,
                min=low,
                max=high,
                step=unit / 10,
                description=f"start {name}",
                readout_format=".2f",
                continuous_update=True,
                style=DESCRIPTION_STYLE,
                layout=CONTROL_LAYOUT,
            )
            for name, (low, high) in zip(names, self._box, strict=True)
        )

        self.view = GradientDescentView(max_iterations=ITERATION_COUNTS[-1])
        self.view.show_data(X, y)
        self.view.set_loss_range(base.min_value, self._highest_loss(base.minimizer))
        start = {"start_intercept": 0.0, "start_slope": 0.0}
        plain = {"optimizer": "gd", "regularization": 0.0, "penalty": "l2", **start}
        self._start(
            [
                self.learning_rate,
                self.iterations,
                self.optimizer,
                self.batch_size,
                self.regularization,
                self.penalty,
                self.start_intercept,
                self.start_slope,
            ],
            self.view.canvas,
            presets={
                "crawl (η too small)": {
                    **plain,
                    "learning_rate": self._snap(bound / 300),
                    "iterations": 200,
                },
                "just right": {**plain, "learning_rate": self._snap(good), "iterations": 200},
                "too large a step": {
                    **plain,
                    "learning_rate": self._snap(1.15 * bound),
                    "iterations": 100,
                },
                "strong L1": {
                    **plain,
                    "regularization": 1.0,
                    "penalty": "l1",
                    "learning_rate": self._snap(good),
                    "iterations": 500,
                },
            },
        )

    def _snap(self, learning_rate: float) -> float:
        """Return the slider position nearest to ``learning_rate``."""
        low, high = self._rate_range
        exponent = round(math.log10(learning_rate) / _LEARNING_RATE_STEP) * _LEARNING_RATE_STEP
        return float(10.0 ** min(max(exponent, low), high))

    def _highest_loss(self, minimiser: np.ndarray) -> float:
        """Return the largest loss at a corner of the box under the strongest penalties.

        A convex loss is largest over a box at one of its corners; the corners
        are taken with the other weights at 0 (where runs start) and at the
        minimiser (where the contour plane lies).
        """
        corners = np.array(
            [
                self._weights(first, second, rest)
                for first in self._box[0]
                for second in self._box[1]
                for rest in (None, minimiser)
            ]
        )
        strongest = REGULARIZATION_STRENGTHS[-1]
        objectives = (
            self._objective,
            self._objective.with_penalty(l2=strongest),
            self._objective.with_penalty(l1=strongest),
        )
        return max(float(np.max(objective.value(corners))) for objective in objectives)

    # Cached per penalty ----------------------------------------------------------------------

    def _weights(self, first: float, second: float, rest: np.ndarray | None = None) -> np.ndarray:
        weights = np.zeros(self._n_features) if rest is None else np.array(rest, dtype=float)
        weights[:2] = first, second
        return weights

    def _landscape(self, strength: float, penalty: str) -> _Landscape:
        key = (strength, penalty if strength > 0 else "l2")
        if key in self._landscapes:
            return self._landscapes[key]
        if key[1] == "l1":
            objective = self._objective.with_penalty(l1=strength)
            quadratic = None
            smooth = QuadraticLoss.from_least_squares(self._objective)
            run = optimize(
                objective,
                np.zeros(self._n_features),
                method="gd",
                learning_rate=1.0 / smooth.lipschitz,
                iterations=_MINIMUM_ITERATIONS,
                tolerance=_MINIMUM_TOLERANCE,
            )
            best = int(np.argmin(run.losses))
            minimiser, minimum = run.path[best], float(run.losses[best])
            first, second = np.meshgrid(*self._grid)
            grid = np.broadcast_to(minimiser, (*first.shape, self._n_features)).copy()
            grid[..., 0], grid[..., 1] = first, second
            surface = np.asarray(objective.value(grid))
        else:
            objective = self._objective.with_penalty(l2=strength)
            quadratic = smooth = QuadraticLoss.from_least_squares(objective)
            minimiser, minimum = quadratic.minimizer, quadratic.min_value
            surface = loss_surface(quadratic, *self._grid, through=minimiser)
        landscape = _Landscape(
            objective=objective,
            quadratic=quadratic,
            smooth=smooth,
            theory=convergence_theory(smooth),
            minimiser=np.asarray(minimiser),
            minimum=minimum,
            first_values=self._grid[0],
            second_values=self._grid[1],
            surface=surface,
        )
        self._landscapes[key] = landscape
        return landscape

    def _name_weights(self, indices: np.ndarray) -> str:
        if self._line:
            return " and ".join(("the intercept", "the slope")[i] for i in indices)
        return f"{indices.size} of {self._n_features} weights"

    def _why_proximal_steps_settle(self, landscape: _Landscape, weights: np.ndarray) -> str:
        """Explain why proximal GD with η > 2/L settled at ``weights``, or return "".

        The bound 2/L makes every gradient step contract; the soft-threshold of the
        L1 step holds a weight at exactly 0 while its data gradient is below λ, so
        near such a minimiser only the other weights move, and the steps are stable
        up to 2 over the largest curvature of their block of the Hessian.
        """
        held = np.flatnonzero(weights == 0.0)
        moving = np.flatnonzero(weights != 0.0)
        if held.size == 0:
            return ""
        start = (
            f"; η > 2/L, yet it settles: the L1 penalty holds {self._name_weights(held)} "
            "at exactly 0"
        )
        if moving.size == 0:
            return start + ", where the data gradient is smaller than λ, so no step moves them"
        block = landscape.smooth.hessian[np.ix_(moving, moving)]
        curvature = float(np.linalg.eigvalsh(block)[-1])
        if moving.size == 1 and self._line:
            others = f"{self._name_weights(moving)} moves, and along it"
        else:
            others = "the other weights move, and along them"
        return (
            start + f", so only {others} steps below 2/{curvature:.3g} = "
            f"{2.0 / curvature:.3g} are stable"
        )

    # Per tick --------------------------------------------------------------------------------

    def _state(self) -> tuple:
        method = self.optimizer.value
        return (
            method,
            float(self.learning_rate.value),
            int(self.iterations.value),
            float(self.regularization.value),
            self.penalty.value,
            int(self.batch_size.value) if method == "sgd" else None,
            float(self.start_intercept.value),
            float(self.start_slope.value),
        )

    def _run(self, state: tuple, landscape: _Landscape) -> OptimizationResult:
        if state in self._runs:
            self._runs.move_to_end(state)
            return self._runs[state]
        method, learning_rate, iterations, _, _, batch_size, first, second = state
        start = self._weights(first, second)
        if method == "gd" and landscape.quadratic is not None:
            result = gradient_descent_closed_form(
                landscape.quadratic,
                start,
                learning_rate,
                iterations,
                max_points=RECORDED_POINTS,
                tolerance=TOLERANCE,
            )
        else:
            result = optimize(
                landscape.objective,
                start,
                method=method,
                learning_rate=learning_rate,
                iterations=iterations,
                batch_size=batch_size,
                momentum=MOMENTUM,
                seed=SEED,
                tolerance=TOLERANCE,
            )
        self._runs[state] = result
        if len(self._runs) > _RUN_CACHE:
            self._runs.popitem(last=False)
        return result

    def _update(self) -> str:
        state = self._state()
        method, _, iterations, strength, penalty, _, _, _ = state
        self.batch_size.disabled = method != "sgd"
        landscape = self._landscape(strength, penalty)
        key = (strength, penalty if strength > 0 else "l2")
        if key != self._shown_landscape:
            self.view.show_surface(
                landscape.first_values,
                landscape.second_values,
                landscape.surface,
                minimiser=landscape.minimiser,
                minimum=landscape.minimum,
            )
            self._shown_landscape = key
        self.view.set_iterations(iterations)
        result = self._run(state, landscape)
        self.view.update(result)
        return self._describe(state, landscape, result)

    # The summary -----------------------------------------------------------------------------

    def _describe(self, state: tuple, landscape: _Landscape, result: OptimizationResult) -> str:
        method, learning_rate, iterations, strength, penalty, batch_size, _, _ = state
        lasso = strength > 0 and penalty == "l1"
        if method == "adam":
            bound, formula = math.nan, ""
        elif method == "momentum":
            bound, formula = stability_bound(landscape.smooth, MOMENTUM), "2(1 + β)/L"
        else:
            bound, formula = stability_bound(landscape.smooth), "2/L"
        names = {
            "gd": "proximal GD" if lasso else "GD",
            "sgd": f"SGD with batches of {batch_size} of {self._n_samples} points",
            "momentum": f"momentum (β = {MOMENTUM:g})",
            "adam": "Adam",
        }
        head = f"{names[method]}, η = {learning_rate:.3g}"
        if formula:
            relation = ">" if learning_rate > bound else "<" if learning_rate < bound else "="
            head += f" {relation} {formula} = {bound:.3g}"
        if strength > 0:
            head += f", {penalty.upper()} penalty λ = {strength:g}"
        head += f", {iterations} steps: "
        loss = f"loss {result.final_loss:.4g} (minimum {landscape.minimum:.4g})"
        gap = result.final_loss - landscape.minimum
        distance = (
            f"loss {result.final_loss:.4g}, {gap:.2g} above the minimum {landscape.minimum:.4g}"
            if gap > 0
            else f"loss {result.final_loss:.4g}, at the minimum {landscape.minimum:.4g}"
        )
        too_large = formula != "" and learning_rate > bound
        settles = ""  # why proximal GD settled although η > 2/L, naming the weights held at 0

        if result.status is Status.DIVERGED:
            text = f"diverged at step {result.diverged_at}"
            if method == "adam":
                text += " — steps of about η per weight are far too large for this loss"
            elif too_large:
                text += " — every step overshoots along the steepest direction"
                if method == "momentum":
                    text += ", and momentum carries each swing into the next"
                elif method == "gd" and landscape.quadratic is not None:
                    factor = abs(1.0 - learning_rate * landscape.smooth.lipschitz)
                    text += f", multiplying the error there by |1 − ηL| = {factor:.3g}"
            elif method == "sgd":
                text += (
                    " — a minibatch gradient can be far steeper than the full one, so a step "
                    "that is stable for GD overshoots here; try a smaller η or a larger batch"
                )
            else:
                text += " — the steps grew instead of settling; try a smaller η"
        elif result.status is Status.CONVERGED:
            text = f"converged at step {int(result.steps[-1])}, {loss}"
            if lasso and too_large and method == "gd":
                settles = self._why_proximal_steps_settle(landscape, result.final_weights)
                text += settles
        else:
            text = f"not converged, {distance}"
            if method == "sgd" and batch_size is not None and batch_size < self._n_samples:
                text += (
                    f"; each step follows the gradient of {batch_size} random "
                    f"point{'s' if batch_size > 1 else ''}, a noisy estimate of the full "
                    "gradient, so the path jitters about the minimum instead of settling"
                )
            elif method == "sgd":
                text += "; a batch of all the points has no noise: this is plain GD"
            elif too_large and lasso and method == "gd" and _alternates(result.path):
                text += (
                    f"; η > {formula}, so each gradient step overshoots along the steepest "
                    "direction, and the L1 step cuts it back towards 0: the run bounces between "
                    "the same two points instead of settling"
                )
            elif too_large:
                text += (
                    f"; η > {formula}, so the error along the steepest direction grows at "
                    "every step: the run is diverging"
                )
            elif method == "gd" and landscape.quadratic is not None:
                rate = float(predicted_rate(landscape.quadratic, learning_rate))
                if learning_rate <= landscape.theory.best_learning_rate:
                    text += (
                        "; η is small: each step shrinks the error by only a factor "
                        f"{_factor(rate)} along the flattest direction, so gradient descent "
                        "crawls (the best "
                        f"fixed step is 2/(μ + L) = {landscape.theory.best_learning_rate:.3g})"
                    )
                else:
                    text += (
                        f"; η is close to 2/L: each step overshoots along the steepest direction "
                        f"and shrinks the error there by only a factor {_factor(rate)}"
                    )
            else:
                text += (
                    f"; the gradient norm {result.gradient_norms[-1]:.2g} is still above the "
                    f"tolerance {TOLERANCE:g}: more steps would get closer"
                )
        zeros = np.flatnonzero(result.final_weights == 0.0)
        if lasso and result.status is not Status.DIVERGED and zeros.size and not settles:
            text += f"; the L1 penalty set {self._name_weights(zeros)} to exactly 0"
        final = result.final_weights
        if self._line and result.status is not Status.DIVERGED:
            sign = "−" if final[1] < 0 else "+"
            text += f"; fitted line ŷ = {final[0]:.3g} {sign} {abs(final[1]):.3g}·x"
        return head + text + "."
