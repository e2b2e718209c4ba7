import math

import numpy as np
import pytest
import scipy.linalg
import sklearn.linear_model
from hypothesis import given, settings
from hypothesis import strategies as st
from numpy.testing import assert_allclose, assert_array_equal

from calcwidgets.core import (
    ConvergenceTheory,
    LeastSquares,
    QuadraticLoss,
    Status,
    convergence_theory,
    gradient_descent_closed_form,
    gradient_descent_sweep,
    loss_surface,
    measured_rate,
    optimize,
    predicted_rate,
    quadratic_bowl,
    stability_bound,
)
from calcwidgets.core.results import divergence_limit

property_settings = settings(max_examples=40, deadline=None)


# --- independent references ------------------------------------------------------------


def random_quadratic(rng, d, *, condition=30.0, flat=0):
    """H = Q diag(λ) Qᵀ with a random rotation, λ log-spaced in [L/κ, L], `flat` zeros."""
    rotation, _ = np.linalg.qr(rng.standard_normal((d, d)))
    eigenvalues = np.geomspace(1.0 / condition, 1.0, d) * rng.uniform(0.5, 5.0)
    eigenvalues[:flat] = 0.0
    hessian = rotation @ np.diag(eigenvalues) @ rotation.T
    hessian = (hessian + hessian.T) / 2
    # With flat directions keep the linear term in the range of H, so a minimizer exists.
    linear = hessian @ rng.standard_normal(d) if flat else rng.standard_normal(d)
    return hessian, linear, float(rng.standard_normal())


def value_of(hessian, linear, constant, w):
    return 0.5 * np.einsum("...i,ij,...j->...", w, hessian, w) - w @ linear + constant


def gd_loop(gradient, w0, learning_rate, iterations):
    """The textbook loop w ← w − η∇f(w), every iterate kept."""
    path = [np.array(w0, dtype=float)]
    for _ in range(iterations):
        path.append(path[-1] - learning_rate * gradient(path[-1]))
    return np.array(path)


def largest_eigenvalue(hessian):
    return float(np.linalg.eigvalsh(hessian)[-1])


# --- QuadraticLoss -----------------------------------------------------------------------


@pytest.mark.parametrize("seed", range(4))
def test_quadratic_loss_against_numpy(seed):
    rng = np.random.default_rng(seed)
    d = 2 + seed
    hessian, linear, constant = random_quadratic(rng, d)
    loss = QuadraticLoss(hessian, linear, constant)
    reference = np.linalg.eigvalsh(hessian)
    assert_allclose(loss.eigenvalues, reference, rtol=1e-12)
    assert loss.lipschitz == pytest.approx(reference[-1], rel=1e-12)
    assert loss.mu == pytest.approx(reference[0], rel=1e-10)
    assert loss.condition_number == pytest.approx(reference[-1] / reference[0], rel=1e-10)
    vectors = loss.eigenvectors
    assert_allclose(hessian @ vectors, vectors * loss.eigenvalues, atol=1e-12)
    assert_allclose(loss.minimizer, np.linalg.solve(hessian, linear), rtol=1e-10)
    assert loss.min_value == pytest.approx(
        value_of(hessian, linear, constant, np.linalg.solve(hessian, linear)), rel=1e-10
    )
    stack = rng.standard_normal((3, 4, d))
    assert_allclose(loss.value(stack), value_of(hessian, linear, constant, stack), rtol=1e-12)
    assert isinstance(loss.value(stack[0, 0]), float)
    assert_allclose(loss.gradient(stack), stack @ hessian - linear, rtol=1e-12, atol=1e-14)
    w, h = stack[0, 0], 1e-5
    central = [(loss.value(w + h * e) - loss.value(w - h * e)) / (2 * h) for e in np.eye(d)]
    assert_allclose(loss.gradient(w), central, rtol=1e-7, atol=1e-8)
    assert loss.smooth_gradient(w) == pytest.approx(loss.gradient(w))
    assert loss.n_features == d and loss.l1 == 0.0 and loss.l2 == 0.0
    assert "condition_number" in repr(loss)


def test_singular_hessian_gives_minimum_norm_minimizer_and_infinite_condition():
    rng = np.random.default_rng(7)
    hessian, linear, constant = random_quadratic(rng, 4, flat=2)
    loss = QuadraticLoss(hessian, linear, constant)
    assert loss.mu == 0.0
    assert loss.condition_number == math.inf
    assert_allclose(loss.minimizer, np.linalg.pinv(hessian) @ linear, rtol=1e-8, atol=1e-10)
    assert_allclose(loss.gradient(loss.minimizer), 0.0, atol=1e-10)


def test_unbounded_quadratic_has_no_minimizer():
    loss = QuadraticLoss(np.diag([1.0, 0.0]), [0.0, 1.0])
    with pytest.raises(ValueError, match="unbounded below"):
        _ = loss.minimizer
    with pytest.raises(ValueError, match="unbounded below"):
        loss_surface(loss, [0.0, 1.0], [0.0, 1.0])


