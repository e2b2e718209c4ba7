"""Finite differences, the error-vs-h curve, gradients and gradient checks.

References: exact derivatives (polynomials, exp, sin), scipy.differentiate, and
the error model's closed forms.
"""

import dataclasses
import math
import re

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from numpy.testing import assert_allclose
from scipy.differentiate import jacobian as scipy_jacobian

from calcwidgets.core.derivatives import (
    GradientCheck,
    Line,
    StepErrorCurve,
    difference_error,
    finite_difference,
    gradient,
    gradient_check,
    jacobian,
    secant_line,
    tangent_line,
)

EPS = np.finfo(float).eps
METHODS = ["forward", "backward", "central", "complex_step"]


def observed_order(f, x, exact, method, h):
    """The slope of log error against log h."""
    errors = np.abs(finite_difference(f, x, h, method) - exact)
    return np.polyfit(np.log(h), np.log(errors), 1)[0]


@pytest.mark.parametrize(
    ("method", "order", "h"),
    [
        ("forward", 1, np.geomspace(1e-5, 1e-2, 10)),
        ("backward", 1, np.geomspace(1e-5, 1e-2, 10)),
        ("central", 2, np.geomspace(1e-3, 1e-1, 10)),
        ("complex_step", 2, np.geomspace(1e-3, 1e-1, 10)),
    ],
)
@pytest.mark.parametrize(("f", "derivative", "x"), [(np.exp, np.exp, 1.0), (np.sin, np.cos, 0.7)])
def test_observed_order_in_the_truncation_regime(f, derivative, x, method, order, h):
    assert observed_order(f, x, derivative(x), method, h) == pytest.approx(order, abs=0.05)
    assert difference_error(f, x, method=method).order == order


@pytest.mark.parametrize(("f", "derivative", "x"), [(np.exp, np.exp, 1.0), (np.sin, np.cos, 2.0)])
def test_complex_step_is_exact_to_rounding_at_tiny_h(f, derivative, x):
    estimate = finite_difference(f, x, 1e-20, method="complex_step")
    assert abs(estimate - derivative(x)) <= 1e-15 * abs(derivative(x))


@pytest.mark.parametrize("method", ["forward", "central"])
def test_error_curve_is_u_shaped(method):
    curve = difference_error(np.exp, 1.0, method=method)
    at_tiny_h = curve.error[np.argmin(np.abs(curve.h - 1e-14))]
    at_large_h = curve.error[-1]
    best = curve.error.min()
    assert at_tiny_h > 1e3 * best
    assert at_large_h > 1e3 * best
    assert 1e-14 < curve.observed_best_h < 1.0


def test_best_h_is_near_sqrt_eps_for_forward_and_cbrt_eps_for_central():
    forward = difference_error(np.exp, 1.0, method="forward")
    central = difference_error(np.exp, 1.0, method="central")
    for curve, rule in ((forward, math.sqrt(EPS)), (central, EPS ** (1 / 3))):
        assert rule / 5 < curve.best_h < rule * 5
        assert rule / 10 < curve.observed_best_h < rule * 10
    # For exp, |f| = |f''| = |f'''|, so the closed forms reduce to 2√ε and ∛(3ε).
    assert_allclose(forward.best_h, 2 * math.sqrt(EPS), rtol=1e-3)
    assert_allclose(central.best_h, (3 * EPS) ** (1 / 3), rtol=1e-3)


def test_best_h_scales_with_the_function():
    # f(x) = exp(x / 100): f'' = f / 10⁴, so the forward best step grows 100-fold.
    wide = difference_error(lambda x: np.exp(x / 100), 1.0, method="forward")
    assert_allclose(wide.best_h, 200 * math.sqrt(EPS), rtol=1e-3)


def test_error_model_matches_the_observed_error_in_each_regime():
    forward = difference_error(np.exp, 1.0, method="forward")
    central = difference_error(np.sin, 1.0, method="central")
    large_forward = (forward.h > 1e-4) & (forward.h < 1e-3)
    assert_allclose(forward.error[large_forward], forward.truncation[large_forward], rtol=1e-2)
    assert_allclose(forward.truncation, math.e * forward.h / 2, rtol=1e-6)
    large_central = (central.h > 1e-3) & (central.h < 1e-2)
    assert_allclose(central.error[large_central], central.truncation[large_central], rtol=1e-2)
    assert_allclose(central.truncation, math.cos(1.0) * central.h**2 / 6, rtol=1e-5)
    # Round-off is a bound of the right size: observed error stays within a few times it.
    small = forward.h < 1e-11
    assert np.all(forward.error[small] < 4 * forward.rounding[small])
    assert np.median(forward.error[small] / forward.rounding[small]) > 0.05


