"""OverfittingExplorer: polynomial degree, penalties and early stopping against held-out data."""

from __future__ import annotations

import math
from dataclasses import dataclass

import ipywidgets as widgets
import numpy as np

from ..core._validate import check_int
from ..core.datasets import make_curve_data
from ..core.models import LeastSquares, polynomial_features
from ..core.optimizers import optimize
from ..core.quadratic import QuadraticLoss, gradient_descent_closed_form
from ..core.results import OptimizationResult, Status
from ..plotting.overfitting_view import OverfittingView
from ._base import (
    CONTROL_LAYOUT,
    DESCRIPTION_STYLE,
    Explorer,
    RecentCache,
    lambda_label,
    penalty_controls,
)

__all__ = [
    "EARLY_STOPPING_STEPS",
    "L1_MAX_STEPS",
    "L1_TOLERANCE",
    "MAX_DEGREE",
    "REGULARIZATIONS",
    "TRAINING_SIZES",
    "OverfittingExplorer",
]

#: The highest polynomial degree on the slider.
MAX_DEGREE = 15

#: The penalty strengths λ on the slider: 0, then 1e-6 … 1 in steps of about √10.
REGULARIZATIONS: tuple[float, ...] = (
    (0.0,)
    + tuple(
        round(mantissa * 10.0**exponent, 12) for exponent in range(-6, 0) for mantissa in (1, 3)
    )
    + (1.0,)
)

#: The training-set sizes on the slider.
TRAINING_SIZES: tuple[int, ...] = (
    5, 6, 7, 8, 9, 10, 12, 14, 16, 18, 20, 25, 30, 35, 40, 50, 60, 70, 80, 100, 120, 150, 200,
)  # fmt: skip

#: Gradient-descent steps for the early-stopping slider; ``inf`` means "off: the exact fit".
EARLY_STOPPING_STEPS: tuple[float, ...] = (
    1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000, 10_000, 100_000, math.inf,
)  # fmt: skip

#: The L1 fits run at most this many proximal-gradient steps. Each step is a
#: Python-level iteration of the core's optimizer, and a new data set under L1
#: needs one run per λ, so more would make the slider sluggish. Small λ on a
#: high degree need thousands of steps to converge (the problem is badly
#: conditioned); their fits stay approximate, which the summary says.
L1_MAX_STEPS = 300

#: An L1 fit has converged once its proximal-gradient mapping is this small.
L1_TOLERANCE = 1e-5

#: The fitted polynomial is drawn at this many points.
CURVE_POINTS = 241

_DEGREES = tuple(range(1, MAX_DEGREE + 1))
_CACHE_SIZE = 16
_GOOD_FACTOR = 1.3
_GOOD_MARGIN = 1e-3


@dataclass(frozen=True)
class _Fit:
    """One fitted polynomial and its errors."""

    weights: np.ndarray
    train_error: float
    validation_error: float
    #: λ = 0 with fewer independent points than coefficients: the minimum-norm solution.
    minimum_norm: bool = False
    #: The gradient-descent or proximal-gradient run that produced the weights, if any.
    run: OptimizationResult | None = None


