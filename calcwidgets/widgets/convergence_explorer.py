"""ConvergenceExplorer: how conditioning, step size and momentum set the speed of descent."""

from __future__ import annotations

import math
from typing import Any

import ipywidgets as widgets
import numpy as np

from ..core._validate import check_choice, check_int, check_real
from ..core.optimizers import optimize
from ..core.quadratic import (
    ConvergenceTheory,
    QuadraticLoss,
    convergence_theory,
    gradient_descent_closed_form,
    measured_rate,
    predicted_rate,
    quadratic_bowl,
    stability_bound,
)
from ..core.results import OptimizationResult, Status
from ..plotting.convergence_view import TARGET_GAP, ConvergenceView
from ._base import CONTROL_LAYOUT, DESCRIPTION_STYLE, Explorer, RecentCache, snap_to_grid

__all__ = ["ITERATION_COUNTS", "OPTIMIZERS", "ConvergenceExplorer"]

#: The optimizers offered, by the ``method`` of :func:`~calcwidgets.core.optimizers.optimize`.
OPTIMIZERS = {
    "gd": "gradient descent",
    "momentum": "momentum (heavy ball)",
    "nesterov": "Nesterov momentum",
    "adam": "Adam",
}

# What β means for each optimizer, in the summary.
_BETA_CLAUSES = {
    "gd": "",
    "momentum": " with β = {beta:.3f} (the share of the previous step carried into the next)",
    "nesterov": (
        " with β = {beta:.3f} (the share of the previous step carried over; the gradient is "
        "taken at the look-ahead point)"
    ),
    "adam": (
        " with β₁ = {beta:.3f} (the decay of Adam's running gradient average; β₂ = 0.999, ε = 1e-8)"
    ),
}

#: The numbers of iterations the ``iterations`` slider offers.
ITERATION_COUNTS = (10, 20, 30, 50, 100, 200, 300, 500, 1000, 2000, 3000, 5000)

#: The range of the condition number κ (log slider).
CONDITION_RANGE = (1.0, 1000.0)

#: The range of the learning rate as a fraction of the stability bound (log slider).
FRACTION_RANGE = (10**-1.31, 10**0.08)

#: The range of the momentum β (β₁ for Adam).
MOMENTUM_RANGE = (0.0, 0.99)

# The bowl: L = 1, steep direction along w₂, minimum at the origin (f* = 0).
_LARGEST_EIGENVALUE = 1.0
_BOWL_ANGLE = math.pi / 2

_CACHE_SIZE = 128


def _in_range(name: str, value: Any, low: float, high: float) -> float:
    value = check_real(name, value)
    if not low - 1e-12 <= value <= high + 1e-12:
        raise ValueError(f"{name} must be between {low:.4g} and {high:.4g}, got {value:g}")
    return value


def _rate(value: float) -> str:
    return f"{value:.4f}"


def _measured(values: np.ndarray, steps: np.ndarray) -> float | None:
    """Return the core's fitted rate per step, or None when the run is too short to fit one."""
    try:
        # The bowl's minimum is at the origin with f* = 0, so gaps and distances keep
        # their relative precision all the way down: no round-off floor is needed.
        return measured_rate(values, steps, floor=0.0)
    except ValueError:
        return None