def test_from_least_squares_matches_the_data_and_scikit_learn():
    rng = np.random.default_rng(3)
    n, d, l2 = 200, 5, 0.3
    X = rng.standard_normal((n, d))
    y = X @ rng.standard_normal(d) + 0.1 * rng.standard_normal(n)
    loss = QuadraticLoss.from_least_squares(LeastSquares(X, y, l2=l2))
    w = rng.standard_normal((6, d))
    direct = np.mean((w @ X.T - y) ** 2, axis=1) + l2 * np.sum(w**2, axis=1)
    assert_allclose(loss.value(w), direct, rtol=1e-12)
    assert_allclose(
        loss.eigenvalues, np.linalg.eigvalsh(2 * (X.T @ X / n + l2 * np.eye(d))), rtol=1e-12
    )
    # scikit-learn's Ridge minimizes ‖y − Xw‖² + α‖w‖², which is n times ours with α = n·l2.
    ridge = sklearn.linear_model.Ridge(alpha=n * l2, fit_intercept=False, solver="cholesky")
    assert_allclose(loss.minimizer, ridge.fit(X, y).coef_, rtol=1e-10)


def test_from_least_squares_reuses_the_eigendecomposition(monkeypatch):
    rng = np.random.default_rng(4)
    objective = LeastSquares(rng.standard_normal((50, 3)), rng.standard_normal(50))
    _ = objective.gram_eigen  # computed once per data set

    def no_eigh(*args, **kwargs):
        raise AssertionError("from_least_squares must reuse gram_eigen")

    monkeypatch.setattr(np.linalg, "eigh", no_eigh)
    for l2 in (0.0, 0.1, 10.0):
        penalized = objective.with_penalty(l2=l2)
        loss = QuadraticLoss.from_least_squares(penalized)
        assert_allclose(loss.eigenvalues, 2 * (objective.gram_eigen[0] + l2), rtol=1e-12)
        assert_allclose(loss.hessian, penalized.hessian(), rtol=1e-12)


def test_from_least_squares_needs_only_the_statistics():
    class Statistics:
        gram = np.array([[2.0, 0.5], [0.5, 1.0]])
        moment = np.array([1.0, -1.0])
        target_moment = 3.0
        l2, l1 = 0.25, 0.0
        gram_eigen = np.linalg.eigh(gram)

    loss = QuadraticLoss.from_least_squares(Statistics())
    assert_allclose(
        loss.minimizer, np.linalg.solve(Statistics.gram + 0.25 * np.eye(2), Statistics.moment)
    )


def test_from_least_squares_rejects_l1_and_other_objects():
    rng = np.random.default_rng(5)
    lasso = LeastSquares(rng.standard_normal((20, 2)), rng.standard_normal(20), l1=0.1)
    with pytest.raises(ValueError, match=r"objective.l1 must be 0.*l1=0.1"):
        QuadraticLoss.from_least_squares(lasso)
    with pytest.raises(TypeError, match="lacks gram, moment"):
        QuadraticLoss.from_least_squares(object())
    with pytest.raises(TypeError, match="loss must be a QuadraticLoss"):
        gradient_descent_closed_form("bowl", [0.0, 0.0], 0.1, 10)


@pytest.mark.parametrize(
    ("hessian", "linear", "message"),
    [
        ([[1.0, 2.0], [0.0, 1.0]], [0.0, 0.0], r"hessian must be symmetric.*max \|H − Hᵀ\| = 2"),
        ([[1.0, 0.0], [0.0, -0.5]], [0.0, 0.0], "positive semi-definite.*-0.5"),
        ([[0.0, 0.0], [0.0, 0.0]], [0.0, 0.0], "must have a positive eigenvalue"),
        ([[1.0, 0.0, 0.0], [0.0, 1.0, 0.0]], [0.0, 0.0], r"square \(d, d\).*\(2, 3\)"),
        ([1.0, 2.0], [0.0, 0.0], "hessian must be 2-D"),
        ([[1.0, 0.0], [0.0, np.nan]], [0.0, 0.0], "hessian must contain only finite"),
        (np.eye(2), [0.0, 0.0, 1.0], r"linear must have shape \(2\)"),
    ],
)
def test_quadratic_loss_rejects_bad_input(hessian, linear, message):
    with pytest.raises(ValueError, match=message):
        QuadraticLoss(hessian, linear)


def test_non_finite_weights_give_non_finite_values_quietly():
    loss = quadratic_bowl(2.0)
    assert not np.isfinite(loss.value([np.inf, 0.0]))
    assert np.isnan(loss.gradient([np.nan, 1.0])).any()


def test_iterative_gradient_descent_on_a_quadratic_loss_agrees():
    # QuadraticLoss offers the full-batch objective protocol the optimizers use.
    bowl = quadratic_bowl(8.0, angle=0.3)
    for eta in (0.5, 2.2):
        iterative = optimize(bowl, [1.0, -2.0], method="gd", learning_rate=eta, iterations=400)
        closed = gradient_descent_closed_form(bowl, [1.0, -2.0], eta, 400)
        assert iterative.status is closed.status
        assert iterative.diverged_at == closed.diverged_at
        assert_array_equal(iterative.steps, closed.steps)
        assert_allclose(iterative.path, closed.path, rtol=1e-9, atol=1e-12)


