"""ConvergenceExplorer: every control drives the core and the view, rates agree with theory."""

import io
import math
import re

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from numpy.testing import assert_allclose
from PIL import Image

from calcwidgets.core.optimizers import optimize
from calcwidgets.core.quadratic import (
    QuadraticLoss,
    convergence_theory,
    gradient_descent_closed_form,
    measured_rate,
    predicted_rate,
    quadratic_bowl,
    stability_bound,
)
from calcwidgets.core.results import Status
from calcwidgets.plotting.convergence_view import (
    CONTOUR_LEVELS,
    GAP_LIMITS,
    ITERATION_TICKS,
    PATH_LIMITS,
    ConvergenceView,
)
from calcwidgets.widgets import convergence_explorer as module
from calcwidgets.widgets.convergence_explorer import (
    ITERATION_COUNTS,
    OPTIMIZERS,
    ConvergenceExplorer,
)

FLOOR = GAP_LIMITS[0]
NUMBER = r"([0-9.]+)"


def _pixels(png):
    return np.asarray(Image.open(io.BytesIO(png)).convert("RGB"))


def _summary(explorer):
    return explorer.summary.value.replace("&gt;", ">").replace("&#x27;", "'")


def _assert_healthy(explorer):
    assert explorer.message.value == ""
    assert explorer.warnings_caught == []
    image = Image.open(io.BytesIO(explorer.image.value))
    assert image.format == "PNG"
    assert image.size == explorer.view.canvas.pixel_size
    assert len(explorer.image.value) <= 64 * 1024


def _state(explorer):
    return {
        "kappa": explorer.condition_number.value,
        "fraction": explorer.learning_rate_fraction.value,
        "beta": explorer.momentum.value,
        "method": explorer.optimizer.value,
        "iterations": explorer.iterations.value,
        "angle": explorer.start_angle.value,
    }


def _core_run(kappa, fraction, beta, method, iterations, angle):
    """The run the explorer documents, computed from the core alone."""
    bowl = quadratic_bowl(kappa, largest_eigenvalue=1.0, angle=math.pi / 2)
    bound = stability_bound(bowl, beta) if method == "momentum" else 2.0 / bowl.lipschitz
    eta = fraction * bound
    start = [math.cos(math.radians(angle)), math.sin(math.radians(angle))]
    if method == "gd":
        result = gradient_descent_closed_form(bowl, start, eta, iterations)
    elif method == "adam":
        result = optimize(
            bowl, start, method="adam", learning_rate=eta, iterations=iterations, beta1=beta
        )
    else:
        result = optimize(
            bowl, start, method=method, learning_rate=eta, iterations=iterations, momentum=beta
        )
    gaps = bowl.value(result.path) - bowl.min_value
    predicted = None
    if method in ("gd", "momentum"):
        predicted = predicted_rate(bowl, eta, beta if method == "momentum" else 0.0)
    return bowl, eta, result, gaps, predicted


def _fitted(values, steps):
    try:
        return measured_rate(values, steps, floor=0.0)
    except ValueError:
        return None


def _slope(line):
    """The factor per step of a straight line on the log axis."""
    x, y = (np.asarray(v, dtype=float) for v in line.get_data())
    inside = (y > FLOOR * 10) & (y < GAP_LIMITS[1] / 10)
    x, y = x[inside], y[inside]
    return 10 ** (np.diff(np.log10(y)) / np.diff(x))


