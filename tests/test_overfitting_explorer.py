"""OverfittingExplorer: every control drives the core and the view, presets redraw once."""

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

from calcwidgets.core.datasets import make_curve_data, true_curve
from calcwidgets.core.models import LeastSquares, polynomial_features
from calcwidgets.core.optimizers import optimize
from calcwidgets.core.quadratic import QuadraticLoss, gradient_descent_closed_form
from calcwidgets.plotting.overfitting_view import (
    COEFFICIENT_LIMIT,
    ERROR_LIMITS,
    OverfittingView,
)
from calcwidgets.widgets import overfitting_explorer as module
from calcwidgets.widgets._base import lambda_label
from calcwidgets.widgets.overfitting_explorer import (
    CURVE_POINTS,
    EARLY_STOPPING_STEPS,
    L1_MAX_STEPS,
    MAX_DEGREE,
    REGULARIZATIONS,
    TRAINING_SIZES,
    OverfittingExplorer,
)

N_VALIDATION = 100
CURVE_X = np.linspace(-1.0, 1.0, CURVE_POINTS)
NOISE_LEVELS = tuple(round(0.01 * k, 2) for k in range(51))


# Helpers ---------------------------------------------------------------------------------------


def _pixels(png):
    return np.asarray(Image.open(io.BytesIO(png)).convert("RGB"))


def _summary(explorer):
    text = html.unescape(explorer.summary.value)
    return re.sub(r"<[^>]+>", "", text)


def _assert_healthy(explorer):
    assert explorer.message.value == ""
    assert explorer.warnings_caught == []
    image = Image.open(io.BytesIO(explorer.image.value))
    assert image.format == "PNG"
    assert image.size == explorer.view.canvas.pixel_size
    assert len(explorer.image.value) <= 64 * 1024


def _set(explorer, **values):
    with explorer.batch_updates():
        for name, value in values.items():
            getattr(explorer, name).value = value


def _state(explorer):
    return {
        "n": explorer.n_train.value,
        "noise": explorer.noise.value,
        "degree": explorer.degree.value,
        "l2": explorer.regularization.value,
    }


# Reference results, computed from the core directly ---------------------------------------------


def _data(n, noise):
    return make_curve_data(n, N_VALIDATION, noise=noise, seed=0)


def _objective(data, degree, l2=0.0, l1=0.0):
    return LeastSquares(polynomial_features(data.x_train, degree), data.y_train, l2=l2, l1=l1)


def _step(data, l2):
    """1/L of the degree-15 loss: the one step size the explorer uses for every degree."""
    return 1.0 / QuadraticLoss.from_least_squares(_objective(data, MAX_DEGREE, l2)).lipschitz


def _l2_weights(data, degree, l2, steps=math.inf):
    objective = _objective(data, degree, l2)
    if not math.isinf(steps):
        run = gradient_descent_closed_form(
            objective, np.zeros(degree + 1), _step(data, l2), int(steps)
        )
        return run.final_weights
    try:
        return objective.solve()
    except ValueError:
        # Rank deficient: the minimum-norm least-squares solution, by SVD.
        return np.linalg.lstsq(objective.X, objective.y, rcond=None)[0]


def _errors(data, degree, weights):
    train = polynomial_features(data.x_train, degree) @ weights - data.y_train
    validation = polynomial_features(data.x_validation, degree) @ weights - data.y_validation
    return np.mean(train**2), np.mean(validation**2)


def _l2_curves(data, degree, l2, steps=math.inf):
    by_degree = np.array(
        [_errors(data, k, _l2_weights(data, k, l2, steps)) for k in range(1, MAX_DEGREE + 1)]
    )
    by_lambda = np.array(
        [_errors(data, degree, _l2_weights(data, degree, lam, steps)) for lam in REGULARIZATIONS]
    )
    return by_degree.T, by_lambda.T


def _l1_weights(data, degree, l1, iterations, method="nesterov"):
    if iterations == 0:  # converged at the start: w = 0 is optimal
        return np.zeros(degree + 1)
    run = optimize(
        _objective(data, degree, l1=l1),
        np.zeros(degree + 1),
        method=method,
        momentum=0.9,
        learning_rate=_step(data, 0.0),
        iterations=iterations,
        tolerance=0.0,
    )
    return run.final_weights


