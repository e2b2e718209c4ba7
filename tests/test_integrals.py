"""Quadrature, Monte Carlo and expectations, checked against scipy and closed forms."""

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from numpy.polynomial import Polynomial
from scipy import integrate, stats

from calcwidgets.core.integrals import (
    RULES,
    IntegrationPieces,
    convergence_order,
    expectation,
    expected_order,
    integration_pieces,
    monte_carlo_expectation,
    monte_carlo_integral,
    normal_pdf,
    riemann_sum,
)

# (f, a, b, bounds on |f'|, |f''|, |f''''| over [a, b]) for the textbook error bounds.
SMOOTH_CASES = {
    "sin on [0, pi]": (np.sin, 0.0, np.pi, 1.0, 1.0, 1.0),
    "exp on [-1, 2]": (np.exp, -1.0, 2.0, np.e**2, np.e**2, np.e**2),
    "cos(3x) on [0, 2]": (lambda x: np.cos(3 * x), 0.0, 2.0, 3.0, 9.0, 81.0),
    "cubic on [-1, 2]": (lambda x: x**3 - 2 * x, -1.0, 2.0, 10.0, 12.0, 0.0),
}


def textbook_error_bound(rule, a, b, n, d1, d2, d4):
    """Error bounds of the composite rules, Burden & Faires, Numerical Analysis, §4.4."""
    width = b - a
    h = width / n
    return {
        "left": width * h * d1 / 2,
        "right": width * h * d1 / 2,
        "midpoint": width * h**2 * d2 / 24,
        "trapezoid": width * h**2 * d2 / 12,
        # One Simpson panel per piece is composite Simpson with step h / 2.
        "simpson": width * (h / 2) ** 4 * d4 / 180,
    }[rule]


@pytest.mark.parametrize("rule", RULES)
@pytest.mark.parametrize("case", SMOOTH_CASES, ids=str)
@pytest.mark.parametrize("n", [1, 7, 200])
def test_every_rule_is_within_its_error_bound_of_scipy_quad(rule, case, n):
    f, a, b, d1, d2, d4 = SMOOTH_CASES[case]
    reference, _ = integrate.quad(f, a, b, epsabs=1e-13, epsrel=1e-13)
    bound = textbook_error_bound(rule, a, b, n, d1, d2, d4)
    assert abs(riemann_sum(f, a, b, n, rule) - reference) <= bound + 1e-11


@pytest.mark.parametrize("rule", RULES)
def test_rules_converge_to_scipy_quad_on_a_non_polynomial(rule):
    f = lambda x: 1 / (1 + x**2)  # noqa: E731
    reference, _ = integrate.quad(f, 0, 3)
    assert riemann_sum(f, 0, 3, 10_000, rule) == pytest.approx(reference, rel=1e-3)


def test_rules_on_x_squared_with_four_pieces_by_hand():
    # Heights of x² at the quarter points 0, 1/4, 1/2, 3/4, 1 are k²/16.
    hand = {
        "left": (0 + 1 + 4 + 9) / 16 / 4,
        "right": (1 + 4 + 9 + 16) / 16 / 4,
        "midpoint": (1 + 9 + 25 + 49) / 64 / 4,
        "trapezoid": (0 / 2 + 1 + 4 + 9 + 16 / 2) / 16 / 4,
        "simpson": 1 / 3,
    }
    for rule, value in hand.items():
        assert riemann_sum(lambda x: x**2, 0, 1, 4, rule) == pytest.approx(value, rel=1e-14)


def test_simpson_per_piece_equals_composite_simpson_on_twice_as_many_subintervals():
    x = np.linspace(0.2, 2.5, 2 * 13 + 1)
    assert riemann_sum(np.exp, 0.2, 2.5, 13, "simpson") == pytest.approx(
        integrate.simpson(np.exp(x), x=x), rel=1e-14
    )


def test_trapezoid_matches_scipy_trapezoid_on_the_edges():
    x = np.linspace(-1, 3, 38)
    assert riemann_sum(np.cos, -1, 3, 37, "trapezoid") == pytest.approx(
        integrate.trapezoid(np.cos(x), x=x), rel=1e-14
    )