def _assert_shows_core_run(explorer):
    bowl, eta, result, gaps, predicted = _core_run(**_state(explorer))
    view = explorer.view
    assert_allclose(np.column_stack(view.path_line_.get_data()), result.path, rtol=1e-12)
    assert_allclose(view.start_.get_data(), [[result.path[0, 0]], [result.path[0, 1]]])
    steps, shown = view.gap_line_.get_data()
    assert_allclose(steps, result.steps)
    assert_allclose(shown, np.maximum(gaps, FLOOR), rtol=1e-12)
    # The gaps are the core's losses less f*, with full relative precision near w*.
    assert_allclose(gaps, result.losses - bowl.min_value, rtol=1e-9, atol=1e-14)
    if predicted is None:
        assert len(view.predicted_line_.get_xdata()) == 0
    else:
        x, y = view.predicted_line_.get_data()
        assert x[0] == 0 and y[0] == pytest.approx(gaps[0])
        if predicted > 0 and np.sum((y > FLOOR * 10) & (y < GAP_LIMITS[1] / 10)) >= 2:
            assert_allclose(_slope(view.predicted_line_), predicted**2, rtol=1e-9)
    measured_gap = _fitted(gaps, result.steps)
    if measured_gap is None:
        assert len(view.measured_line_.get_xdata()) == 0
    else:
        x, _ = view.measured_line_.get_data()
        assert result.steps[0] <= x[0] < x[1] <= result.steps[-1]
        if len(_slope(view.measured_line_)):
            assert_allclose(_slope(view.measured_line_), measured_gap, rtol=1e-9)
    text = _summary(explorer)
    state = _state(explorer)
    assert f"κ = {state['kappa']:.4g}" in text
    assert f"η = {state['fraction']:.3f}·(" in text
    assert f"= {eta:.4g} (η·L = {eta * bowl.lipschitz:.4g})" in text
    if predicted is not None and measured_gap is not None:
        assert f"(predicted ρ = {predicted:.4f})" in text
    if result.status is Status.DIVERGED:
        assert f"diverged at step {result.diverged_at}" in text
    elif result.status is Status.CONVERGED:
        assert f"converged at step {int(result.steps[-1])}" in text
    else:
        assert f"not converged after {int(result.steps[-1])} step" in text
    return result


DEFAULTS = {
    "condition_number": 10.0,
    "learning_rate_fraction": 0.5,
    "momentum": 0.5,
    "optimizer": "gd",
    "iterations": 500,
    "start_angle": 150,
}


@pytest.fixture(scope="module")
def _shared_explorer():
    return ConvergenceExplorer()


@pytest.fixture
def explorer(_shared_explorer):
    """The explorer in its default state (built once: a first frame costs a full draw)."""
    with _shared_explorer.batch_updates():
        for name, value in DEFAULTS.items():
            getattr(_shared_explorer, name).value = value
    _shared_explorer.warnings_caught.clear()
    _assert_healthy(_shared_explorer)
    return _shared_explorer


def _on_the_slider_grid(state):
    # The fraction is snapped onto the slider's steps (2.3 % apart), as the browser would.
    return {**state, "fraction": pytest.approx(state["fraction"], rel=0.012)}


def test_a_new_explorer_starts_in_the_documented_default_state():
    explorer = ConvergenceExplorer()
    expected = dict(zip(_state(explorer), DEFAULTS.values(), strict=True))
    assert _state(explorer) == _on_the_slider_grid(expected)
    _assert_healthy(explorer)
    _assert_shows_core_run(explorer)


CONTROL_VALUES = {
    "condition_number": (1.0, 1000.0, 10**1.5),
    "learning_rate_fraction": (0.05, 1.2, 0.3),
    "momentum": (0.0, 0.99, 0.5),
    "iterations": (ITERATION_COUNTS[0], ITERATION_COUNTS[-1], 300),
    "start_angle": (0, 180, 90),
}


@pytest.mark.parametrize("optimizer", ["gd", "momentum"])
@pytest.mark.parametrize("control", sorted(CONTROL_VALUES))
def test_each_control_at_its_min_max_and_middle_redraws_the_core_run(explorer, control, optimizer):
    explorer.optimizer.value = optimizer
    for value in CONTROL_VALUES[control]:
        before = explorer.image.value
        moved = getattr(explorer, control).value != value
        getattr(explorer, control).value = value
        assert getattr(explorer, control).value == pytest.approx(value)
        _assert_healthy(explorer)
        _assert_shows_core_run(explorer)
        if moved and not (control == "momentum" and optimizer == "gd"):
            assert explorer.image.value != before


@pytest.mark.parametrize("optimizer", sorted(OPTIMIZERS))
def test_every_optimizer_runs_and_says_what_beta_means(explorer, optimizer):
    explorer.condition_number.value = 30.0
    explorer.optimizer.value = optimizer
    _assert_healthy(explorer)
    _assert_shows_core_run(explorer)
    text = _summary(explorer)
    assert OPTIMIZERS[optimizer] in text
    if optimizer == "gd":
        assert "β" not in text
        assert explorer.momentum.disabled
    else:
        assert not explorer.momentum.disabled
        assert ("β₁ = 0.500" if optimizer == "adam" else "β = 0.500") in text
    assert explorer.momentum.description == ("Adam β₁" if optimizer == "adam" else "momentum β")
    if optimizer in ("nesterov", "adam"):
        assert "predicts no rate" in text or "no fixed linear rate" in text
        assert len(explorer.view.predicted_line_.get_xdata()) == 0


