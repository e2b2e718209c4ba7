"""Definite integrals: Riemann sums, their pieces, their order, Monte Carlo and expectations.

Every quadrature rule cuts ``[a, b]`` into ``n`` pieces of width ``h = (b - a) / n``
and replaces ``f`` on each piece by a simple shape whose area is known: a
rectangle (left, right, midpoint), a trapezoid, or a parabola (Simpson). The
functions evaluate ``f`` once, on an array of all the points the rule needs, so
``f`` must be written with numpy (``np.sin``, not ``math.sin``).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, NamedTuple

import numpy as np

from ._validate import (
    check_array,
    check_callable,
    check_choice,
    check_int,
    check_interval,
    check_positive,
    check_real,
    check_seed,
)
from .results import _frozen

__all__ = [
    "RULES",
    "IntegrationPieces",
    "MonteCarloEstimate",
    "QuadratureConvergence",
    "convergence_order",
    "expectation",
    "expected_order",
    "integration_pieces",
    "monte_carlo_expectation",
    "monte_carlo_integral",
    "normal_pdf",
    "riemann_sum",
]


class _Rule(NamedTuple):
    # Where the rule samples f on a piece, as a fraction of the piece's width,
    # the weight of each sample in the piece's area (in units of the width),
    # and the power of 1/n at which the error shrinks for a smooth f.
    nodes: tuple[float, ...]
    weights: tuple[float, ...]
    order: int


# Newton–Cotes weights; orders as in Burden & Faires, Numerical Analysis, §4.3–4.4.
_RULES = {
    "left": _Rule(nodes=(0.0,), weights=(1.0,), order=1),
    "right": _Rule(nodes=(1.0,), weights=(1.0,), order=1),
    "midpoint": _Rule(nodes=(0.5,), weights=(1.0,), order=2),
    "trapezoid": _Rule(nodes=(0.0, 1.0), weights=(0.5, 0.5), order=2),
    "simpson": _Rule(nodes=(0.0, 0.5, 1.0), weights=(1 / 6, 4 / 6, 1 / 6), order=4),
}

#: The quadrature rules, from the crudest to the most accurate.
RULES: tuple[str, ...] = tuple(_RULES)

# Points per piece when drawing the top of a piece: a straight top needs its two
# ends, Simpson's parabola needs enough points to look curved.
_STRAIGHT_TOP_POINTS = 2
_PARABOLA_TOP_POINTS = 9

# Running Monte Carlo estimates are kept at no more than this many sample counts.
_MAX_RUNNING_POINTS = 512

# Errors below this many machine epsilons times (b - a)·max|f| are round-off,
# not truncation error, so the order fit leaves them out.
_ROUND_OFF_FACTOR = 1000.0


def _evaluate(name: str, function: Callable, x: np.ndarray) -> np.ndarray:
    """Call ``function`` once on the array ``x`` and return one real value per point."""
    with np.errstate(all="ignore"):
        try:
            values = np.asarray(function(x))
        except TypeError as error:
            raise TypeError(
                f"{name} must accept a numpy array of points and return one value per point "
                f"(write it with numpy, e.g. np.sin rather than math.sin); "
                f"{name}(x) with x of shape {x.shape} raised TypeError: {error}"
            ) from error
    if values.dtype.kind not in "biuf":
        raise TypeError(f"{name} must return real numbers, got values of dtype {values.dtype}")
    if values.ndim == 0:
        # A constant function written as `lambda x: 2.0` means 2 everywhere.
        return np.full(x.shape[:1], float(values))
    if values.shape != x.shape[:1]:
        raise ValueError(
            f"{name} must return one value per point: for {x.shape[0]} points it returned "
            f"an array of shape {values.shape}"
        )
    return values.astype(float)


def _check_rule(rule: Any) -> _Rule:
    return _RULES[check_choice("rule", rule, RULES)]


def _sample(
    evaluate: Callable[[np.ndarray], np.ndarray], a: float, b: float, n: int, rule: _Rule
) -> tuple[np.ndarray, np.ndarray]:
    """Return the edges (n + 1,) and the values of the integrand at each piece's nodes (n, k).

    The integrand is evaluated once, at each distinct node: neighbouring pieces
    share their common edge.
    """
    # Every node of every rule lies on the grid of half pieces.
    half_grid = np.linspace(a, b, 2 * n + 1)
    grid_index = 2 * np.arange(n)[:, np.newaxis] + np.rint(2 * np.array(rule.nodes)).astype(int)
    distinct, position = np.unique(grid_index, return_inverse=True)
    values = evaluate(half_grid[distinct])[position.reshape(grid_index.shape)]
    return half_grid[::2], values


def _areas(edges: np.ndarray, values: np.ndarray, rule: _Rule) -> np.ndarray:
    with np.errstate(all="ignore"):
        return np.diff(edges) * (values @ np.array(rule.weights))


def _quadrature(
    evaluate: Callable[[np.ndarray], np.ndarray], a: float, b: float, n: int, rule: _Rule
) -> float:
    edges, values = _sample(evaluate, a, b, n, rule)
    with np.errstate(all="ignore"):
        return float(np.sum(_areas(edges, values, rule)))


def _validated_pieces(f: Any, a: Any, b: Any, n: Any, rule: Any) -> tuple:
    f = check_callable("f", f)
    a, b = check_interval(a, b)
    n = check_int("n", n, minimum=1)
    return f, a, b, n, _check_rule(rule)


def riemann_sum(f: Callable, a: float, b: float, n: int, rule: str = "midpoint") -> float:
    """Approximate the integral of ``f`` over ``[a, b]`` with ``n`` pieces.

    Parameters
    ----------
    f : callable
        A numpy function of an array of points, returning one value per point.
        It is called once.
    a, b : float
        The interval, with ``a < b``.
    n : int
        The number of pieces, at least 1.
    rule : {"left", "right", "midpoint", "trapezoid", "simpson"}
        How each piece is approximated. ``"simpson"`` fits one parabola per
        piece through its two ends and its midpoint, which equals composite
        Simpson's rule on ``2 n`` subintervals and so works for every ``n``.

    Returns
    -------
    float
        The approximate integral. It is ``inf`` or ``nan`` when ``f`` is at a
        sampled point (``1 / x`` at 0 with the left rule).

    Examples
    --------
    >>> riemann_sum(lambda x: x**2, 0, 1, 4, rule="left")
    0.21875
    >>> riemann_sum(np.sin, 0, np.pi, 1, rule="simpson")
    2.0944
    """
    f, a, b, n, rule_spec = _validated_pieces(f, a, b, n, rule)
    return _quadrature(lambda x: _evaluate("f", f, x), a, b, n, rule_spec)


@dataclass(frozen=True)
class IntegrationPieces:
    """The pieces of a quadrature rule, ready to be drawn as one polygon each.

    Piece ``i`` is bounded by the x-axis, the vertical lines at ``edges[i]`` and
    ``edges[i + 1]``, and the curve through ``(x[i], y[i])``: its polygon is
    ``(edges[i], 0)``, the points ``(x[i, j], y[i, j])`` in order, then
    ``(edges[i + 1], 0)``.

    Attributes
    ----------
    rule : str
        The quadrature rule.
    edges : ndarray, shape (n + 1,)
        The ends of the pieces.
    x, y : ndarray, shape (n, m)
        The top of each piece sampled from its left end to its right end:
        ``m = 2`` for the flat tops of rectangles and the straight tops of
        trapezoids, ``m = 9`` for Simpson's parabolas.
    areas : ndarray, shape (n,)
        The signed area of each piece; their sum is :func:`riemann_sum`.
    """

    rule: str
    edges: np.ndarray
    x: np.ndarray
    y: np.ndarray
    areas: np.ndarray

    def __post_init__(self) -> None:
        """Make the array fields read-only, so a shared result cannot be altered."""
        for name in ("edges", "x", "y", "areas"):
            object.__setattr__(self, name, _frozen(getattr(self, name)))

    @property
    def total(self) -> float:
        """The sum of the pieces' areas: the rule's estimate of the integral."""
        with np.errstate(all="ignore"):
            return float(np.sum(self.areas))


def _lagrange_basis(nodes: tuple[float, ...], t: np.ndarray) -> np.ndarray:
    """Return the Lagrange basis polynomials of ``nodes`` at ``t``, shape (len(t), len(nodes))."""
    basis = np.ones((t.size, len(nodes)))
    for j, node_j in enumerate(nodes):
        for node_k in nodes:
            if node_k != node_j:
                basis[:, j] *= (t - node_k) / (node_j - node_k)
    return basis


def integration_pieces(
    f: Callable, a: float, b: float, n: int, rule: str = "midpoint"
) -> IntegrationPieces:
    """Return the shapes a quadrature rule puts under ``f``, for drawing.

    Each piece's top is the polynomial through the rule's samples: a constant
    for the rectangle rules, a line for the trapezoid rule, a parabola for
    Simpson's rule. Cost and memory are O(n).

    Parameters
    ----------
    f : callable
        A numpy function of an array of points, returning one value per point.
    a, b : float
        The interval, with ``a < b``.
    n : int
        The number of pieces, at least 1.
    rule : {"left", "right", "midpoint", "trapezoid", "simpson"}
        The quadrature rule, as in :func:`riemann_sum`.

    Returns
    -------
    IntegrationPieces
        The edges, the top of each piece and the areas.

    Examples
    --------
    >>> pieces = integration_pieces(lambda x: x**2, 0, 1, 2, rule="right")
    >>> pieces.edges
    array([0. , 0.5, 1. ])
    >>> pieces.y
    array([[0.25, 0.25],
           [1.  , 1.  ]])
    >>> pieces.total
    0.625
    """
    f, a, b, n, rule_spec = _validated_pieces(f, a, b, n, rule)
    edges, values = _sample(lambda x: _evaluate("f", f, x), a, b, n, rule_spec)
    points = _PARABOLA_TOP_POINTS if len(rule_spec.nodes) == 3 else _STRAIGHT_TOP_POINTS
    t = np.linspace(0.0, 1.0, points)
    widths = np.diff(edges)
    with np.errstate(all="ignore"):
        top = values @ _lagrange_basis(rule_spec.nodes, t).T
    return IntegrationPieces(
        rule=rule,
        edges=edges,
        x=edges[:-1, np.newaxis] + widths[:, np.newaxis] * t,
        y=top,
        areas=_areas(edges, values, rule_spec),
    )


def expected_order(rule: str) -> int:
    """Return the order p of a rule: for smooth ``f`` its error shrinks like ``n**-p``.

    Parameters
    ----------
    rule : {"left", "right", "midpoint", "trapezoid", "simpson"}
        The quadrature rule.

    Returns
    -------
    int
        1 for the left and right rules, 2 for midpoint and trapezoid, 4 for Simpson.

    Examples
    --------
    >>> [expected_order(rule) for rule in RULES]
    [1, 1, 2, 2, 4]
    """
    return _check_rule(rule).order


@dataclass(frozen=True)
class QuadratureConvergence:
    """How the error of a quadrature rule shrinks as the number of pieces grows.

    Attributes
    ----------
    rule : str
        The quadrature rule.
    ns : ndarray of int, shape (k,)
        The numbers of pieces tried, increasing.
    errors : ndarray, shape (k,)
        ``|riemann_sum(f, a, b, n, rule) - exact|`` for each ``n``.
    fitted : ndarray of bool, shape (k,)
        Which errors entered the order fit: those finite and above the
        round-off floor.
    round_off_floor : float
        ``1000 · machine epsilon · (b - a) · max|f|``; smaller errors are
        dominated by rounding, not by the rule.
    observed_order : float
        The least-squares slope of ``-log(error)`` against ``log(n)`` over the
        fitted points; ``nan`` when fewer than two points are fitted (as when
        the rule is exact for ``f``).
    expected_order : int
        The theoretical order, :func:`expected_order`.
    """

    rule: str
    ns: np.ndarray
    errors: np.ndarray
    fitted: np.ndarray
    round_off_floor: float
    observed_order: float
    expected_order: int

    def __post_init__(self) -> None:
        """Make the array fields read-only, so a shared result cannot be altered."""
        for name in ("ns", "errors", "fitted"):
            object.__setattr__(self, name, _frozen(getattr(self, name)))


def _check_piece_counts(ns: Any) -> np.ndarray:
    counts = check_array("ns", ns, ndim=1, min_length=2)
    if np.any(counts != np.round(counts)) or np.any(counts < 1):
        raise ValueError(f"ns must hold whole numbers ≥ 1, got {counts.tolist()}")
    if np.any(np.diff(counts) <= 0):
        raise ValueError(f"ns must be strictly increasing, got {counts.astype(int).tolist()}")
    return counts.astype(int)


def convergence_order(
    f: Callable,
    a: float,
    b: float,
    rule: str,
    *,
    exact: float,
    ns: Any = None,
) -> QuadratureConvergence:
    """Measure the order of a quadrature rule from its errors at several ``n``.

    The observed order is the least-squares slope of ``-log(error)`` against
    ``log(n)``, fitted only over the errors that are finite and above the
    round-off floor ``1000 · ε · (b - a) · max|f|`` (ε the machine epsilon,
    max|f| over the sampled points): below it the error is rounding noise and
    would flatten the slope.

    Parameters
    ----------
    f : callable
        A numpy function of an array of points, returning one value per point.
    a, b : float
        The interval, with ``a < b``.
    rule : {"left", "right", "midpoint", "trapezoid", "simpson"}
        The quadrature rule.
    exact : float
        The true value of the integral.
    ns : sequence of int, optional
        Strictly increasing numbers of pieces, at least two. Defaults to
        8, 16, 32, ..., 4096, past the first few ``n`` where the error of a
        wiggly ``f`` has not yet settled into its asymptotic rate.

    Returns
    -------
    QuadratureConvergence
        The errors, which of them were fitted, and the observed and expected orders.

    Examples
    --------
    >>> study = convergence_order(np.exp, 0, 1, "trapezoid", exact=np.e - 1)
    >>> round(study.observed_order, 1), study.expected_order
    (2.0, 2)
    """
    f = check_callable("f", f)
    a, b = check_interval(a, b)
    rule_spec = _check_rule(rule)
    exact = check_real("exact", exact)
    ns = 2 ** np.arange(3, 13) if ns is None else _check_piece_counts(ns)
    errors = np.empty(ns.size)
    largest_value = 0.0
    for i, n in enumerate(ns):
        edges, values = _sample(lambda x: _evaluate("f", f, x), a, b, int(n), rule_spec)
        with np.errstate(all="ignore"):
            errors[i] = abs(np.sum(_areas(edges, values, rule_spec)) - exact)
        finite = np.abs(values[np.isfinite(values)])
        largest_value = max(largest_value, float(finite.max(initial=0.0)))
    floor = _ROUND_OFF_FACTOR * np.finfo(float).eps * (b - a) * largest_value
    fitted = np.isfinite(errors) & (errors > floor)
    if np.count_nonzero(fitted) >= 2:
        log_n = np.log(ns[fitted])
        minus_log_error = -np.log(errors[fitted])
        centred = log_n - log_n.mean()
        order = float(centred @ (minus_log_error - minus_log_error.mean()) / (centred @ centred))
    else:
        order = float("nan")
    return QuadratureConvergence(
        rule=rule,
        ns=ns,
        errors=errors,
        fitted=fitted,
        round_off_floor=float(floor),
        observed_order=order,
        expected_order=rule_spec.order,
    )


@dataclass(frozen=True)
class MonteCarloEstimate:
    """A Monte Carlo estimate, its standard error and how both evolved with the sample count.

    Attributes
    ----------
    estimate : float
        The estimate from all ``n_samples`` samples.
    standard_error : float
        The estimated standard deviation of ``estimate``: the sample standard
        deviation (``ddof=1``) over ``sqrt(n_samples)``. It shrinks like
        ``1 / sqrt(n_samples)``.
    n_samples : int
        The number of samples drawn.
    counts : ndarray of int, shape (k,)
        Sample counts from 2 to ``n_samples``: all of them when there are at most
        512, else 512 log-spaced ones (fewer after rounding to whole numbers).
    running_estimates, running_standard_errors : ndarray, shape (k,)
        The estimate and standard error using the first ``counts[i]`` samples
        only. With the same seed they equal a run with ``counts[i]`` samples.
    """

    estimate: float
    standard_error: float
    n_samples: int
    counts: np.ndarray
    running_estimates: np.ndarray
    running_standard_errors: np.ndarray

    def __post_init__(self) -> None:
        """Make the array fields read-only, so a shared result cannot be altered."""
        for name in ("counts", "running_estimates", "running_standard_errors"):
            object.__setattr__(self, name, _frozen(getattr(self, name)))

    def interval(self, z: float = 1.96) -> tuple[float, float]:
        """Return ``estimate ± z · standard_error``.

        Parameters
        ----------
        z : float
            How many standard errors on each side; 1.96 gives the approximate
            95 % confidence interval of the central limit theorem.

        Returns
        -------
        tuple of float
            The lower and upper ends.

        Examples
        --------
        >>> mc = monte_carlo_integral(lambda x: x, 0, 1, 1000, seed=1)
        >>> low, high = mc.interval()
        >>> bool(low < 0.5 < high)
        True
        """
        z = check_positive("z", z)
        return self.estimate - z * self.standard_error, self.estimate + z * self.standard_error


def _running_counts(n_samples: int) -> np.ndarray:
    if n_samples - 1 <= _MAX_RUNNING_POINTS:
        return np.arange(2, n_samples + 1)
    spaced = np.geomspace(2, n_samples, _MAX_RUNNING_POINTS)
    return np.unique(np.rint(spaced).astype(int))


def _monte_carlo(values: np.ndarray, scale: float) -> MonteCarloEstimate:
    """Summarise the sample values of ``scale · values`` as a Monte Carlo estimate."""
    n_samples = values.size
    counts = _running_counts(n_samples)
    with np.errstate(all="ignore"):
        # Cumulating deviations from the overall mean, rather than raw values and
        # squares, avoids cancellation in the running variance.
        mean = float(np.mean(values))
        deviations = values - mean
        sums = np.cumsum(deviations)[counts - 1]
        sums_of_squares = np.cumsum(deviations**2)[counts - 1]
        variances = np.maximum(sums_of_squares - sums**2 / counts, 0.0) / (counts - 1)
        running_estimates = scale * (mean + sums / counts)
        running_standard_errors = abs(scale) * np.sqrt(variances / counts)
    # The last count is n_samples, so the final running values are the estimate.
    return MonteCarloEstimate(
        estimate=float(running_estimates[-1]),
        standard_error=float(running_standard_errors[-1]),
        n_samples=n_samples,
        counts=counts,
        running_estimates=running_estimates,
        running_standard_errors=running_standard_errors,
    )


def monte_carlo_integral(
    f: Callable, a: float, b: float, n_samples: int, *, seed: Any = 0
) -> MonteCarloEstimate:
    """Estimate the integral of ``f`` over ``[a, b]`` by averaging it at uniform random points.

    The estimate is ``(b - a) · mean(f(U))`` with ``U`` uniform on ``[a, b]``; its
    standard error shrinks like ``1 / sqrt(n_samples)`` whatever the dimension,
    which is why Monte Carlo wins in high dimension and loses to Simpson in one.

    Parameters
    ----------
    f : callable
        A numpy function of an array of points, returning one value per point.
    a, b : float
        The interval, with ``a < b``.
    n_samples : int
        The number of random points, at least 2 (a standard error needs two).
    seed : int, numpy.random.Generator or None
        The seed of ``numpy.random.default_rng``; the same seed gives the same
        estimate.

    Returns
    -------
    MonteCarloEstimate
        The estimate, its standard error and the running estimates.

    Examples
    --------
    >>> mc = monte_carlo_integral(lambda x: x**2, 0, 1, 100_000, seed=0)
    >>> bool(abs(mc.estimate - 1 / 3) < 3 * mc.standard_error)
    True
    >>> int(mc.counts[0]), int(mc.counts[-1])
    (2, 100000)
    """
    f = check_callable("f", f)
    a, b = check_interval(a, b)
    n_samples = check_int("n_samples", n_samples, minimum=2)
    rng = check_seed("seed", seed)
    points = rng.uniform(a, b, n_samples)
    return _monte_carlo(_evaluate("f", f, points), b - a)


def expectation(
    g: Callable,
    density: Callable,
    a: float,
    b: float,
    *,
    n: int = 1000,
    rule: str = "simpson",
) -> float:
    """Compute ``E[g(X)] = ∫ g(x) p(x) dx`` over ``[a, b]`` by quadrature.

    For a density with unbounded support, choose ``[a, b]`` to hold all but a
    negligible part of its mass (``mean ± 10·std`` for a normal).

    Parameters
    ----------
    g : callable
        A numpy function of an array of points: the quantity averaged, such as
        a loss.
    density : callable
        The probability density ``p`` of ``X``, a numpy function of an array.
        It is not renormalised over ``[a, b]``.
    a, b : float
        The interval of integration, with ``a < b``.
    n : int
        The number of pieces, at least 1.
    rule : {"left", "right", "midpoint", "trapezoid", "simpson"}
        The quadrature rule, as in :func:`riemann_sum`.

    Returns
    -------
    float
        The expectation.

    Examples
    --------
    E[X²] = σ² + μ² for a normal X with mean μ = 1 and standard deviation σ = 2:

    >>> expectation(lambda x: x**2, lambda x: normal_pdf(x, 1, 2), -19, 21)
    5.0
    """
    g = check_callable("g", g)
    density = check_callable("density", density)
    a, b = check_interval(a, b)
    n = check_int("n", n, minimum=1)
    rule_spec = _check_rule(rule)

    def integrand(x: np.ndarray) -> np.ndarray:
        with np.errstate(all="ignore"):
            return _evaluate("g", g, x) * _evaluate("density", density, x)

    return _quadrature(integrand, a, b, n, rule_spec)


def monte_carlo_expectation(
    g: Callable,
    sampler: Callable,
    n_samples: int,
    *,
    seed: Any = 0,
) -> MonteCarloEstimate:
    """Estimate ``E[g(X)]`` by averaging ``g`` over random draws of ``X``.

    Parameters
    ----------
    g : callable
        A numpy function of the array of samples, returning one value per
        sample (per row, when each sample is a vector).
    sampler : callable
        ``sampler(rng, n)`` draws ``n`` samples of ``X`` with the numpy
        Generator ``rng``, as an array of shape ``(n,)`` or ``(n, d)``, such as
        ``lambda rng, n: rng.normal(0, 1, n)``.
    n_samples : int
        The number of samples, at least 2.
    seed : int, numpy.random.Generator or None
        The seed of ``numpy.random.default_rng``.

    Returns
    -------
    MonteCarloEstimate
        The estimate, its standard error and the running estimates.

    Examples
    --------
    The expected squared loss E[(wX - Y)²] of the model y = w·x at w = 1, when
    X is standard normal and Y = 2X + noise of standard deviation 0.5, is
    (w - 2)² + 0.5² = 1.25:

    >>> def draw_pairs(rng, n):
    ...     x = rng.normal(0, 1, n)
    ...     return np.column_stack([x, 2 * x + rng.normal(0, 0.5, n)])
    >>> mc = monte_carlo_expectation(lambda s: (s[:, 0] - s[:, 1]) ** 2, draw_pairs, 100_000)
    >>> bool(abs(mc.estimate - 1.25) < 4 * mc.standard_error)
    True
    """
    g = check_callable("g", g)
    if not callable(sampler):
        raise TypeError(
            f"sampler must be a function sampler(rng, n) that draws n samples, got {sampler!r}"
        )
    n_samples = check_int("n_samples", n_samples, minimum=2)
    rng = check_seed("seed", seed)
    samples = np.asarray(sampler(rng, n_samples))
    if samples.ndim not in (1, 2) or samples.shape[0] != n_samples:
        raise ValueError(
            f"sampler(rng, n) must return an array of shape (n,) or (n, d); for n={n_samples} "
            f"it returned shape {samples.shape}"
        )
    return _monte_carlo(_evaluate("g", g, samples), 1.0)


def normal_pdf(x: Any, mean: float = 0.0, std: float = 1.0) -> float | np.ndarray:
    """Return the density of the normal distribution with ``mean`` and ``std`` at ``x``.

    Parameters
    ----------
    x : float or array_like
        The points.
    mean : float
        The mean μ.
    std : float
        The standard deviation σ > 0.

    Returns
    -------
    float or ndarray
        ``exp(-(x - μ)² / (2σ²)) / (σ √(2π))``, with the shape of ``x``.

    Examples
    --------
    >>> normal_pdf(0.0)
    0.3989422804014327
    >>> normal_pdf([1.0, 3.0], mean=1.0, std=2.0)
    array([0.19947114, 0.12098536])
    """
    points = check_array("x", x)
    mean = check_real("mean", mean)
    std = check_positive("std", std)
    density = np.exp(-0.5 * ((points - mean) / std) ** 2) / (std * np.sqrt(2 * np.pi))
    return float(density) if density.ndim == 0 else density