def test_weights_of_the_wrong_shape_are_named():
    loss = quadratic_bowl(2.0)
    with pytest.raises(ValueError, match=r"weights must have shape \(2,\) or \(\.\.\., 2\)"):
        loss.value([1.0, 2.0, 3.0])


# --- quadratic_bowl ----------------------------------------------------------------------


@pytest.mark.parametrize(("condition", "largest", "angle"), [(1.0, 1.0, 0.0), (25.0, 3.0, 0.7)])
def test_quadratic_bowl(condition, largest, angle):
    center = np.array([0.5, -2.0])
    bowl = quadratic_bowl(condition, largest_eigenvalue=largest, angle=angle, center=center)
    assert_allclose(np.linalg.eigvalsh(bowl.hessian), [largest / condition, largest])
    assert bowl.condition_number == pytest.approx(condition)
    steep = np.array([math.cos(angle), math.sin(angle)])
    assert_allclose(bowl.hessian @ steep, largest * steep, atol=1e-12)
    assert_allclose(bowl.minimizer, center, atol=1e-12)
    assert bowl.min_value == pytest.approx(0.0, abs=1e-12)
    w = np.array([1.0, 1.0])
    assert bowl.value(w) == pytest.approx(0.5 * (w - center) @ bowl.hessian @ (w - center))


def test_quadratic_bowl_rejects_bad_input():
    with pytest.raises(ValueError, match="condition_number must be ≥ 1, got 0.5"):
        quadratic_bowl(0.5)
    with pytest.raises(ValueError, match="largest_eigenvalue must be > 0"):
        quadratic_bowl(2.0, largest_eigenvalue=0.0)
    with pytest.raises(ValueError, match=r"center must have shape \(2\)"):
        quadratic_bowl(2.0, center=(0.0, 0.0, 0.0))


# --- gradient descent in closed form -----------------------------------------------------


def assert_matches_loop(run, loop_path, loop_losses, loop_gradient_norms):
    scale = max(1.0, float(np.max(np.abs(loop_path))))
    steps = run.steps
    assert np.max(np.abs(run.path - loop_path[steps])) <= 1e-10 * scale
    loss_scale = max(1.0, float(np.max(np.abs(loop_losses))))
    assert_allclose(run.losses, loop_losses[steps], rtol=1e-10, atol=1e-12 * loss_scale)
    # The loop's gradient has a round-off floor; compare above it.
    above = loop_gradient_norms[steps] > 1e-6 * loop_gradient_norms[0]
    assert_allclose(run.gradient_norms[above], loop_gradient_norms[steps][above], rtol=1e-8)


@pytest.mark.parametrize("seed", range(6))
def test_closed_form_equals_the_loop_on_random_spd_problems(seed):
    rng = np.random.default_rng(seed)
    d = int(rng.integers(1, 9))
    hessian, linear, constant = random_quadratic(rng, d, condition=rng.uniform(1, 100))
    loss = QuadraticLoss(hessian, linear, constant)
    eta = rng.uniform(0.05, 1.95) / largest_eigenvalue(hessian)
    w0 = 3 * rng.standard_normal(d)
    run = gradient_descent_closed_form(loss, w0, eta, 300, tolerance=0.0)
    path = gd_loop(lambda w: hessian @ w - linear, w0, eta, 300)
    losses = value_of(hessian, linear, constant, path)
    norms = np.linalg.norm(path @ hessian - linear, axis=1)
    assert run.method == "gd"
    assert run.status is Status.MAX_ITERATIONS
    assert_array_equal(run.steps, np.arange(301))
    assert_matches_loop(run, path, losses, norms)


@pytest.mark.parametrize("l2", [0.0, 0.05])
def test_closed_form_equals_the_loop_on_mse_with_l2(l2):
    rng = np.random.default_rng(11)
    n, d = 300, 6
    X = rng.standard_normal((n, d)) * np.linspace(0.2, 2.0, d)
    y = X @ rng.standard_normal(d) + 0.3 * rng.standard_normal(n)
    objective = LeastSquares(X, y, l2=l2)

    def gradient(w):
        return 2 * X.T @ (X @ w - y) / n + 2 * l2 * w

    w0 = rng.standard_normal(d)
    eta = 1.5 / largest_eigenvalue(2 * (X.T @ X / n + l2 * np.eye(d)))
    run = gradient_descent_closed_form(objective, w0, eta, 400, tolerance=0.0)
    path = gd_loop(gradient, w0, eta, 400)
    losses = np.mean((path @ X.T - y) ** 2, axis=1) + l2 * np.sum(path**2, axis=1)
    norms = np.linalg.norm([gradient(w) for w in path], axis=1)
    assert_matches_loop(run, path, losses, norms)