def _l1_steps(explorer):
    """The proximal-gradient steps the explorer reports for its L1 fit."""
    found = re.search(r"converged in (\d+) steps", _summary(explorer))
    return int(found.group(1)) if found else L1_MAX_STEPS


def _drawn_weights(view):
    """The coefficients drawn as bars (nonzero ones) and markers (exact zeros)."""
    weights = {}
    for segment in view.coefficient_bars_.get_segments():
        assert segment[0, 0] == segment[1, 0]
        assert segment[0, 1] == 0.0
        weights[int(round(segment[0, 0]))] = segment[1, 1]
    for k in view.zero_markers_.get_xdata():
        assert int(k) not in weights
        weights[int(k)] = 0.0
    return np.array([weights[k] for k in sorted(weights)]), sorted(weights)


def _assert_shows(explorer, data, degree, weights):
    view = explorer.view
    assert_allclose(view.train_points_.get_xdata(), data.x_train)
    assert_allclose(view.train_points_.get_ydata(), data.y_train)
    assert_allclose(view.validation_points_.get_xdata(), data.x_validation)
    assert_allclose(view.validation_points_.get_ydata(), data.y_validation)
    assert_allclose(view.fit_line_.get_xdata(), CURVE_X)
    expected_curve = polynomial_features(CURVE_X, degree) @ weights
    assert_allclose(view.fit_line_.get_ydata(), expected_curve, rtol=1e-7, atol=1e-9)
    drawn, powers = _drawn_weights(view)
    assert powers == list(range(degree + 1))
    assert_allclose(drawn, weights, rtol=1e-7, atol=1e-12)
    assert_array_equal(view.degree_marker_.get_xdata(), [degree, degree])


DEFAULTS = {
    "degree": 3,
    "regularization": 0.0,
    "penalty": "l2",
    "n_train": 20,
    "noise": 0.2,
    "early_stopping": math.inf,
}


@pytest.fixture(scope="module")
def shared_explorer():
    """One explorer for the module: building the first frame is the slow part."""
    return OverfittingExplorer()


@pytest.fixture
def explorer(shared_explorer):
    """The shared explorer, back in its starting state."""
    _set(shared_explorer, **DEFAULTS)
    assert shared_explorer.warnings_caught == []
    return shared_explorer


# Construction ------------------------------------------------------------------------------------


def test_the_first_frame_shows_a_good_cubic_fit():
    explorer = OverfittingExplorer()
    assert {name: getattr(explorer, name).value for name in DEFAULTS} == DEFAULTS
    _assert_healthy(explorer)
    data = _data(20, 0.2)
    weights = _l2_weights(data, 3, 0.0)
    _assert_shows(explorer, data, 3, weights)
    train, validation = _errors(data, 3, weights)
    summary = _summary(explorer)
    assert summary.startswith("degree 3, λ = 0: ")
    assert f"train error {train:.2g}" in summary
    assert f"validation error {validation:.2g}" in summary
    assert "a good fit" in summary
    assert "σ² = 0.04" in summary


@pytest.mark.parametrize(
    ("arguments", "error", "match"),
    [
        ({"n_validation": 5}, ValueError, "n_validation must be ≥ 10"),
        ({"n_validation": 2.5}, TypeError, "n_validation must be a whole number"),
        ({"seed": "zero"}, TypeError, "seed must be an int"),
        ({"seed": True}, TypeError, "seed must be an int"),
    ],
)
def test_constructor_arguments_are_validated(arguments, error, match):
    with pytest.raises(error, match=match):
        OverfittingExplorer(**arguments)


def test_the_seed_and_validation_size_choose_the_data():
    explorer = OverfittingExplorer(n_validation=40, seed=7)
    data = make_curve_data(20, 40, noise=0.2, seed=7)
    assert_allclose(explorer.view.train_points_.get_ydata(), data.y_train)
    assert explorer.view.validation_points_.get_xdata().size == 40
    _assert_healthy(explorer)


def test_the_true_curve_is_drawn_faintly_once(explorer):
    (true_line,) = [line for line in explorer.view.fit_axes_.lines if not line.get_animated()]
    assert_allclose(true_line.get_ydata(), true_curve(true_line.get_xdata()))
    assert true_line.get_alpha() < 0.5


