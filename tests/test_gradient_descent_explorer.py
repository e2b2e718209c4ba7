"""GradientDescentExplorer: every control drives the core and the view, presets redraw once."""

import html
import io
import math
import re

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from numpy.testing import assert_allclose, assert_array_equal
from PIL import Image

from calcwidgets.core.datasets import make_linear_data, make_regression_data
from calcwidgets.core.models import LeastSquares
from calcwidgets.core.optimizers import optimize
from calcwidgets.core.quadratic import (
    QuadraticLoss,
    convergence_theory,
    gradient_descent_closed_form,
    loss_surface,
    stability_bound,
)
from calcwidgets.core.results import Status
from calcwidgets.plotting.gradient_descent_view import (
    MAX_EARLIER_LINES,
    STEP_TICKS,
    GradientDescentView,
    contour_levels,
    loss_limits,
    step_limit,
)
from calcwidgets.widgets import gradient_descent_explorer as module
from calcwidgets.widgets.gradient_descent_explorer import (
    GRID_POINTS,
    ITERATION_COUNTS,
    MOMENTUM,
    RECORDED_POINTS,
    REGULARIZATION_STRENGTHS,
    SEED,
    TOLERANCE,
    GradientDescentExplorer,
)

DATA = make_linear_data()
OBJECTIVE = LeastSquares(DATA.X, DATA.y)
BASE = QuadraticLoss.from_least_squares(OBJECTIVE)


# Helpers ---------------------------------------------------------------------------------------


def _pixels(png):
    return np.asarray(Image.open(io.BytesIO(png)).convert("RGB"))


def _summary(explorer):
    return html.unescape(re.sub(r"<[^>]+>", "", explorer.summary.value))


def _assert_healthy(explorer):
    assert explorer.message.value == ""
    assert explorer.warnings_caught == []
    image = Image.open(io.BytesIO(explorer.image.value))
    assert image.format == "PNG"
    assert image.size == explorer.view.canvas.pixel_size
    assert len(explorer.image.value) <= 64 * 1024


def _state(explorer):
    return {
        "method": explorer.optimizer.value,
        "learning_rate": explorer.learning_rate.value,
        "iterations": explorer.iterations.value,
        "strength": explorer.regularization.value,
        "penalty": explorer.penalty.value,
        "batch_size": explorer.batch_size.value,
        "start": (explorer.start_intercept.value, explorer.start_slope.value),
    }


def _core_run(method, learning_rate, iterations, strength, penalty, batch_size, start):
    """The run the explorer should show, computed from the core alone."""
    start = np.asarray(start, dtype=float)
    if method == "gd" and (strength == 0 or penalty == "l2"):
        loss = QuadraticLoss.from_least_squares(OBJECTIVE.with_penalty(l2=strength))
        return gradient_descent_closed_form(
            loss, start, learning_rate, iterations, max_points=RECORDED_POINTS, tolerance=TOLERANCE
        )
    objective = (
        OBJECTIVE.with_penalty(l1=strength)
        if penalty == "l1"
        else OBJECTIVE.with_penalty(l2=strength)
    )
    return optimize(
        objective,
        start,
        method=method,
        learning_rate=learning_rate,
        iterations=iterations,
        batch_size=batch_size if method == "sgd" else None,
        momentum=MOMENTUM,
        seed=SEED,
        tolerance=TOLERANCE,
    )


def _assert_draws(explorer, run):
    """The tracked artists show ``run``: path, markers, loss per step, fitted line."""
    view = explorer.view
    x, y = view.path_.get_data()
    assert_allclose(x, run.path[:, 0])
    assert_allclose(y, run.path[:, 1])
    assert_allclose(np.ravel(view.start_marker_.get_data()), run.path[0])
    assert_allclose(np.ravel(view.end_marker_.get_data()), run.path[-1])
    steps, losses = view.loss_line_.get_data()
    assert_array_equal(steps, run.steps)
    floor = view.loss_axes_.get_ylim()[0]
    assert_allclose(losses, np.maximum(run.losses, floor))
    line_x, line_y = view.fit_line_.get_data()
    assert_allclose(line_x, view.data_axes_.get_xlim())
    assert_allclose(line_y, run.path[-1, 0] + run.path[-1, 1] * np.asarray(line_x))