def test_closed_form_with_a_flat_direction_equals_the_loop():
    # f = ½w₀² − w₁: no minimizer; GD drifts along w₁ by η per step forever.
    hessian, linear = np.diag([1.0, 0.0]), np.array([0.0, 1.0])
    run = gradient_descent_closed_form(QuadraticLoss(hessian, linear), [2.0, 0.0], 0.5, 50)
    path = gd_loop(lambda w: hessian @ w - linear, [2.0, 0.0], 0.5, 50)
    assert_allclose(run.path, path, rtol=1e-12, atol=1e-14)
    assert_allclose(run.losses, value_of(hessian, linear, 0.0, path), rtol=1e-12, atol=1e-14)
    assert run.status is Status.MAX_ITERATIONS
    assert np.all(np.diff(run.losses) < 0)


def test_convergence_stops_at_the_first_small_gradient():
    rng = np.random.default_rng(21)
    hessian, linear, constant = random_quadratic(rng, 5, condition=50.0)
    eta = 1.0 / largest_eigenvalue(hessian)
    w0 = rng.standard_normal(5)
    run = gradient_descent_closed_form(
        QuadraticLoss(hessian, linear, constant), w0, eta, 5000, tolerance=1e-6
    )
    path = gd_loop(lambda w: hessian @ w - linear, w0, eta, 5000)
    norms = np.linalg.norm(path @ hessian - linear, axis=1)
    first = int(np.argmax(norms <= 1e-6))
    assert run.status is Status.CONVERGED
    assert run.steps[-1] == first
    assert run.gradient_norms[-1] <= 1e-6 < run.gradient_norms[-2]
    assert f"at iteration {first}" in run.message
    assert run.diverged_at is None


def test_divergence_is_found_exactly_and_explained():
    # L = 5, 2/L = 0.4, η = 0.5: the steep component is multiplied by |1 − 2.5| = 1.5.
    hessian = np.diag([5.0, 1.0])
    loss = QuadraticLoss(hessian, [0.0, 0.0])
    w0 = np.array([1.0, 1.0])
    run = gradient_descent_closed_form(loss, w0, 0.5, 500)
    path = gd_loop(lambda w: hessian @ w, w0, 0.5, 500)
    losses = value_of(hessian, np.zeros(2), 0.0, path)
    first = int(np.argmax(losses > divergence_limit(losses[0])))
    assert run.status is Status.DIVERGED
    assert run.diverged_at == first
    assert run.steps[-1] == first - 1
    assert np.all(np.isfinite(run.losses))
    assert run.message.startswith(
        "η = 0.5 > 2/L = 0.4: each step multiplies the error along the steepest direction "
        "by |1 − ηL| = 1.5"
    )
    assert f"at iteration {first}" in run.message


def test_enormous_step_diverges_quietly():
    # filterwarnings=error turns any overflow RuntimeWarning into a failure.
    run = gradient_descent_closed_form(quadratic_bowl(10.0), [1.0, 1.0], 1e6, 10_000)
    assert run.status is Status.DIVERGED
    assert run.diverged_at == 2
    sweep = gradient_descent_sweep(quadratic_bowl(10.0), [1.0, 1.0], [1e-3, 1e6, 1e300], 10_000)
    assert sweep.statuses[1:] == (Status.DIVERGED, Status.DIVERGED)


def test_step_exactly_at_the_stability_bound_oscillates_forever():
    hessian = np.diag([4.0, 1.0])
    loss = QuadraticLoss(hessian, [0.0, 0.0])
    run = gradient_descent_closed_form(loss, [1.0, 1.0], 0.5, 200)
    path = gd_loop(lambda w: hessian @ w, [1.0, 1.0], 0.5, 200)
    assert_allclose(run.path, path, atol=1e-14)
    assert run.status is Status.MAX_ITERATIONS
    assert_allclose(np.abs(run.path[:, 0]), 1.0)
    assert "oscillates forever" in run.message and "η < 2/L" in run.message


def test_unstable_step_without_a_component_along_the_steep_direction():
    hessian = np.diag([4.0, 1.0])
    loss = QuadraticLoss(hessian, [0.0, 0.0])
    run = gradient_descent_closed_form(loss, [0.0, 1.0], 0.6, 300, tolerance=0.0)
    path = gd_loop(lambda w: hessian @ w, [0.0, 1.0], 0.6, 300)
    assert_allclose(run.path, path, atol=1e-14)
    assert run.status is Status.MAX_ITERATIONS
    assert "no component along it" in run.message
    converged = gradient_descent_closed_form(loss, [0.0, 1.0], 0.6, 300)
    assert converged.status is Status.CONVERGED
    assert "although η = 0.6 > 2/L = 0.5" in converged.message


def test_unstable_run_that_has_not_yet_diverged_says_so():
    run = gradient_descent_closed_form(quadratic_bowl(2.0), [1.0, 1.0], 2.02, 20)
    assert run.status is Status.MAX_ITERATIONS
    assert "grows by |1 − ηL| = 1.02 per step" in run.message