def test_the_controls_span_the_documented_ranges(explorer):
    assert (explorer.degree.min, explorer.degree.max) == (1, 15)
    assert REGULARIZATIONS[0] == 0.0
    assert np.all(np.diff(np.log10(REGULARIZATIONS[1:])) > 0.4)
    assert tuple(value for _, value in explorer.regularization.options) == REGULARIZATIONS
    assert explorer.regularization.options[explorer.regularization.index][0] == "0"
    assert (TRAINING_SIZES[0], TRAINING_SIZES[-1]) == (5, 200)
    assert explorer.n_train.options == TRAINING_SIZES
    assert (explorer.noise.min, explorer.noise.max) == (0.0, 0.5)
    assert explorer.early_stopping.options[-1][1] == math.inf
    assert "off" in explorer.early_stopping.options[explorer.early_stopping.index][0]
    assert tuple(value for _, value in explorer.penalty.options) == ("l2", "l1")
    for control in explorer.presets["overfit"]:
        assert hasattr(explorer, control)


# Each control at its minimum, a middle value and its maximum -------------------------------------


@pytest.mark.parametrize("degree", [1, 8, 15])
def test_degree_sets_the_fit_the_bars_and_the_marker(explorer, degree):
    before = explorer.image.value
    explorer.degree.value = degree
    data = _data(20, 0.2)
    weights = _l2_weights(data, degree, 0.0)
    _assert_shows(explorer, data, degree, weights)
    train, validation = _errors(data, degree, weights)
    assert f"degree {degree}, λ = 0: train error {train:.2g}" in _summary(explorer)
    assert explorer.image.value != before
    _assert_healthy(explorer)


@pytest.mark.parametrize("regularization", [0.0, 1e-3, 1.0])
def test_regularization_shrinks_the_fit_and_moves_the_lambda_marker(explorer, regularization):
    explorer.degree.value = 9
    before = explorer.image.value
    explorer.regularization.value = regularization
    data = _data(20, 0.2)
    weights = _l2_weights(data, 9, regularization)
    _assert_shows(explorer, data, 9, weights)
    position = explorer.view.lambda_marker_.get_xdata()[0]
    if regularization > 0:
        assert position == pytest.approx(math.log10(regularization))
        assert f"λ = {lambda_label(regularization)} (L2)" in _summary(explorer)
    else:
        assert position < math.log10(REGULARIZATIONS[1])
    if regularization != 0.0:
        assert explorer.image.value != before
    _assert_healthy(explorer)


def test_a_larger_l2_penalty_gives_smaller_coefficients(explorer):
    explorer.degree.value = 12
    norms = []
    for regularization in REGULARIZATIONS:
        explorer.regularization.value = regularization
        drawn, _ = _drawn_weights(explorer.view)
        norms.append(np.linalg.norm(drawn))
        assert len(explorer.view.zero_markers_.get_xdata()) == 0
    assert np.all(np.diff(norms) < 0)


@pytest.mark.parametrize("regularization", [1e-6, 1e-2, 1.0])
def test_an_l1_penalty_matches_proximal_gradient_descent_and_marks_zeros(explorer, regularization):
    _set(explorer, degree=10, regularization=regularization, n_train=30)
    before = explorer.image.value
    explorer.penalty.value = "l1"
    data = _data(30, 0.2)
    steps = _l1_steps(explorer)
    weights = _l1_weights(data, 10, regularization, steps)
    _assert_shows(explorer, data, 10, weights)
    zeros = np.flatnonzero(weights == 0)
    assert_array_equal(explorer.view.zero_markers_.get_xdata(), zeros)
    summary = _summary(explorer)
    assert f"λ = {lambda_label(regularization)} (L1)" in summary
    assert f"{zeros.size} of 11 coefficients are exactly 0" in summary
    assert ("converged in" in summary) == (steps < L1_MAX_STEPS)
    if steps == L1_MAX_STEPS:
        assert f"{L1_MAX_STEPS}-step cap" in summary
    assert explorer.image.value != before
    _assert_healthy(explorer)


