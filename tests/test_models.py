import numpy as np
import pytest
import scipy.optimize
import scipy.special
import sklearn.linear_model
import sklearn.metrics
from hypothesis import given, settings
from hypothesis import strategies as st
from numpy.testing import assert_allclose, assert_array_equal

from calcwidgets.core import LeastSquares, LogisticRegression, polynomial_features, sigmoid

property_settings = settings(max_examples=40, deadline=None)


def central_gradient(f, w, h=1e-6):
    steps = h * np.eye(w.size)
    return np.array([(f(w + step) - f(w - step)) / (2 * h) for step in steps])


def central_hessian(f, w, h=1e-4):
    steps = h * np.eye(w.size)
    return np.array(
        [
            [
                (f(w + si + sj) - f(w + si - sj) - f(w - si + sj) + f(w - si - sj)) / (4 * h * h)
                for sj in steps
            ]
            for si in steps
        ]
    )


@st.composite
def problems(draw, *, labels=False):
    """A small random data set, weights, an L2 strength and a minibatch."""
    n = draw(st.integers(3, 30))
    d = draw(st.integers(1, 4))
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    X = rng.standard_normal((n, d))
    y = rng.integers(0, 2, n).astype(float) if labels else rng.standard_normal(n)
    w = np.array(draw(st.lists(st.floats(-3, 3), min_size=d, max_size=d)))
    l2 = draw(st.sampled_from([0.0, 0.01, 0.7]))
    batch = np.array(draw(st.lists(st.integers(0, n - 1), min_size=1, max_size=n)))
    return X, y, w, l2, batch


def direct_mse(X, y, w):
    return np.mean([(row @ w - target) ** 2 for row, target in zip(X, y, strict=True)])


def direct_cross_entropy(X, y, w):
    # −y·log σ(z) − (1 − y)·log(1 − σ(z)) rewritten as max(z, 0) − y·z + log(1 + e^−|z|), the
    # stable form documented for TensorFlow's sigmoid_cross_entropy_with_logits; the textbook
    # form loses digits in 1 − σ(z), which central differences then amplify.
    z = X @ w
    return np.mean(np.maximum(z, 0) - y * z + np.log1p(np.exp(-np.abs(z))))


@pytest.fixture
def ridge_data():
    rng = np.random.default_rng(11)
    X = rng.standard_normal((60, 4))
    return X, X @ [1.0, -2.0, 0.5, 3.0] + 0.3 * rng.standard_normal(60)


@pytest.fixture
def classes():
    rng = np.random.default_rng(12)
    X = rng.standard_normal((80, 3))
    y = (X @ [1.5, -1.0, 0.5] + rng.standard_normal(80) > 0).astype(float)
    return X, y


# --- polynomial features -------------------------------------------------------------


@pytest.mark.parametrize("degree", [0, 1, 4, 15])
def test_polynomial_features_are_the_powers_of_x(degree):
    x = np.linspace(-1, 1, 9)
    features = polynomial_features(x, degree)
    assert features.shape == (9, degree + 1)
    assert_allclose(features, np.polynomial.polynomial.polyvander(x, degree), rtol=1e-14)
    assert_array_equal(features[:, 0], 1.0)


def test_polynomial_features_on_the_unit_interval_are_far_better_conditioned():
    on_unit = polynomial_features(np.linspace(-1, 1, 30), 10)
    on_wide = polynomial_features(np.linspace(0, 10, 30), 10)
    assert np.linalg.cond(on_unit) * 1e6 < np.linalg.cond(on_wide)


@pytest.mark.parametrize(
    ("x", "degree", "error", "message"),
    [
        ([0.5], -1, ValueError, "degree must be ≥ 0, got -1"),
        ([0.5], 2.5, TypeError, "degree must be a whole number"),
        ([[0.5]], 2, ValueError, "x must be 1-D"),
        ([np.nan], 2, ValueError, "x must contain only finite numbers"),
        ([1e200], 3, ValueError, r"x\*\*3 overflows .* rescale x into \[-1, 1\]"),
    ],
)
def test_polynomial_features_reject_bad_input(x, degree, error, message):
    with pytest.raises(error, match=message):
        polynomial_features(x, degree)


# --- least squares: derivatives ----------------------------------------------------------