def test_exact_one_step_convergence_when_every_factor_is_zero():
    loss = QuadraticLoss(3.0 * np.eye(3), [3.0, 0.0, -3.0])
    run = gradient_descent_closed_form(loss, [5.0, 5.0, 5.0], 1.0 / 3.0, 100, tolerance=0.0)
    assert run.status is Status.CONVERGED
    assert_array_equal(run.steps, [0, 1])
    assert run.gradient_norms[-1] == 0.0
    assert_allclose(run.path[-1], [1.0, 0.0, -1.0])


@st.composite
def convex_quadratics(draw):
    seed = draw(st.integers(0, 2**32 - 1))
    d = draw(st.integers(1, 5))
    flat = draw(st.integers(0, d - 1))
    condition = draw(st.floats(1.0, 1e4))
    rng = np.random.default_rng(seed)
    hessian, linear, constant = random_quadratic(rng, d, condition=condition, flat=flat)
    return QuadraticLoss(hessian, linear, constant), rng.standard_normal(d) * 10.0


@property_settings
@given(convex_quadratics(), st.floats(0.001, 0.999), st.integers(1, 3000))
def test_loss_never_increases_below_the_stability_bound(problem, fraction, iterations):
    loss, w0 = problem
    run = gradient_descent_closed_form(
        loss, w0, fraction * 2.0 / loss.lipschitz, iterations, max_points=300
    )
    assert run.status is not Status.DIVERGED
    slack = 1e-12 * (1.0 + float(np.max(np.abs(run.losses))))
    assert np.all(np.diff(run.losses) <= slack)
    assert np.all(np.diff(run.gradient_norms) <= 1e-12 * run.gradient_norms[0])


@property_settings
@given(convex_quadratics(), st.floats(1.05, 50.0), st.floats(0.01, 1.0))
def test_step_above_the_stability_bound_diverges(problem, excess, steep_part):
    loss, w0 = problem
    steep = loss.eigenvectors[:, -1]
    start = w0 + steep_part * steep - (w0 @ steep) * steep
    eta = excess * 2.0 / loss.lipschitz
    run = gradient_descent_closed_form(loss, start, eta, 5000, max_points=64)
    assert run.status is Status.DIVERGED
    assert run.diverged and run.diverged_at is not None
    assert np.all(np.isfinite(run.losses))
    limit = divergence_limit(loss.value(start))
    assert np.all(run.losses <= limit)
    assert "> 2/L" in run.message
    # The loop agrees on the iteration where the loss passes the limit.
    path = gd_loop(loss.gradient, start, eta, run.diverged_at)
    losses = loss.value(path)
    assert losses[-1] > limit or not np.isfinite(losses[-1])
    assert losses[-2] <= limit


# --- recording ---------------------------------------------------------------------------


@pytest.mark.parametrize(("iterations", "max_points"), [(10_000, 512), (1000, 64), (600, 512)])
def test_log_spaced_recording_matches_the_full_recording(iterations, max_points):
    rng = np.random.default_rng(2)
    loss = QuadraticLoss(*random_quadratic(rng, 4, condition=1e4))
    w0 = rng.standard_normal(4)
    eta = 1.0 / loss.lipschitz
    full = gradient_descent_closed_form(loss, w0, eta, iterations, tolerance=0.0)
    spaced = gradient_descent_closed_form(
        loss, w0, eta, iterations, tolerance=0.0, max_points=max_points
    )
    steps = spaced.steps
    assert steps[0] == 0 and steps[-1] == iterations
    assert np.all(np.diff(steps) > 0)
    assert len(steps) == min(max_points, iterations + 1)
    # Log-spaced: the gaps never shrink.
    assert np.all(np.diff(np.diff(steps)) >= -1)
    assert_allclose(spaced.path, full.path[steps], rtol=1e-13, atol=1e-15)
    assert_allclose(spaced.losses, full.losses[steps], rtol=1e-13)
    assert_allclose(spaced.gradient_norms, full.gradient_norms[steps], rtol=1e-13)


def test_log_spaced_recording_ends_at_convergence():
    run = gradient_descent_closed_form(
        quadratic_bowl(100.0), [1.0, 1.0], 1.0, 100_000, max_points=100
    )
    assert run.status is Status.CONVERGED
    assert len(run.steps) == 100
    assert run.gradient_norms[-1] <= 1e-8


# --- the sweep ---------------------------------------------------------------------------