def test_momentum_does_not_change_gradient_descent(explorer):
    before = explorer.image.value
    explorer.momentum.value = 0.9
    assert explorer.image.value == before
    _assert_shows_core_run(explorer)


def test_the_fraction_is_of_2_over_L_except_for_heavy_ball(explorer):
    explorer.learning_rate_fraction.value = 0.4
    assert explorer.learning_rate_fraction.description == "η ÷ (2/L)"
    assert "η = 0.400·(2/L) = 0.8 " in _summary(explorer)
    explorer.optimizer.value = "momentum"
    explorer.momentum.value = 0.5
    # The momentum-aware bound 2(1 + β)/L = 3 with L = 1.
    assert explorer.learning_rate_fraction.description == "η ÷ 2(1+β)/L"
    assert "η = 0.400·(2(1+β)/L) = 1.2 " in _summary(explorer)
    explorer.optimizer.value = "nesterov"
    assert explorer.learning_rate_fraction.description == "η ÷ (2/L)"
    assert "η = 0.400·(2/L) = 0.8 " in _summary(explorer)


def _rates(text):
    match = re.search(
        rf"measured rate {NUMBER} per step \(predicted ρ = {NUMBER}\) for ‖w − w\*‖, "
        rf"{NUMBER} \(ρ² = {NUMBER}\) for f − f\*",
        text,
    )
    assert match, text
    return [float(group) for group in match.groups()]


@pytest.mark.parametrize(
    ("kappa", "fraction"), [(10.0, 0.3), (100.0, 0.5), (100.0, 0.9), (1000.0, 0.99)]
)
def test_gradient_descent_measured_rate_agrees_with_the_prediction(explorer, kappa, fraction):
    with explorer.batch_updates():
        explorer.condition_number.value = kappa
        explorer.learning_rate_fraction.value = fraction
        explorer.iterations.value = 3000
    measured, predicted, measured_gap, predicted_gap = _rates(_summary(explorer))
    bowl = quadratic_bowl(kappa, angle=math.pi / 2)
    expected = max(abs(1 - 2 * fraction * bowl.mu), abs(1 - 2 * fraction))
    assert predicted == pytest.approx(expected, abs=6e-5)
    assert measured == pytest.approx(predicted, abs=2e-4)
    assert predicted_gap == pytest.approx(predicted**2, abs=2e-4)
    assert measured_gap == pytest.approx(predicted_gap, abs=4e-4)


@pytest.mark.parametrize(("kappa", "beta", "fraction"), [(100.0, 0.5, 0.5), (30.0, 0.3, 0.7)])
def test_heavy_ball_measured_rate_agrees_with_the_prediction(explorer, kappa, beta, fraction):
    with explorer.batch_updates():
        explorer.optimizer.value = "momentum"
        explorer.condition_number.value = kappa
        explorer.momentum.value = beta
        explorer.learning_rate_fraction.value = fraction
        explorer.iterations.value = 2000
    measured, predicted, measured_gap, predicted_gap = _rates(_summary(explorer))
    bowl = quadratic_bowl(kappa, angle=math.pi / 2)
    eta = fraction * 2 * (1 + beta)
    assert predicted == pytest.approx(predicted_rate(bowl, eta, beta), abs=6e-5)
    assert measured == pytest.approx(predicted, rel=5e-3)
    assert measured_gap == pytest.approx(predicted_gap, rel=1e-2)
    assert measured < 1


def test_optimal_heavy_ball_preset_uses_polyaks_parameters(explorer):
    explorer.apply_preset("optimal heavy ball")
    theory = convergence_theory(quadratic_bowl(100.0, angle=math.pi / 2))
    assert explorer.optimizer.value == "momentum"
    assert explorer.momentum.value == pytest.approx(theory.heavy_ball_momentum)
    text = _summary(explorer)
    assert f"= {theory.heavy_ball_learning_rate:.4g} (η·L" in text
    measured, predicted, _, _ = _rates(text)
    assert predicted == pytest.approx(theory.heavy_ball_rate, abs=6e-5)
    # At Polyak's parameters the roots are double, which adds a factor k: the
    # measured rate sits a little above the prediction, and far below GD's best.
    assert predicted <= measured <= predicted * 1.03
    assert measured < theory.best_rate
    _assert_shows_core_run(explorer)


