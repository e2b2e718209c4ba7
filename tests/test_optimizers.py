"""Tests of calcwidgets.core.optimizers against independent reference recursions."""

import math
import warnings

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from numpy.testing import assert_allclose, assert_array_equal
from scipy.optimize import minimize_scalar
from sklearn.linear_model import Lasso
from sklearn.linear_model import LogisticRegression as SklearnLogisticRegression

from calcwidgets.core.models import LeastSquares, LogisticRegression
from calcwidgets.core.optimizers import (
    LEARNING_RATE_SCHEDULES,
    OPTIMIZATION_METHODS,
    gradient_step,
    learning_rate_schedule,
    optimize,
    soft_threshold,
)
from calcwidgets.core.results import Status, divergence_limit


class Quadratic:
    """f(w) = ½ wᵀAw − bᵀw + l1‖w‖₁, a protocol-conforming objective without data."""

    n_samples = 1
    l2 = 0.0

    def __init__(self, A, b, l1=0.0):
        self.A = np.atleast_2d(np.asarray(A, dtype=float))
        self.b = np.asarray(b, dtype=float)
        self.l1 = l1
        self.n_features = self.b.size

    def value(self, w):
        return float(0.5 * w @ self.A @ w - self.b @ w + self.l1 * np.abs(w).sum())

    def smooth_gradient(self, w):
        return self.A @ w - self.b


class ElementwiseObjective:
    """f(w) = Σ function(wᵢ): a user-written objective that may overflow."""

    l1 = 0.0

    def __init__(self, function, derivative):
        self.function = function
        self.derivative = derivative

    def value(self, w):
        return float(np.sum(self.function(w)))

    def smooth_gradient(self, w):
        return self.derivative(w)


def regression_data(n=60, d=5, seed=1):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, d))
    true_w = np.array([2.0, 0.0, -1.5, 0.0, 0.5, 0.0, 1.0, 0.0][:d])
    return X, X @ true_w + 0.3 * rng.normal(size=n)


def direct_gradient(X, y, w, l2=0.0):
    """Gradient of (1/n)‖Xw − y‖² + l2‖w‖² from the rows, not from XᵀX."""
    return 2.0 * X.T @ (X @ w - y) / len(y) + 2.0 * l2 * w


def largest_curvature(X, l2=0.0):
    return 2.0 * (np.linalg.eigvalsh(X.T @ X / len(X))[-1] + l2)


def shrink(v, t):
    return np.sign(v) * np.maximum(np.abs(v) - t, 0.0)


# --- learning-rate schedules -------------------------------------------------