class ConvergenceExplorer(Explorer):
    """Explore how the condition number, the step size and momentum set the rate of descent.

    The loss is the 2-D quadratic bowl ``f(w) = ½ (μ w₁² + L w₂²)`` with
    ``L = 1`` and ``μ = 1/κ`` (:func:`~calcwidgets.core.quadratic.quadratic_bowl`
    with ``angle = π/2``): the flat direction is ``w₁``, the steep one ``w₂``,
    the minimum is ``w* = 0`` with ``f* = 0``. The run starts on the unit
    circle at ``w₀ = (cos φ, sin φ)``.

    The learning rate is set as a fraction of the stability bound, so that
    ``1`` is always the edge of stability: of ``2/L`` for gradient descent,
    Nesterov and Adam, and of the momentum-aware bound ``2(1 + β)/L`` for heavy
    ball (:func:`~calcwidgets.core.quadratic.stability_bound`). The slider's
    label says which. (Nesterov's own bound, ``2(1 + β)/((1 + 2β)L)``, is
    smaller than ``2/L``: with β > 0 it diverges below fraction 1. Adam's step
    hardly depends on ``L``: there the fraction just sets ``η``.)

    What β means: for heavy ball, the share of the previous step carried into
    the next, ``w ← w − η∇f(w) + β(w − w_prev)``; for Nesterov the same, with
    the gradient taken at the look-ahead point ``w + β(w − w_prev)``; for Adam,
    ``β₁``, the decay of the running average of gradients (``β₂ = 0.999``).
    Gradient descent ignores it.

    Gradient descent runs in closed form
    (:func:`~calcwidgets.core.quadratic.gradient_descent_closed_form`); the
    other optimizers run step by step (:func:`~calcwidgets.core.optimizers.optimize`).
    Every run stops once ``‖∇f‖ ≤ 1e-8``. The predicted rate ``ρ`` is
    :func:`~calcwidgets.core.quadratic.predicted_rate` (GD and heavy ball only):
    ``‖w_k − w*‖`` shrinks by ``ρ`` per step, the loss gap by ``ρ²``; the
    measured rates are :func:`~calcwidgets.core.quadratic.measured_rate` of the
    distances and of the loss gaps of the run.

    Parameters
    ----------
    condition_number : float, default 10
        κ = L/μ, in [1, 1000].
    learning_rate_fraction : float, default 0.5
        η divided by the stability bound, in [0.049, 1.2] (log slider).
    momentum : float, default 0.5
        β (β₁ for Adam), in [0, 0.99].
    optimizer : {"gd", "momentum", "nesterov", "adam"}, default "gd"
        The update rule.
    iterations : int, default 500
        The largest number of steps, one of :data:`ITERATION_COUNTS`.
    start_angle : int, default 150
        φ in degrees, in [0, 180].

    Attributes
    ----------
    condition_number, learning_rate_fraction, momentum, optimizer, iterations, start_angle
        The controls (ipywidgets); move them from code with ``.value``.
    view : ConvergenceView
        The figure.
    summary : ipywidgets.HTML
        One sentence with L, μ, κ, η, the predicted and measured rates and the status.

    Examples
    --------
    >>> explorer = ConvergenceExplorer(condition_number=100.0)
    >>> explorer.learning_rate_fraction.value = 0.5
    >>> "measured rate 0.9900 per step (predicted ρ = 0.9900)" in explorer.summary.value
    True
    >>> explorer.apply_preset("just over 2/L")
    >>> "diverged at step" in explorer.summary.value
    True
    """

    def __init__(
        self,
        *,
        condition_number: float = 10.0,
        learning_rate_fraction: float = 0.5,
        momentum: float = 0.5,
        optimizer: str = "gd",
        iterations: int = 500,
        start_angle: int = 150,
    ) -> None:
        super().__init__()
        condition_number = _in_range("condition_number", condition_number, *CONDITION_RANGE)
        learning_rate_fraction = _in_range(
            "learning_rate_fraction", learning_rate_fraction, *FRACTION_RANGE
        )
        momentum = _in_range("momentum", momentum, *MOMENTUM_RANGE)
        optimizer = check_choice("optimizer", optimizer, OPTIMIZERS)
        iterations = check_int("iterations", iterations)
        if iterations not in ITERATION_COUNTS:
            raise ValueError(
                f"iterations must be one of {', '.join(map(str, ITERATION_COUNTS))}; "
                f"got {iterations}"
            )
        start_angle = check_int("start_angle", start_angle, minimum=0, maximum=180)

        self.condition_number = widgets.FloatLogSlider(
            value=condition_number,
            base=10,
            min=0.0,
            max=3.0,
            step=0.05,
            description="condition κ",
            tooltip="κ = L/μ: how much steeper the steepest direction is than the flattest",
            readout_format=".4g",
            continuous_update=True,
            style=DESCRIPTION_STYLE,
            layout=CONTROL_LAYOUT,
        )
        self.learning_rate_fraction = widgets.FloatLogSlider(
            value=learning_rate_fraction,
            base=10,
            min=-1.31,
            max=0.08,
            step=0.01,
            description="η ÷ (2/L)",
            tooltip=(
                "the learning rate η as a fraction of the stability bound: of 2/L, or of "
                "2(1+β)/L for heavy ball; above 1 gradient descent and heavy ball diverge"
            ),
            readout_format=".3f",
            continuous_update=True,
            style=DESCRIPTION_STYLE,
            layout=CONTROL_LAYOUT,
        )
        snap_to_grid(self.learning_rate_fraction)
        self.momentum = widgets.FloatSlider(
            value=momentum,
            min=MOMENTUM_RANGE[0],
            max=MOMENTUM_RANGE[1],
            step=0.01,
            description="momentum β",
            tooltip=(
                "heavy ball and Nesterov: the share of the previous step carried into the next; "
                "Adam: β₁, the decay of its running gradient average; unused by gradient descent"
            ),
            readout_format=".3f",
            continuous_update=True,
            style=DESCRIPTION_STYLE,
            layout=CONTROL_LAYOUT,
        )
        self.optimizer = widgets.Dropdown(
            options=[(name, key) for key, name in OPTIMIZERS.items()],
            value=optimizer,
            description="optimizer",
            tooltip="gradient descent runs in closed form, the others step by step",
            style=DESCRIPTION_STYLE,
            layout=CONTROL_LAYOUT,
        )
        self.iterations = widgets.SelectionSlider(
            options=ITERATION_COUNTS,
            value=iterations,
            description="iterations",
            tooltip="the largest number of steps; a run stops earlier once ‖∇f‖ ≤ 1e-8",
            continuous_update=True,
            style=DESCRIPTION_STYLE,
            layout=CONTROL_LAYOUT,
        )
        self.start_angle = widgets.IntSlider(
            value=start_angle,
            min=0,
            max=180,
            step=5,
            description="start angle φ°",
            tooltip="the start is w₀ = (cos φ, sin φ); 0° lies on the flat axis, 90° on the steep",
            continuous_update=True,
            style=DESCRIPTION_STYLE,
            layout=CONTROL_LAYOUT,
        )
        self.view = ConvergenceView(max_horizon=ITERATION_COUNTS[-1])
        self._bowls = RecentCache(_CACHE_SIZE)
        self._runs = RecentCache(_CACHE_SIZE)
        self._shown_condition: float | None = None

        _, hard = self._bowl(100.0)
        heavy_ball = hard.heavy_ball_momentum
        _, easy = self._bowl(2.0)
        self._start(
            [
                self.condition_number,
                self.learning_rate_fraction,
                self.optimizer,
                self.momentum,
                self.iterations,
                self.start_angle,
            ],
            self.view.canvas,
            presets={
                # At the best fixed step 2/(μ + L) GD contracts by (κ − 1)/(κ + 1) = 1/3.
                "well-conditioned": {
                    "condition_number": 2.0,
                    "optimizer": "gd",
                    "learning_rate_fraction": easy.best_learning_rate / easy.stability_bound,
                    "iterations": 100,
                    "start_angle": 150,
                },
                "ill-conditioned zig-zag": {
                    "condition_number": 100.0,
                    "optimizer": "gd",
                    "learning_rate_fraction": 0.95,
                    "iterations": 1000,
                    "start_angle": 150,
                },
                # Polyak's step and momentum: rate (√κ − 1)/(√κ + 1) instead of (κ − 1)/(κ + 1).
                "optimal heavy ball": {
                    "condition_number": 100.0,
                    "optimizer": "momentum",
                    "momentum": heavy_ball,
                    "learning_rate_fraction": hard.heavy_ball_learning_rate
                    / (2.0 * (1.0 + heavy_ball) / hard.lipschitz),
                    "iterations": 1000,
                    "start_angle": 150,
                },
                "just over 2/L": {
                    "condition_number": 10.0,
                    "optimizer": "gd",
                    "learning_rate_fraction": 1.05,
                    "iterations": 300,
                    "start_angle": 150,
                },
            },
        )

    # Cached: the bowl per κ, the run per setting ---------------------------------------------

    def _bowl(self, condition_number: float) -> tuple[QuadraticLoss, ConvergenceTheory]:
        def compute():
            bowl = quadratic_bowl(
                condition_number, largest_eigenvalue=_LARGEST_EIGENVALUE, angle=_BOWL_ANGLE
            )
            return bowl, convergence_theory(bowl)

        return self._bowls.get(condition_number, compute)

    def _run(
        self,
        bowl: QuadraticLoss,
        start: np.ndarray,
        method: str,
        learning_rate: float,
        momentum: float,
        iterations: int,
    ) -> tuple[OptimizationResult, np.ndarray, np.ndarray]:
        """Return the run, its loss gaps and its distances to the minimum."""
        if method == "gd":
            result = gradient_descent_closed_form(bowl, start, learning_rate, iterations)
        elif method == "adam":
            result = optimize(
                bowl,
                start,
                method="adam",
                learning_rate=learning_rate,
                iterations=iterations,
                beta1=momentum,
            )
        else:
            result = optimize(
                bowl,
                start,
                method=method,
                learning_rate=learning_rate,
                iterations=iterations,
                momentum=momentum,
            )
        # From the path rather than result.losses: f(w) = ½ wᵀHw keeps its relative
        # precision near w* = 0, where a difference of losses would be round-off.
        gaps = bowl.value(result.path) - bowl.min_value
        distances = np.linalg.norm(result.path - bowl.minimizer, axis=1)
        return result, gaps, distances

    # Per tick --------------------------------------------------------------------------------

    def _update(self) -> str:
        kappa = self.condition_number.value
        fraction = self.learning_rate_fraction.value
        beta = self.momentum.value
        method = self.optimizer.value
        iterations = self.iterations.value
        angle = self.start_angle.value

        heavy_ball = method == "momentum"
        self.momentum.disabled = method == "gd"
        self.momentum.description = "Adam β₁" if method == "adam" else "momentum β"
        self.learning_rate_fraction.description = "η ÷ 2(1+β)/L" if heavy_ball else "η ÷ (2/L)"

        bowl, theory = self._bowl(kappa)
        if kappa != self._shown_condition:
            self.view.show_bowl(bowl)
            self._shown_condition = kappa
        self.view.show_horizon(iterations)

        bound = stability_bound(bowl, beta) if heavy_ball else theory.stability_bound
        learning_rate = fraction * bound
        radians = math.radians(angle)
        start = np.array([math.cos(radians), math.sin(radians)])
        result, gaps, distances = self._runs.get(
            (kappa, learning_rate, beta, method, iterations, angle),
            lambda: self._run(bowl, start, method, learning_rate, beta, iterations),
        )

        predicted = None
        if method in ("gd", "momentum"):
            predicted = predicted_rate(bowl, learning_rate, beta if heavy_ball else 0.0)
        measured = _measured(distances, result.steps)
        measured_gap = _measured(gaps, result.steps)
        self.view.update(
            result,
            gaps,
            predicted_gap_rate=None if predicted is None else predicted**2,
            measured_gap_rate=measured_gap,
        )
        return _summary(
            theory,
            result,
            gaps,
            method=method,
            fraction=fraction,
            bound=bound,
            learning_rate=learning_rate,
            beta=beta,
            predicted=predicted,
            measured=measured,
            measured_gap=measured_gap,
        )