def test_well_conditioned_preset_converges_at_the_best_rate(explorer):
    explorer.apply_preset("well-conditioned")
    text = _summary(explorer)
    measured, predicted, _, _ = _rates(text)
    assert predicted == pytest.approx(1 / 3, abs=6e-5)
    assert measured == pytest.approx(1 / 3, abs=1e-3)
    result = _assert_shows_core_run(explorer)
    assert result.status is Status.CONVERGED and result.steps[-1] < 30


def test_ill_conditioned_preset_zig_zags_along_the_steep_direction(explorer):
    explorer.apply_preset("ill-conditioned zig-zag")
    steep = explorer.view.path_line_.get_ydata()[:20]
    assert np.all(np.sign(steep[1:]) == -np.sign(steep[:-1]))
    flat = explorer.view.path_line_.get_xdata()[:20]
    assert np.all(np.diff(np.abs(flat)) < 0)
    _assert_shows_core_run(explorer)


def test_just_over_the_bound_diverges_and_the_view_stops_before_it(explorer):
    explorer.apply_preset("just over 2/L")
    result = _assert_shows_core_run(explorer)
    assert result.status is Status.DIVERGED
    assert len(explorer.view.path_line_.get_xdata()) == result.diverged_at
    text = _summary(explorer)
    assert f"diverged at step {result.diverged_at}: η > 2/L = 2" in text
    measured, predicted, _, _ = _rates(text)
    assert predicted == pytest.approx(1.1, abs=6e-5)
    assert measured == pytest.approx(1.1, abs=1e-3)
    _, shown = explorer.view.gap_line_.get_data()
    assert np.all(np.isfinite(shown)) and shown.max() < GAP_LIMITS[1]
    _assert_healthy(explorer)


def test_heavy_ball_beyond_its_own_bound_diverges(explorer):
    with explorer.batch_updates():
        explorer.optimizer.value = "momentum"
        explorer.momentum.value = 0.5
        explorer.learning_rate_fraction.value = 1.1
    result = _assert_shows_core_run(explorer)
    assert result.status is Status.DIVERGED
    # η = 1.1 · 2(1 + β)/L = 3.3 with L = 1: above heavy ball's bound 3, although
    # well above 2/L = 2 too, which it would be allowed to pass below 3.
    text = _summary(explorer)
    assert "η = 1.100·(2(1+β)/L) = 3.3 " in text
    assert "above heavy ball's stability bound 2(1+β)/L = 3" in text
    _assert_healthy(explorer)


def test_heavy_ball_is_stable_beyond_2_over_L(explorer):
    with explorer.batch_updates():
        explorer.optimizer.value = "momentum"
        explorer.momentum.value = 0.5
        explorer.learning_rate_fraction.value = 0.9
    # η = 0.9 · 3 = 2.7 > 2/L: gradient descent would diverge, heavy ball converges.
    result = _assert_shows_core_run(explorer)
    assert result.status is Status.CONVERGED
    assert "η = 0.900·(2(1+β)/L) = 2.7 " in _summary(explorer)
    _assert_healthy(explorer)


def test_a_zero_gap_is_drawn_on_the_floor_without_warnings(explorer):
    # κ = 1 and η = 1/L reach the minimum in one step: f − f* is exactly 0.
    with explorer.batch_updates():
        explorer.condition_number.value = 1.0
        explorer.learning_rate_fraction.value = 0.5
    _assert_healthy(explorer)
    result = _assert_shows_core_run(explorer)
    assert result.steps[-1] == 1
    _, shown = explorer.view.gap_line_.get_data()
    assert shown[-1] == FLOOR
    assert "too few steps to measure a rate" in _summary(explorer)
    assert "f − f* ≤ 1e-8 after 1 step." in _summary(explorer)