@pytest.mark.parametrize(
    ("name", "options", "formula"),
    [
        ("constant", {}, lambda t: 0.3),
        ("step", {"factor": 0.2, "every": 7}, lambda t: 0.3 * 0.2 ** (t // 7)),
        ("exponential", {"factor": 0.9}, lambda t: 0.3 * 0.9**t),
        ("inverse_time", {"decay": 0.25}, lambda t: 0.3 / (1 + 0.25 * t)),
        (
            "cosine",
            {"floor": 0.05},
            lambda t: 0.05 + (0.3 - 0.05) * (1 + math.cos(math.pi * t / 40)) / 2,
        ),
    ],
)
def test_schedules_follow_their_formulas(name, options, formula):
    rates = learning_rate_schedule(name, 0.3, 40, **options)
    assert rates.shape == (40,)
    assert_allclose(rates, [formula(t) for t in range(40)], rtol=1e-13)


@pytest.mark.parametrize(
    ("name", "formula"),
    [
        ("step", lambda t: 0.5 ** (t // 10)),
        ("exponential", lambda t: 0.99**t),
        ("inverse_time", lambda t: 1 / (1 + 0.01 * t)),
        ("cosine", lambda t: (1 + math.cos(math.pi * t / 30)) / 2),
    ],
)
def test_schedule_defaults_are_the_documented_ones(name, formula):
    assert_allclose(learning_rate_schedule(name, 1.0, 30), [formula(t) for t in range(30)])


def test_all_schedules_start_at_the_learning_rate_and_never_grow():
    for name in LEARNING_RATE_SCHEDULES:
        rates = learning_rate_schedule(name, 0.7, 200)
        assert rates[0] == 0.7
        assert np.all(np.diff(rates) <= 0), name


def test_vanishing_rates_are_flushed_to_zero_instead_of_subnormal():
    rates = learning_rate_schedule("exponential", 1.0, 2000, factor=0.5)
    assert np.all((rates == 0) | (rates >= np.finfo(float).tiny))
    assert rates[-1] == 0.0 and rates[1000] == 0.5**1000


@pytest.mark.parametrize(
    ("call", "error", "match"),
    [
        (
            lambda: learning_rate_schedule("linear", 0.1, 10),
            ValueError,
            "name must be one of 'constant', 'step', 'exponential', 'inverse_time', 'cosine'",
        ),
        (
            lambda: learning_rate_schedule("step", 0.1, 10, gamma=0.5),
            ValueError,
            "schedule 'step' takes the options 'factor', 'every'; got unknown option.*'gamma'",
        ),
        (
            lambda: learning_rate_schedule("constant", 0.1, 10, factor=0.5),
            ValueError,
            "schedule 'constant' takes no options",
        ),
        (
            lambda: learning_rate_schedule("exponential", 0.1, 10, factor=1.5),
            ValueError,
            r"factor must be in \(0, 1\]",
        ),
        (
            lambda: learning_rate_schedule("step", 0.1, 10, every=0),
            ValueError,
            "every must be ≥ 1, got 0",
        ),
        (
            lambda: learning_rate_schedule("inverse_time", 0.1, 10, decay=-1),
            ValueError,
            "decay must be ≥ 0",
        ),
        (
            lambda: learning_rate_schedule("cosine", 0.1, 10, floor=0.2),
            ValueError,
            "floor must not exceed learning_rate=0.1",
        ),
        (lambda: learning_rate_schedule("constant", 0.0, 10), ValueError, "learning_rate must be"),
        (lambda: learning_rate_schedule("constant", 0.1, 0), ValueError, "iterations must be ≥ 1"),
    ],
)
def test_schedule_errors_are_clear(call, error, match):
    with pytest.raises(error, match=match):
        call()


# --- soft-thresholding and a single step -------------------------------------


@settings(max_examples=200, deadline=None)
@given(
    st.floats(-1e6, 1e6, allow_nan=False),
    st.floats(0, 1e6, allow_nan=False),
)
def test_soft_threshold_satisfies_the_prox_optimality_condition(v, t):
    # x = prox(v) minimizes ½(x − v)² + t|x| iff 0 ∈ x − v + t·∂|x|.
    x = float(soft_threshold([v], t)[0])
    if x == 0.0:
        assert abs(v) <= t
    else:
        assert math.isclose(x - v + t * math.copysign(1.0, x), 0.0, abs_tol=1e-9 * max(1, abs(v)))


def test_soft_threshold_is_the_minimizer_found_by_scipy():
    values = np.array([-3.0, -0.4, 0.0, 0.2, 2.5])
    thresholds = np.array([1.0, 0.5, 0.3, 0.1, 2.5])
    numerical = [
        minimize_scalar(
            lambda x, v=v, t=t: 0.5 * (x - v) ** 2 + t * abs(x),
            bounds=(-5, 5),
            method="bounded",
            options={"xatol": 1e-10},
        ).x
        for v, t in zip(values, thresholds, strict=True)
    ]
    shrunk = soft_threshold(values, thresholds)
    assert_allclose(shrunk, numerical, atol=1e-8)
    assert_array_equal(shrunk[[1, 2, 4]], 0.0)
    assert not np.signbit(shrunk[shrunk == 0]).any()


def test_soft_threshold_errors():
    with pytest.raises(ValueError, match="threshold must be ≥ 0"):
        soft_threshold([1.0], -0.1)
    with pytest.raises(ValueError, match=r"threshold must be one number or have the shape of w"):
        soft_threshold([1.0, 2.0], [0.1, 0.2, 0.3])


def test_gradient_step_moves_against_the_gradient():
    assert_allclose(gradient_step([1.0, -2.0], [4.0, -6.0], 0.25), [0.0, -0.5])


def test_gradient_step_catches_the_broken_tutorial_snippet():
    # The tutorial's loop: params of shape (1,), d_loss = 2*(y_pred − y) of shape (3,),
    # then params -= lr * d_loss, which numpy reports only as a broadcasting failure.
    x = np.array([1.0, 2.0, 3.0])
    y = 2.0 * x
    params = np.array([0.5])
    d_loss = 2 * (params * x - y)
    with pytest.raises(ValueError) as numpy_error:
        params_copy = params.copy()
        params_copy -= 0.01 * d_loss
    assert "broadcast" in str(numpy_error.value)
    with pytest.raises(
        ValueError,
        match=r"gradient has shape \(3,\) but params has shape \(1,\): .* one entry per parameter",
    ):
        gradient_step(params, d_loss, 0.01)


# --- the update rules against reference recursions ---------------------------


def test_gd_equals_the_explicit_recursion_on_least_squares():
    X, y = regression_data()
    l2 = 0.1
    rates = [0.05 / (1 + 0.1 * t) for t in range(30)]
    result = optimize(
        LeastSquares(X, y, l2=l2),
        np.zeros(5),
        learning_rate=0.05,
        iterations=30,
        schedule="inverse_time",
        schedule_options={"decay": 0.1},
        tolerance=0,
    )
    w = np.zeros(5)
    expected_path, expected_losses, expected_norms = [], [], []
    for t in range(31):
        gradient = direct_gradient(X, y, w, l2)
        expected_path.append(w)
        expected_losses.append(np.mean((X @ w - y) ** 2) + l2 * w @ w)
        expected_norms.append(np.linalg.norm(gradient))
        if t < 30:
            w = w - rates[t] * gradient
    assert result.method == "gd" and result.status is Status.MAX_ITERATIONS
    assert_array_equal(result.steps, np.arange(31))
    assert_allclose(result.path, expected_path, rtol=1e-10, atol=1e-12)
    assert_allclose(result.losses, expected_losses, rtol=1e-10)
    assert_allclose(result.gradient_norms, expected_norms, rtol=1e-10)


def reference_run(
    method, objective, w0, rate, iterations, l1=0.0, beta=0.9, beta1=0.9, beta2=0.999, epsilon=1e-8
):
    """Straightforward textbook recursions, each written out on its own."""
    gradient = objective.smooth_gradient
    w = np.array(w0, dtype=float)
    path = [w]
    if method == "momentum":
        # Polyak's heavy ball with L1 as in iPiano: w⁺ = S(w − η∇f(w) + β(w − w⁻), ηl1).
        previous = w
        for _ in range(iterations):
            w, previous = shrink(w - rate * gradient(w) + beta * (w - previous), rate * l1), w
            path.append(w)
    elif method == "nesterov":
        # Sutskever et al. 2013: v ← βv − η∇f(w + βv), w ← w + v (FISTA-like with L1).
        previous = w
        for _ in range(iterations):
            lookahead = w + beta * (w - previous)
            w, previous = shrink(lookahead - rate * gradient(lookahead), rate * l1), w
            path.append(w)
    else:
        # Kingma & Ba 2015, Algorithm 1, with a proximal step of the per-coordinate size.
        m = np.zeros_like(w)
        v = np.zeros_like(w)
        for t in range(1, iterations + 1):
            g = gradient(w)
            m = beta1 * m + (1 - beta1) * g
            v = beta2 * v + (1 - beta2) * g * g
            step = rate / (np.sqrt(v / (1 - beta2**t)) + epsilon)
            w = shrink(w - step * m / (1 - beta1**t), step * l1)
            path.append(w)
    return np.array(path)


@pytest.mark.parametrize("method", ["momentum", "nesterov", "adam"])
@pytest.mark.parametrize("l1", [0.0, 0.3])
def test_methods_follow_their_reference_recursions(method, l1):
    X, y = regression_data()
    objective = LeastSquares(X, y, l1=l1)
    w0 = np.array([0.5, -1.0, 0.0, 2.0, 0.1])
    result = optimize(objective, w0, method=method, learning_rate=0.02, iterations=60, tolerance=0)
    expected = reference_run(method, objective, w0, 0.02, 60, l1=l1)
    assert_allclose(result.path, expected, rtol=1e-9, atol=1e-12)
    assert_allclose(result.losses, [objective.value(w) for w in expected], rtol=1e-9)


def test_momentum_velocity_convention_v_equals_beta_v_minus_eta_gradient():
    # The documented form v ← βv − η∇f, w ← w + v on f = 2w², written out for two steps.
    objective = Quadratic([[4.0]], [0.0])
    result = optimize(
        objective,
        [1.0],
        method="momentum",
        momentum=0.5,
        learning_rate=0.1,
        iterations=2,
        tolerance=0,
    )
    v1 = -0.1 * 4.0 * 1.0
    w1 = 1.0 + v1
    v2 = 0.5 * v1 - 0.1 * 4.0 * w1
    assert_allclose(result.path[:, 0], [1.0, w1, w1 + v2])


@pytest.mark.parametrize("beta", [0.0, 0.5, 0.9])
def test_heavy_ball_on_a_1d_quadratic_is_stable_exactly_below_2_one_plus_beta(beta):
    curvature = 3.0
    objective = Quadratic([[curvature]], [0.0])
    bound = 2 * (1 + beta) / curvature
    inside = optimize(
        objective,
        [1.0],
        method="momentum",
        momentum=beta,
        learning_rate=0.999 * bound,
        iterations=20000,
    )
    outside = optimize(
        objective,
        [1.0],
        method="momentum",
        momentum=beta,
        learning_rate=1.001 * bound,
        iterations=20000,
    )
    assert inside.status is not Status.DIVERGED
    assert inside.final_loss < 1e-3 * inside.losses[0]
    assert outside.status is Status.DIVERGED


def test_adam_first_step_moves_each_coordinate_by_the_learning_rate():
    X, y = regression_data()
    objective = LeastSquares(X, y)
    w0 = np.array([1.0, -2.0, 0.5, 3.0, -0.7])
    result = optimize(objective, w0, method="adam", learning_rate=0.01, iterations=1)
    gradient = direct_gradient(X, y, w0)
    assert_allclose(result.path[1] - w0, -0.01 * np.sign(gradient), rtol=1e-6)


@settings(max_examples=30, deadline=None)
@given(
    st.lists(st.floats(0.1, 10.0), min_size=2, max_size=3),
    st.floats(0.05, 0.95),
    st.integers(0, 2**32 - 1),
)
def test_gd_on_convex_quadratics_descends_below_2_over_l_and_diverges_above(
    eigenvalues, fraction, seed
):
    rng = np.random.default_rng(seed)
    rotation, _ = np.linalg.qr(rng.normal(size=(len(eigenvalues), len(eigenvalues))))
    A = rotation @ np.diag(eigenvalues) @ rotation.T
    objective = Quadratic(A, rng.normal(size=len(eigenvalues)))
    w0 = rng.normal(size=len(eigenvalues))
    bound = 2 / max(eigenvalues)
    stable = optimize(objective, w0, learning_rate=fraction * bound, iterations=200)
    assert np.all(np.diff(stable.losses) <= 1e-12 * (1 + abs(stable.losses[:-1])))
    unstable = optimize(objective, w0, learning_rate=1.5 * bound, iterations=2000)
    assert unstable.status is Status.DIVERGED


# --- L1: proximal gradient descent is the lasso --------------------------------


def test_proximal_gd_finds_the_sklearn_lasso_solution_with_exact_zeros():
    X, y = regression_data(n=80, d=8, seed=3)
    lam = 0.4
    objective = LeastSquares(X, y, l1=lam)
    # sklearn's Lasso minimizes (1/(2n))‖y − Xw‖² + α‖w‖₁. Twice that is
    # (1/n)‖Xw − y‖² + 2α‖w‖₁, our objective with l1 = λ = 2α: so α = λ/2.
    rng = np.random.default_rng(0)
    for w in rng.normal(size=(5, 8)):
        sklearn_objective = np.sum((y - X @ w) ** 2) / (2 * len(y)) + lam / 2 * np.abs(w).sum()
        assert math.isclose(objective.value(w), 2 * sklearn_objective, rel_tol=1e-12)
    lasso = Lasso(alpha=lam / 2, fit_intercept=False, tol=1e-14, max_iter=100_000).fit(X, y)

    result = optimize(
        objective,
        np.zeros(8),
        learning_rate=1 / largest_curvature(X),
        iterations=20_000,
        tolerance=1e-10,
    )
    assert result.status is Status.CONVERGED
    assert_allclose(result.final_weights, lasso.coef_, atol=1e-8)
    zero = lasso.coef_ == 0
    assert zero.any() and not zero.all()
    # Coordinates whose optimum is zero end exactly at zero (no -0.0 either) ...
    assert_array_equal(result.final_weights[zero], 0.0)
    assert not np.signbit(result.final_weights[zero]).any()
    # ... and those the optimum needs leave their start at zero.
    assert np.all(result.path[0] == 0) and np.all(result.final_weights[~zero] != 0)


def test_a_weight_can_return_from_zero():
    # Start at the optimum of a stronger penalty, where a coordinate is exactly zero,
    # then relax the penalty: the proximal step lets that coordinate come back.
    X, y = regression_data(n=80, d=8, seed=3)
    strong = LeastSquares(X, y, l1=2.0)
    rate = 1 / largest_curvature(X)
    sparse = optimize(strong, np.zeros(8), learning_rate=rate, iterations=20_000).final_weights
    weak = Lasso(alpha=0.05 / 2, fit_intercept=False, tol=1e-14, max_iter=100_000).fit(X, y)
    revived = (sparse == 0) & (weak.coef_ != 0)
    assert revived.any()
    result = optimize(
        strong.with_penalty(l1=0.05), sparse, learning_rate=rate, iterations=20_000, tolerance=1e-10
    )
    assert np.all(result.final_weights[revived] != 0)
    assert_allclose(result.final_weights, weak.coef_, atol=1e-8)


def test_gradient_norm_with_l1_is_the_proximal_gradient_mapping():
    X, y = regression_data()
    objective = LeastSquares(X, y, l1=0.3)
    w0 = np.array([0.5, -1.0, 0.0, 2.0, 0.1])
    result = optimize(objective, w0, learning_rate=0.05, iterations=3, tolerance=0)
    for w, norm in zip(result.path, result.gradient_norms, strict=True):
        mapping = (w - shrink(w - 0.05 * direct_gradient(X, y, w), 0.05 * 0.3)) / 0.05
        assert math.isclose(norm, np.linalg.norm(mapping), rel_tol=1e-10)
    # At the lasso optimum the mapping vanishes although the smooth gradient does not.
    lasso = Lasso(alpha=0.15, fit_intercept=False, tol=1e-14, max_iter=100_000).fit(X, y)
    at_optimum = optimize(objective, lasso.coef_, learning_rate=0.05, iterations=1, tolerance=0)
    assert at_optimum.gradient_norms[0] < 1e-7
    assert np.linalg.norm(direct_gradient(X, y, lasso.coef_)) > 0.1


# --- a non-quadratic objective ------------------------------------------------


def test_gd_and_adam_reach_sklearns_logistic_regression():
    rng = np.random.default_rng(4)
    X = rng.normal(size=(200, 3))
    y = (X @ [1.5, -2.0, 0.5] + rng.normal(size=200) > 0).astype(float)
    l2 = 0.01
    # sklearn minimizes ½‖w‖² + C·Σ log-loss; divided by C·n that is the mean
    # log-loss + ‖w‖²/(2Cn), ours with l2 = 1/(2Cn).
    reference = SklearnLogisticRegression(
        C=1 / (2 * l2 * 200), fit_intercept=False, tol=1e-12, max_iter=10_000
    ).fit(X, y)
    objective = LogisticRegression(X, y, l2=l2)
    # The log-loss has curvature at most λ_max(XᵀX/n)/4.
    rate = 1 / (np.linalg.eigvalsh(X.T @ X / 200)[-1] / 4 + 2 * l2)
    gd = optimize(objective, np.zeros(3), learning_rate=rate, iterations=5000, tolerance=1e-10)
    assert gd.status is Status.CONVERGED
    assert_allclose(gd.final_weights, reference.coef_[0], atol=1e-7)
    adam = optimize(
        objective,
        np.zeros(3),
        method="adam",
        learning_rate=0.01,
        iterations=3000,
        schedule="cosine",
    )
    assert_allclose(adam.final_weights, reference.coef_[0], atol=1e-4)


# --- stopping rules -------------------------------------------------------------


def test_convergence_stops_at_the_first_small_gradient():
    objective = Quadratic([[2.0]], [2.0])
    result = optimize(objective, [0.0], learning_rate=0.25, iterations=1000, tolerance=1e-6)
    # w_t = 1 − 0.5ᵗ, so |∇f| = 2·0.5ᵗ falls to 1e-6 first at t = ⌈log₂(2e6)⌉.
    first = math.ceil(math.log2(2e6))
    assert result.status is Status.CONVERGED
    assert result.steps[-1] == first
    assert "at step 21" in result.message and first == 21
    assert result.gradient_norms[-1] <= 1e-6 < result.gradient_norms[-2]


@pytest.mark.parametrize("method", ["gd", "momentum"])
def test_divergence_stops_before_the_loss_passes_the_limit(method):
    X, y = regression_data()
    objective = LeastSquares(X, y)
    curvature = largest_curvature(X)
    bound = (2 if method == "gd" else 2 * 1.9) / curvature
    rate = 3 * bound
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        result = optimize(
            objective, np.zeros(5), method=method, learning_rate=rate, iterations=10_000
        )
    assert result.status is Status.DIVERGED and result.diverged
    limit = divergence_limit(result.losses[0])
    assert len(result.path) == result.diverged_at
    assert np.all(np.isfinite(result.path)) and np.all(result.losses <= limit)
    # The same recursion written out: its loss first passes the limit at diverged_at.
    w, velocity, step = np.zeros(5), np.zeros(5), 0
    while np.mean((X @ w - y) ** 2) <= limit:
        velocity = (0.9 if method == "momentum" else 0.0) * velocity - rate * direct_gradient(
            X, y, w
        )
        w, step = w + velocity, step + 1
    assert result.diverged_at == step
    assert "the learning rate is too large for this problem" in result.message
    assert f"{bound:.3g}" in result.message and f"{curvature:.3g}" in result.message


def test_overflow_is_reported_as_divergence_without_warnings():
    objective = ElementwiseObjective(np.cosh, np.sinh)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        result = optimize(objective, [1.0, 0.5], learning_rate=1000.0, iterations=50)
    # One step lands near w = −1175, where cosh overflows.
    assert result.status is Status.DIVERGED and result.diverged_at == 1
    assert_array_equal(result.path, [[1.0, 0.5]])
    assert "stopped being finite at step 1" in result.message
    assert "the learning rate is too large for this problem" in result.message


def test_a_loss_that_falls_without_bound_is_called_unbounded():
    objective = ElementwiseObjective(lambda w: -(w**2), lambda w: -2 * w)
    result = optimize(objective, [1.0], learning_rate=1.0, iterations=1000)
    assert result.status is Status.DIVERGED
    assert "unbounded below" in result.message


def test_early_stopping_stops_patience_steps_after_the_best_validation_loss():
    objective = Quadratic([[2.0]], [2.0])

    def validation(w):
        return float((w[0] - 0.6) ** 2)

    result = optimize(
        objective, [0.0], learning_rate=0.1, iterations=100, validation=validation, patience=3
    )
    # GD on (w − 1)² with η = 0.1 gives w_t = 1 − 0.8ᵗ.
    closed_form = 1 - 0.8 ** np.arange(len(result.steps))
    expected_validation = (closed_form - 0.6) ** 2
    assert result.status is Status.EARLY_STOPPED
    assert_allclose(result.validation_losses, expected_validation)
    assert result.best_step == int(np.argmin(expected_validation))
    assert result.steps[-1] == result.best_step + 3
    assert_allclose(result.path[result.best_step], [closed_form[result.best_step]])


def test_a_nan_validation_loss_never_counts_as_the_best():
    objective = Quadratic([[2.0]], [2.0])
    losses = iter([math.nan, 3.0, 2.0, math.nan, 1.0] + [5.0] * 10)
    result = optimize(
        objective,
        [0.0],
        learning_rate=0.1,
        iterations=100,
        validation=lambda w: next(losses),
        patience=4,
    )
    assert result.best_step == 4 and result.steps[-1] == 8
    assert result.status is Status.EARLY_STOPPED


def test_validation_without_patience_is_recorded_but_does_not_stop():
    objective = Quadratic([[2.0]], [2.0])
    result = optimize(
        objective,
        [0.0],
        learning_rate=0.1,
        iterations=40,
        validation=lambda w: float((w[0] - 0.6) ** 2),
        tolerance=0,
    )
    assert result.status is Status.MAX_ITERATIONS and len(result.validation_losses) == 41
    assert result.best_step == int(np.argmin(result.validation_losses))


# --- minibatches -----------------------------------------------------------------


def test_sgd_with_the_whole_batch_is_gd():
    X, y = regression_data()
    objective = LeastSquares(X, y)
    sgd = optimize(
        objective, np.zeros(5), method="sgd", batch_size=60, learning_rate=0.05, iterations=50
    )
    gd = optimize(objective, np.zeros(5), learning_rate=0.05, iterations=50)
    assert_allclose(sgd.path, gd.path, rtol=1e-12)
    assert sgd.status == gd.status


def test_sgd_follows_the_documented_sampling_scheme():
    X, y = regression_data(n=30)
    objective = LeastSquares(X, y, l2=0.05)
    result = optimize(
        objective,
        np.zeros(5),
        method="sgd",
        batch_size=7,
        learning_rate=0.02,
        iterations=25,
        seed=11,
    )
    # Each epoch: rng.permutation(n), walked in chunks of 7 (the fifth has 2 rows).
    rng = np.random.default_rng(11)
    w = np.zeros(5)
    expected = [w]
    batches = []
    while len(batches) < 25:
        order = rng.permutation(30)
        batches += [order[start : start + 7] for start in range(0, 30, 7)]
    for batch in batches[:25]:
        w = w - 0.02 * direct_gradient(X[batch], y[batch], w, l2=0.05)
        expected.append(w)
    assert_allclose(result.path, expected, rtol=1e-10, atol=1e-13)
    # Recorded losses and gradient norms are the full-batch ones.
    assert_allclose(
        result.gradient_norms,
        [np.linalg.norm(direct_gradient(X, y, w, 0.05)) for w in expected],
        rtol=1e-9,
    )
    assert result.status is Status.MAX_ITERATIONS and "minibatch" in result.message


@pytest.mark.parametrize("method", ["sgd", "adam"])
def test_minibatch_runs_are_reproducible_per_seed(method):
    X, y = regression_data()
    objective = LeastSquares(X, y)

    def run(seed):
        return optimize(
            objective,
            np.zeros(5),
            method=method,
            batch_size=5,
            learning_rate=0.05,
            iterations=40,
            seed=seed,
        ).path

    assert_array_equal(run(3), run(3))
    assert_array_equal(run(3), run(np.random.default_rng(3)))
    assert not np.allclose(run(3), run(4))


def test_sgd_defaults_to_single_samples():
    X, y = regression_data()
    objective = LeastSquares(X, y)
    one = optimize(objective, np.zeros(5), method="sgd", iterations=10, learning_rate=0.01)
    explicit = optimize(
        objective, np.zeros(5), method="sgd", batch_size=1, iterations=10, learning_rate=0.01
    )
    assert_array_equal(one.path, explicit.path)


class FullBatchOnly(LeastSquares):
    def batch_smooth_gradient(self, w, indices):
        raise AssertionError("a full-batch run touched the rows")


@pytest.mark.parametrize("method", ["gd", "momentum", "nesterov", "adam"])
def test_full_batch_methods_only_use_the_precomputed_statistics(method):
    X, y = regression_data()
    optimize(FullBatchOnly(X, y, l1=0.1), np.zeros(5), method=method, iterations=20)


# --- bad input --------------------------------------------------------------------


class NoGradient:
    def value(self, w):
        return 0.0


class PerSampleGradient:
    """The tutorial's mistake: a per-sample residual derivative returned as the gradient."""

    l1 = 0.0
    x = np.array([1.0, 2.0, 3.0])

    def value(self, w):
        return float(np.mean((w[0] * self.x - 2 * self.x) ** 2))

    def smooth_gradient(self, w):
        return 2 * (w[0] * self.x - 2 * self.x)


class VectorValue(Quadratic):
    def value(self, w):
        return np.array([super().value(w)])


@pytest.mark.parametrize(
    ("kwargs", "error", "match"),
    [
        (
            {"method": "bfgs"},
            ValueError,
            "method must be one of 'gd', 'sgd', 'momentum', 'nesterov', 'adam'; got 'bfgs'",
        ),
        ({"method": "sgd", "batch_size": 61}, ValueError, "batch_size must be ≤ 60, got 61"),
        ({"method": "adam", "batch_size": 0}, ValueError, "batch_size must be ≥ 1"),
        ({"batch_size": 10}, ValueError, "method='gd' always uses the full batch"),
        ({"patience": 5}, ValueError, "patience needs a validation function"),
        ({"validation": lambda w: 0.0, "patience": 0}, ValueError, "patience must be ≥ 1"),
        ({"validation": 3.0}, TypeError, "validation must be a function"),
        ({"schedule": "linear"}, ValueError, "schedule must be one of 'constant', 'step'"),
        (
            {"schedule": "step", "schedule_options": {"gamma": 2}},
            ValueError,
            "takes the options 'factor', 'every'",
        ),
        ({"method": "momentum", "momentum": 1.0}, ValueError, r"momentum must be in \[0, 1\)"),
        ({"beta2": -0.1}, ValueError, r"beta2 must be in \[0, 1\)"),
        ({"epsilon": 0.0}, ValueError, "epsilon must be > 0"),
        ({"learning_rate": -0.1}, ValueError, "learning_rate must be > 0"),
        ({"iterations": 0}, ValueError, "iterations must be ≥ 1"),
        ({"tolerance": -1.0}, ValueError, "tolerance must be ≥ 0"),
        ({"seed": "abc"}, TypeError, "seed must be an int seed"),
    ],
)
def test_bad_arguments_get_clear_messages(kwargs, error, match):
    X, y = regression_data()
    with pytest.raises(error, match=match):
        optimize(LeastSquares(X, y), np.zeros(5), **kwargs)


def test_bad_objectives_and_starts_get_clear_messages():
    X, y = regression_data()
    with pytest.raises(
        ValueError,
        match=r"w0 must have one entry per feature of the objective "
        r"\(5\), got 3",
    ):
        optimize(LeastSquares(X, y), np.zeros(3))
    with pytest.raises(ValueError, match="w0 must contain only finite numbers"):
        optimize(LeastSquares(X, y), [0.0, np.nan, 0.0, 0.0, 0.0])
    with pytest.raises(ValueError, match="w0 must be 1-D"):
        optimize(LeastSquares(X, y), np.zeros((5, 1)))
    with pytest.raises(TypeError, match="NoGradient lacks smooth_gradient"):
        optimize(NoGradient(), [0.0])
    with pytest.raises(TypeError, match="lacks batch_smooth_gradient, n_samples"):
        optimize(ElementwiseObjective(np.square, np.abs), [0.0], method="sgd")
    with pytest.raises(
        ValueError,
        match=r"smooth_gradient\(w\) returned shape \(3,\) for weights "
        r"of shape \(1,\): .* one entry per parameter",
    ):
        optimize(PerSampleGradient(), [0.5])
    with pytest.raises(ValueError, match=r"objective.value\(w\) must return one number"):
        optimize(VectorValue([[1.0]], [0.0]), [0.5])
    with pytest.raises(ValueError, match="not finite at w0"):
        optimize(ElementwiseObjective(np.log, np.reciprocal), [-1.0])


def test_optimization_methods_lists_what_optimize_accepts():
    X, y = regression_data()
    for method in OPTIMIZATION_METHODS:
        result = optimize(
            LeastSquares(X, y), np.zeros(5), method=method, learning_rate=0.01, iterations=5
        )
        assert result.method == method and result.final_loss < result.losses[0]