def test_sweep_rows_equal_single_runs():
    rng = np.random.default_rng(8)
    loss = QuadraticLoss(*random_quadratic(rng, 5, condition=20.0))
    w0 = rng.standard_normal(5)
    bound = 2.0 / loss.lipschitz
    rates = np.array([0.01, 0.3, 0.9, 1.0, 1.02, 1.5, 3.0]) * bound
    sweep = gradient_descent_sweep(loss, w0, rates, 800, max_points=None, tolerance=1e-7)
    assert sweep.losses.shape == (rates.size, 801)
    assert_array_equal(sweep.steps, np.arange(801))
    assert_allclose(sweep.learning_rates, rates)
    for row, eta in enumerate(rates):
        single = gradient_descent_closed_form(loss, w0, eta, 800, tolerance=1e-7)
        assert sweep.statuses[row] is single.status
        assert sweep.diverged_at[row] == single.diverged_at
        last = int(single.steps[-1])
        assert_allclose(sweep.losses[row, : last + 1], single.losses, rtol=1e-12)
        if single.status is Status.CONVERGED:
            assert sweep.converged_at[row] == last
        else:
            assert sweep.converged_at[row] is None
        if single.diverged:
            assert np.all(np.isnan(sweep.losses[row, single.diverged_at :]))
        else:
            assert np.all(np.isfinite(sweep.losses[row]))
    expected = np.max(np.abs(1.0 - np.outer(rates, np.linalg.eigvalsh(loss.hessian))), axis=1)
    assert_allclose(sweep.predicted_rates, expected, rtol=1e-10)
    assert sweep.statuses[0] is Status.MAX_ITERATIONS
    assert sweep.statuses[-1] is Status.DIVERGED


def test_sweep_with_log_spaced_steps():
    bowl = quadratic_bowl(50.0)
    rates = np.geomspace(0.01, 3.0, 64)
    sweep = gradient_descent_sweep(bowl, [1.0, -1.0], rates, 10_000, max_points=128)
    assert sweep.losses.shape == (64, 128)
    assert sweep.steps[-1] == 10_000
    single = gradient_descent_closed_form(bowl, [1.0, -1.0], rates[20], 10_000, tolerance=0.0)
    assert_allclose(sweep.losses[20], single.losses[sweep.steps], rtol=1e-12, atol=1e-300)
    assert np.all((rates > 2.0) == [s is Status.DIVERGED for s in sweep.statuses])
    with pytest.raises(ValueError, match="learning_rates must all be > 0, got minimum -1"):
        gradient_descent_sweep(bowl, [1.0, 1.0], [0.1, -1.0], 10)


# --- loss surface ------------------------------------------------------------------------


def test_loss_surface_equals_direct_evaluation():
    rng = np.random.default_rng(9)
    hessian, linear, constant = random_quadratic(rng, 4)
    loss = QuadraticLoss(hessian, linear, constant)
    first, second = np.linspace(-2, 3, 7), np.linspace(-1, 1, 5)
    through = rng.standard_normal(4)
    surface = loss_surface(loss, first, second, axes=(2, 0), through=through)
    assert surface.shape == (5, 7)
    for j, t in enumerate(second):
        for i, s in enumerate(first):
            w = through.copy()
            w[2], w[0] = s, t
            assert surface[j, i] == pytest.approx(value_of(hessian, linear, constant, w), rel=1e-12)
    at_minimum = loss_surface(loss, first, second)
    grid = np.broadcast_to(loss.minimizer, (5, 7, 4)).copy()
    grid[..., 0], grid[..., 1] = np.meshgrid(first, second)
    assert_allclose(at_minimum, value_of(hessian, linear, constant, grid), rtol=1e-12)
    assert np.min(at_minimum) >= loss.min_value - 1e-12


def test_loss_surface_rejects_bad_axes():
    bowl = quadratic_bowl(2.0)
    with pytest.raises(ValueError, match="two different coordinates"):
        loss_surface(bowl, [0.0], [0.0], axes=(1, 1))
    with pytest.raises(ValueError, match=r"axes\[1\] must be ≤ 1, got 2"):
        loss_surface(bowl, [0.0], [0.0], axes=(0, 2))
    with pytest.raises(ValueError, match="at least 2 coordinates"):
        loss_surface(QuadraticLoss([[1.0]], [0.0]), [0.0], [0.0])
    with pytest.raises(ValueError, match=r"through must have shape \(2\)"):
        loss_surface(bowl, [0.0], [0.0], through=[0.0])


# --- convergence theory ------------------------------------------------------------------


def test_convergence_theory_formulas():
    rng = np.random.default_rng(12)
    hessian, linear, _ = random_quadratic(rng, 6, condition=40.0)
    eigenvalues = np.linalg.eigvalsh(hessian)
    L, mu = eigenvalues[-1], eigenvalues[0]
    kappa = L / mu
    theory = convergence_theory(QuadraticLoss(hessian, linear))
    assert isinstance(theory, ConvergenceTheory)
    assert theory.lipschitz == pytest.approx(L)
    assert theory.mu == pytest.approx(mu)
    assert theory.condition_number == pytest.approx(kappa)
    assert theory.stability_bound == pytest.approx(2 / L)
    assert theory.best_learning_rate == pytest.approx(2 / (mu + L))
    assert theory.best_rate == pytest.approx((kappa - 1) / (kappa + 1))
    assert theory.heavy_ball_learning_rate == pytest.approx(4 / (math.sqrt(L) + math.sqrt(mu)) ** 2)
    root = math.sqrt(kappa)
    assert theory.heavy_ball_momentum == pytest.approx(((root - 1) / (root + 1)) ** 2)
    assert theory.heavy_ball_rate == pytest.approx((root - 1) / (root + 1))