def _steps(count: int) -> str:
    return f"{count} step" if count == 1 else f"{count} steps"


def _summary(
    theory: ConvergenceTheory,
    result: OptimizationResult,
    gaps: np.ndarray,
    *,
    method: str,
    fraction: float,
    bound: float,
    learning_rate: float,
    beta: float,
    predicted: float | None,
    measured: float | None,
    measured_gap: float | None,
) -> str:
    """Say in one sentence what the run shows: the setting, the status, the rates."""
    lipschitz = theory.lipschitz
    bound_name = "2(1+β)/L" if method == "momentum" else "2/L"
    setting = (
        f"κ = {theory.condition_number:.4g} (L = {lipschitz:.3g}, μ = {theory.mu:.3g}), "
        f"{OPTIMIZERS[method]}{_BETA_CLAUSES[method].format(beta=beta)}, "
        f"η = {fraction:.3f}·({bound_name}) = {learning_rate:.4g} "
        f"(η·L = {learning_rate * lipschitz:.4g})"
    )

    last = int(result.steps[-1])
    if result.status is Status.DIVERGED:
        status = f"diverged at step {result.diverged_at}"
        if method == "gd" and predicted is not None:
            # Beyond 2/L the largest |1 − ηλ| is the one of the steepest direction, λ = L.
            status += (
                f": η > 2/L = {bound:.3g}, so each step overshoots along the steepest "
                f"direction and multiplies the error there by |1 − ηL| = {predicted:.3g}"
            )
        elif method == "momentum" and fraction > 1:
            status += f": η is above heavy ball's stability bound 2(1+β)/L = {bound:.3g}"
        else:
            status += f": the step is too large for {OPTIMIZERS[method]} with this β"
    elif result.status is Status.CONVERGED:
        status = f"converged at step {last} (‖∇f‖ ≤ 1e-8)"
    else:
        status = f"not converged after {_steps(last)}"
        if predicted is not None and predicted >= 1:
            status += " and it cannot: ρ ≥ 1"

    if measured is None:
        rates = "too few steps to measure a rate"
    else:
        rates = f"measured rate {_rate(measured)} per step"
        if predicted is not None:
            rates += f" (predicted ρ = {_rate(predicted)})"
        rates += " for ‖w − w*‖"
        if measured_gap is not None:
            rates += f", {_rate(measured_gap)}"
            if predicted is not None:
                rates += f" (ρ² = {_rate(predicted**2)})"
            rates += " for f − f*"
        if method == "nesterov":
            rates += " (the core predicts no rate for Nesterov)"
        elif method == "adam":
            rates += " (Adam adapts its step, so it has no fixed linear rate to predict)"

    reached = np.flatnonzero(gaps <= TARGET_GAP)
    above = np.flatnonzero(~(gaps <= TARGET_GAP))
    if result.status is Status.DIVERGED:
        target = ""
    elif not reached.size:
        target = f"; f − f* = {gaps[-1]:.2g} has not reached 1e-8"
    elif not above.size or above[-1] < reached[0]:
        target = f"; f − f* ≤ 1e-8 after {_steps(int(result.steps[reached[0]]))}"
    elif above[-1] == gaps.size - 1:
        # A run that bounces (Adam, momentum) can dip below the target and leave it again.
        target = (
            f"; f − f* dipped to ≤ 1e-8 at step {int(result.steps[reached[0]])} "
            f"but ends at {gaps[-1]:.2g}"
        )
    else:
        target = (
            f"; f − f* ≤ 1e-8 after {_steps(int(result.steps[reached[0]]))}, and for good "
            f"after {_steps(int(result.steps[above[-1] + 1]))}"
        )
    return f"{setting}: {status}; {rates}{target}."