def test_f_is_called_once_with_only_the_points_the_rule_needs():
    calls = []

    def recording(x):
        calls.append(np.array(x))
        return np.sin(x)

    needed = {"left": 10, "right": 10, "midpoint": 10, "trapezoid": 11, "simpson": 21}
    for rule, count in needed.items():
        calls.clear()
        riemann_sum(recording, 0, 1, 10, rule)
        assert len(calls) == 1 and calls[0].shape == (count,)
    calls.clear()
    riemann_sum(recording, 0, 1, 10, "midpoint")
    np.testing.assert_allclose(calls[0], np.arange(10) / 10 + 0.05)


def test_a_constant_function_returning_a_scalar_is_accepted():
    assert riemann_sum(lambda x: 2.0, -1, 2, 5, "left") == pytest.approx(6.0)


def test_a_singular_integrand_gives_inf_without_warnings():
    # pytest turns every warning into an error, so this also checks the silence.
    assert riemann_sum(lambda x: 1 / x, 0, 1, 10, "left") == math.inf
    assert math.isfinite(riemann_sum(lambda x: 1 / x, 0, 1, 10, "midpoint"))


# --- pieces ---------------------------------------------------------------------------


@pytest.mark.parametrize("rule", RULES)
@pytest.mark.parametrize("n", [1, 2, 25])
def test_piece_areas_sum_to_the_riemann_sum(rule, n):
    f = lambda x: np.exp(x) * np.cos(2 * x)  # noqa: E731
    pieces = integration_pieces(f, -0.5, 2.0, n, rule)
    assert isinstance(pieces, IntegrationPieces)
    assert pieces.rule == rule
    assert np.sum(pieces.areas) == pytest.approx(riemann_sum(f, -0.5, 2.0, n, rule), rel=1e-13)
    assert pieces.total == pytest.approx(riemann_sum(f, -0.5, 2.0, n, rule), rel=1e-13)
    np.testing.assert_allclose(pieces.edges, np.linspace(-0.5, 2.0, n + 1))
    m = 9 if rule == "simpson" else 2
    assert pieces.x.shape == pieces.y.shape == (n, m)
    np.testing.assert_allclose(pieces.x[:, 0], pieces.edges[:-1])
    np.testing.assert_allclose(pieces.x[:, -1], pieces.edges[1:])
    assert np.all(np.diff(pieces.x, axis=1) > 0)


def shoelace_area(x, y):
    return 0.5 * (x @ np.roll(y, -1) - y @ np.roll(x, -1))


@pytest.mark.parametrize("rule", ["left", "right", "midpoint", "trapezoid"])
def test_straight_topped_pieces_have_the_area_of_their_polygons(rule):
    f = lambda x: 1 + x**2  # noqa: E731
    pieces = integration_pieces(f, 0, 2, 6, rule)
    left, right = pieces.edges[:-1], pieces.edges[1:]
    heights = {
        "left": f(left),
        "right": f(right),
        "midpoint": f((left + right) / 2),
    }
    if rule in heights:
        np.testing.assert_allclose(pieces.y, np.column_stack([heights[rule]] * 2))
    else:
        np.testing.assert_allclose(pieces.y, np.column_stack([f(left), f(right)]))
    for i in range(6):
        # Close the top boundary through the axis, clockwise, so the area is positive.
        x = np.concatenate([[left[i]], pieces.x[i], [right[i]]])
        y = np.concatenate([[0.0], pieces.y[i], [0.0]])
        assert -shoelace_area(x, y) == pytest.approx(pieces.areas[i], rel=1e-12)


def test_simpson_pieces_draw_the_parabola_through_ends_and_midpoint():
    f = lambda x: np.sin(3 * x) + x  # noqa: E731
    pieces = integration_pieces(f, 0, 2, 5, "simpson")
    for i in range(5):
        left, right = pieces.edges[i], pieces.edges[i + 1]
        nodes = np.array([left, (left + right) / 2, right])
        parabola = Polynomial.fit(nodes, f(nodes), 2)
        np.testing.assert_allclose(pieces.y[i], parabola(pieces.x[i]), atol=1e-12)
        exact_area = parabola.integ()(right) - parabola.integ()(left)
        assert pieces.areas[i] == pytest.approx(exact_area, rel=1e-10)


def test_pieces_are_read_only():
    pieces = integration_pieces(np.sin, 0, 1, 3, "left")
    with pytest.raises(ValueError, match="read-only"):
        pieces.areas[0] = 1.0


# --- exactness (hypothesis) -----------------------------------------------------------

coefficient = st.floats(-10, 10, allow_nan=False, allow_infinity=False)
endpoint = st.floats(-5, 5, allow_nan=False, allow_infinity=False)