def _assert_contours_are_level_sets(view, bowl):
    segments = view.contours_.get_segments()
    assert len(segments) == len(CONTOUR_LEVELS)
    for level, vertices in zip(CONTOUR_LEVELS, segments, strict=True):
        assert_allclose(bowl.value(vertices) - bowl.min_value, level, rtol=1e-9)
        # Semi-axes √(2c/μ) along the flat w₁ and √(2c/L) along the steep w₂.
        assert_allclose(np.abs(vertices).max(axis=0), np.sqrt(2 * level / [bowl.mu, 1.0]))


_MOVES_BY_CONTROL = {
    "condition_number": (1.0, 3.0, 1000.0, 10**1.5),
    "iterations": (10, 5000, 300, 20),
    "learning_rate_fraction": (0.1, 1.2, 0.8),
    "start_angle": (0, 45, 180),
    "optimizer": ("nesterov", "adam", "momentum"),
    "momentum": (0.0, 0.99, 0.8),
}


def test_no_control_redraws_the_static_layer(explorer, count_calls):
    # Every control's tick is a blit: κ moves tracked contour ellipses, iterations
    # the tracked numbers under ticks that stay in place; the axes never change.
    draws = count_calls(explorer.view.canvas.figure_.canvas, "draw")
    invalidations = count_calls(explorer.view.canvas, "invalidate")
    shows = count_calls(explorer.view, "show_bowl")
    gap_limits = explorer.view.gap_axes_.get_ylim()
    for control, values in _MOVES_BY_CONTROL.items():
        for value in values:
            before = explorer.image.value
            getattr(explorer, control).value = value
            _assert_healthy(explorer)
            _assert_shows_core_run(explorer)
            assert explorer.image.value != before
            assert explorer.view.gap_axes_.get_ylim() == gap_limits
            assert explorer.view.path_axes_.get_xlim() == PATH_LIMITS[0]
            assert explorer.view.path_axes_.get_ylim() == PATH_LIMITS[1]
    assert draws == [] and invalidations == []
    # show_bowl only when κ changes; the x-limits of the gap axes follow iterations.
    assert len(shows) == len(_MOVES_BY_CONTROL["condition_number"])
    assert explorer.view.gap_axes_.get_xlim() == (0, 20)


@pytest.mark.parametrize("kappa", [1.0, 10**1.5, 1000.0])
def test_the_contours_are_level_sets_of_the_bowl(explorer, kappa):
    explorer.condition_number.value = kappa
    _assert_contours_are_level_sets(explorer.view, quadratic_bowl(kappa, angle=math.pi / 2))


def test_show_bowl_draws_any_2d_bowl_from_its_eigendecomposition():
    view = ConvergenceView()
    bowl = quadratic_bowl(7.0, largest_eigenvalue=2.0, angle=0.3, center=(0.2, -0.1))
    view.show_bowl(bowl, levels=np.array([0.01, 0.5]))
    for level, vertices in zip([0.01, 0.5], view.contours_.get_segments(), strict=True):
        assert_allclose(bowl.value(vertices) - bowl.min_value, level, rtol=1e-9)
        # Each ellipse is closed and centred on the minimizer.
        assert_allclose(vertices[0], vertices[-1], atol=1e-15)
        assert_allclose(vertices.mean(axis=0), bowl.minimizer, atol=0.05 * np.sqrt(level))


@pytest.mark.parametrize("iterations", ITERATION_COUNTS)
def test_the_numbers_under_the_iteration_ticks_follow_the_horizon(explorer, iterations):
    explorer.iterations.value = iterations
    view = explorer.view
    ticks = np.linspace(0, iterations, ITERATION_TICKS)
    assert view.gap_axes_.get_xlim() == (0, iterations)
    assert_allclose(view.gap_axes_.xaxis.get_majorticklocs(), ticks)
    assert view.iteration_numbers_.labels == tuple(str(round(tick)) for tick in ticks)
    assert_allclose(view.iteration_numbers_.collection_.get_offsets()[:, 0], ticks)
    assert len(view.iteration_numbers_.collection_.get_paths()) == ITERATION_TICKS


def _fresh_view_frame(explorer):
    """The frame of a new view drawn directly from the core run of the explorer's state."""
    state = _state(explorer)
    bowl, _, result, gaps, predicted = _core_run(**state)
    view = ConvergenceView(max_horizon=ITERATION_COUNTS[-1])
    view.show_bowl(bowl)
    view.show_horizon(state["iterations"])
    view.update(
        result,
        gaps,
        predicted_gap_rate=None if predicted is None else predicted**2,
        measured_gap_rate=_fitted(gaps, result.steps),
    )
    return view.canvas.render()