def test_a_strong_l1_penalty_zeroes_coefficients_and_a_converged_fit_meets_the_kkt_conditions(
    explorer,
):
    explorer.apply_preset("L1 sparsity")
    assert "converged in" in _summary(explorer)
    state = _state(explorer)
    data = _data(state["n"], state["noise"])
    drawn, _ = _drawn_weights(explorer.view)
    assert np.count_nonzero(drawn == 0) >= 5
    objective = _objective(data, state["degree"])
    gradient = objective.smooth_gradient(drawn)
    lam = state["l2"]
    nonzero = drawn != 0
    # Optimality of (1/n)‖Xw − y‖² + λ‖w‖₁: ∇ = −λ·sign(w) off zero, |∇| ≤ λ at zero.
    assert_allclose(gradient[nonzero], -lam * np.sign(drawn[nonzero]), atol=1e-4)
    assert np.all(np.abs(gradient[~nonzero]) <= lam + 1e-4)


def test_l1_with_lambda_zero_is_the_exact_least_squares_fit(explorer):
    _set(explorer, penalty="l1", regularization=0.0, degree=6)
    _assert_shows(explorer, _data(20, 0.2), 6, _l2_weights(_data(20, 0.2), 6, 0.0))
    assert "exactly 0" not in _summary(explorer)


@pytest.mark.parametrize("n_train", [5, 40, 200])
def test_training_size_regenerates_the_data_keeping_earlier_points(explorer, n_train):
    explorer.degree.value = 2
    before = explorer.image.value
    explorer.n_train.value = n_train
    data = _data(n_train, 0.2)
    _assert_shows(explorer, data, 2, _l2_weights(data, 2, 0.0))
    # The core keeps the points already drawn: the picture grows, it does not jump.
    common = min(n_train, 20)
    assert_allclose(
        explorer.view.train_points_.get_xdata()[:common], _data(20, 0.2).x_train[:common]
    )
    assert explorer.image.value != before
    _assert_healthy(explorer)


@pytest.mark.parametrize("noise", [0.0, 0.25, 0.5])
def test_noise_rescales_the_same_residuals_and_the_noise_floor(explorer, noise):
    before = explorer.image.value
    explorer.noise.value = noise
    data = _data(20, noise)
    _assert_shows(explorer, data, 3, _l2_weights(data, 3, 0.0))
    view = explorer.view
    residuals = view.train_points_.get_ydata() - true_curve(view.train_points_.get_xdata())
    reference = _data(20, 0.2)
    assert_allclose(residuals, noise / 0.2 * (reference.y_train - true_curve(reference.x_train)))
    for line in (view.degree_noise_, view.lambda_noise_):
        assert line.get_visible() == (noise > 0)
        if noise > 0:
            assert_allclose(line.get_ydata(), [noise**2, noise**2])
    assert explorer.image.value != before
    _assert_healthy(explorer)


@pytest.mark.parametrize("steps", [1, 1000, math.inf])
def test_early_stopping_runs_gradient_descent_for_that_many_steps(explorer, steps):
    explorer.degree.value = 12
    before = explorer.image.value
    explorer.early_stopping.value = steps
    data = _data(20, 0.2)
    _assert_shows(explorer, data, 12, _l2_weights(data, 12, 0.0, steps))
    if math.isinf(steps):
        assert "stopped after" not in _summary(explorer)
    else:
        assert f"stopped after {steps:,} gradient-descent steps".replace(",", " ") in (
            _summary(explorer)
        )
        assert explorer.image.value != before
    _assert_healthy(explorer)


def test_early_stopping_is_plain_gradient_descent_from_zero(explorer):
    _set(explorer, degree=5, regularization=1e-3, early_stopping=5)
    data = _data(20, 0.2)
    X = polynomial_features(data.x_train, 5)
    step = _step(data, 1e-3)
    weights = np.zeros(6)
    for _ in range(5):
        gradient = 2.0 * X.T @ (X @ weights - data.y_train) / X.shape[0] + 2e-3 * weights
        weights = weights - step * gradient
    drawn, _ = _drawn_weights(explorer.view)
    assert_allclose(drawn, weights, rtol=1e-9)