def exact_polynomial_integral(coefficients, a, b):
    antiderivative = Polynomial(coefficients).integ()
    return antiderivative(b) - antiderivative(a)


def polynomial_scale(coefficients, a, b):
    reach = max(abs(a), abs(b), 1.0)
    return (b - a) * sum(abs(c) * reach**k for k, c in enumerate(coefficients))


@settings(max_examples=60, deadline=None)
@given(
    coefficients=st.lists(coefficient, min_size=4, max_size=4),
    a=endpoint,
    width=st.floats(0.01, 5),
    n=st.integers(1, 40),
)
def test_simpson_is_exact_on_cubics(coefficients, a, width, n):
    b = a + width
    exact = exact_polynomial_integral(coefficients, a, b)
    approx = riemann_sum(Polynomial(coefficients), a, b, n, "simpson")
    assert abs(approx - exact) <= 1e-12 * polynomial_scale(coefficients, a, b) + 1e-300


@settings(max_examples=60, deadline=None)
@given(
    coefficients=st.lists(coefficient, min_size=2, max_size=2),
    a=endpoint,
    width=st.floats(0.01, 5),
    n=st.integers(1, 40),
    rule=st.sampled_from(["midpoint", "trapezoid"]),
)
def test_midpoint_and_trapezoid_are_exact_on_lines(coefficients, a, width, n, rule):
    b = a + width
    exact = exact_polynomial_integral(coefficients, a, b)
    approx = riemann_sum(Polynomial(coefficients), a, b, n, rule)
    assert abs(approx - exact) <= 1e-12 * polynomial_scale(coefficients, a, b) + 1e-300


def test_left_rule_is_not_exact_on_a_line():
    assert riemann_sum(lambda x: x, 0, 1, 10, "left") == pytest.approx(0.5 - 0.05)


# --- observed order -------------------------------------------------------------------


def test_expected_orders():
    assert [expected_order(rule) for rule in RULES] == [1, 1, 2, 2, 4]


@pytest.mark.parametrize("rule", RULES)
@pytest.mark.parametrize(
    ("f", "a", "b", "exact"),
    [
        (np.exp, 0.0, 1.0, np.e - 1),
        (lambda x: 1 / (1 + x**2), 0.0, 2.0, np.arctan(2.0)),
        (np.sin, 0.3, 2.0, np.cos(0.3) - np.cos(2.0)),
        (lambda x: np.exp(-(x**2)) * np.cos(4 * x), -1.0, 2.0, None),
    ],
    ids=["exp", "runge", "sin", "wiggly"],
)
def test_observed_order_matches_theory(rule, f, a, b, exact):
    if exact is None:
        exact, _ = integrate.quad(f, a, b, epsabs=1e-13, epsrel=1e-13, limit=200)
    study = convergence_order(f, a, b, rule, exact=exact)
    assert study.rule == rule
    assert study.expected_order == expected_order(rule)
    assert np.count_nonzero(study.fitted) >= 4
    assert study.observed_order == pytest.approx(expected_order(rule), abs=0.15)
    for n, error in zip(study.ns, study.errors, strict=True):
        assert error == pytest.approx(abs(riemann_sum(f, a, b, int(n), rule) - exact), rel=1e-9)


def test_observed_order_from_an_independent_slope_fit():
    ns = np.array([4, 8, 16, 32, 64])
    exact = np.e - 1
    errors = [abs(riemann_sum(np.exp, 0, 1, n, "midpoint") - exact) for n in ns]
    slope = stats.linregress(np.log(ns), -np.log(errors)).slope
    study = convergence_order(np.exp, 0, 1, "midpoint", exact=exact, ns=ns)
    assert study.observed_order == pytest.approx(slope, rel=1e-10)
    np.testing.assert_array_equal(study.ns, ns)


def test_round_off_errors_are_left_out_of_the_fit():
    # A large constant offset lifts the rounding noise of the sum to about 1e-12,
    # far above Simpson's truncation error at large n.
    offset, a, b = 1e4, 0.3, 2.0
    exact = offset * (b - a) + np.cos(a) - np.cos(b)
    study = convergence_order(
        lambda x: offset + np.sin(x), a, b, "simpson", exact=exact, ns=2 ** np.arange(1, 14)
    )
    assert study.round_off_floor == pytest.approx(
        1000 * np.finfo(float).eps * (b - a) * (offset + 1), rel=1e-3
    )
    assert study.fitted[:4].all() and not study.fitted[-4:].any()
    assert np.all(study.errors[~study.fitted] <= study.round_off_floor)
    assert study.observed_order == pytest.approx(4, abs=0.15)


