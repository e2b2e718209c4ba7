"""Sections 1–3: the core's gradient descent, sweep and loss surface against their baselines.

Each baseline is the way the seed code (or a first attempt) does it, and each
comparison first checks that both sides compute the same numbers: a trajectory
that differs by more than ``RTOL`` (normwise relative) stops the benchmark.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from calcwidgets.core.models import LeastSquares
from calcwidgets.core.quadratic import (
    QuadraticLoss,
    gradient_descent_closed_form,
    gradient_descent_sweep,
    loss_surface,
)

from ._report import Goal, Row, power_of_ten
from ._timing import Stats, measure

#: The largest normwise relative difference allowed between an engine and its baseline.
RTOL = 1e-10

#: The L2 strength λ of every least-squares problem here.
L2 = 0.01

#: The explorer records at most this many points of a trajectory.
DISPLAYED_POINTS = 512

SECTION_GD = "1"
SECTION_SWEEP = "2"
SECTION_SURFACE = "3"
TITLES = {
    SECTION_GD: "1 · Gradient descent on least squares (MSE + L2): closed form vs seed loop",
    SECTION_SWEEP: "2 · Learning-rate sweep: 64 rates in one call vs 64 single runs",
    SECTION_SURFACE: "3 · Loss surface 200×200: quadratic form vs broadcasting over samples",
}


class MismatchError(AssertionError):
    """An engine and its baseline disagree: the benchmark must not report a speed."""


def relative_difference(candidate: np.ndarray, reference: np.ndarray) -> float:
    """Return ``max|candidate − reference| / max|reference|`` (inf on a shape mismatch)."""
    candidate = np.asarray(candidate, dtype=float)
    reference = np.asarray(reference, dtype=float)
    if candidate.shape != reference.shape:
        return math.inf
    scale = float(np.max(np.abs(reference))) if reference.size else 0.0
    difference = float(np.max(np.abs(candidate - reference))) if reference.size else 0.0
    if not (math.isfinite(difference) and math.isfinite(scale)):
        return math.inf
    return difference / scale if scale > 0 else difference


def check_same(
    what: str, candidate: np.ndarray, reference: np.ndarray, rtol: float = RTOL
) -> float:
    """Raise :class:`MismatchError` unless ``candidate`` matches ``reference`` within ``rtol``."""
    difference = relative_difference(candidate, reference)
    if not difference <= rtol:
        shapes = f"shapes {np.shape(candidate)} and {np.shape(reference)}"
        raise MismatchError(
            f"{what}: the engine and the baseline differ by {difference:.3g} (normwise "
            f"relative, {shapes}), more than {rtol:g}; the timing would compare different work"
        )
    return difference


# The problems ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Problem:
    """Least squares with an L2 penalty: ``(1/n)‖Xw − y‖² + λ‖w‖²``."""

    X: np.ndarray
    y: np.ndarray
    l2: float
    learning_rate: float
    w0: np.ndarray

    @property
    def n(self) -> int:
        return self.X.shape[0]

    @property
    def d(self) -> int:
        return self.X.shape[1]


def make_problem(n: int, d: int, seed: int = 0, l2: float = L2) -> Problem:
    """Return a problem whose features span two decades of scale (κ ≈ 10⁴ for d ≥ 2).

    The spread keeps gradient descent moving for thousands of steps, so the
    trajectories compared below are not just a point sitting at the minimum.
    """
    rng = np.random.default_rng(seed)
    scales = np.geomspace(1.0, 0.01, d) if d > 1 else np.ones(1)
    X = rng.standard_normal((n, d)) * scales
    y = X @ rng.standard_normal(d) + 0.1 * rng.standard_normal(n)
    hessian = 2.0 * (X.T @ X / n + l2 * np.eye(d))
    lipschitz = float(np.linalg.eigvalsh(hessian)[-1])
    # With one weight there is one curvature: η = 1/L would land on the minimum in one
    # step and the closed form would (rightly) stop there. A small step keeps both
    # runs moving for 10⁴ steps without the gradient underflowing to zero.
    learning_rate = (1.0 if d > 1 else 0.02) / lipschitz
    return Problem(X, y, l2, learning_rate, rng.standard_normal(d))


def seed_loop(problem: Problem, iterations: int) -> np.ndarray:
    """The seed-style loop: every step touches every sample. Returns the path (iterations+1, d)."""
    X, y, l2, learning_rate = problem.X, problem.y, problem.l2, problem.learning_rate
    n = problem.n
    w = problem.w0.copy()
    path = np.empty((iterations + 1, problem.d))
    path[0] = w
    for k in range(iterations):
        r = X @ w - y
        w -= learning_rate * (2.0 / n * (X.T @ r) + 2.0 * l2 * w)
        path[k + 1] = w
    return path


def precompute(problem: Problem) -> QuadraticLoss:
    """The one-off cost per data set: ``XᵀX/n``, ``Xᵀy/n``, ``yᵀy/n`` and the eigenvectors."""
    objective = LeastSquares(problem.X, problem.y, l2=problem.l2)
    return QuadraticLoss.from_least_squares(objective)


def closed_form_path(
    quadratic: QuadraticLoss, problem: Problem, iterations: int, max_points: int | None = None
) -> np.ndarray:
    result = gradient_descent_closed_form(
        quadratic,
        problem.w0,
        problem.learning_rate,
        iterations,
        max_points=max_points,
        tolerance=0.0,
    )
    if result.steps[-1] != iterations:
        raise MismatchError(
            f"the closed form stopped at step {result.steps[-1]} of {iterations} ({result.status})"
        )
    return result.path


# Section 1 ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class GDSettings:
    sizes: tuple[int, ...]
    dimensions: tuple[int, ...]
    iteration_counts: tuple[int, ...]
    repeats: int
    baseline_repeats: int
    #: The baseline runs at most this many sample·feature·iterations products per timing;
    #: longer runs are timed on fewer iterations and scaled.
    baseline_work: float
    budget: float
    goal_case: tuple[int, int, int] = (100_000, 20, 10_000)


def _timed_iterations(settings: GDSettings, n: int, d: int, iterations: int) -> int:
    affordable = int(settings.baseline_work // (n * d))
    return max(min(iterations, affordable), min(iterations, 10))


def gradient_descent_rows(
    settings: GDSettings,
    engine: Callable[[QuadraticLoss, Problem, int], np.ndarray] = closed_form_path,
) -> list[Row]:
    """Time the closed form (every iterate recorded, then ≤ 512) against the seed loop.

    ``engine(quadratic, problem, iterations)`` returns the whole path; the tests
    pass a wrong one to see the check fail.
    """
    rows: list[Row] = []
    for n in settings.sizes:
        for d in settings.dimensions:
            problem = make_problem(n, d)
            setup = measure(
                lambda problem=problem: precompute(problem),
                repeats=settings.repeats,
                budget=settings.budget,
            )
            rows.append(
                Row(
                    SECTION_GD,
                    f"n={power_of_ten(n)} d={d}: precompute XᵀX, Xᵀy, eigh (once per data set)",
                    figure=setup,
                )
            )
            quadratic = precompute(problem)
            for iterations in settings.iteration_counts:
                rows += _gd_case(settings, engine, problem, quadratic, iterations, setup)
    return rows


def _gd_case(
    settings: GDSettings,
    engine: Callable[[QuadraticLoss, Problem, int], np.ndarray],
    problem: Problem,
    quadratic: QuadraticLoss,
    iterations: int,
    setup: Stats,
) -> list[Row]:
    n, d = problem.n, problem.d
    timed = _timed_iterations(settings, n, d, iterations)
    reference = seed_loop(problem, timed)
    full = engine(quadratic, problem, iterations)
    difference = check_same(
        f"GD n={n} d={d}: closed form vs seed loop over {timed} iterations",
        full[: timed + 1],
        reference,
    )
    baseline = measure(
        lambda: seed_loop(problem, timed),
        repeats=settings.baseline_repeats,
        warmup=0 if timed * n * d > 1e8 else 1,
        budget=settings.budget,
        scale=iterations / timed,
    )
    engine_stats = measure(
        lambda: engine(quadratic, problem, iterations),
        repeats=settings.repeats,
        budget=settings.budget,
    )
    displayed = measure(
        lambda: closed_form_path(quadratic, problem, iterations, DISPLAYED_POINTS),
        repeats=settings.repeats,
        budget=settings.budget,
    )
    scaled = (
        f"baseline timed on {timed} of {iterations} iterations and scaled ×{iterations / timed:g}"
        if timed < iterations
        else "baseline timed on every iteration"
    )
    is_goal = (n, d, iterations) == settings.goal_case
    label = f"n={power_of_ten(n)} d={d} it={power_of_ten(iterations)}"
    extra = {
        "n": n,
        "d": d,
        "iterations": iterations,
        "baseline_iterations_timed": timed,
        "trajectory_difference": difference,
    }
    rows = [
        Row(
            SECTION_GD,
            f"{label}: closed form, every iterate",
            figure=engine_stats,
            baseline=baseline,
            baseline_label="seed loop (scaled)" if timed < iterations else "seed loop",
            goals=(Goal("ratio", ">=", 1000.0),) if is_goal else (),
            note=(
                "Trajectories checked equal in this run (normwise relative ≤ 1e-10) over the "
                "iterations the baseline ran; the slow baseline is timed on fewer iterations "
                "where it would take too long, and scaled linearly (see JSON: "
                "baseline_iterations_timed)."
            ),
            extra={**extra, "scaling": scaled},
        ),
        Row(
            SECTION_GD,
            f"{label}: displayed trajectory (≤ {DISPLAYED_POINTS} points)",
            figure=displayed,
            baseline=baseline,
            baseline_label="seed loop (scaled)" if timed < iterations else "seed loop",
            goals=(Goal("p50", "<=", 1e-3),),
            extra={**extra, "scaling": scaled},
        ),
    ]
    if is_goal:
        end_to_end = measure(
            lambda: engine(precompute(problem), problem, iterations),
            repeats=settings.repeats,
            budget=settings.budget,
        )
        rows.append(
            Row(
                SECTION_GD,
                f"{label}: precompute + closed form (end to end, for reference)",
                figure=end_to_end,
                baseline=baseline,
                baseline_label="seed loop (scaled)",
                extra={**extra, "scaling": scaled},
            )
        )
    return rows


# Section 2 ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class SweepSettings:
    n: int
    d: int
    iterations: int
    rates: int
    repeats: int
    baseline_repeats: int
    #: The seed loops of the second baseline run this many iterations each, scaled.
    loop_iterations: int
    budget: float


def sweep_rows(settings: SweepSettings) -> list[Row]:
    problem = make_problem(settings.n, settings.d, seed=1)
    quadratic = precompute(problem)
    bound = 2.0 / quadratic.lipschitz
    rates = np.geomspace(bound / 1000, 0.98 * bound, settings.rates)
    iterations = settings.iterations

    def sweep():
        return gradient_descent_sweep(
            quadratic, problem.w0, rates, iterations, max_points=DISPLAYED_POINTS, tolerance=0.0
        )

    def single_runs():
        return [
            gradient_descent_closed_form(
                quadratic,
                problem.w0,
                rate,
                iterations,
                max_points=DISPLAYED_POINTS,
                tolerance=0.0,
            )
            for rate in rates
        ]

    swept, singles = sweep(), single_runs()
    difference = check_same(
        f"sweep of {rates.size} rates vs single runs",
        swept.losses,
        np.array([run.losses for run in singles]),
    )
    # The seed loop's losses at the sweep's recorded steps, for a few rates.
    loop_iterations = min(settings.loop_iterations, iterations)
    recorded = swept.steps[swept.steps <= loop_iterations]
    for row in (0, rates.size // 2, rates.size - 1):
        loop_problem = Problem(problem.X, problem.y, problem.l2, float(rates[row]), problem.w0)
        path = seed_loop(loop_problem, loop_iterations)[recorded]
        residuals = path @ problem.X.T - problem.y
        loop_losses = np.mean(residuals**2, axis=1) + problem.l2 * np.sum(path**2, axis=1)
        check_same(
            f"sweep rate {rates[row]:.3g} vs seed loop",
            swept.losses[row, : recorded.size],
            loop_losses,
        )

    figure = measure(sweep, repeats=settings.repeats, budget=settings.budget)
    looped = measure(single_runs, repeats=settings.baseline_repeats, budget=settings.budget)

    def seed_loops():
        for rate in rates:
            seed_loop(
                Problem(problem.X, problem.y, problem.l2, float(rate), problem.w0), loop_iterations
            )

    loops = measure(
        seed_loops,
        repeats=settings.baseline_repeats,
        warmup=0,
        budget=settings.budget,
        scale=iterations / loop_iterations,
    )
    label = (
        f"n={power_of_ten(settings.n)} d={settings.d} it={power_of_ten(iterations)}, "
        f"{rates.size} rates "
        f"up to 0.98·2/L, ≤ {DISPLAYED_POINTS} points"
    )
    extra = {
        "n": settings.n,
        "d": settings.d,
        "iterations": iterations,
        "rates": rates.size,
        "losses_difference": difference,
    }
    return [
        Row(
            SECTION_SWEEP,
            f"{label}: one sweep vs {rates.size} closed-form calls",
            figure=figure,
            baseline=looped,
            baseline_label=f"{rates.size} × gradient_descent_closed_form",
            extra=extra,
            note="Loss curves checked equal (≤ 1e-10) between the sweep, the single runs and "
            "the seed loop (3 rates).",
        ),
        Row(
            SECTION_SWEEP,
            f"{label}: one sweep vs {rates.size} seed loops",
            figure=figure,
            baseline=loops,
            baseline_label=f"{rates.size} seed loops (timed on {loop_iterations} iterations, "
            f"scaled ×{iterations / loop_iterations:g})",
            extra={**extra, "baseline_iterations_timed": loop_iterations},
        ),
    ]


# Section 3 ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class SurfaceSettings:
    sizes: tuple[int, ...]
    grid: int
    repeats: int
    baseline_repeats: int
    budget: float
    #: The broadcast baseline holds at most this many floats at once (rows of the grid at a time).
    chunk_elements: int = 1 << 22


def broadcast_surface(
    problem: Problem,
    first: np.ndarray,
    second: np.ndarray,
    through: np.ndarray,
    chunk_elements: int,
) -> np.ndarray:
    """The loss on the grid by broadcasting every weight vector over every sample."""
    surface = np.empty((second.size, first.size))
    rows = max(1, chunk_elements // (first.size * problem.n))
    for start in range(0, second.size, rows):
        part = second[start : start + rows]
        weights = np.broadcast_to(through, (part.size, first.size, problem.d)).copy()
        weights[..., 0] = first[None, :]
        weights[..., 1] = part[:, None]
        residuals = weights @ problem.X.T - problem.y
        surface[start : start + rows] = np.mean(residuals**2, axis=-1) + problem.l2 * np.sum(
            weights**2, axis=-1
        )
    return surface


def surface_rows(settings: SurfaceSettings) -> list[Row]:
    rows = []
    for n in settings.sizes:
        problem = make_problem(n, 2, seed=2)
        quadratic = precompute(problem)
        centre = quadratic.minimizer
        first = np.linspace(centre[0] - 2.0, centre[0] + 2.0, settings.grid)
        second = np.linspace(centre[1] - 2.0, centre[1] + 2.0, settings.grid)

        def fast(quadratic=quadratic, first=first, second=second, centre=centre):
            return loss_surface(quadratic, first, second, through=centre)

        def slow(problem=problem, first=first, second=second, centre=centre):
            return broadcast_surface(problem, first, second, centre, settings.chunk_elements)

        difference = check_same(f"loss surface n={n}", fast(), slow())
        rows.append(
            Row(
                SECTION_SURFACE,
                f"n={power_of_ten(n)} d=2, {settings.grid}×{settings.grid} grid",
                figure=measure(fast, repeats=settings.repeats, budget=settings.budget),
                baseline=measure(
                    slow, repeats=settings.baseline_repeats, budget=settings.budget, warmup=0
                ),
                baseline_label="broadcast over samples",
                extra={"n": n, "grid": settings.grid, "surface_difference": difference},
                note="Surfaces checked equal (≤ 1e-10) in this run; the baseline works on "
                "grid rows in chunks so that it fits in memory.",
            )
        )
    return rows