class _Problem:
    """What one data set fixes: the points, the features, one objective per degree.

    Built when ``n_train`` or the noise changes; every slider tick after that
    reuses it.
    """

    def __init__(self, n_train: int, noise: float, n_validation: int, seed: int) -> None:
        self.data = make_curve_data(n_train, n_validation, noise=noise, seed=seed)
        features = polynomial_features(self.data.x_train, MAX_DEGREE)
        self.validation_features = polynomial_features(self.data.x_validation, MAX_DEGREE)
        self.objectives = {
            degree: LeastSquares(features[:, : degree + 1], self.data.y_train)
            for degree in _DEGREES
        }
        self._stack: LeastSquares | None = None

    def errors(self, degree: int, weights: np.ndarray) -> tuple[float, float]:
        """Return the training and validation mean squared errors of ``weights``."""
        objective = self.objectives[degree]
        train = objective.mse(weights, objective.X, objective.y)
        validation = objective.mse(
            weights, self.validation_features[:, : degree + 1], self.data.y_validation
        )
        return float(train), float(validation)

    def step_size(self, l2: float) -> float:
        """``1/L`` for the degree-15 loss with ridge ``l2``.

        The Gram matrix of a lower degree is a leading block of the degree-15
        one, so its largest eigenvalue is no larger (Cauchy interlacing): one
        step size is stable for every degree.
        """
        top = self.objectives[MAX_DEGREE].with_penalty(l2=l2)
        return 1.0 / QuadraticLoss.from_least_squares(top).lipschitz

    def stack(self) -> LeastSquares:
        """All degrees' least-squares problems as one, for fitting them in one L1 run.

        With block-diagonal features (block k: the degree-k features of the
        training points) and the targets repeated, the mean squared error is
        the mean of the K per-degree errors. So with an L1 strength λ/K and a
        step K·η, proximal gradient descent on the stack moves every block
        exactly as it would move alone with strength λ and step η: the
        soft-thresholding acts entry by entry. One run of the core's optimizer
        then fits all K degrees for the price of one.
        """
        if self._stack is None:
            n = self.data.x_train.size
            blocks = np.zeros((len(_DEGREES) * n, sum(degree + 1 for degree in _DEGREES)))
            column = 0
            for row, degree in enumerate(_DEGREES):
                blocks[row * n : (row + 1) * n, column : column + degree + 1] = self.objectives[
                    degree
                ].X
                column += degree + 1
            self._stack = LeastSquares(blocks, np.tile(self.data.y_train, len(_DEGREES)))
        return self._stack


class _FitGrid:
    """Fits for every (degree, λ) of one data set, penalty and early-stopping setting, on demand.

    The error-against-degree curve is a row of this grid, the error-against-λ
    curve a column; moving the degree or λ slider only reads cells already
    computed (or computes the few missing ones).
    """

    def __init__(self, problem: _Problem, penalty: str, steps: float) -> None:
        self.problem = problem
        self.penalty = penalty
        self.steps = steps
        self._cells: dict[tuple[int, float], _Fit] = {}

    def fit(self, degree: int, regularization: float) -> _Fit:
        key = (degree, regularization)
        if key not in self._cells:
            if self.penalty == "l1" and regularization > 0:
                self._fit_l1_column(regularization)
            else:
                self._cells[key] = self._fit_l2(degree, regularization)
        return self._cells[key]

    def degree_curve(self, regularization: float) -> list[_Fit]:
        return [self.fit(degree, regularization) for degree in _DEGREES]

    def lambda_curve(self, degree: int) -> list[_Fit]:
        return [self.fit(degree, regularization) for regularization in REGULARIZATIONS]

    def _fit_l2(self, degree: int, regularization: float) -> _Fit:
        problem = self.problem
        objective = problem.objectives[degree].with_penalty(l2=regularization)
        run = None
        minimum_norm = False
        if math.isinf(self.steps):
            try:
                weights = objective.solve()
            except ValueError:
                # Fewer independent points than coefficients and λ = 0: the least-squares
                # minimiser is not unique; take the one of smallest norm, which is also
                # where gradient descent from zero ends up.
                weights = QuadraticLoss.from_least_squares(objective).minimizer
                minimum_norm = True
        else:
            run = gradient_descent_closed_form(
                QuadraticLoss.from_least_squares(objective),
                np.zeros(degree + 1),
                problem.step_size(regularization),
                int(self.steps),
                max_points=3,
            )
            weights = run.final_weights
        train, validation = problem.errors(degree, weights)
        return _Fit(weights, train, validation, minimum_norm, run)

    def _fit_l1_column(self, regularization: float) -> None:
        problem = self.problem
        stack = problem.stack()
        count = len(_DEGREES)
        exact = math.isinf(self.steps)
        run = optimize(
            stack.with_penalty(l1=regularization / count),
            np.zeros(stack.n_features),
            # Without early stopping, converge as fast as possible (accelerated
            # proximal gradient); with it, take plain proximal-gradient steps.
            method="nesterov" if exact else "gd",
            momentum=0.9,
            learning_rate=count * problem.step_size(0.0),
            iterations=L1_MAX_STEPS if exact else int(min(self.steps, L1_MAX_STEPS)),
            tolerance=L1_TOLERANCE / count,
        )
        column = 0
        for degree in _DEGREES:
            weights = np.array(run.final_weights[column : column + degree + 1])
            column += degree + 1
            train, validation = problem.errors(degree, weights)
            self._cells[degree, regularization] = _Fit(weights, train, validation, False, run)