@property_settings
@given(problems())
def test_least_squares_gradient_matches_central_differences(problem):
    X, y, w, l2, _ = problem
    loss = LeastSquares(X, y, l2=l2)
    expected = central_gradient(loss.value, w)
    assert_allclose(loss.smooth_gradient(w), expected, rtol=1e-6, atol=1e-6)


@property_settings
@given(problems(), st.floats(0.01, 2.0))
def test_least_squares_smooth_gradient_leaves_out_the_l1_term(problem, l1):
    X, y, w, l2, _ = problem
    lasso = LeastSquares(X, y, l2=l2, l1=l1)
    assert lasso.value(w) == pytest.approx(
        direct_mse(X, y, w) + l2 * np.sum(w**2) + l1 * np.sum(np.abs(w)), rel=1e-10, abs=1e-12
    )
    smooth_part = lambda v: lasso.value(v) - l1 * np.sum(np.abs(v))  # noqa: E731
    assert_allclose(lasso.smooth_gradient(w), central_gradient(smooth_part, w), atol=1e-5)


@property_settings
@given(problems())
def test_least_squares_hessian_matches_central_differences(problem):
    X, y, w, l2, _ = problem
    loss = LeastSquares(X, y, l2=l2)
    assert_allclose(loss.hessian(), central_hessian(loss.value, w, h=1e-2), rtol=1e-6, atol=1e-6)
    assert_array_equal(loss.hessian(w), loss.hessian())


@property_settings
@given(problems())
def test_least_squares_value_from_statistics_equals_the_per_sample_formula(problem):
    X, y, w, l2, _ = problem
    loss = LeastSquares(X, y, l2=l2)
    assert loss.data_loss(w) == pytest.approx(direct_mse(X, y, w), rel=1e-9, abs=1e-12)
    assert loss.penalty(w) == pytest.approx(l2 * np.sum(w**2), rel=1e-12, abs=1e-15)
    assert isinstance(loss.value(w), float)


@property_settings
@given(problems())
def test_least_squares_minibatch_gradient(problem):
    X, y, w, l2, batch = problem
    loss = LeastSquares(X, y, l2=l2)
    all_rows = np.arange(len(y))
    assert_allclose(loss.batch_smooth_gradient(w, all_rows), loss.smooth_gradient(w), atol=1e-10)
    batch_objective = lambda v: direct_mse(X[batch], y[batch], v) + l2 * np.sum(v**2)  # noqa: E731
    expected = central_gradient(batch_objective, w)
    assert_allclose(loss.batch_smooth_gradient(w, batch), expected, rtol=1e-6, atol=1e-6)


def test_least_squares_accepts_stacks_of_weights(ridge_data):
    X, y = ridge_data
    loss = LeastSquares(X, y, l2=0.2, l1=0.1)
    grid = np.random.default_rng(0).standard_normal((5, 3, 4))
    values = loss.value(grid)
    gradients = loss.smooth_gradient(grid)
    assert values.shape == (5, 3) and gradients.shape == (5, 3, 4)
    for index in np.ndindex(5, 3):
        assert values[index] == pytest.approx(loss.value(grid[index]), rel=1e-12)
        assert_allclose(gradients[index], loss.smooth_gradient(grid[index]), rtol=1e-12)
        assert loss.mse(grid, X, y)[index] == pytest.approx(direct_mse(X, y, grid[index]))


def test_least_squares_precomputes_the_second_moments(ridge_data):
    X, y = ridge_data
    loss = LeastSquares(X, y)
    assert_allclose(loss.gram, X.T @ X / 60)
    assert_allclose(loss.moment, X.T @ y / 60)
    assert loss.target_moment == pytest.approx(np.mean(y**2))
    assert (loss.n_samples, loss.n_features, loss.l2, loss.l1) == (60, 4, 0.0, 0.0)


def test_exact_fit_never_gives_a_negative_loss():
    X = polynomial_features(np.linspace(-1, 1, 7), 2)
    weights = np.array([0.3, -1.7, 2.9])
    loss = LeastSquares(X, X @ weights)
    assert loss.value(weights) >= 0.0
    assert loss.value(weights) == pytest.approx(0.0, abs=1e-12)


# --- least squares: closed-form solution -----------------------------------------------


def test_solve_matches_lstsq_without_penalty(ridge_data):
    X, y = ridge_data
    expected, *_ = np.linalg.lstsq(X, y, rcond=None)
    assert_allclose(LeastSquares(X, y).solve(), expected, rtol=1e-10)