def test_early_stopping_regularizes_a_high_degree_fit(explorer):
    _set(explorer, degree=12, n_train=8)
    exact = _summary(explorer)
    explorer.early_stopping.value = 100
    stopped = _summary(explorer)
    error = re.compile(r"validation error ([0-9.e+-]+)")
    assert float(error.search(stopped).group(1)) < float(error.search(exact).group(1)) / 10
    assert "overfitting" in exact
    assert "a good fit" in stopped


def test_early_stopping_with_l1_takes_proximal_gradient_steps(explorer):
    _set(explorer, degree=8, regularization=1e-3, penalty="l1", early_stopping=50)
    data = _data(20, 0.2)
    _assert_shows(explorer, data, 8, _l1_weights(data, 8, 1e-3, 50, method="gd"))
    assert "stopped after 50 proximal-gradient steps" in _summary(explorer)
    explorer.early_stopping.value = 10_000
    _assert_shows(explorer, data, 8, _l1_weights(data, 8, 1e-3, L1_MAX_STEPS, method="gd"))
    assert f"capped at {L1_MAX_STEPS} steps" in _summary(explorer)
    _assert_healthy(explorer)


def test_penalty_kind_switches_between_l2_and_l1_and_back(explorer):
    _set(explorer, degree=12, regularization=1e-2)
    l2_frame = explorer.image.value
    explorer.penalty.value = "l1"
    assert explorer.image.value != l2_frame
    assert len(explorer.view.zero_markers_.get_xdata()) > 0
    explorer.penalty.value = "l2"
    assert explorer.image.value == l2_frame
    _assert_healthy(explorer)


def test_l1_makes_slow_sliders_update_on_release(explorer):
    slow = (explorer.n_train, explorer.noise, explorer.early_stopping)
    assert all(control.continuous_update for control in slow)
    explorer.penalty.value = "l1"
    assert not any(control.continuous_update for control in slow)
    assert explorer.degree.continuous_update and explorer.regularization.continuous_update
    explorer.penalty.value = "l2"
    assert all(control.continuous_update for control in slow)


# The error curves -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "state",
    [
        {"degree": 4, "regularization": 0.0},
        {"degree": 11, "regularization": 3e-5, "n_train": 14, "noise": 0.3},
        {"degree": 7, "regularization": 1e-3, "early_stopping": 500},
    ],
)
def test_the_error_curves_match_the_core(explorer, state):
    _set(explorer, **state)
    data = _data(explorer.n_train.value, explorer.noise.value)
    by_degree, by_lambda = _l2_curves(
        data, state["degree"], state["regularization"], explorer.early_stopping.value
    )
    view = explorer.view
    assert_array_equal(view.degree_train_line_.get_xdata(), np.arange(1, 16))
    assert_allclose(view.degree_train_line_.get_ydata(), by_degree[0], rtol=1e-6, atol=1e-20)
    assert_allclose(view.degree_validation_line_.get_ydata(), by_degree[1], rtol=1e-6)
    assert_allclose(view.lambda_train_line_.get_ydata(), by_lambda[0], rtol=1e-6, atol=1e-20)
    assert_allclose(view.lambda_validation_line_.get_ydata(), by_lambda[1], rtol=1e-6)
    _assert_healthy(explorer)


def test_lambda_zero_sits_left_of_the_log_spaced_values(explorer):
    positions = explorer.view.lambda_train_line_.get_xdata()
    assert_allclose(positions[1:], np.log10(REGULARIZATIONS[1:]))
    assert positions[0] < positions[1] - 0.5
    labels = [tick.get_text() for tick in explorer.view.lambda_axes_.get_xticklabels()]
    assert labels[0] == "0"


def test_moving_the_degree_reuses_the_cached_error_against_degree_curve(explorer, monkeypatch):
    # Data no other test uses, so that nothing is cached yet.
    _set(explorer, regularization=1e-4, n_train=35, noise=0.17)
    curve = explorer.view.degree_validation_line_.get_ydata().copy()
    fitted = []
    fit_l2 = module._FitGrid._fit_l2

    def counted(grid, degree, regularization):
        fitted.append((degree, regularization))
        return fit_l2(grid, degree, regularization)

    monkeypatch.setattr(module._FitGrid, "_fit_l2", counted)
    for degree in (5, 9, 14):
        explorer.degree.value = degree
        assert_array_equal(explorer.view.degree_validation_line_.get_ydata(), curve)
    # Only the error-against-λ curve of each new degree is computed, never a degree sweep.
    assert {d for d, _ in fitted} == {5, 9, 14}
    assert len(fitted) <= 3 * len(REGULARIZATIONS)
    fitted.clear()
    explorer.degree.value = 9
    assert fitted == []