def test_complex_step_curve_has_no_round_off_blow_up():
    curve = difference_error(np.exp, 1.0, method="complex_step", exact=math.e)
    assert np.all(curve.error[curve.h < 1e-8] <= 2 * EPS * math.e)
    assert np.all(curve.rounding == EPS * math.e)
    assert_allclose(curve.best_h, math.sqrt(6 * EPS), rtol=1e-3)


def test_difference_error_defaults_and_fields():
    curve = difference_error(np.sin, 0.5, method="backward")
    assert isinstance(curve, StepErrorCurve)
    assert curve.h[0] == pytest.approx(1e-16) and curve.h[-1] == pytest.approx(1.0)
    assert len(curve.h) >= 100
    assert np.all(np.diff(np.log10(curve.h)) > 0)
    assert curve.exact == pytest.approx(math.cos(0.5), rel=1e-15)
    assert_allclose(curve.estimates, (np.sin(0.5) - np.sin(0.5 - curve.h)) / curve.h)
    assert_allclose(curve.error, np.abs(curve.estimates - math.cos(0.5)))
    with pytest.raises(dataclasses.FrozenInstanceError):
        curve.best_h = 1.0


def test_difference_error_model_has_no_balance_for_a_quadratic():
    curve = difference_error(lambda x: x**2, 3.0, method="central", h=np.geomspace(1e-6, 1, 7))
    assert curve.best_h is None
    assert np.all(curve.truncation == 0)
    assert_allclose(curve.estimates, 6.0, rtol=1e-9)


@pytest.mark.parametrize("method", METHODS)
def test_exact_on_lines_and_accurate_on_elementary_functions(method):
    h = {"forward": 1e-8, "backward": 1e-8, "central": 1e-5, "complex_step": 1e-20}[method]
    x = np.linspace(-2, 2, 9)
    assert_allclose(finite_difference(lambda t: 3 * t - 1, x, h, method), 3.0, rtol=1e-6)
    assert_allclose(finite_difference(np.exp, x, h, method), np.exp(x), rtol=1e-6)
    assert_allclose(finite_difference(np.sin, x, h, method), np.cos(x), rtol=1e-6, atol=1e-7)


def test_broadcasts_over_x_and_h():
    x = np.array([[0.0], [1.0], [2.0]])
    h = np.array([1e-1, 1e-2, 1e-3, 1e-4])
    estimates = finite_difference(np.exp, x, h, method="forward")
    assert estimates.shape == (3, 4)
    assert_allclose(estimates, (np.exp(x + h) - np.exp(x)) / h)
    assert isinstance(finite_difference(np.exp, 0.0, 1e-3), float)


# Coefficients near the underflow threshold are left out: the complex step multiplies
# them by h = 1e-20, which would push their contribution below the smallest float.
_COEFFICIENTS = st.floats(-5, 5).filter(lambda c: c == 0 or abs(c) >= 1e-200)


@settings(max_examples=50, deadline=None)
@given(
    coefficients=st.lists(_COEFFICIENTS, min_size=1, max_size=6),
    x=st.floats(-3, 3),
)
def test_differences_of_random_polynomials_match_exact_derivatives(coefficients, x):
    p = np.poly1d(coefficients)
    exact = p.deriv()(x)
    scale = np.polyval(np.abs(coefficients), max(1.0, abs(x)) + 1)
    assert abs(finite_difference(p, x, 1e-20, "complex_step") - exact) <= 1e-13 * scale
    assert abs(finite_difference(p, x, 1e-5, "central") - exact) <= 1e-6 * scale
    assert abs(finite_difference(p, x, 1e-7, "forward") - exact) <= 1e-5 * scale


def vector_function(v):
    return np.array([v[0] * v[1] ** 2, np.sin(v[0]) + v[2], np.exp(v[1] * v[2])])


def vector_function_jacobian(v):
    return np.array(
        [
            [v[1] ** 2, 2 * v[0] * v[1], 0.0],
            [np.cos(v[0]), 0.0, 1.0],
            [0.0, v[2] * np.exp(v[1] * v[2]), v[1] * np.exp(v[1] * v[2])],
        ]
    )


@pytest.mark.parametrize(("method", "rtol"), [("forward", 1e-6), ("central", 1e-9)])
def test_jacobian_matches_the_analytic_one(method, rtol):
    v = np.array([0.3, -1.2, 0.8])
    assert_allclose(
        jacobian(vector_function, v, method=method),
        vector_function_jacobian(v),
        rtol=rtol,
        atol=rtol,
    )