def _box(explorer):
    return [
        (control.min, control.max) for control in (explorer.start_intercept, explorer.start_slope)
    ]


def _assert_matches_core(explorer):
    run = _core_run(**_state(explorer))
    _assert_draws(explorer, run)
    return run


CONTROLS = (
    "learning_rate",
    "iterations",
    "optimizer",
    "batch_size",
    "regularization",
    "penalty",
    "start_intercept",
    "start_slope",
)
_SHARED = {}


def _shared_explorer():
    """One explorer for the whole module: constructing one draws a full frame (~0.4 s)."""
    if "explorer" not in _SHARED:
        explorer = GradientDescentExplorer()
        _SHARED["explorer"] = explorer
        _SHARED["defaults"] = {name: getattr(explorer, name).value for name in CONTROLS}
    return _SHARED["explorer"]


@pytest.fixture
def explorer():
    """The shared explorer, back in its first state."""
    explorer = _shared_explorer()
    with explorer.batch_updates():
        for name, value in _SHARED["defaults"].items():
            getattr(explorer, name).value = value
    _assert_healthy(explorer)
    return explorer


def test_the_shared_explorer_starts_like_a_fresh_one(explorer):
    fresh = GradientDescentExplorer()
    assert fresh.summary.value == explorer.summary.value
    assert_array_equal(_pixels(fresh.image.value), _pixels(explorer.image.value))


# The first frame -------------------------------------------------------------------------------


def test_the_first_frame_is_plain_gradient_descent_that_converges(explorer):
    _assert_healthy(explorer)
    run = _assert_matches_core(explorer)
    assert run.status is Status.CONVERGED
    eta = explorer.learning_rate.value
    assert eta < stability_bound(BASE)
    summary = _summary(explorer)
    assert summary.startswith(f"GD, η = {eta:.3g} < 2/L = {stability_bound(BASE):.3g}, 200 steps:")
    assert f"converged at step {run.steps[-1]}, loss {run.final_loss:.4g}" in summary
    assert f"(minimum {BASE.min_value:.4g})" in summary
    w = run.final_weights
    assert f"ŷ = {w[0]:.3g} + {w[1]:.3g}·x" in summary


def test_the_data_panel_shows_the_points_and_the_box_holds_the_minimiser_and_zero(explorer):
    assert_allclose(explorer.view.points_.get_offsets(), np.column_stack([DATA.x, DATA.y]))
    first = explorer.view.surface_axes_.get_xlim()
    second = explorer.view.surface_axes_.get_ylim()
    assert first == (explorer.start_intercept.min, explorer.start_intercept.max)
    assert second == (explorer.start_slope.min, explorer.start_slope.max)
    for (low, high), w in zip((first, second), BASE.minimizer, strict=True):
        assert low < w < high
        assert low < 0.0 < high
    assert_allclose(np.ravel(explorer.view.minimiser_marker_.get_data()), BASE.minimizer)


def test_the_learning_rate_range_crawls_and_diverges_on_the_default_data(explorer):
    bound = stability_bound(BASE)
    low, high = 10**explorer.learning_rate.min, 10**explorer.learning_rate.max
    assert high > 1.5 * bound
    assert low < bound / 1000


# Every control at its minimum, middle and maximum ----------------------------------------------