def test_under_l1_moving_degree_or_lambda_reads_the_cache(explorer, monkeypatch):
    _set(explorer, penalty="l1", regularization=1e-3)
    runs = []
    monkeypatch.setattr(module, "optimize", lambda *a, **k: runs.append(1))
    for degree in (2, 9, 15):
        explorer.degree.value = degree
    for regularization in (1e-5, 0.1, 1.0):
        explorer.regularization.value = regularization
    assert runs == []
    _assert_healthy(explorer)


# Hard cases --------------------------------------------------------------------------------------


def test_a_rank_deficient_fit_shows_the_minimum_norm_solution_and_says_so(explorer):
    _set(explorer, n_train=8, degree=12)
    data = _data(8, 0.2)
    minimum_norm = np.linalg.lstsq(polynomial_features(data.x_train, 12), data.y_train, rcond=None)[
        0
    ]
    _assert_shows(explorer, data, 12, minimum_norm)
    summary = _summary(explorer)
    assert "13 coefficients and only 8 training points" in summary
    assert "minimum-norm" in summary
    assert "overfitting" in summary
    _assert_healthy(explorer)
    # A penalty makes the problem well posed again, and the note goes away.
    explorer.regularization.value = 1e-4
    assert "minimum-norm" not in _summary(explorer)


@pytest.mark.parametrize("n_train", [5, 9, 16])
def test_no_degree_ever_fails_with_few_points_and_no_penalty(explorer, n_train):
    explorer.n_train.value = n_train
    for degree in range(1, 16):
        explorer.degree.value = degree
        _assert_healthy(explorer)
        assert ("minimum-norm" in _summary(explorer)) == (degree + 1 > n_train)
        assert np.all(np.isfinite(explorer.view.fit_line_.get_ydata()))


def test_a_failure_in_the_core_is_shown_in_place_and_the_explorer_recovers(explorer, monkeypatch):
    before = explorer.image.value

    def broken(*args, **kwargs):
        raise ValueError("no data today")

    monkeypatch.setattr(module, "make_curve_data", broken)
    explorer.n_train.value = 30
    assert "no data today" in explorer.message.value
    assert explorer.message.layout.display != "none"
    assert explorer.image.value == before
    monkeypatch.undo()
    explorer.n_train.value = 40
    assert explorer.message.value == ""
    assert explorer.image.value != before
    _assert_healthy(explorer)


def test_huge_coefficients_are_clipped_by_the_panel_not_rescaled(explorer):
    _set(explorer, degree=15, n_train=16)
    drawn, _ = _drawn_weights(explorer.view)
    assert np.max(np.abs(drawn)) > 1.0
    assert explorer.view.coefficient_axes_.get_ylim() == (-COEFFICIENT_LIMIT, COEFFICIENT_LIMIT)
    assert explorer.view.degree_axes_.get_ylim() == pytest.approx(ERROR_LIMITS)


# Summaries and presets ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("preset", "verdict"),
    [
        ("underfit", "underfitting: the model is too simple"),
        ("good fit", "a good fit"),
        ("overfit", "overfitting: the curve chases the noise"),
        ("L1 sparsity", "a good fit"),
    ],
)
def test_presets_move_the_controls_redraw_once_and_teach(explorer, count_calls, preset, verdict):
    explorer.degree.value = 7
    renders = count_calls(explorer.view.canvas, "render")
    before = explorer.image.value
    explorer.apply_preset(preset)
    assert len(renders) == 1
    for name, value in explorer.presets[preset].items():
        assert getattr(explorer, name).value == value
    assert verdict in _summary(explorer)
    assert explorer.image.value != before
    _assert_healthy(explorer)