@pytest.mark.parametrize("l2", [1e-3, 0.1, 5.0])
def test_solve_matches_sklearn_ridge(ridge_data, l2):
    X, y = ridge_data
    n = len(y)
    # sklearn's Ridge minimises ‖y − Xw‖² + alpha‖w‖²; n times our (1/n)‖Xw − y‖² + l2‖w‖²
    # is ‖Xw − y‖² + n·l2‖w‖², so the same minimiser needs alpha = n·l2.
    ridge = sklearn.linear_model.Ridge(alpha=n * l2, fit_intercept=False, solver="cholesky")
    expected = ridge.fit(X, y).coef_
    solution = LeastSquares(X, y, l2=l2).solve()
    assert_allclose(solution, expected, rtol=1e-10)
    wrong = sklearn.linear_model.Ridge(alpha=l2, fit_intercept=False, solver="cholesky")
    assert not np.allclose(solution, wrong.fit(X, y).coef_, rtol=1e-6)
    assert_allclose(LeastSquares(X, y, l2=l2).smooth_gradient(solution), 0.0, atol=1e-12)


def test_solve_refuses_a_singular_problem_and_the_lasso():
    X = np.random.default_rng(0).standard_normal((3, 5))
    with pytest.raises(ValueError, match=r"singular .* use l2 > 0, or np.linalg.lstsq"):
        LeastSquares(X, np.ones(3)).solve()
    assert LeastSquares(X, np.ones(3), l2=0.1).solve().shape == (5,)
    with pytest.raises(ValueError, match="solve\\(\\) needs l1 = 0, got l1=0.5"):
        LeastSquares(X, np.ones(3), l1=0.5).solve()


def test_gram_eigen_is_computed_once_and_shared_by_penalty_copies(ridge_data):
    X, y = ridge_data
    loss = LeastSquares(X, y)
    ridge = loss.with_penalty(l2=0.3)
    eigenvalues, eigenvectors = ridge.gram_eigen
    assert loss.gram_eigen is ridge.gram_eigen
    assert loss.gram is ridge.gram and loss.X is ridge.X
    assert np.all(np.diff(eigenvalues) >= 0)
    assert_allclose(eigenvectors @ np.diag(eigenvalues) @ eigenvectors.T, loss.gram, atol=1e-13)
    assert_allclose(eigenvalues, np.linalg.eigvalsh(X.T @ X / len(y)), rtol=1e-12)
    assert_allclose(np.linalg.eigvalsh(ridge.hessian()), 2 * (eigenvalues + 0.3), rtol=1e-12)


def test_with_penalty_changes_only_what_is_given(ridge_data):
    X, y = ridge_data
    loss = LeastSquares(X, y, l2=0.1, l1=0.2)
    changed = loss.with_penalty(l1=0.0)
    assert (changed.l2, changed.l1) == (0.1, 0.0)
    assert (loss.l2, loss.l1) == (0.1, 0.2)
    assert type(changed) is LeastSquares
    with pytest.raises(ValueError, match="l2 must be ≥ 0, got -1"):
        loss.with_penalty(l2=-1)


def test_mse_on_other_data(ridge_data):
    X, y = ridge_data
    loss = LeastSquares(X[:40], y[:40])
    w = loss.solve()
    assert loss.mse(w, X[40:], y[40:]) == pytest.approx(direct_mse(X[40:], y[40:], w))
    with pytest.raises(ValueError, match=r"X must have shape \(any, 4\), got shape \(20, 3\)"):
        loss.mse(w, X[40:, :3], y[40:])
    with pytest.raises(ValueError, match=r"y must have shape \(20\), got shape \(19,\)"):
        loss.mse(w, X[40:], y[41:])


def test_data_are_copied_and_read_only(ridge_data):
    X, y = ridge_data
    loss = LeastSquares(X, y)
    before = loss.value(np.ones(4))
    X[0, 0] += 100.0
    assert loss.value(np.ones(4)) == before
    with pytest.raises(ValueError, match="read-only"):
        loss.X[0, 0] = 1.0


def test_diverged_weights_give_non_finite_values_without_warnings(ridge_data):
    X, y = ridge_data
    loss = LeastSquares(X, y, l2=0.1, l1=0.1)
    assert not np.isfinite(loss.value(np.full(4, 1e200)))
    assert not np.isfinite(loss.value(np.array([np.inf, 0, 0, 0])))
    assert not np.all(np.isfinite(loss.smooth_gradient(np.full(4, np.nan))))