def test_jacobian_with_complex_step_is_exact_and_agrees_with_scipy():
    v = np.array([0.3, -1.2, 0.8])
    ours = jacobian(vector_function, v, method="complex_step")
    assert_allclose(ours, vector_function_jacobian(v), rtol=1e-14, atol=1e-15)
    reference = scipy_jacobian(vector_function, v).df
    assert_allclose(ours, reference, rtol=1e-9, atol=1e-12)


def test_jacobian_of_a_scalar_function_is_one_row():
    assert jacobian(lambda v: v @ v, np.array([1.0, 2.0])).shape == (1, 2)


@settings(max_examples=30, deadline=None)
@given(seed=st.integers(0, 2**32 - 1), d=st.integers(1, 5))
def test_gradient_of_a_random_quadratic_form(seed, d):
    rng = np.random.default_rng(seed)
    a = rng.normal(size=(d, d))
    b = rng.normal(size=d)
    w = rng.normal(size=d)
    f = lambda v: 0.5 * v @ a @ v + b @ v  # noqa: E731
    exact = 0.5 * (a + a.T) @ w + b
    assert_allclose(gradient(f, w), exact, rtol=1e-8, atol=1e-8)
    assert_allclose(gradient(f, w, method="complex_step"), exact, rtol=1e-13, atol=1e-13)


def least_squares_problem():
    rng = np.random.default_rng(1)
    features = rng.normal(size=(20, 3))
    targets = features @ np.array([1.0, -2.0, 0.5]) + 0.1 * rng.normal(size=20)

    def loss(w):
        return np.mean((features @ w - targets) ** 2)

    def grad(w):
        return 2 * features.T @ (features @ w - targets) / len(targets)

    return loss, grad, rng.normal(size=3)


def test_gradient_check_passes_a_right_gradient():
    loss, grad, w = least_squares_problem()
    check = gradient_check(loss, grad, w)
    assert isinstance(check, GradientCheck)
    assert check.passed
    assert check.max_relative_error <= 1e-6
    assert check.tolerance == 1e-6
    assert_allclose(check.analytic, grad(w))
    assert_allclose(check.numeric, grad(w), rtol=1e-8)
    expected = np.abs(check.analytic - check.numeric) / np.maximum(
        np.abs(check.analytic), np.abs(check.numeric)
    )
    assert_allclose(check.relative_errors, expected)
    assert check.message.startswith("gradient check passed")


def test_gradient_check_flags_a_gradient_missing_its_factor_two():
    loss, grad, w = least_squares_problem()
    check = gradient_check(loss, lambda v: grad(v) / 2, w)
    assert not check.passed
    assert_allclose(check.relative_errors, 0.5, rtol=1e-6)
    assert "relative error 0.5" in check.message


def test_gradient_check_catches_the_broken_tutorial_snippet():
    # The tutorial fits y ≈ x·w with one parameter and three samples, then uses
    # d_loss = 2*(y_pred − y), the derivative per sample, as the parameter gradient.
    x = np.array([1.0, 2.0, 3.0])
    y = np.array([2.0, 4.0, 6.0])
    params = np.array([0.5])

    def loss(w):
        return np.mean((x * w[0] - y) ** 2)

    def broken_grad(w):
        y_pred = x * w[0]
        return 2 * (y_pred - y)

    check = gradient_check(loss, broken_grad, params)
    assert not check.passed
    assert check.message == (
        "grad(x) returned shape (3,) but x has shape (1,): a gradient has one entry per parameter"
    )
    assert check.analytic.shape == (3,)
    assert check.relative_errors.shape == (1,)
    assert check.max_relative_error == math.inf
    right = gradient_check(loss, lambda w: np.array([np.mean(2 * (x * w[0] - y) * x)]), params)
    assert right.passed


@pytest.mark.parametrize(
    ("grad", "match"),
    [
        (lambda w: np.array([np.nan, 1.0]), "grad\\(x\\) has 1 non-finite entry"),
        (lambda w: None, "grad\\(x\\) must return real numbers, got None"),
        (lambda w: w + 0j, "must return real numbers"),
    ],
)
def test_gradient_check_fails_unusable_gradients_with_a_message(grad, match):
    check = gradient_check(lambda w: np.sum(w**2), grad, np.array([1.0, 2.0]))
    assert not check.passed
    assert check.max_relative_error == math.inf
    assert_allclose(check.numeric, [2.0, 4.0])
    assert re.search(match, check.message)