def _positions(control):
    if hasattr(control, "base"):
        exponents = (control.min, (control.min + control.max) / 2, control.max)
        return [float(control.base**e) for e in exponents]
    if hasattr(control, "options") and not hasattr(control, "min"):
        values = [o[1] if isinstance(o, tuple) else o for o in control.options]
        return [values[0], values[len(values) // 2], values[-1]]
    return [control.min, round((control.min + control.max) / 2, 6), control.max]


@pytest.mark.parametrize(
    "name, setup",
    [
        ("learning_rate", {}),
        ("iterations", {}),
        ("optimizer", {"learning_rate": 0.05}),
        ("regularization", {}),
        ("start_intercept", {}),
        ("start_slope", {}),
        ("batch_size", {"optimizer": "sgd", "learning_rate": 0.05, "iterations": 100}),
        ("penalty", {"regularization": 0.3}),
    ],
)
def test_each_control_at_min_middle_and_max_moves_the_run_the_core_computes(explorer, name, setup):
    with explorer.batch_updates():
        for attribute, value in setup.items():
            getattr(explorer, attribute).value = value
    control = getattr(explorer, name)
    for value in _positions(control):
        if control.value == value:  # move away first, so that the move itself redraws
            control.value = next(v for v in _positions(control) if v != value)
        before = explorer.image.value
        control.value = value
        _assert_healthy(explorer)
        assert explorer.image.value != before
        run = _assert_matches_core(explorer)
        state = _state(explorer)
        summary = _summary(explorer)
        assert f"η = {state['learning_rate']:.3g}" in summary
        assert f"{state['iterations']} steps" in summary
        if state["strength"] > 0:
            assert f"{state['penalty'].upper()} penalty λ = {state['strength']:g}" in summary
        else:
            assert "penalty" not in summary.split(":")[0]
        if state["method"] == "sgd":
            assert f"batches of {state['batch_size']} of {DATA.x.size} points" in summary
        if run.status is Status.DIVERGED:
            assert f"diverged at step {run.diverged_at}" in summary
        elif run.status is Status.CONVERGED:
            assert f"converged at step {run.steps[-1]}" in summary
        else:
            assert "not converged" in summary
        end = step_limit(state["iterations"])
        assert explorer.view.loss_axes_.get_xlim() == (0.0, end)
        ticks = np.linspace(0, end, STEP_TICKS)
        assert explorer.view.step_numbers_.labels == tuple(f"{tick:g}" for tick in ticks)
        assert_allclose(explorer.view.step_numbers_.collection_.get_offsets()[:, 0], ticks)
        assert explorer.penalty.disabled is (state["strength"] == 0)


@pytest.mark.parametrize("penalty", ["l2", "l1"])
def test_each_optimizer_with_each_penalty_shows_the_core_run(explorer, penalty):
    with explorer.batch_updates():
        explorer.regularization.value = 0.1
        explorer.penalty.value = penalty
        explorer.learning_rate.value = 0.05
        explorer.iterations.value = 300
    for method in ("sgd", "momentum", "adam", "gd"):
        explorer.optimizer.value = method
        _assert_healthy(explorer)
        run = _assert_matches_core(explorer)
        assert explorer.batch_size.disabled is (method != "sgd")
        summary = _summary(explorer)
        expected = {
            "gd": "proximal GD" if penalty == "l1" else "GD",
            "sgd": "SGD with batches of",
            "momentum": f"momentum (β = {MOMENTUM:g})",
            "adam": "Adam",
        }[method]
        assert summary.startswith(expected)
        if method == "sgd":
            assert "noisy estimate" in summary
        if method in ("gd", "sgd"):
            smooth = QuadraticLoss.from_least_squares(
                OBJECTIVE.with_penalty(l2=0.1 if penalty == "l2" else 0.0)
            )
            assert f"< 2/L = {stability_bound(smooth):.3g}" in summary
        if method == "momentum":
            assert "2(1 + β)/L" in summary
        assert run.status is not Status.DIVERGED


def test_the_earlier_iterates_are_faint_lines_at_steps_0_1_2_4_and_so_on(explorer):
    explorer.learning_rate.value = 0.01
    run = _assert_matches_core(explorer)
    segments = explorer.view.earlier_lines_.get_segments()
    wanted = [0] + [1, 2, 4, 8, 16, 32, 64, 128][-(MAX_EARLIER_LINES - 1) :]
    assert len(segments) == len(wanted)
    x_ends = np.asarray(explorer.view.data_axes_.get_xlim())
    for segment, step in zip(segments, wanted, strict=True):
        w = run.path[list(run.steps).index(step)]
        assert_allclose(segment, np.column_stack([x_ends, w[0] + w[1] * x_ends]))


# Divergence, the penalty, the loss axis --------------------------------------------------------


def test_a_too_large_step_is_drawn_up_to_where_it_left_the_finite_range(explorer):
    explorer.apply_preset("too large a step")
    _assert_healthy(explorer)
    run = _assert_matches_core(explorer)
    assert run.status is Status.DIVERGED
    assert len(run.path) == run.diverged_at
    assert np.all(np.isfinite(explorer.view.loss_line_.get_data()[1]))
    bound = stability_bound(BASE)
    eta = explorer.learning_rate.value
    factor = abs(1 - eta * BASE.lipschitz)
    assert _summary(explorer).startswith(
        f"GD, η = {eta:.3g} > 2/L = {bound:.3g}, 100 steps: diverged at step {run.diverged_at} — "
        f"every step overshoots along the steepest direction, multiplying the error there by "
        f"|1 − ηL| = {factor:.3g}."
    )


def test_a_crawl_explains_the_small_contraction_per_step(explorer):
    explorer.apply_preset("crawl (η too small)")
    run = _assert_matches_core(explorer)
    assert run.status is Status.MAX_ITERATIONS
    summary = _summary(explorer)
    assert "not converged" in summary
    assert "η is small" in summary
    best = convergence_theory(BASE).best_learning_rate
    assert f"2/(μ + L) = {best:.3g}" in summary


def test_strong_l1_sets_the_intercept_to_exactly_zero(explorer):
    explorer.apply_preset("strong L1")
    _assert_healthy(explorer)
    run = _assert_matches_core(explorer)
    assert run.final_weights[0] == 0.0
    assert explorer.penalty.value == "l1"
    assert "the L1 penalty set the intercept to exactly 0" in _summary(explorer)
    # The dashed minimum is the lasso minimum the core's proximal descent reaches.
    minimum = explorer.view.minimum_line_.get_ydata()[0]
    long_run = optimize(
        OBJECTIVE.with_penalty(l1=explorer.regularization.value),
        [0.0, 0.0],
        learning_rate=1 / BASE.lipschitz,
        iterations=20_000,
        tolerance=1e-12,
    )
    assert_allclose(minimum, long_run.final_loss, rtol=1e-9)
    assert minimum <= run.final_loss + 1e-12


def test_proximal_steps_above_2_over_l_that_settle_say_why(explorer):
    # With λ = 3 the lasso holds the intercept at 0; the slope alone then has
    # curvature H₁₁ and is stable up to 2/H₁₁ > η > 2/L.
    with explorer.batch_updates():
        explorer.regularization.value = 3.0
        explorer.penalty.value = "l1"
        explorer.learning_rate.value = 0.5
        explorer.iterations.value = 2000
    run = _assert_matches_core(explorer)
    curvature = BASE.hessian[1, 1]
    assert stability_bound(BASE) < 0.5 < 2 / curvature
    assert run.status is Status.CONVERGED and run.final_weights[0] == 0.0
    summary = _summary(explorer)
    assert (
        "η > 2/L, yet it settles: the L1 penalty holds the intercept at exactly 0, so only the "
        f"slope moves, and along it steps below 2/{curvature:.3g} = {2 / curvature:.3g} are stable"
    ) in summary
    assert "set the intercept" not in summary  # said once


def test_proximal_steps_that_bounce_between_two_points_are_not_called_diverging(explorer):
    with explorer.batch_updates():
        explorer.regularization.value = 3.0
        explorer.penalty.value = "l1"
        explorer.learning_rate.value = 0.6
        explorer.iterations.value = 2000
    run = _assert_matches_core(explorer)
    assert run.status is Status.MAX_ITERATIONS
    assert_allclose(run.path[-1], run.path[-3])
    assert_allclose(run.path[-2], run.path[-4])
    summary = _summary(explorer)
    assert "the run bounces between the same two points instead of settling" in summary
    assert "diverging" not in summary


@pytest.mark.parametrize("strength", [0.0, 1e-4, 0.3, 10.0])
def test_the_minimum_line_and_marker_follow_the_l2_penalty(explorer, strength):
    explorer.regularization.value = strength
    loss = QuadraticLoss.from_least_squares(OBJECTIVE.with_penalty(l2=strength))
    assert_allclose(explorer.view.minimum_line_.get_ydata(), [loss.min_value] * 2)
    assert_allclose(np.ravel(explorer.view.minimiser_marker_.get_data()), loss.minimizer)
    assert explorer.view.surface_axes_.get_title() == "loss surface, penalty included"
    # Every contour line lies on one of the levels of this penalty's surface.
    grid = [np.linspace(*limits, GRID_POINTS) for limits in _box(explorer)]
    surface = loss_surface(loss, *grid)
    levels = contour_levels(surface)
    lines = explorer.view.contour_lines_.get_segments()
    assert len(lines) >= levels.size
    values = np.concatenate([loss.value(line) for line in lines])
    nearest = levels[np.argmin(np.abs(values[:, None] - levels), axis=1)]
    assert_allclose(values, nearest, atol=2e-3 * (surface.max() - surface.min()))
    assert len(explorer.view.contour_bands_.get_paths()) == levels.size + 1


def test_the_loss_axis_is_fixed_per_data_set_and_holds_every_minimum(explorer):
    limits = explorer.view.loss_axes_.get_ylim()
    for strength in (0.0, 1e-4, 0.3, REGULARIZATION_STRENGTHS[-1]):
        for penalty in ("l2", "l1"):
            with explorer.batch_updates():
                explorer.regularization.value = strength
                explorer.penalty.value = penalty
            assert explorer.view.loss_axes_.get_ylim() == limits
            minimum = explorer.view.minimum_line_.get_ydata()[0]
            assert limits[0] < minimum < limits[1]
    assert limits[0] < BASE.min_value / 2
    _assert_healthy(explorer)


def test_a_perfect_fit_with_zero_minimum_does_not_break_the_log_axis():
    exact = make_linear_data(noise=0.0)
    explorer = GradientDescentExplorer(exact.x, exact.y)
    explorer.iterations.value = 2000
    _assert_healthy(explorer)
    bottom, top = explorer.view.loss_axes_.get_ylim()
    assert bottom > 0 and math.isfinite(top)
    losses = explorer.view.loss_line_.get_data()[1]
    assert np.all(losses >= bottom)
    assert np.all(np.isfinite(losses))
    assert explorer.view.minimum_line_.get_ydata()[0] == bottom


# What is recomputed per tick -------------------------------------------------------------------


def test_the_contours_are_recomputed_only_when_the_penalty_changes(monkeypatch):
    explorer = GradientDescentExplorer()
    surfaces = []
    original = module.loss_surface

    def counted(*args, **kwargs):
        surfaces.append(1)
        return original(*args, **kwargs)

    monkeypatch.setattr(module, "loss_surface", counted)
    explorer.learning_rate.value = 0.02
    explorer.start_intercept.value = 1.0
    explorer.start_slope.value = -1.0
    explorer.iterations.value = 250
    explorer.optimizer.value = "momentum"
    assert surfaces == []
    explorer.regularization.value = 0.1
    assert len(surfaces) == 1
    explorer.regularization.value = 0.0
    explorer.regularization.value = 0.1
    assert len(surfaces) == 1  # cached per strength and penalty
    _assert_healthy(explorer)


def test_no_control_redraws_the_static_layer(explorer, count_calls):
    draws = count_calls(explorer.view.canvas.figure_.canvas, "draw")
    invalidations = count_calls(explorer.view.canvas, "invalidate")
    with explorer.batch_updates():
        explorer.optimizer.value = "sgd"  # the batch size is live
        explorer.regularization.value = 0.3  # and so is the penalty kind
    for name in CONTROLS:
        control = getattr(explorer, name)
        for value in _positions(control):
            control.value = value
        _assert_healthy(explorer)
        if name == "iterations":
            control.value = 100  # keep the iterative optimizers quick
    assert draws == [] and invalidations == []


def test_the_penalty_type_is_disabled_while_there_is_no_penalty(explorer):
    assert explorer.regularization.value == 0.0 and explorer.penalty.disabled
    frame = explorer.image.value
    explorer.penalty.value = "l1"
    assert explorer.image.value == frame  # λ = 0: L1 and L2 are the same loss
    explorer.regularization.value = 0.1
    assert not explorer.penalty.disabled
    _assert_matches_core(explorer)
    explorer.regularization.value = 0.0
    assert explorer.penalty.disabled


def test_plain_gradient_descent_never_runs_the_iterative_optimizer(explorer, monkeypatch):
    def refuse(*args, **kwargs):
        raise AssertionError("optimize was called")

    monkeypatch.setattr(module, "optimize", refuse)
    for value in (1e-4, 0.05, 0.3, 0.9):
        explorer.learning_rate.value = value
        explorer.regularization.value = 0.01
        explorer.iterations.value = ITERATION_COUNTS[-1]
    _assert_healthy(explorer)
    run = _assert_matches_core(explorer)
    assert len(run.steps) <= RECORDED_POINTS


def test_an_error_is_shown_in_place_and_the_explorer_recovers(explorer, monkeypatch):
    def broken(*args, **kwargs):
        raise ValueError("the core refused this state")

    before = explorer.image.value
    monkeypatch.setattr(module, "gradient_descent_closed_form", broken)
    explorer.learning_rate.value = 0.02
    assert "the core refused this state" in explorer.message.value
    assert explorer.message.layout.display != "none"
    assert explorer.image.value == before
    monkeypatch.undo()
    explorer.learning_rate.value = 0.03
    _assert_healthy(explorer)
    assert explorer.image.value != before
    _assert_matches_core(explorer)


# Presets ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "name", ["crawl (η too small)", "just right", "too large a step", "strong L1"]
)
def test_each_preset_moves_several_controls_with_one_redraw(explorer, name, count_calls):
    explorer.optimizer.value = "adam"
    explorer.start_slope.value = 2.0
    renders = count_calls(explorer.view.canvas, "render")
    explorer.apply_preset(name)
    assert len(renders) == 1
    _assert_healthy(explorer)
    for attribute, value in explorer.presets[name].items():
        assert getattr(explorer, attribute).value == value
    run = _assert_matches_core(explorer)
    bound = stability_bound(BASE)
    eta = explorer.learning_rate.value
    if name == "too large a step":
        assert eta > bound and run.status is Status.DIVERGED
    elif name == "just right":
        assert eta < bound and run.status is Status.CONVERGED
    elif name.startswith("crawl"):
        assert eta < bound / 100 and run.status is Status.MAX_ITERATIONS


# The learner's own data ------------------------------------------------------------------------


def test_a_one_dimensional_x_is_fitted_by_a_line_with_an_intercept():
    rng = np.random.default_rng(4)
    x = rng.uniform(-3, 3, 30)
    y = 2.0 - 0.5 * x + 0.1 * rng.standard_normal(30)
    explorer = GradientDescentExplorer(x, y)
    _assert_healthy(explorer)
    assert explorer.view.line_mode
    objective = LeastSquares(np.column_stack([np.ones(30), x]), y)
    loss = QuadraticLoss.from_least_squares(objective)
    eta, n = explorer.learning_rate.value, explorer.iterations.value
    run = gradient_descent_closed_form(
        loss, [0.0, 0.0], eta, n, max_points=RECORDED_POINTS, tolerance=TOLERANCE
    )
    _assert_draws(explorer, run)
    assert f"2/L = {stability_bound(loss):.3g}" in _summary(explorer)
    assert "ŷ = " in _summary(explorer) and "− " in _summary(explorer).split("ŷ")[1]


def test_more_than_two_weights_show_predictions_and_a_plane_through_the_minimiser():
    data = make_regression_data(120, 4, seed=5)
    explorer = GradientDescentExplorer(data.X, data.y)
    _assert_healthy(explorer)
    view = explorer.view
    assert not view.line_mode
    assert not view.fit_line_.get_visible() and view.predictions_.get_visible()
    assert explorer.start_intercept.description == "start w₀"
    assert "plane through w*" in view.surface_axes_.get_title()
    loss = QuadraticLoss.from_least_squares(LeastSquares(data.X, data.y))
    start = np.zeros(4)
    start[:2] = explorer.start_intercept.value, explorer.start_slope.value
    run = gradient_descent_closed_form(
        loss,
        start,
        explorer.learning_rate.value,
        explorer.iterations.value,
        max_points=RECORDED_POINTS,
        tolerance=TOLERANCE,
    )
    x, y = view.path_.get_data()
    assert_allclose(np.column_stack([x, y]), run.path[:, :2])
    offsets = view.predictions_.get_offsets()
    assert_allclose(offsets[:, 1], data.X @ run.final_weights)
    assert_allclose(offsets[:, 0], data.y)
    explorer.apply_preset("strong L1")
    _assert_healthy(explorer)
    lasso = optimize(
        LeastSquares(data.X, data.y).with_penalty(l1=explorer.regularization.value),
        np.zeros(4),
        learning_rate=explorer.learning_rate.value,
        iterations=explorer.iterations.value,
        tolerance=TOLERANCE,
    )
    x, y = view.path_.get_data()
    assert_allclose(np.column_stack([x, y]), lasso.path[:, :2])
    zeros = int(np.sum(lasso.final_weights == 0.0))
    assert zeros > 0
    assert f"the L1 penalty set {zeros} of 4 weights to exactly 0" in _summary(explorer)


@pytest.mark.parametrize(
    "X, y, error, match",
    [
        (np.ones((5, 2)), None, TypeError, "pass both X and y"),
        (None, np.ones(5), TypeError, "pass both X and y"),
        (np.ones((5, 2)), np.ones(4), ValueError, r"one entry per row of X \(5\)"),
        (np.ones((5, 1)), np.ones(5), ValueError, "at least 2 columns"),
        (np.zeros((5, 2)), np.ones(5), ValueError, "all zeros"),
        ([1.0], [2.0], ValueError, "at least 2 samples"),
        (np.ones((2, 2, 2)), np.ones(2), ValueError, "X must be 1-D or 2-D"),
        ([0.0, np.nan, 1.0], [1.0, 2.0, 3.0], ValueError, "finite"),
        (["a", "b"], [1.0, 2.0], TypeError, "real numbers"),
    ],
)
def test_bad_data_are_refused_with_a_clear_message(X, y, error, match):
    with pytest.raises(error, match=match):
        GradientDescentExplorer(X, y)


# Many random states ----------------------------------------------------------------------------


@settings(max_examples=30)
@given(
    exponent=st.floats(0.0, 1.0),
    iterations=st.sampled_from(ITERATION_COUNTS),
    method=st.sampled_from(["gd", "sgd", "momentum", "adam"]),
    batch=st.integers(0, 10),
    strength=st.sampled_from(REGULARIZATION_STRENGTHS),
    penalty=st.sampled_from(["l2", "l1"]),
    first=st.floats(0.0, 1.0),
    second=st.floats(0.0, 1.0),
)
def test_random_states_always_give_a_healthy_frame(
    exponent, iterations, method, batch, strength, penalty, first, second
):
    explorer = _shared_explorer()
    if method != "gd":
        # The iterative optimizers cost about 30 µs per step; keep the test quick.
        iterations = min(iterations, 500)
    rate = explorer.learning_rate
    with explorer.batch_updates():
        explorer.learning_rate.value = 10 ** (rate.min + exponent * (rate.max - rate.min))
        explorer.iterations.value = iterations
        explorer.optimizer.value = method
        explorer.batch_size.value = explorer.batch_size.options[
            batch % len(explorer.batch_size.options)
        ]
        explorer.regularization.value = strength
        explorer.penalty.value = penalty
        for control, fraction in (
            (explorer.start_intercept, first),
            (explorer.start_slope, second),
        ):
            control.value = control.min + fraction * (control.max - control.min)
    _assert_healthy(explorer)
    run = _assert_matches_core(explorer)
    assert np.all(np.isfinite(run.path))
    summary = _summary(explorer)
    assert summary.endswith(".") and f"η = {explorer.learning_rate.value:.3g}" in summary


# The frame equals one drawn straight from the core ---------------------------------------------


def _landscape_from_core(strength, penalty, first, second):
    """The minimiser, the minimum and the surface of the penalised loss, from the core alone."""
    if penalty == "l1" and strength > 0:
        objective = OBJECTIVE.with_penalty(l1=strength)
        long_run = optimize(
            objective,
            [0.0, 0.0],
            learning_rate=1 / BASE.lipschitz,
            iterations=module._MINIMUM_ITERATIONS,
            tolerance=module._MINIMUM_TOLERANCE,
        )
        best = int(np.argmin(long_run.losses))
        grid = np.stack(np.meshgrid(first, second), axis=-1)
        return long_run.path[best], float(long_run.losses[best]), objective.value(grid)
    loss = QuadraticLoss.from_least_squares(OBJECTIVE.with_penalty(l2=strength))
    return loss.minimizer, loss.min_value, loss_surface(loss, first, second)


@pytest.mark.parametrize(
    "strength, penalty, learning_rate, iterations, start",
    [
        (0.1, "l2", 0.2, 50, (2.0, -1.0)),
        (0.0, "l2", 0.3, 1, (0.0, 0.0)),
        (3.0, "l2", 0.05, ITERATION_COUNTS[-1], (-2.0, 4.0)),
        (3.0, "l1", 0.5, 2000, (1.0, 1.0)),
    ],
)
def test_the_frame_equals_a_view_drawn_directly_from_the_core(
    explorer, strength, penalty, learning_rate, iterations, start
):
    with explorer.batch_updates():
        explorer.regularization.value = strength
        explorer.penalty.value = penalty
        explorer.learning_rate.value = learning_rate
        explorer.iterations.value = iterations
        explorer.start_intercept.value, explorer.start_slope.value = start
    _assert_healthy(explorer)

    run = _core_run("gd", learning_rate, iterations, strength, penalty, None, start)
    first, second = (np.linspace(*limits, GRID_POINTS) for limits in _box(explorer))
    corners = np.array([[a, b] for a in first[[0, -1]] for b in second[[0, -1]]])
    strongest = REGULARIZATION_STRENGTHS[-1]
    highest = max(
        float(np.max(objective.value(corners)))
        for objective in (
            OBJECTIVE,
            OBJECTIVE.with_penalty(l2=strongest),
            OBJECTIVE.with_penalty(l1=strongest),
        )
    )
    minimiser, minimum, surface = _landscape_from_core(strength, penalty, first, second)
    view = GradientDescentView()
    view.show_data(DATA.X, DATA.y)
    view.set_loss_range(BASE.min_value, highest)
    view.show_surface(first, second, surface, minimiser=minimiser, minimum=minimum)
    view.set_iterations(iterations)
    view.update(run)
    frame = view.canvas.render()
    # The explorer drew its static layer once, in another state: it still fits this one.
    assert_array_equal(
        np.asarray(explorer.view.canvas.figure_.canvas.buffer_rgba()),
        np.asarray(view.canvas.figure_.canvas.buffer_rgba()),
    )
    assert_array_equal(_pixels(explorer.image.value), _pixels(frame))


def test_loss_limits_and_step_limits_are_round_and_hold_their_data():
    for lowest, highest in [(0.097, 240.0), (3e-7, 2e5), (0.0, 1.0), (5.0, 5.0)]:
        bottom, top = loss_limits(lowest, highest)
        assert top >= 1.5 * highest and bottom > 0
        assert math.log10(top) == round(math.log10(top))
        if lowest > 0:
            # At most 12 decades below the top, so that a minimum of 0 still works.
            assert bottom <= lowest / 2 or bottom == pytest.approx(top * 1e-12)
    for n in ITERATION_COUNTS:
        limit = step_limit(n)
        assert n <= limit < max(2.5 * n, 6)  # at least 5, so that every tick is a whole step
        assert str(limit).strip("0") in ("1", "2", "5")
        assert limit % (STEP_TICKS - 1) == 0