def test_observed_order_is_nan_when_the_rule_is_exact():
    study = convergence_order(lambda x: x**3, 0, 1, "simpson", exact=0.25)
    assert not study.fitted.any()
    assert math.isnan(study.observed_order)


def test_a_wrong_exact_value_shows_no_convergence():
    study = convergence_order(np.exp, 0, 1, "trapezoid", exact=np.e - 1 + 1e-3)
    assert study.observed_order < 0.5


# --- Monte Carlo ----------------------------------------------------------------------


def test_monte_carlo_matches_quad_and_the_clt_standard_error():
    # U² with U uniform on [0, 1] has variance 1/5 - 1/9 = 4/45.
    n = 100_000
    mc = monte_carlo_integral(lambda x: x**2, 0, 1, n, seed=3)
    assert mc.n_samples == n
    assert mc.standard_error == pytest.approx(math.sqrt(4 / 45 / n), rel=0.02)
    assert abs(mc.estimate - 1 / 3) < 4 * mc.standard_error


def test_monte_carlo_scales_with_the_interval_length():
    reference, _ = integrate.quad(np.exp, -1, 3)
    mc = monte_carlo_integral(np.exp, -1, 3, 50_000, seed=5)
    assert abs(mc.estimate - reference) < 4 * mc.standard_error
    # (b - a) · f with f = e^x on [-1, 3]: variance of 4·e^U by direct integration.
    second_moment, _ = integrate.quad(lambda x: 16 * np.exp(2 * x) / 4, -1, 3)
    std = math.sqrt(second_moment - reference**2)
    assert mc.standard_error == pytest.approx(std / math.sqrt(50_000), rel=0.05)


def test_the_95_percent_interval_covers_the_truth_about_95_percent_of_the_time():
    truth = 2.0  # ∫ sin over [0, π]
    covered = [
        low <= truth <= high
        for low, high in (
            monte_carlo_integral(np.sin, 0, np.pi, 400, seed=seed).interval() for seed in range(200)
        )
    ]
    # Binomial(200, 0.95) lies in [181, 197] with probability above 99 %.
    assert 0.90 <= np.mean(covered) <= 0.985


def test_standard_error_shrinks_like_one_over_root_n():
    mc = monte_carlo_integral(np.exp, 0, 1, 200_000, seed=11)
    late = mc.counts >= 100
    slope = stats.linregress(np.log(mc.counts[late]), np.log(mc.running_standard_errors[late]))
    assert slope.slope == pytest.approx(-0.5, abs=0.05)
    separate = [
        monte_carlo_integral(np.exp, 0, 1, n, seed=n).standard_error
        for n in (10**2, 10**3, 10**4, 10**5)
    ]
    assert stats.linregress(np.log([1e2, 1e3, 1e4, 1e5]), np.log(separate)).slope == pytest.approx(
        -0.5, abs=0.05
    )


def test_running_estimates_equal_shorter_runs_with_the_same_seed():
    mc = monte_carlo_integral(np.cos, 0, 2, 50_000, seed=7)
    assert mc.counts[0] == 2 and mc.counts[-1] == 50_000
    assert mc.counts.size <= 512 and np.all(np.diff(mc.counts) > 0)
    assert mc.running_estimates[-1] == mc.estimate
    assert mc.running_standard_errors[-1] == mc.standard_error
    for i in (0, 50, 300):
        shorter = monte_carlo_integral(np.cos, 0, 2, int(mc.counts[i]), seed=7)
        assert mc.running_estimates[i] == pytest.approx(shorter.estimate, rel=1e-9, abs=1e-12)
        assert mc.running_standard_errors[i] == pytest.approx(
            shorter.standard_error, rel=1e-9, abs=1e-12
        )


def test_small_runs_keep_every_count_and_the_sample_standard_deviation():
    mc = monte_carlo_integral(lambda x: x, 0, 1, 10, seed=0)
    np.testing.assert_array_equal(mc.counts, np.arange(2, 11))
    points = np.random.default_rng(0).uniform(0, 1, 10)
    assert mc.estimate == pytest.approx(points.mean())
    assert mc.standard_error == pytest.approx(points.std(ddof=1) / math.sqrt(10))