def test_the_l1_preset_shows_sparsity(explorer):
    explorer.apply_preset("L1 sparsity")
    zeros = explorer.view.zero_markers_.get_xdata()
    assert len(zeros) >= 5
    assert f"{len(zeros)} of 16 coefficients are exactly 0" in _summary(explorer)


def test_too_strong_a_penalty_is_called_underfitting(explorer):
    _set(explorer, degree=9, regularization=1.0)
    assert "underfitting: the model is too strongly penalised" in _summary(explorer)


def test_too_few_steps_is_called_underfitting(explorer):
    _set(explorer, degree=3, early_stopping=2)
    assert "underfitting: the model is stopped too early" in _summary(explorer)


def test_overfitting_is_judged_against_the_best_validation_error(explorer):
    explorer.apply_preset("overfit")
    train = explorer.view.degree_train_line_.get_ydata()
    validation = explorer.view.degree_validation_line_.get_ydata()
    assert validation[-1] > 10 * validation.min()
    assert train[-1] < validation[-1]


# Frames ------------------------------------------------------------------------------------------


def test_the_blitted_frame_equals_a_full_redraw(explorer):
    _set(explorer, degree=11, regularization=1e-5, penalty="l1", n_train=25, noise=0.35)
    blitted = _pixels(explorer.image.value)
    explorer.view.canvas.invalidate()
    assert_array_equal(blitted, _pixels(explorer.view.canvas.render()))


def test_a_frame_from_the_sliders_equals_one_drawn_from_the_core(explorer):
    _set(explorer, degree=7, regularization=1e-4, n_train=30, noise=0.3)
    data = _data(30, 0.3)
    weights = _l2_weights(data, 7, 1e-4)
    by_degree, by_lambda = _l2_curves(data, 7, 1e-4)
    view = OverfittingView(REGULARIZATIONS, max_degree=MAX_DEGREE)
    view.update(
        data,
        curve_x=CURVE_X,
        curve_y=polynomial_features(CURVE_X, 7) @ weights,
        weights=weights,
        degree=7,
        regularization=1e-4,
        degree_errors=tuple(by_degree),
        lambda_errors=tuple(by_lambda),
        noise=0.3,
    )
    assert_array_equal(_pixels(explorer.image.value), _pixels(view.canvas.render()))


def test_the_view_rejects_a_lambda_grid_without_positive_values():
    with pytest.raises(ValueError, match="at least one positive"):
        OverfittingView([0.0])
    with pytest.raises(ValueError, match="ascending"):
        OverfittingView([0.0, 1e-2, 1e-3])


# Random states -----------------------------------------------------------------------------------


@st.composite
def _states(draw):
    return {
        "degree": draw(st.integers(1, MAX_DEGREE)),
        "regularization": draw(st.sampled_from(REGULARIZATIONS)),
        "penalty": draw(st.sampled_from(["l2", "l1"])),
        "n_train": draw(st.sampled_from(TRAINING_SIZES)),
        "noise": draw(st.sampled_from(NOISE_LEVELS)),
        "early_stopping": draw(st.sampled_from(EARLY_STOPPING_STEPS)),
    }


@settings(max_examples=30)
@given(state=_states())
def test_random_states_draw_valid_frames_without_warnings(shared_explorer, state):
    explorer = shared_explorer
    _set(explorer, **state)
    _assert_healthy(explorer)
    view = explorer.view
    drawn, powers = _drawn_weights(view)
    assert powers == list(range(state["degree"] + 1))
    assert np.all(np.isfinite(drawn))
    assert np.all(np.isfinite(view.fit_line_.get_ydata()))
    for line in (view.degree_train_line_, view.degree_validation_line_):
        assert np.all(np.isfinite(line.get_ydata()))
    summary = _summary(explorer)
    assert summary.startswith(f"degree {state['degree']}, λ = ")
    assert any(word in summary for word in ("a good fit", "overfitting", "underfitting"))
    if state["regularization"] == 0 and math.isinf(state["early_stopping"]):
        data = _data(state["n_train"], state["noise"])
        weights = _l2_weights(data, state["degree"], 0.0)
        if state["degree"] + 1 <= state["n_train"]:
            assert_allclose(drawn, weights, rtol=1e-6, atol=1e-9)
