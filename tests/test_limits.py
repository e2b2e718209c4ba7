"""Limits and ε–δ, checked against limits known in closed form."""

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from numpy.testing import assert_allclose
from scipy.optimize import brentq

from calcwidgets.core.limits import EpsilonDelta, LimitEstimate, estimate_limit, find_delta


def piecewise_jump(x):
    """x² left of 1 (→ 1) and 3 − x from 1 on (→ 2)."""
    return np.where(x < 1, x**2, 3 - x)


@pytest.mark.parametrize(
    ("f", "a", "limit"),
    [
        (lambda x: np.sin(x) / x, 0.0, 1.0),
        (lambda x: (x**2 - 1) / (x - 1), 1.0, 2.0),
        (lambda x: x * np.sin(1 / x), 0.0, 0.0),
        (lambda x: (1 - np.cos(x)) / x**2, 0.0, 0.5),
        (lambda x: (np.exp(x) - 1) / x, 0.0, 1.0),
        (lambda x: 2 + np.sqrt(np.abs(x)), 0.0, 2.0),
        (lambda x: (x**2 - 1e6) / (x - 1e3), 1e3, 2e3),
        (np.cos, 2.0, math.cos(2.0)),
    ],
)
def test_existing_limits_match_their_closed_form(f, a, limit):
    result = estimate_limit(f, a)
    assert result.kind == "exists"
    assert result.left_kind == result.right_kind == "exists"
    assert_allclose(result.value, limit, rtol=1e-6, atol=1e-3)
    assert "the limit is" in result.verdict


def test_sin_x_over_x_is_one_to_many_digits():
    result = estimate_limit(lambda x: np.sin(x) / x, 0.0)
    assert_allclose([result.left, result.right, result.value], 1.0, rtol=1e-12)
    assert result.verdict == "left → 1, right → 1: the limit is 1"


def test_one_over_x_runs_off_to_different_infinities():
    result = estimate_limit(lambda x: 1 / x, 0.0)
    assert result.kind == "unbounded"
    assert (result.left, result.right) == (-math.inf, math.inf)
    assert result.value is None
    assert result.verdict == "left → −∞, right → +∞: no two-sided limit (unbounded)"


def test_one_over_x_squared_has_limit_plus_infinity():
    result = estimate_limit(lambda x: 1 / x**2, 0.0)
    assert result.kind == "unbounded"
    assert result.left == result.right == result.value == math.inf


def test_sign_function_jumps():
    result = estimate_limit(lambda x: np.abs(x) / x, 0.0)
    assert result.kind == "jump"
    assert (result.left, result.right, result.value) == (-1.0, 1.0, None)
    assert result.verdict == "left → −1, right → 1: no two-sided limit (jump)"


def test_piecewise_function_jumps_between_its_pieces():
    result = estimate_limit(piecewise_jump, 1.0)
    assert result.kind == "jump"
    assert_allclose([result.left, result.right], [1.0, 2.0], rtol=1e-6)
    assert result.verdict.startswith("left → 1, right → 2")


@pytest.mark.parametrize(
    "f",
    [
        lambda x: np.sin(1 / x),
        # The textbook trap: at x = 0.1, 0.01, ... sin(π/x) is 0, yet it has no limit.
        lambda x: np.sin(np.pi / x),
        lambda x: np.sin(1 / x) / x,
    ],
)
def test_oscillating_functions_have_no_limit(f):
    result = estimate_limit(f, 0.0)
    assert result.kind == "oscillating"
    assert result.left_kind == result.right_kind == "oscillating"
    assert result.left is result.right is result.value is None
    assert result.verdict == "left oscillates, right oscillates: no limit (oscillates)"


def test_one_side_may_exist_while_the_other_is_unbounded():
    result = estimate_limit(lambda x: np.exp(1 / x), 0.0)
    assert (result.left_kind, result.right_kind, result.kind) == (
        "exists",
        "unbounded",
        "unbounded",
    )
    assert result.left == pytest.approx(0.0, abs=1e-12)
    assert result.right == math.inf
    assert result.value is None


def test_logarithm_diverges_slowly_to_minus_infinity():
    result = estimate_limit(lambda x: np.log(np.abs(x)), 0.0)
    assert result.kind == "unbounded"
    assert result.value == -math.inf


def test_undefined_side_leaves_the_limit_within_the_domain():
    result = estimate_limit(np.sqrt, 0.0)
    assert result.left_kind == "undefined"
    assert result.right_kind == "exists"
    assert result.left is None
    assert result.value == pytest.approx(0.0, abs=1e-9)
    assert "from the right only" in result.verdict