def test_same_seed_same_estimate_and_a_generator_is_accepted():
    first = monte_carlo_integral(np.sin, 0, 1, 1000, seed=42)
    assert monte_carlo_integral(np.sin, 0, 1, 1000, seed=42).estimate == first.estimate
    assert monte_carlo_integral(np.sin, 0, 1, 1000, seed=43).estimate != first.estimate
    rng = np.random.default_rng(42)
    assert monte_carlo_integral(np.sin, 0, 1, 1000, seed=rng).estimate == first.estimate


# --- expectations ---------------------------------------------------------------------


def test_normal_pdf_matches_scipy():
    x = np.linspace(-4, 6, 41)
    np.testing.assert_allclose(normal_pdf(x, 1.5, 0.7), stats.norm.pdf(x, 1.5, 0.7), rtol=1e-14)
    assert normal_pdf(0.3) == pytest.approx(stats.norm.pdf(0.3))
    assert isinstance(normal_pdf(0.3), float)


@pytest.mark.parametrize(("mean", "std"), [(0.0, 1.0), (1.5, 0.7), (-3.0, 2.5)])
def test_normal_moments_by_quadrature(mean, std):
    density = lambda x: normal_pdf(x, mean, std)  # noqa: E731
    a, b = mean - 10 * std, mean + 10 * std
    assert expectation(lambda x: np.ones_like(x), density, a, b) == pytest.approx(1.0, rel=1e-10)
    assert expectation(lambda x: x, density, a, b) == pytest.approx(mean, abs=1e-10)
    assert expectation(lambda x: x**2, density, a, b) == pytest.approx(std**2 + mean**2, rel=1e-10)


def test_expected_squared_loss_under_a_normal_density():
    # Y = 2X, so E[(wX - Y)²] = (w - 2)² E[X²] = (w - 2)² (σ² + μ²).
    mean, std, w = 0.5, 1.2, 0.3
    loss = expectation(
        lambda x: (w * x - 2 * x) ** 2, lambda x: normal_pdf(x, mean, std), -12, 13, n=2000
    )
    assert loss == pytest.approx((w - 2) ** 2 * (std**2 + mean**2), rel=1e-10)


def test_expectation_under_exponential_and_uniform_densities():
    rate = 2.0
    exponential = lambda x: rate * np.exp(-rate * x)  # noqa: E731
    assert expectation(lambda x: x, exponential, 0, 40, n=4000) == pytest.approx(1 / rate, rel=1e-8)
    uniform = lambda x: np.full_like(x, 1 / 3)  # noqa: E731
    for rule in RULES:
        assert expectation(lambda x: x, uniform, 1, 4, n=100, rule=rule) == pytest.approx(
            2.5, rel=2e-2
        )


def test_indicator_functions_give_probabilities():
    probability = expectation(lambda x: x < 1.0, normal_pdf, -10, 10, n=20_000, rule="midpoint")
    assert probability == pytest.approx(stats.norm.cdf(1.0), abs=1e-6)


def test_monte_carlo_expectation_agrees_with_quadrature():
    quadrature = expectation(np.cos, lambda x: normal_pdf(x, 0.5, 1.0), -10, 11)
    assert quadrature == pytest.approx(math.exp(-0.5) * math.cos(0.5), rel=1e-10)
    mc = monte_carlo_expectation(np.cos, lambda rng, n: rng.normal(0.5, 1.0, n), 100_000, seed=2)
    assert abs(mc.estimate - quadrature) < 4 * mc.standard_error


def test_monte_carlo_expected_loss_with_paired_samples():
    noise, w = 0.5, 1.0

    def draw_pairs(rng, n):
        x = rng.normal(0, 1, n)
        return np.column_stack([x, 2 * x + rng.normal(0, noise, n)])

    mc = monte_carlo_expectation(lambda s: (w * s[:, 0] - s[:, 1]) ** 2, draw_pairs, 200_000)
    assert abs(mc.estimate - ((w - 2) ** 2 + noise**2)) < 4 * mc.standard_error