def _error(value: float) -> str:
    if value == 0:
        return "0"
    if value < 1e-4:
        return f"{value:.1e}"
    return f"{value:.2g}" if value < 1 else f"{value:.3g}"


def _steps(value: float) -> str:
    return f"{int(value):,}".replace(",", " ")


class OverfittingExplorer(Explorer):
    """Watch a polynomial fit go from underfitting to overfitting, and penalties rein it in.

    Noisy samples of ``sin(πx)`` on [-1, 1] are split into training points,
    which a polynomial of the chosen degree is fitted to by least squares, and
    validation points, held out to measure how well the fit generalises. A low
    degree cannot follow the curve (underfitting: both errors high); a high
    degree with few points chases the noise (overfitting: training error near
    zero, validation error large).

    Two remedies are offered. A penalty adds ``λ·‖w‖²`` (L2, ridge: shrinks
    every coefficient) or ``λ·‖w‖₁`` (L1, lasso: sets some coefficients exactly
    to zero) to the mean squared error. **Early stopping** fits by gradient
    descent from ``w = 0`` with step ``η = 1/L`` and stops after a set number
    of steps. It acts like a penalty: along each eigendirection of the
    Hessian with curvature ``h``, the weights have covered a fraction
    ``1 − (1 − ηh)^k`` of the way to the least-squares solution after ``k``
    steps, so the stiff, well-determined directions are fitted at once while
    the flat ones (the wiggly combinations of high powers that chase noise)
    have barely moved, much as an L2 penalty ``λ ≈ 1/(2ηk)`` would keep them
    small. The slider's last value, ∞, turns it off and shows the exact fit
    (the limit of gradient descent from zero).

    Fits without L1 use closed forms from the core: the least-squares solution
    (:meth:`LeastSquares.solve`), or gradient descent in closed form
    (:func:`gradient_descent_closed_form`). With λ = 0 and fewer independent
    training points than coefficients the solution is not unique; the
    explorer then shows the minimum-norm one and says so. L1 fits run at most
    :data:`L1_MAX_STEPS` proximal-gradient steps (accelerated without early
    stopping), and the summary says whether they converged. The errors
    against degree and against λ are cached per data set and setting, so
    moving the degree or λ only reads them. Under L1 a new data set or step
    count needs one proximal-gradient run per λ (a few hundred milliseconds),
    so the training-size, noise and step sliders then update when released.

    The summary names what the fit shows by comparing its validation error
    with the best point of each error curve (and, with early stopping, with
    the exact fit): close to the best is a good fit; if less capacity (a
    lower degree, a larger λ) would do better, it overfits; if more would,
    it underfits.

    Parameters
    ----------
    n_validation : int, default 100
        The number of held-out validation points (at least 10).
    seed : int, default 0
        The seed of :func:`make_curve_data`. Adding training points keeps the
        ones already drawn, and changing the noise rescales the same residuals,
        so the picture changes smoothly.

    Attributes
    ----------
    degree : ipywidgets.IntSlider
        The polynomial degree, 1 to 15.
    regularization : ipywidgets.SelectionSlider
        The penalty strength λ: 0, then 1e-6 to 1.
    penalty : ipywidgets.ToggleButtons
        ``"l2"`` (ridge) or ``"l1"`` (lasso).
    n_train : ipywidgets.SelectionSlider
        The number of training points, 5 to 200.
    noise : ipywidgets.FloatSlider
        The noise standard deviation σ, 0 to 0.5.
    early_stopping : ipywidgets.SelectionSlider
        Gradient-descent steps, 1 to 10⁵, or ``math.inf`` for the exact fit.
    view : OverfittingView
        The figure.

    Examples
    --------
    >>> explorer = OverfittingExplorer()
    >>> explorer.degree.value = 15
    >>> "overfitting" in explorer.summary.value
    True
    >>> explorer.regularization.value = 1e-4
    >>> explorer.warnings_caught, explorer.message.value
    ([], '')
    """

    def __init__(self, *, n_validation: int = 100, seed: int = 0) -> None:
        super().__init__()
        self._n_validation = check_int("n_validation", n_validation, minimum=10)
        if isinstance(seed, bool) or not isinstance(seed, int):
            raise TypeError(f"seed must be an int, got {seed!r}")
        self._seed = seed
        self._problems = RecentCache(8)
        self._grids = RecentCache(_CACHE_SIZE)
        self._curve_x = np.linspace(-1.0, 1.0, CURVE_POINTS)
        self._curve_features = polynomial_features(self._curve_x, MAX_DEGREE)

        self.degree = widgets.IntSlider(
            value=3,
            min=1,
            max=MAX_DEGREE,
            description="degree",
            continuous_update=True,
            style=DESCRIPTION_STYLE,
            layout=CONTROL_LAYOUT,
        )
        self.regularization, self.penalty = penalty_controls(
            REGULARIZATIONS, penalised="coefficient"
        )
        self.n_train = widgets.SelectionSlider(
            options=TRAINING_SIZES,
            value=20,
            description="training points n",
            continuous_update=True,
            style=DESCRIPTION_STYLE,
            layout=CONTROL_LAYOUT,
        )
        self.noise = widgets.FloatSlider(
            value=0.2,
            min=0.0,
            max=0.5,
            step=0.01,
            description="noise σ",
            readout_format=".2f",
            continuous_update=True,
            style=DESCRIPTION_STYLE,
            layout=CONTROL_LAYOUT,
        )
        self.early_stopping = widgets.SelectionSlider(
            options=[("∞ (off)" if math.isinf(k) else _steps(k), k) for k in EARLY_STOPPING_STEPS],
            value=math.inf,
            description="GD steps",
            tooltip="gradient-descent steps before stopping early; ∞ means the exact fit",
            continuous_update=True,
            style=DESCRIPTION_STYLE,
            layout=CONTROL_LAYOUT,
        )
        self.view = OverfittingView(REGULARIZATIONS, max_degree=MAX_DEGREE)
        self.penalty.observe(self._on_penalty_change, names="value")
        controls = [
            self.degree,
            self.regularization,
            self.penalty,
            self.n_train,
            self.noise,
            self.early_stopping,
        ]
        common = {"n_train": 20, "noise": 0.2, "early_stopping": math.inf}
        self._start(
            controls,
            self.view.canvas,
            presets={
                "underfit": {**common, "degree": 1, "regularization": 0.0, "penalty": "l2"},
                "good fit": {**common, "degree": 4, "regularization": 0.0, "penalty": "l2"},
                "overfit": {**common, "degree": 15, "regularization": 0.0, "penalty": "l2"},
                "L1 sparsity": {
                    **common,
                    "n_train": 30,
                    "degree": 15,
                    "regularization": 1e-2,
                    "penalty": "l1",
                },
            },
        )

    def _on_penalty_change(self, change: dict | None = None) -> None:
        # Under L1 a new data set or step count needs a proximal-gradient run per λ
        # (a few hundred milliseconds): those sliders then update on release.
        live = self.penalty.value == "l2"
        for control in (self.n_train, self.noise, self.early_stopping):
            control.continuous_update = live

    # Computing -------------------------------------------------------------------------------

    def _problem(self, n_train: int, noise: float) -> _Problem:
        return self._problems.get(
            (n_train, noise),
            lambda: _Problem(n_train, noise, self._n_validation, self._seed),
        )

    def _grid(self, n_train: int, noise: float, penalty: str, steps: float) -> _FitGrid:
        return self._grids.get(
            (n_train, noise, penalty, steps),
            lambda: _FitGrid(self._problem(n_train, noise), penalty, steps),
        )

    def _update(self) -> str:
        degree = self.degree.value
        regularization = self.regularization.value
        penalty = self.penalty.value
        noise = self.noise.value
        steps = self.early_stopping.value
        grid = self._grid(self.n_train.value, noise, penalty, steps)
        fit = grid.fit(degree, regularization)
        degree_fits = grid.degree_curve(regularization)
        lambda_fits = grid.lambda_curve(degree)
        self.view.update(
            grid.problem.data,
            curve_x=self._curve_x,
            curve_y=self._curve_features[:, : degree + 1] @ fit.weights,
            weights=fit.weights,
            degree=degree,
            regularization=regularization,
            degree_errors=(
                np.array([f.train_error for f in degree_fits]),
                np.array([f.validation_error for f in degree_fits]),
            ),
            lambda_errors=(
                np.array([f.train_error for f in lambda_fits]),
                np.array([f.validation_error for f in lambda_fits]),
            ),
            noise=noise,
        )
        exact_fit = None
        if not math.isinf(steps):
            # Where more steps lead: the fit gradient descent converges to.
            exact_grid = self._grid(self.n_train.value, noise, penalty, math.inf)
            exact_fit = exact_grid.fit(degree, regularization)
        return self._summary(fit, degree_fits, lambda_fits, exact_fit)

    # Explaining ------------------------------------------------------------------------------

    def _summary(
        self,
        fit: _Fit,
        degree_fits: list[_Fit],
        lambda_fits: list[_Fit],
        exact_fit: _Fit | None,
    ) -> str:
        degree = self.degree.value
        regularization = self.regularization.value
        l1 = self.penalty.value == "l1" and regularization > 0
        steps = self.early_stopping.value
        setting = f"degree {degree}, λ = {lambda_label(regularization)}"
        if regularization > 0:
            setting += " (L1)" if l1 else " (L2)"
        if not math.isinf(steps):
            taken = min(steps, L1_MAX_STEPS) if l1 else steps
            kind = "proximal-gradient" if l1 else "gradient-descent"
            setting += f", stopped after {_steps(taken)} {kind} steps"
        verdict = self._verdict(fit, degree_fits, lambda_fits, exact_fit)
        text = (
            f"{setting}: train error {_error(fit.train_error)}, validation error "
            f"{_error(fit.validation_error)} — {verdict}"
        )
        notes = []
        if fit.minimum_norm:
            notes.append(
                f"with {degree + 1} coefficients and only {self.n_train.value} training "
                "points the least-squares fit is not unique, so the minimum-norm one is shown"
            )
        if l1:
            notes.append(self._l1_note(fit, steps))
        return "; ".join([text, *notes]) + "."

    def _verdict(
        self,
        fit: _Fit,
        degree_fits: list[_Fit],
        lambda_fits: list[_Fit],
        exact_fit: _Fit | None,
    ) -> str:
        """Name what the fit shows, judged by which way a slider would lower its error.

        The candidates are the best points of the two error curves and, with
        early stopping, the exact fit (as many steps as it takes). The fit is
        good when its validation error is close to the best candidate's. Else,
        if the best candidate has less capacity (a lower degree, a larger λ)
        the fit overfits; if more (a higher degree, a smaller λ, more steps),
        it underfits.
        """
        validation = fit.validation_error
        by_degree = int(np.argmin([f.validation_error for f in degree_fits]))
        by_lambda = int(np.argmin([f.validation_error for f in lambda_fits]))
        candidates = [
            (
                degree_fits[by_degree].validation_error,
                _DEGREES[by_degree] < self.degree.value,
                "too simple to follow the curve",
            ),
            (
                lambda_fits[by_lambda].validation_error,
                REGULARIZATIONS[by_lambda] > self.regularization.value,
                "too strongly penalised",
            ),
        ]
        if exact_fit is not None:
            candidates.append((exact_fit.validation_error, False, "stopped too early"))
        best, overfits, cause = min(candidates, key=lambda candidate: candidate[0])
        if validation <= _GOOD_FACTOR * best + _GOOD_MARGIN:
            variance = self.noise.value**2
            floor = f" (the noise alone costs σ² = {variance:.2g})" if variance > 0 else ""
            return f"a good fit{floor}"
        if overfits:
            return "overfitting: the curve chases the noise"
        return f"underfitting: the model is {cause}"

    @staticmethod
    def _l1_note(fit: _Fit, steps: float) -> str:
        zeros = int(np.count_nonzero(fit.weights == 0))
        text = f"{zeros} of {fit.weights.size} coefficients are exactly 0"
        run = fit.run
        taken = int(run.steps[-1])
        if run.status is Status.CONVERGED:
            return f"{text} (proximal gradient descent converged in {taken} steps)"
        if math.isinf(steps):
            return (
                f"{text} (accelerated proximal gradient descent hit its {L1_MAX_STEPS}-step cap "
                "before converging for every degree: the fit may be approximate, and that "
                "early stop regularises it too)"
            )
        if steps > L1_MAX_STEPS:
            return f"{text} (L1 runs are capped at {L1_MAX_STEPS} steps)"
        return text