def test_offsets_shrink_geometrically_and_a_is_never_evaluated():
    seen = []

    def f(x):
        seen.append(np.array(x, copy=True))
        return np.sin(x) / x

    result = estimate_limit(f, 0.0, h_max=0.5, decades=4, points_per_decade=8)
    ratios = result.offsets[1:] / result.offsets[:-1]
    assert_allclose(ratios, 10 ** (-1 / 8))
    assert result.offsets[0] == 0.5
    assert_allclose(result.offsets[-1], 0.5e-4)
    assert not any(np.any(points == 0.0) for points in seen)
    assert_allclose(result.left_values, np.sin(-result.offsets) / -result.offsets)
    assert_allclose(result.right_values, np.sin(result.offsets) / result.offsets)


def test_default_offsets_stop_before_cancellation_ruins_the_quotient():
    result = estimate_limit(lambda x: (x**2 - 1) / (x - 1), 1.0)
    exact = 2 + result.offsets  # (x² − 1)/(x − 1) = x + 1
    assert_allclose(result.right_values, exact, rtol=1e-10)
    assert_allclose(result.left_values, 2 - result.offsets, rtol=1e-10)


def test_result_is_frozen():
    result = estimate_limit(np.cos, 0.0)
    assert isinstance(result, LimitEstimate)
    with pytest.raises(AttributeError):
        result.value = 2.0
    with pytest.raises(ValueError, match="read-only"):
        result.offsets[0] = 1.0


@settings(max_examples=40, deadline=None)
@given(
    coefficients=st.lists(st.floats(-5, 5), min_size=1, max_size=5),
    a=st.floats(-3, 3),
)
def test_polynomials_are_continuous(coefficients, a):
    result = estimate_limit(lambda x: np.polyval(coefficients, x), a)
    assert result.kind == "exists"
    expected = np.polyval(coefficients, a)
    assert abs(result.value - expected) <= 1e-6 * max(1.0, abs(expected))


@settings(max_examples=40, deadline=None)
@given(
    below=st.floats(-10, 10),
    jump=st.floats(0.01, 10) | st.floats(-10, -0.01),
    a=st.floats(-5, 5),
)
def test_step_functions_jump_by_their_step(below, jump, a):
    result = estimate_limit(lambda x: np.where(x < a, below, below + jump), a)
    assert result.kind == "jump"
    assert result.left == pytest.approx(below)
    assert result.right == pytest.approx(below + jump)


@pytest.mark.parametrize(
    ("kwargs", "error", "match"),
    [
        ({"f": 3.0}, TypeError, "f must be a function"),
        ({"a": math.nan}, ValueError, "a must be finite"),
        ({"a": "0"}, TypeError, "a must be a real number"),
        ({"h_max": -1.0}, ValueError, "h_max must be > 0"),
        ({"decades": 2}, ValueError, "decades must be ≥ 3"),
        ({"points_per_decade": 2}, ValueError, "points_per_decade must be ≥ 4"),
        ({"a": 1e6, "h_max": 1e-8}, ValueError, "decades: the smallest offset"),
        ({"f": lambda x: np.ones(3)}, ValueError, "one value per x"),
        ({"f": lambda x: x + 1j}, TypeError, "real numbers"),
        ({"f": lambda x: np.log(-np.abs(x))}, ValueError, "NaN on both sides"),
    ],
)
def test_bad_input_names_the_argument(kwargs, error, match):
    arguments = {"f": np.cos, "a": 0.0} | kwargs
    f, a = arguments.pop("f"), arguments.pop("a")
    with pytest.raises(error, match=match):
        estimate_limit(f, a, **arguments)


def test_find_delta_for_sin_x_over_x_matches_the_crossing_point():
    epsilon = 0.1
    result = find_delta(lambda x: np.sin(x) / x, 0.0, 1.0, epsilon)
    assert isinstance(result, EpsilonDelta)
    assert result.found
    # |sin t / t − 1| grows with t, so the largest δ is where it reaches ε.
    crossing = brentq(lambda t: 1 - math.sin(t) / t - epsilon, 0.1, 1.0)
    assert crossing * (1 - 1e-3) <= result.delta <= crossing
    assert result.worst_deviation < epsilon
    assert abs(result.worst_x) == pytest.approx(result.delta)
    assert result.verdict.startswith(f"δ = {result.delta:.4g}: |f(x) − 1| < 0.1 at all ")
    assert result.verdict.endswith("(checked on samples, not a proof)")
    assert result.checked > 2 * 2000