# --- bad input ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("call", "error", "message"),
    [
        (lambda: riemann_sum(np.sin, 1, 0, 10), ValueError, r"a must be less than b.*a=1, b=0"),
        (lambda: riemann_sum(np.sin, 0, 0, 10), ValueError, "a must be less than b"),
        (lambda: riemann_sum(np.sin, 0, math.inf, 10), ValueError, "b must be finite"),
        (lambda: riemann_sum(np.sin, "0", 1, 10), TypeError, "a must be a real number"),
        (lambda: riemann_sum(np.sin, 0, 1, 0), ValueError, "n must be ≥ 1, got 0"),
        (lambda: riemann_sum(np.sin, 0, 1, 2.5), TypeError, "n must be a whole number"),
        (
            lambda: riemann_sum(np.sin, 0, 1, 4, "simpsons"),
            ValueError,
            "rule must be one of.*'simpson'",
        ),
        (lambda: riemann_sum(3.0, 0, 1, 4), TypeError, "f must be a function"),
        (
            lambda: riemann_sum(math.sin, 0, 1, 4),
            TypeError,
            r"f must accept a numpy array.*np\.sin",
        ),
        (
            lambda: riemann_sum(lambda x: x[:2], 0, 1, 4),
            ValueError,
            "f must return one value per point",
        ),
        (lambda: riemann_sum(lambda x: x + 1j, 0, 1, 4), TypeError, "f must return real numbers"),
        (lambda: integration_pieces(np.sin, 0, 1, -1, "left"), ValueError, "n must be ≥ 1"),
        (lambda: integration_pieces(np.sin, 0, 1, 3, "mid"), ValueError, "rule must be one of"),
        (lambda: expected_order("gauss"), ValueError, "rule must be one of"),
        (
            lambda: convergence_order(np.sin, 0, 1, "left", exact=math.nan),
            ValueError,
            "exact must be finite",
        ),
        (
            lambda: convergence_order(np.sin, 0, 1, "left", exact=1.0, ns=[4]),
            ValueError,
            "ns must have at least 2",
        ),
        (
            lambda: convergence_order(np.sin, 0, 1, "left", exact=1.0, ns=[8, 4]),
            ValueError,
            "ns must be strictly increasing",
        ),
        (
            lambda: convergence_order(np.sin, 0, 1, "left", exact=1.0, ns=[2, 4.5]),
            ValueError,
            "ns must hold whole numbers",
        ),
        (
            lambda: convergence_order(np.sin, 0, 1, "left", exact=1.0, ns=[0, 4]),
            ValueError,
            "ns must hold whole numbers ≥ 1",
        ),
        (lambda: monte_carlo_integral(np.sin, 0, 1, 1), ValueError, "n_samples must be ≥ 2"),
        (lambda: monte_carlo_integral(np.sin, 1, 0, 10), ValueError, "a must be less than b"),
        (
            lambda: monte_carlo_integral(np.sin, 0, 1, 10, seed="x"),
            TypeError,
            "seed must be an int seed",
        ),
        (
            lambda: monte_carlo_integral(np.sin, 0, 1, 10).interval(z=-1),
            ValueError,
            "z must be > 0",
        ),
        (lambda: expectation(np.sin, None, 0, 1), TypeError, "density must be a function"),
        (lambda: expectation("x", normal_pdf, 0, 1), TypeError, "g must be a function"),
        (
            lambda: expectation(np.sin, lambda x: 1.0 * x[:-1], 0, 1),
            ValueError,
            "density must return one value per point",
        ),
        (lambda: expectation(np.sin, normal_pdf, 0, 1, n=0), ValueError, "n must be ≥ 1"),
        (
            lambda: expectation(np.sin, normal_pdf, 0, 1, rule="gauss"),
            ValueError,
            "rule must be one of",
        ),
        (
            lambda: monte_carlo_expectation(np.sin, 5, 10),
            TypeError,
            r"sampler must be a function sampler\(rng, n\)",
        ),
        (
            lambda: monte_carlo_expectation(np.sin, lambda rng, n: rng.normal(size=n + 1), 10),
            ValueError,
            r"sampler\(rng, n\) must return an array of shape \(n,\).*shape \(11,\)",
        ),
        (
            lambda: monte_carlo_expectation(
                lambda s: s, lambda rng, n: rng.normal(size=(n, 2)), 10
            ),
            ValueError,
            "g must return one value per point.*shape \\(10, 2\\)",
        ),
        (lambda: normal_pdf(0.0, std=0), ValueError, "std must be > 0"),
        (lambda: normal_pdf([0.0, math.nan]), ValueError, "x must contain only finite numbers"),
    ],
)
def test_bad_input_names_the_argument(call, error, message):
    with pytest.raises(error, match=message):
        call()