def test_convergence_theory_without_strong_convexity():
    theory = convergence_theory(QuadraticLoss(np.diag([0.0, 2.0]), [0.0, 1.0]))
    assert theory.condition_number == math.inf
    assert theory.best_rate == 1.0 and theory.heavy_ball_rate == 1.0
    assert theory.best_learning_rate == pytest.approx(1.0)


def test_predicted_rate_and_the_best_step():
    rng = np.random.default_rng(13)
    loss = QuadraticLoss(*random_quadratic(rng, 5, condition=25.0))
    eigenvalues = np.linalg.eigvalsh(loss.hessian)
    rates = np.linspace(0.1, 3.0, 9) / eigenvalues[-1]
    assert_allclose(
        predicted_rate(loss, rates), np.max(np.abs(1 - np.outer(rates, eigenvalues)), axis=1)
    )
    theory = convergence_theory(loss)
    assert predicted_rate(loss, theory.best_learning_rate) == pytest.approx(theory.best_rate)
    # No fixed step does better than the best one.
    assert (
        np.min(predicted_rate(loss, np.linspace(0.5, 1.5, 101) * theory.best_learning_rate))
        >= theory.best_rate - 1e-12
    )


@pytest.mark.parametrize("fraction", [0.3, 1.0, 1.6])
def test_measured_rate_of_a_gd_run_matches_the_prediction(fraction):
    rng = np.random.default_rng(14)
    loss = quadratic_bowl(20.0, largest_eigenvalue=2.0, angle=0.4)
    eta = fraction / loss.lipschitz
    run = gradient_descent_closed_form(loss, rng.standard_normal(2), eta, 3000, tolerance=0.0)
    errors = np.linalg.norm(run.path - loss.minimizer, axis=1)
    expected = np.max(np.abs(1 - eta * np.linalg.eigvalsh(loss.hessian)))
    assert measured_rate(errors, run.steps) == pytest.approx(expected, rel=1e-3)
    # The loss gap contracts by the square of the error rate.
    gaps = run.losses - loss.min_value
    assert measured_rate(gaps, run.steps) == pytest.approx(expected**2, rel=1e-3)


def test_best_step_measured_rate():
    loss = QuadraticLoss(*random_quadratic(np.random.default_rng(15), 4, condition=30.0))
    theory = convergence_theory(loss)
    run = gradient_descent_closed_form(
        loss, np.ones(4), theory.best_learning_rate, 2000, tolerance=0.0, max_points=200
    )
    errors = np.linalg.norm(run.path - loss.minimizer, axis=1)
    kappa = theory.condition_number
    assert measured_rate(errors, run.steps) == pytest.approx((kappa - 1) / (kappa + 1), rel=1e-3)


def heavy_ball_errors(loss, w0, learning_rate, momentum, iterations):
    """w_{k+1} = w_k − η∇f(w_k) + β(w_k − w_{k−1}), errors ‖w_k − w*‖."""
    previous, current = w0.copy(), w0.copy()
    errors = [np.linalg.norm(current - loss.minimizer)]
    for _ in range(iterations):
        following = (
            current - learning_rate * loss.gradient(current) + momentum * (current - previous)
        )
        previous, current = current, following
        errors.append(np.linalg.norm(current - loss.minimizer))
        if errors[-1] > 1e100:
            break
    return np.array(errors)


def test_heavy_ball_with_optimal_parameters_reaches_the_predicted_rate():
    loss = QuadraticLoss(*random_quadratic(np.random.default_rng(16), 5, condition=400.0))
    theory = convergence_theory(loss)
    errors = heavy_ball_errors(
        loss, np.ones(5), theory.heavy_ball_learning_rate, theory.heavy_ball_momentum, 600
    )
    assert theory.heavy_ball_rate == pytest.approx(math.sqrt(theory.heavy_ball_momentum))
    # A double root at the extreme eigenvalues adds a factor k, hence the loose tolerance.
    assert measured_rate(errors) == pytest.approx(theory.heavy_ball_rate, rel=0.01)
    assert predicted_rate(
        loss, theory.heavy_ball_learning_rate, theory.heavy_ball_momentum
    ) == pytest.approx(theory.heavy_ball_rate, rel=1e-6)
    # Far faster than the best plain step.
    assert theory.heavy_ball_rate < theory.best_rate


@pytest.mark.parametrize(("learning_rate", "momentum"), [(0.3, 0.0), (0.5, 0.5), (0.9, 0.8)])
def test_heavy_ball_rate_is_the_spectral_radius_of_the_iteration(learning_rate, momentum):
    loss = QuadraticLoss(*random_quadratic(np.random.default_rng(17), 3, condition=10.0))
    d, hessian = 3, loss.hessian
    eta = learning_rate * stability_bound(loss, momentum)
    # The state (w_k, w_{k−1}) evolves by this matrix.
    iteration = np.block(
        [
            [(1 + momentum) * np.eye(d) - eta * hessian, -momentum * np.eye(d)],
            [np.eye(d), np.zeros((d, d))],
        ]
    )
    radius = np.max(np.abs(scipy.linalg.eigvals(iteration)))
    assert predicted_rate(loss, eta, momentum) == pytest.approx(radius, rel=1e-6)