def test_found_delta_works_on_fresh_points():
    f = lambda x: np.sin(x) / x  # noqa: E731
    result = find_delta(f, 0.0, 1.0, 0.05)
    rng = np.random.default_rng(0)
    offsets = rng.uniform(0, result.delta, size=10_000)
    offsets = offsets[offsets > 0]
    fresh = np.concatenate([-offsets, offsets])
    assert np.all(np.abs(f(fresh) - 1.0) < 0.05)


def damped(x):
    return x * np.sin(1 / x)


@pytest.mark.parametrize(
    ("epsilon", "radius", "peak"),
    [
        # Peaks of |sin(1/x)| = 1 that the search without a denser check let
        # through: there |f(x)| = x ≥ ε, yet the δ reported was larger than x.
        (1e-3, 1.0, 317),
        (0.01, 0.25, 31),
        (0.01, 0.25, 30),
    ],
)
def test_the_denser_check_shrinks_delta_below_a_narrow_excursion(epsilon, radius, peak):
    witness = 1 / (np.pi / 2 + peak * np.pi)
    assert abs(damped(witness)) >= epsilon
    result = find_delta(damped, 0.0, 0.0, epsilon, radius=radius)
    assert result.found
    # |x·sin(1/x)| ≤ |x|, so δ = ε provably works; the largest δ lies a little above ε.
    assert epsilon <= result.delta < witness
    offsets = np.linspace(result.delta / 2, result.delta, 2_000_001)
    assert np.all(np.abs(damped(offsets)) < epsilon)
    assert result.worst_deviation < epsilon


def test_a_delta_that_passes_the_denser_check_stands():
    coarse = find_delta(np.cos, 0.0, 1.0, 0.02, samples=10)
    # 1 − cos x < 0.02 exactly for |x| < arccos(0.98); ten offsets per spacing land below it.
    assert coarse.delta < math.acos(0.98)
    assert coarse.delta == max(
        offset
        for offset in np.union1d(np.geomspace(1e-6, 1, 10), np.linspace(0, 1, 11)[1:])
        if offset < math.acos(0.98)
    )


def test_no_delta_for_a_jump():
    result = find_delta(lambda x: np.abs(x) / x, 0.0, 1.0, 0.5)
    assert not result.found
    assert result.delta is None
    assert result.worst_x < 0
    assert result.worst_deviation == 2.0
    assert result.checked == 0
    assert result.verdict.startswith("no δ found")


def test_no_delta_for_a_wrong_limit():
    assert not find_delta(lambda x: np.sin(x) / x, 0.0, 1.5, 0.1).found


def test_whole_radius_works_for_a_constant():
    result = find_delta(lambda x: 0 * x + 2.0, 3.0, 2.0, 1e-9, radius=0.25)
    assert result.found
    assert result.delta == 0.25
    assert result.verdict.endswith("(the whole sampled radius; checked on samples, not a proof)")


@settings(max_examples=30, deadline=None)
@given(slope=st.floats(0.1, 100) | st.floats(-100, -0.1), epsilon=st.floats(1e-3, 1.0))
def test_delta_for_a_line_is_epsilon_over_slope(slope, epsilon):
    result = find_delta(lambda x: slope * x, 0.0, 0.0, epsilon)
    expected = min(epsilon / abs(slope), 1.0)
    assert result.found
    # Consecutive geometric samples differ by 0.7 %, so δ falls at most that short.
    assert expected * 0.99 <= result.delta <= expected * (1 + 1e-12)


@pytest.mark.parametrize(
    ("kwargs", "error", "match"),
    [
        ({"epsilon": 0.0}, ValueError, "epsilon must be > 0"),
        ({"limit": math.inf}, ValueError, "limit must be finite"),
        ({"radius": -1.0}, ValueError, "radius must be > 0"),
        ({"samples": 3}, ValueError, "samples must be ≥ 10"),
        ({"f": None}, TypeError, "f must be a function"),
    ],
)
def test_find_delta_bad_input_names_the_argument(kwargs, error, match):
    arguments = {"f": np.cos, "a": 0.0, "limit": 1.0, "epsilon": 0.1} | kwargs
    f, a, limit, epsilon = (arguments.pop(k) for k in ("f", "a", "limit", "epsilon"))
    with pytest.raises(error, match=match):
        find_delta(f, a, limit, epsilon, **arguments)