@pytest.mark.parametrize(
    "moves",
    [
        {"iterations": 10},
        {"iterations": 5000, "condition_number": 1000.0},
        {"condition_number": 1.0, "iterations": 30},
        {"optimizer": "momentum", "condition_number": 3.0, "start_angle": 90},
    ],
)
def test_a_frame_blitted_after_moves_equals_a_fresh_view_in_the_same_state(explorer, moves):
    # The explorer's static layer was drawn once, for the defaults; the layout and
    # the axes must not depend on κ or on the number of iterations.
    for control, value in moves.items():
        getattr(explorer, control).value = value
    np.testing.assert_array_equal(
        _pixels(explorer.image.value), _pixels(_fresh_view_frame(explorer))
    )


def test_presets_move_the_controls_and_redraw_once(explorer, count_calls):
    renders = count_calls(explorer.view.canvas, "render")
    for count, (name, preset) in enumerate(explorer.presets.items(), start=1):
        explorer.apply_preset(name)
        assert len(renders) == count
        for attribute, value in preset.items():
            assert getattr(explorer, attribute).value == pytest.approx(value)
        _assert_healthy(explorer)
        _assert_shows_core_run(explorer)
    assert 2 <= len(explorer.presets) <= 4


def test_a_failure_is_shown_in_place_and_the_explorer_recovers(explorer, monkeypatch):
    def broken(*args, **kwargs):
        raise ValueError("the optimizer could not run")

    explorer.optimizer.value = "momentum"
    monkeypatch.setattr(module, "optimize", broken)
    before = explorer.image.value
    explorer.momentum.value = 0.37  # a setting no other test has run (runs are cached)
    assert "the optimizer could not run" in explorer.message.value
    assert explorer.message.layout.display != "none"
    assert explorer.image.value == before
    monkeypatch.undo()
    explorer.momentum.value = 0.6
    _assert_healthy(explorer)
    _assert_shows_core_run(explorer)
    assert explorer.message.layout.display == "none"


@pytest.mark.parametrize(
    ("arguments", "error", "match"),
    [
        ({"condition_number": 0.5}, ValueError, "condition_number must be between 1 and 1000"),
        ({"condition_number": "big"}, TypeError, "condition_number must be a real number"),
        ({"learning_rate_fraction": 2.0}, ValueError, "learning_rate_fraction must be between"),
        ({"momentum": 1.0}, ValueError, "momentum must be between 0 and 0.99"),
        ({"optimizer": "sgd"}, ValueError, "optimizer must be one of"),
        ({"iterations": 7}, ValueError, "iterations must be one of 10, 20"),
        ({"start_angle": 200}, ValueError, "start_angle must be ≤ 180"),
    ],
)
def test_constructor_arguments_are_validated(arguments, error, match):
    with pytest.raises(error, match=match):
        ConvergenceExplorer(**arguments)


def test_constructor_arguments_set_the_controls():
    explorer = ConvergenceExplorer(
        condition_number=50.0,
        learning_rate_fraction=0.25,
        momentum=0.8,
        optimizer="nesterov",
        iterations=200,
        start_angle=30,
    )
    assert _state(explorer) == {
        "kappa": 50.0,
        "fraction": pytest.approx(0.25, rel=0.012),
        "beta": 0.8,
        "method": "nesterov",
        "iterations": 200,
        "angle": 30,
    }
    _assert_healthy(explorer)
    _assert_shows_core_run(explorer)


def test_frame_from_sliders_equals_a_frame_drawn_from_the_core(explorer):
    with explorer.batch_updates():
        explorer.optimizer.value = "momentum"
        explorer.condition_number.value = 100.0
        explorer.momentum.value = 0.7
        explorer.learning_rate_fraction.value = 0.6
        explorer.start_angle.value = 120
        explorer.iterations.value = 1000
    np.testing.assert_array_equal(
        _pixels(explorer.image.value), _pixels(_fresh_view_frame(explorer))
    )