# --- shared protocol: input checks ----------------------------------------------------


@pytest.mark.parametrize("model", [LeastSquares, LogisticRegression])
@pytest.mark.parametrize(
    ("X", "y", "options", "error", "message"),
    [
        ([1.0, 2.0], [0.0, 1.0], {}, ValueError, r"X must be 2-D, got shape \(2,\)"),
        ([[1.0], [2.0]], [[0.0, 1.0]], {}, ValueError, r"y must be 1-D, got shape \(1, 2\)"),
        ([[1.0], [2.0]], [0.0], {}, ValueError, r"y must have one entry per row of X \(2\)"),
        ([[1.0], [np.nan]], [0.0, 1.0], {}, ValueError, "X must contain only finite numbers"),
        (np.ones((2, 0)), [0.0, 1.0], {}, ValueError, "X must have at least one column"),
        ([["a"], ["b"]], [0.0, 1.0], {}, TypeError, "X must be an array of real numbers"),
        ([[1.0], [2.0]], [0.0, 1.0], {"l2": -0.5}, ValueError, "l2 must be ≥ 0, got -0.5"),
        ([[1.0], [2.0]], [0.0, 1.0], {"l1": np.inf}, ValueError, "l1 must be finite"),
    ],
)
def test_bad_data_are_named(model, X, y, options, error, message):
    with pytest.raises(error, match=message):
        model(X, y, **options)


@pytest.mark.parametrize("model", [LeastSquares, LogisticRegression])
def test_wrong_weight_shapes_name_w_and_the_expected_shape(model, classes):
    X, y = classes
    loss = model(X, y)
    for bad in (np.zeros(1), np.zeros(4), np.zeros((2, 2)), 0.0):
        for method in (loss.value, loss.smooth_gradient, loss.data_loss, loss.penalty):
            with pytest.raises(ValueError, match=r"w must have shape \(3,\).*got shape"):
                method(bad)
    with pytest.raises(TypeError, match="w must be an array of real numbers"):
        loss.value(["a", "b", "c"])


@pytest.mark.parametrize("model", [LeastSquares, LogisticRegression])
@pytest.mark.parametrize(
    ("indices", "error", "message"),
    [
        ([], TypeError, "indices must be a non-empty 1-D array of integer row numbers"),
        ([0.5, 1.0], TypeError, "indices must be a non-empty 1-D array of integer"),
        ([[0, 1]], TypeError, "indices must be a non-empty 1-D array"),
        ([0, 80], ValueError, r"indices must lie in \[0, 80\), got values from 0 to 80"),
        ([-1, 3], ValueError, r"indices must lie in \[0, 80\)"),
    ],
)
def test_bad_minibatch_indices_are_named(model, classes, indices, error, message):
    X, y = classes
    with pytest.raises(error, match=message):
        model(X, y).batch_smooth_gradient(np.zeros(3), indices)


# --- logistic regression ------------------------------------------------------------


@property_settings
@given(problems(labels=True))
def test_logistic_gradient_and_hessian_match_central_differences(problem):
    X, y, w, l2, _ = problem
    loss = LogisticRegression(X, y, l2=l2)
    assert_allclose(loss.smooth_gradient(w), central_gradient(loss.value, w), atol=1e-7)
    assert_allclose(loss.hessian(w), central_hessian(loss.value, w), atol=1e-6)


@property_settings
@given(problems(labels=True))
def test_logistic_value_and_minibatch_gradient(problem):
    X, y, w, l2, batch = problem
    loss = LogisticRegression(X, y, l2=l2, l1=0.25)
    expected = direct_cross_entropy(X, y, w) + l2 * np.sum(w**2) + 0.25 * np.sum(np.abs(w))
    assert loss.value(w) == pytest.approx(expected, rel=1e-9)
    all_rows = np.arange(len(y))
    assert_allclose(loss.batch_smooth_gradient(w, all_rows), loss.smooth_gradient(w), atol=1e-12)
    batch_objective = lambda v: direct_cross_entropy(X[batch], y[batch], v) + l2 * v @ v  # noqa: E731
    assert_allclose(
        loss.batch_smooth_gradient(w, batch), central_gradient(batch_objective, w), atol=1e-7
    )