def test_tangent_line_touches_and_has_the_derivative_as_slope():
    for method in METHODS:
        tangent = tangent_line(np.sin, 0.8, method=method)
        assert tangent.y0 == math.sin(0.8)
        assert tangent.slope == pytest.approx(math.cos(0.8), rel=1e-7)
    tangent = tangent_line(np.sin, 0.8, slope=2.0)
    assert tangent.slope == 2.0
    assert_allclose(tangent(np.array([0.8, 1.8])), [math.sin(0.8), math.sin(0.8) + 2.0])
    assert isinstance(tangent(1.0), float)


def test_secant_line_goes_through_both_points_and_tends_to_the_tangent():
    secant = secant_line(np.square, 1.5, 0.5)
    assert isinstance(secant, Line)
    assert secant.slope == pytest.approx(2 * 1.5 + 0.5)  # (x0 + h)² − x0² over h
    assert secant(2.0) == pytest.approx(4.0)
    assert secant_line(np.square, 1.5, -0.5).slope == pytest.approx(2 * 1.5 - 0.5)
    slopes = [secant_line(np.exp, 0.0, h).slope for h in (1e-1, 1e-2, 1e-3)]
    assert np.all(np.diff(np.abs(np.array(slopes) - 1.0)) < 0)
    with pytest.raises(dataclasses.FrozenInstanceError):
        secant.slope = 0.0


@pytest.mark.parametrize(
    ("call", "error", "match"),
    [
        (lambda: finite_difference(np.sin, 0.0, 0.0), ValueError, "h must be > 0, got 0"),
        (lambda: finite_difference(np.sin, 0.0, [1e-3, -1.0]), ValueError, "h must be > 0"),
        (lambda: finite_difference(np.sin, np.nan, 1e-3), ValueError, "x must contain only finite"),
        (
            lambda: finite_difference(np.sin, 0.0, 1e-3, "sideways"),
            ValueError,
            "method must be one of 'forward', 'backward', 'central', 'complex_step'",
        ),
        (lambda: finite_difference("sin", 0.0, 1e-3), TypeError, "f must be a function"),
        (
            lambda: finite_difference(np.abs, 1.0, 1e-20, "complex_step"),
            TypeError,
            "method='complex_step' needs f to accept complex input",
        ),
        (
            lambda: finite_difference(
                lambda x: np.asarray(x, dtype=float), 1.0, 1e-20, "complex_step"
            ),
            TypeError,
            "method='complex_step'",
        ),
        (
            lambda: difference_error(np.abs, 1.0, method="central"),
            TypeError,
            "exact is required when f does not accept complex input",
        ),
        (
            lambda: difference_error(np.sin, 1.0, method="central", h=[1.0, -1.0]),
            ValueError,
            "h must be > 0",
        ),
        (
            lambda: difference_error(np.sin, 1.0, method="central", exact=math.inf),
            ValueError,
            "exact must be finite",
        ),
        (lambda: gradient(lambda v: v * 2, np.ones(2)), ValueError, "use jacobian"),
        (lambda: gradient(np.sum, np.ones((2, 2))), ValueError, "x must be 1-D"),
        (lambda: gradient(np.sum, np.ones(2), h=-1.0), ValueError, "h must be > 0"),
        (
            lambda: jacobian(lambda v: np.outer(v, v), np.ones(2)),
            ValueError,
            "jacobian: f must return a vector",
        ),
        (lambda: gradient_check(np.sum, "grad", np.ones(2)), TypeError, "grad must be a function"),
        (
            lambda: gradient_check(np.sum, np.ones_like, np.ones(2), tolerance=0),
            ValueError,
            "tolerance must be > 0",
        ),
        (lambda: tangent_line(np.log, 0.0), ValueError, "f\\(x0\\) must be finite"),
        (lambda: tangent_line(np.sqrt, 0.0), ValueError, "f may not be differentiable there"),
        (lambda: secant_line(np.sin, 1.0, 0.0), ValueError, "h must be nonzero"),
        (lambda: secant_line(np.sin, 1.0, math.nan), ValueError, "h must be finite"),
    ],
)
def test_bad_input_gives_a_message_naming_the_argument(call, error, match):
    with pytest.raises(error, match=match):
        call()


def test_gradient_check_passes_a_right_gradient_with_an_exactly_zero_component():
    # At w = (0, 3) the first component of the gradient of w0² + w1² is exactly 0,
    # while central differences give round-off there.
    def loss(w):
        return w[0] ** 2 + w[1] ** 2 + 10.0

    def right(w):
        return 2 * w

    point = np.array([0.0, 3.0])
    assert gradient_check(loss, right, point).passed
    assert not gradient_check(loss, lambda w: 2 * w + np.array([1e-3, 0.0]), point).passed
    assert not gradient_check(loss, lambda w: w, point).passed