@pytest.mark.parametrize("momentum", [0.0, 0.5, 0.9])
def test_heavy_ball_stability_bound(momentum):
    loss = QuadraticLoss(*random_quadratic(np.random.default_rng(18), 3, condition=5.0))
    bound = stability_bound(loss, momentum)
    assert bound == pytest.approx(2 * (1 + momentum) / largest_eigenvalue(loss.hessian))
    start = np.ones(3) + loss.minimizer
    stable = heavy_ball_errors(loss, start, 0.97 * bound, momentum, 3000)
    unstable = heavy_ball_errors(loss, start, 1.03 * bound, momentum, 3000)
    assert stable[-1] < stable[0] and unstable[-1] > 1e3 * unstable[0]
    assert (
        predicted_rate(loss, 0.97 * bound, momentum)
        < 1
        < predicted_rate(loss, 1.03 * bound, momentum)
    )


def test_measured_rate_on_known_sequences():
    k = np.arange(200)
    assert measured_rate(0.8**k) == pytest.approx(0.8, rel=1e-12)
    assert measured_rate(1.01**k) == pytest.approx(1.01, rel=1e-12)
    # Stops at the round-off floor instead of fitting the plateau.
    assert measured_rate(np.maximum(0.5**k, 1e-17)) == pytest.approx(0.5, rel=1e-9)
    # An oscillating sequence is fitted through its peaks.
    oscillating = 0.9**k * np.abs(np.cos(0.7 * k))
    assert measured_rate(oscillating) == pytest.approx(0.9, rel=5e-3)
    assert measured_rate([1.0, 0.5, 0.25, 0.125], steps=[0, 10, 20, 30]) == pytest.approx(0.5**0.1)


def test_theory_functions_reject_bad_input():
    bowl = quadratic_bowl(4.0)
    with pytest.raises(ValueError, match=r"momentum must be in \[0, 1\), got 1"):
        stability_bound(bowl, momentum=1.0)
    with pytest.raises(ValueError, match="momentum must be ≥ 0"):
        predicted_rate(bowl, 0.1, momentum=-0.1)
    with pytest.raises(ValueError, match="learning_rate must be > 0, got 0"):
        predicted_rate(bowl, [0.1, 0.0])
    with pytest.raises(ValueError, match="values must have at least 3 entries"):
        measured_rate([1.0, 0.5])
    with pytest.raises(ValueError, match="1 usable entries"):
        measured_rate([1.0, 1e-12, 1e-13, 0.0])
    with pytest.raises(ValueError, match="values must be non-negative"):
        measured_rate([1.0, -0.5, 0.25])
    with pytest.raises(ValueError, match="steps must be strictly increasing"):
        measured_rate([1.0, 0.5, 0.25], steps=[0, 2, 1])


# --- argument checks ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("arguments", "error", "message"),
    [
        ({"w0": [1.0, 2.0, 3.0]}, ValueError, r"w0 must have shape \(2\), got shape \(3,\)"),
        ({"w0": [[1.0, 2.0]]}, ValueError, r"w0 must have shape \(2\), got shape \(1, 2\)"),
        ({"iterations": 0}, ValueError, "iterations must be ≥ 1, got 0"),
        ({"iterations": 2.5}, TypeError, "iterations must be a whole number"),
        ({"learning_rate": 0.0}, ValueError, "learning_rate must be > 0, got 0"),
        ({"learning_rate": -0.1}, ValueError, "learning_rate must be > 0, got -0.1"),
        ({"learning_rate": math.nan}, ValueError, "learning_rate must be finite"),
        ({"max_points": 1}, ValueError, "max_points must be ≥ 2, got 1"),
        ({"tolerance": -1.0}, ValueError, "tolerance must be ≥ 0"),
    ],
)
def test_closed_form_rejects_bad_arguments(arguments, error, message):
    call = {"w0": [1.0, 1.0], "learning_rate": 0.1, "iterations": 10} | arguments
    with pytest.raises(error, match=message):
        gradient_descent_closed_form(quadratic_bowl(2.0), **call)


@pytest.mark.parametrize("max_points", [2, 3])
def test_the_fewest_recorded_points_keep_the_start_and_the_end(max_points):
    loss = QuadraticLoss(np.diag([1.0, 4.0]), np.zeros(2))
    run = gradient_descent_closed_form(
        loss, np.ones(2), 0.1, 50, max_points=max_points, tolerance=0
    )
    assert len(run.steps) == max_points
    assert run.steps[0] == 0 and run.steps[-1] == 50
    full = gradient_descent_closed_form(loss, np.ones(2), 0.1, 50, tolerance=0)
    np.testing.assert_allclose(run.path, full.path[run.steps], rtol=1e-12)