def test_logistic_loss_matches_sklearn_log_loss(classes):
    X, y = classes
    loss = LogisticRegression(X, y)
    for w in ([0.0, 0.0, 0.0], [1.0, -0.5, 2.0], [-3.0, 2.0, 0.1]):
        p = loss.predict_proba(w, X)
        assert loss.value(w) == pytest.approx(sklearn.metrics.log_loss(y, p), rel=1e-12)


@pytest.mark.parametrize("l2", [0.005, 0.1, 1.0])
def test_logistic_l2_minimiser_matches_sklearn(classes, l2):
    X, y = classes
    n = len(y)
    loss = LogisticRegression(X, y, l2=l2)

    # sklearn minimises C·Σᵢ lossᵢ + ½‖w‖²; dividing by C·n gives (1/n)Σᵢ lossᵢ + ‖w‖²/(2Cn),
    # our objective exactly when l2 = 1/(2Cn), i.e. C = 1/(2·n·l2).
    def sklearn_fit(C):
        model = sklearn.linear_model.LogisticRegression(
            C=C, fit_intercept=False, tol=1e-12, max_iter=10_000
        )
        return model.fit(X, y).coef_.ravel()

    reference = sklearn_fit(1 / (2 * n * l2))
    assert np.linalg.norm(loss.smooth_gradient(reference)) < 1e-8
    ours = scipy.optimize.minimize(
        loss.value,
        np.zeros(3),
        jac=loss.smooth_gradient,
        hess=loss.hessian,
        method="trust-exact",
        options={"gtol": 1e-12},
    ).x
    assert_allclose(ours, reference, rtol=1e-6, atol=1e-8)
    assert np.linalg.norm(loss.smooth_gradient(sklearn_fit(1 / (n * l2)))) > 1e-4


def test_logistic_penalty_copies_share_the_data(classes):
    X, y = classes
    loss = LogisticRegression(X, y)
    ridge = loss.with_penalty(l2=0.5)
    assert ridge.X is loss.X and type(ridge) is LogisticRegression
    w = np.array([0.3, -0.2, 0.9])
    assert ridge.value(w) == pytest.approx(loss.value(w) + 0.5 * w @ w)
    assert_allclose(ridge.hessian(w) - loss.hessian(w), np.eye(3), atol=1e-14)


def test_huge_logits_neither_overflow_nor_warn(classes):
    X, y = classes
    loss = LogisticRegression(X, y)
    w = np.array([1e4, -1e4, 1e4])
    logits = X @ w
    # For |z| ≫ 1, log(1 + exp(±z)) is max(0, ±z) to within exp(-|z|).
    expected = np.mean(np.maximum(0.0, np.where(y == 1, -logits, logits)))
    assert loss.value(w) == pytest.approx(expected, rel=1e-12)
    assert np.all(np.isfinite(loss.smooth_gradient(w)))
    assert np.all(np.isfinite(loss.hessian(w)))
    p = loss.predict_proba(w, X)
    assert np.all((p >= 0) & (p <= 1))
    assert not np.isfinite(loss.value(np.array([np.inf, 0.0, 0.0])))
    assert np.isfinite(loss.value(np.full(3, 1e300)))


def test_sigmoid_matches_scipy_expit_without_floating_point_errors():
    z = np.concatenate([np.linspace(-800, 800, 1601), [-np.inf, np.inf, -1e308, 1e308]])
    # Underflow to 0 is the right answer far out; overflow or NaN would be a bug.
    with np.errstate(over="raise", invalid="raise", divide="raise"):
        values = sigmoid(z)
    assert_allclose(values, scipy.special.expit(z), rtol=1e-15, atol=1e-300)
    assert sigmoid(0.0) == 0.5 and isinstance(sigmoid(0.0), float)
    assert np.isnan(sigmoid(np.nan))
    with pytest.raises(TypeError, match="z must be an array of real numbers"):
        sigmoid("large")


def test_logistic_labels_must_be_zero_or_one():
    with pytest.raises(
        ValueError, match=r"y must hold labels 0 and 1 only, got also \[-1.0, 2.0\]"
    ):
        LogisticRegression([[1.0], [2.0], [3.0]], [-1, 2, 1])
    assert LogisticRegression([[1.0], [2.0]], [True, False]).n_samples == 2


def test_logistic_hessian_needs_a_single_weight_vector(classes):
    X, y = classes
    with pytest.raises(ValueError, match=r"w must have shape \(3,\), got shape \(2, 3\)"):
        LogisticRegression(X, y).hessian(np.zeros((2, 3)))