def test_the_view_rejects_mismatched_data():
    view = ConvergenceView(max_horizon=1000)
    with pytest.raises(ValueError, match="bowl must be a 2-D quadratic"):
        view.show_bowl(QuadraticLoss(np.eye(3), np.zeros(3)))
    with pytest.raises(ValueError, match="bowl must be a 2-D quadratic"):
        view.show_bowl(QuadraticLoss(np.diag([0.0, 1.0]), np.zeros(2)))
    with pytest.raises(ValueError, match="levels must be a 1-D array of positive values"):
        view.show_bowl(quadratic_bowl(4.0), levels=np.array([0.0, 1.0]))
    with pytest.raises(ValueError, match="iterations must be between 1 and 1000"):
        view.show_horizon(2000)
    bowl = quadratic_bowl(4.0)
    result = gradient_descent_closed_form(bowl, [1.0, 1.0], 0.5, 10)
    with pytest.raises(ValueError, match="gaps must have one value per recorded step"):
        view.update(result, np.zeros(2), predicted_gap_rate=None, measured_gap_rate=None)


_MOVES = {
    "condition_number": st.floats(0.0, 3.0).map(lambda exponent: 10**exponent),
    "learning_rate_fraction": st.floats(-1.31, 0.08).map(lambda exponent: 10**exponent),
    "momentum": st.floats(0.0, 0.99),
    "optimizer": st.sampled_from(sorted(OPTIMIZERS)),
    "iterations": st.sampled_from(ITERATION_COUNTS[:-2]),
    "start_angle": st.integers(0, 36).map(lambda step: 5 * step),
}
_move = st.sampled_from(sorted(_MOVES)).flatmap(lambda name: st.tuples(st.just(name), _MOVES[name]))
_SHARED: dict = {}


@settings(max_examples=30)
@given(moves=st.lists(_move, min_size=1, max_size=2))
def test_random_moves_stay_healthy(moves):
    # One explorer for every example: hypothesis drives it through many states, one
    # control at a time, as a learner would.
    explorer = _SHARED.setdefault("explorer", ConvergenceExplorer())
    for name, value in moves:
        getattr(explorer, name).value = value
        _assert_healthy(explorer)
        text = _summary(explorer)
        assert text.count("κ = ") == 1 and text.endswith(".</span>")
        _, shown = explorer.view.gap_line_.get_data()
        assert np.all(np.isfinite(shown))
        assert np.all((shown >= FLOOR) & (shown < GAP_LIMITS[1]))
        for line in (explorer.view.predicted_line_, explorer.view.measured_line_):
            assert not np.any(np.isnan(np.asarray(line.get_ydata(), dtype=float)))


def _bounce_with_adam(explorer):
    """Adam on an ill-conditioned bowl: it dips below 1e-8, bounces back up, then settles."""
    with explorer.batch_updates():
        explorer.optimizer.value = "adam"
        explorer.condition_number.value = 300.0
        explorer.iterations.value = 3000


def test_the_measured_rate_line_starts_at_the_highest_point_of_a_bouncing_run(explorer):
    # Drawn back to the start of the fitted half, the fitted line would rise far above the run.
    _bounce_with_adam(explorer)
    steps, gaps = (np.asarray(values, dtype=float) for values in explorer.view.gap_line_.get_data())
    x, y = (np.asarray(values, dtype=float) for values in explorer.view.measured_line_.get_data())
    assert x.size == 2 and x[0] < x[1]
    start = int(np.flatnonzero(steps == x[0])[0])
    assert y[0] == pytest.approx(gaps[start], rel=1e-9)
    assert gaps[start] == pytest.approx(gaps[(steps >= x[0]) & (steps <= x[1])].max(), rel=1e-12)
    _assert_shows_core_run(explorer)
    _assert_healthy(explorer)


def test_a_run_that_dips_below_the_target_and_leaves_it_again_is_told_so(explorer):
    _bounce_with_adam(explorer)
    _, _, result, gaps, _ = _core_run(**_state(explorer))
    below = gaps <= 1e-8
    first = int(result.steps[np.argmax(below)])
    settled = int(result.steps[np.flatnonzero(~below)[-1] + 1])
    assert first < settled, "the case should bounce back above the target"
    assert f"f − f* ≤ 1e-8 after {first} steps, and for good after {settled} steps." in (
        _summary(explorer)
    )
