"""Limits from the left and the right, and the ε–δ definition, estimated numerically.

A limit is estimated the way a learner would by hand: evaluate f ever closer to
the point from each side and watch what the values do. They may settle on a
number, run off to ±∞, or keep oscillating. The point itself is never
evaluated, since f is often undefined there (sin(x)/x at 0).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from ._validate import check_callable, check_int, check_positive, check_real

__all__ = ["EpsilonDelta", "LimitEstimate", "estimate_limit", "find_delta"]

_EPS = float(np.finfo(float).eps)


def _evaluate(f: Callable, points: np.ndarray) -> np.ndarray:
    """Return f at ``points`` with one value per point, real or complex.

    NaN and ±inf are results here, not errors, so numpy's floating-point
    warnings are silenced. A scalar result is taken as a constant function.
    """
    with np.errstate(all="ignore"):
        values = np.asarray(f(points))
    if values.dtype.kind not in "biufc":
        raise TypeError(f"f must return numbers, but f(x) returned dtype {values.dtype}")
    if values.shape != points.shape:
        if values.ndim != 0:
            raise ValueError(
                f"f must return one value per x: for x of shape {points.shape} it returned "
                f"shape {values.shape}; write f with numpy functions (np.sin, np.where, ...) "
                "so that it works on arrays"
            )
        values = np.broadcast_to(values, points.shape)
    return values


def _evaluate_real(f: Callable, points: np.ndarray) -> np.ndarray:
    """Return f at ``points`` as floats; complex results are refused."""
    values = _evaluate(f, points)
    if values.dtype.kind == "c":
        raise TypeError("f must return real numbers, but f(x) returned complex values")
    return values.astype(float)


def _format_number(value: float, uncertainty: float = 0.0) -> str:
    """Show ``value`` to the digits that ``uncertainty`` supports, with a true minus sign."""
    if math.isinf(value):
        return "+∞" if value > 0 else "−∞"
    if uncertainty > 0:
        value = round(value, -math.floor(math.log10(uncertainty)))
    text = f"{value + 0.0:.6g}"  # + 0.0 turns -0.0 into 0.0
    if text == "-0":
        return "0"
    return "−" + text[1:] if text.startswith("-") else text


@dataclass(frozen=True)
class _Side:
    """What f does on one side: kind, estimated limit and how far to trust it."""

    kind: str
    estimate: float | None
    uncertainty: float


# Successive increments shrinking by a ratio above this are too slow to extrapolate safely.
_MAX_RATIO = 0.95
# Increment ratios that vary by more than this fraction are not a steady geometric decay.
_RATIO_SPREAD = 0.05


def _settle(values: np.ndarray) -> tuple[float, float]:
    """Return the limit of converging ``values`` and its uncertainty.

    When the increments shrink by a steady ratio q, as they do when the error
    behaves like C·h^p on geometric offsets, the remaining increments sum to a
    geometric series, which Aitken's Δ² process adds up (Burden & Faires,
    Numerical Analysis, 9th ed., §2.5). That turns sqrt(h) → 0 from 0.01 at
    h = 1e-4 into 0. Otherwise the last value stands, uncertain by the spread
    of the values.
    """
    steps = np.diff(values)
    last = float(values[-1])
    if np.all(steps != 0):
        ratios = steps[1:] / steps[:-1]
        steady = (
            ratios.min() > 0
            and ratios.max() < _MAX_RATIO
            and np.ptp(ratios) <= _RATIO_SPREAD * ratios.mean()
        )
        if steady:
            correction = float(steps[-1] * ratios[-1] / (1 - ratios[-1]))
            return last + correction, abs(correction)
    return last, float(np.ptp(values))


def _one_side(values: np.ndarray, per_decade: int) -> _Side:
    """Classify one side from its values, ordered from the farthest offset to the nearest.

    The last three decades of offsets are compared: a limit shows as values
    that stop moving, or whose spread per decade shrinks; ±∞ as values that
    keep growing in one direction; anything else oscillates.
    """
    values = values[-(3 * per_decade + 1) :]
    if np.isnan(values).any():
        return _Side("undefined", None, math.nan)
    tail = values[-(2 * per_decade + 1) :]
    infinite = np.isinf(tail)
    if infinite.any():
        signs = np.sign(tail[infinite])
        if np.all(signs == signs[0]):
            return _Side("unbounded", math.copysign(math.inf, signs[0]), 0.0)
        return _Side("oscillating", None, math.nan)
    end = len(values)
    decades = [values[end - (j + 1) * per_decade - 1 : end - j * per_decade] for j in (2, 1, 0)]
    spreads = [float(np.ptp(decade)) for decade in decades]
    steps = np.diff(tail)
    monotone = bool(np.all(steps >= 0) or np.all(steps <= 0))
    last = float(tail[-1])
    flat = spreads[2] <= 64 * _EPS * max(1.0, abs(last))
    shrinking = spreads[2] < spreads[1] < spreads[0] and spreads[2] <= 0.5 * spreads[0]
    # A monotone sequence whose steps get smaller is bounded near a and converges
    # (the monotone convergence theorem), even if slowly.
    if flat or shrinking or (monotone and spreads[2] < 0.9 * spreads[1]):
        return _Side("exists", *_settle(decades[2]))
    same_sign = bool(np.all(np.sign(tail) == np.sign(last)))
    escaping = same_sign and np.abs(decades[2]).min() > np.abs(decades[1]).max()
    if monotone or escaping:
        return _Side("unbounded", math.copysign(math.inf, last - float(tail[0])), 0.0)
    return _Side("oscillating", None, math.nan)


def _describe(side: _Side) -> str:
    if side.kind == "exists":
        return f"→ {_format_number(side.estimate, side.uncertainty)}"
    if side.kind == "unbounded":
        return f"→ {_format_number(side.estimate)}"
    if side.kind == "oscillating":
        return "oscillates"
    return "undefined (NaN)"


@dataclass(frozen=True)
class LimitEstimate:
    """A numerical estimate of lim_{x→a} f(x) from both sides.

    Attributes
    ----------
    point : float
        The point a.
    offsets : ndarray, shape (n,)
        The offsets h, shrinking geometrically; f was evaluated at a − h and a + h.
    left_values, right_values : ndarray, shape (n,)
        f(a − h) and f(a + h) for each offset (NaN and ±inf kept as they came).
    left, right : float or None
        The one-sided limits: a number, ±inf when that side runs off to
        infinity, None when it oscillates or f is undefined (NaN) there.
    left_kind, right_kind : str
        ``"exists"``, ``"unbounded"``, ``"oscillating"`` or ``"undefined"``
        (f returned NaN on that side, as sqrt does left of 0).
    value : float or None
        The two-sided limit: a number when ``kind == "exists"``, ±inf when both
        sides run off to the same infinity, None otherwise. When f is undefined
        on one side, the limit within f's domain is that of the other side.
    kind : str
        ``"exists"`` (a finite two-sided limit), ``"jump"`` (finite one-sided
        limits that differ), ``"unbounded"`` (a side runs off to ±∞) or
        ``"oscillating"`` (a side never settles).
    verdict : str
        One sentence for a learner, e.g. ``"left → −1, right → 1: no two-sided limit (jump)"``.
    """

    point: float
    offsets: np.ndarray
    left_values: np.ndarray
    right_values: np.ndarray
    left: float | None
    right: float | None
    left_kind: str
    right_kind: str
    value: float | None
    kind: str
    verdict: str


def _combine(left: _Side, right: _Side) -> tuple[str, float | None, str]:
    """Return the two-sided kind, value and conclusion from the two sides."""
    if left.kind == "undefined" or right.kind == "undefined":
        missing, present, other = (
            ("left", "right", right) if left.kind == "undefined" else ("right", "left", left)
        )
        if other.kind == "oscillating":
            return "oscillating", None, f"no limit (oscillates; f is undefined on the {missing})"
        return (
            other.kind,
            other.estimate,
            f"the limit is {_describe(other)[2:]} from the {present} only "
            f"(f is undefined on the {missing})",
        )
    if left.kind == right.kind == "exists":
        # Both estimates carry their uncertainty, and rounding keeps a floor of a few ulps.
        allowed = (
            left.uncertainty
            + right.uncertainty
            + 64 * _EPS * max(1.0, abs(left.estimate), abs(right.estimate))
        )
        if abs(left.estimate - right.estimate) <= allowed:
            # Averaging the sides cancels the first-order error of each one-sided value.
            value = (left.estimate + right.estimate) / 2
            shown = _format_number(value, max(left.uncertainty, right.uncertainty))
            return "exists", value, f"the limit is {shown}"
        return "jump", None, "no two-sided limit (jump)"
    if "oscillating" in (left.kind, right.kind):
        return "oscillating", None, "no limit (oscillates)"
    if left.estimate == right.estimate:
        return (
            "unbounded",
            left.estimate,
            f"the limit is {_format_number(left.estimate)} (unbounded)",
        )
    return "unbounded", None, "no two-sided limit (unbounded)"


def estimate_limit(
    f: Callable[[np.ndarray], np.ndarray],
    a: float,
    *,
    h_max: float | None = None,
    decades: int = 3,
    points_per_decade: int = 10,
) -> LimitEstimate:
    """Estimate lim_{x→a} f(x) from the left and the right.

    f is evaluated at a ± h for offsets h shrinking geometrically from
    ``h_max`` over ``decades`` powers of ten, never at a itself. Each side is
    classified from how its values behave over the last decades: settling on
    a number, growing without bound, or oscillating.

    Parameters
    ----------
    f : callable
        A vectorised function of x (numpy code). It may return NaN or ±inf
        near a; no warning escapes.
    a : float
        The point x approaches.
    h_max : float, optional
        The largest offset; default 0.1·max(1, |a|).
    decades : int, default 3
        How many powers of ten the offsets span (at least 3).
    points_per_decade : int, default 10
        Offsets per power of ten (at least 4).

    Returns
    -------
    LimitEstimate
        The offsets, the values on both sides, the one-sided limits and kinds,
        the two-sided limit, its kind and a one-sentence verdict.

    Notes
    -----
    This is numerical evidence, not proof. A limit approached very slowly
    (1/log|x| → 0 at 0) shows as the value reached at the smallest offset, and
    an oscillation faster than the sampling can resolve may be missed.

    Examples
    --------
    >>> import numpy as np
    >>> estimate_limit(lambda x: np.sin(x) / x, 0.0).value
    1.0
    >>> estimate_limit(lambda x: np.abs(x) / x, 0.0).verdict
    'left → −1, right → 1: no two-sided limit (jump)'
    >>> estimate_limit(lambda x: 1 / x, 0.0).kind
    'unbounded'
    """
    check_callable("f", f)
    a = check_real("a", a)
    scale = max(1.0, abs(a))
    h_max = 0.1 * scale if h_max is None else check_positive("h_max", h_max)
    decades = check_int("decades", decades, minimum=3, maximum=12)
    points_per_decade = check_int("points_per_decade", points_per_decade, minimum=4, maximum=100)
    # The default stops at 1e-4·scale: (x²−1)/(x−1) loses ε/h to cancellation and
    # (1−cos x)/x² loses ε/h², which is still a 1e-8 wobble at h = 1e-4 but would
    # look like oscillation (and, below 1e-8, cos x rounds to 1 and f to 0).
    offsets = h_max * 10.0 ** (-np.arange(decades * points_per_decade + 1) / points_per_decade)
    if a - offsets[-1] == a or a + offsets[-1] == a:
        raise ValueError(
            f"decades: the smallest offset {offsets[-1]:.3g} is too small to tell a ± h from "
            f"a = {a:g}; use fewer decades or a larger h_max"
        )
    left_values = _evaluate_real(f, a - offsets)
    right_values = _evaluate_real(f, a + offsets)
    left = _one_side(left_values, points_per_decade)
    right = _one_side(right_values, points_per_decade)
    if left.kind == right.kind == "undefined":
        raise ValueError(f"f returned NaN on both sides of a = {a:g}: it is undefined near a")
    kind, value, conclusion = _combine(left, right)
    for array in (offsets, left_values, right_values):
        array.setflags(write=False)
    return LimitEstimate(
        point=a,
        offsets=offsets,
        left_values=left_values,
        right_values=right_values,
        left=left.estimate,
        right=right.estimate,
        left_kind=left.kind,
        right_kind=right.kind,
        value=value,
        kind=kind,
        verdict=f"left {_describe(left)}, right {_describe(right)}: {conclusion}",
    )


@dataclass(frozen=True)
class EpsilonDelta:
    """A δ for a given ε in the definition of lim_{x→a} f(x) = L, found by sampling.

    The δ is checked on samples, not proved: a function that oscillates can
    leave the band between two samples. The search therefore checks its
    candidate again on a much denser sample and shrinks it when that finds a
    point outside the band.

    Attributes
    ----------
    point : float
        The point a.
    limit : float
        The claimed limit L.
    epsilon : float
        The half-width ε of the band around L.
    radius : float
        The neighbourhood searched: 0 < |x − a| ≤ radius.
    delta : float or None
        The largest sampled δ such that every sampled x with 0 < |x − a| ≤ δ
        has |f(x) − L| < ε, after the denser check; None when even the samples
        nearest a leave the band.
    found : bool
        Whether a δ was found.
    worst_x : float
        With a δ, the sampled x inside the δ-band farthest from L; without one,
        the sampled x nearest a that leaves the ε-band (the witness).
    worst_deviation : float
        |f(worst_x) − L|.
    checked : int
        With a δ, how many sampled x with 0 < |x − a| ≤ δ (both sides together)
        stay inside the band; without one, 0.
    verdict : str
        One sentence for a learner.
    """

    point: float
    limit: float
    epsilon: float
    radius: float
    delta: float | None
    found: bool
    worst_x: float
    worst_deviation: float
    checked: int
    verdict: str


# The denser check of a candidate δ uses this many times the samples of the
# search per grid, capped at _DENSE_MAX unless the search itself uses more.
_DENSE_FACTOR = 10
_DENSE_MAX = 100_000
# Each round of the denser check can only shrink δ; a few rounds settle it.
_DENSE_ROUNDS = 5


def _deviations(
    f: Callable, a: float, limit: float, offsets: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Return the points a ∓ offsets (shape (2, n)) and |f − limit| there."""
    points = np.stack([a - offsets, a + offsets])
    with np.errstate(all="ignore"):
        deviations = np.abs(_evaluate_real(f, points) - limit)
    return points, deviations


def _first_outside(deviations: np.ndarray, epsilon: float) -> int:
    """Return the index of the first offset where either side leaves the band (n if none)."""
    inside = np.all(deviations < epsilon, axis=0)  # NaN counts as outside
    return int(np.argmin(inside)) if not inside.all() else inside.size


def _first_offset_outside(offsets: np.ndarray, deviations: np.ndarray, epsilon: float) -> float:
    """Return the smallest offset where either side leaves the band (inf if none)."""
    index = _first_outside(deviations, epsilon)
    return float(offsets[index]) if index < offsets.size else math.inf


def _largest_below(offsets: np.ndarray, bound: float) -> float:
    """Return the largest of the sorted ``offsets`` below ``bound`` (0 if none)."""
    count = int(np.searchsorted(offsets, bound, side="left"))
    return float(offsets[count - 1]) if count else 0.0


def _worst_within(runs: list[tuple], delta: float) -> tuple[float, float, int]:
    """Return the worst sampled point with offset ≤ δ, its deviation, and how many were checked.

    Each run's offsets are sorted, so the points within δ are a prefix of it. Of
    equal deviations the left side wins, then the earlier run, then the smaller
    offset: the order of the runs' samples laid side by side, left side first.
    """
    best: tuple[float, int, int, float] | None = None  # (deviation, side, run, x)
    checked = 0
    for position, (offsets, points, deviations, _) in enumerate(runs):
        count = int(np.searchsorted(offsets, delta, side="right"))
        checked += 2 * count
        for side in (0, 1):
            if count == 0:
                continue
            index = int(np.argmax(deviations[side, :count]))
            value = float(deviations[side, index])
            candidate = (value, side, position, float(points[side, index]))
            if best is None or (value, -side, -position) > (best[0], -best[1], -best[2]):
                best = candidate
    return best[3], best[0], checked


def find_delta(
    f: Callable[[np.ndarray], np.ndarray],
    a: float,
    limit: float,
    epsilon: float,
    *,
    radius: float = 1.0,
    samples: int = 2000,
) -> EpsilonDelta:
    """Find the largest δ with |f(x) − limit| < ε whenever 0 < |x − a| < δ, on samples.

    Offsets from a are sampled both evenly and geometrically (down to
    radius·1e-6) on both sides; the candidate δ is the largest sampled offset
    up to which every sample stays inside the ε-band. The candidate is then
    checked on a much denser sample of (0, δ] on both sides — evenly spaced
    over its top half, where a missed excursion is likeliest, and geometric
    over the three decades below — and shrunk to the largest offset that
    passes, until a denser check finds nothing new.

    Parameters
    ----------
    f : callable
        A vectorised function of x (numpy code).
    a : float
        The point x approaches.
    limit : float
        The claimed limit L.
    epsilon : float
        The half-width of the band around L, > 0.
    radius : float, default 1.0
        The largest offset |x − a| searched.
    samples : int, default 2000
        Offsets per spacing (even and geometric) on each side; the denser
        check uses ten times as many, capped at 100 000 (or at ``samples``,
        if that is larger).

    Returns
    -------
    EpsilonDelta
        δ (or None), whether it was found, the worst sampled point, how many
        points were checked and a verdict.

    Notes
    -----
    The δ is verified on samples, not proved. When f oscillates, as
    x·sin(1/x) does near 0, a sample can miss a narrow excursion outside the
    band, and a coarse search overestimates δ; the denser check catches the
    excursions that are wider than its spacing. For a proof, bound |f(x) − L|
    by hand (for x·sin(1/x), |x·sin(1/x)| ≤ |x|, so δ = ε works).

    Examples
    --------
    >>> import numpy as np
    >>> result = find_delta(lambda x: np.sin(x) / x, 0.0, 1.0, 0.1)
    >>> result.found, round(result.delta, 2)
    (True, 0.79)
    >>> find_delta(lambda x: np.abs(x) / x, 0.0, 1.0, 0.5).found
    False
    """
    check_callable("f", f)
    a = check_real("a", a)
    limit = check_real("limit", limit)
    epsilon = check_positive("epsilon", epsilon)
    radius = check_positive("radius", radius)
    samples = check_int("samples", samples, minimum=10, maximum=1_000_000)

    def distinguishable(offsets: np.ndarray) -> np.ndarray:
        # Offsets below the spacing of floats at a would evaluate f at a itself.
        return offsets[(a - offsets != a) & (a + offsets != a)]

    offsets = distinguishable(
        np.union1d(
            np.geomspace(radius * 1e-6, radius, samples), np.linspace(0, radius, samples + 1)[1:]
        )
    )
    if offsets.size == 0:
        raise ValueError(f"radius {radius:g} is too small to sample around a = {a:g}")
    points, deviations = _deviations(f, a, limit, offsets)
    first_out = _first_outside(deviations, epsilon)
    point_text = _format_number(a)
    common = {"point": a, "limit": limit, "epsilon": epsilon, "radius": radius}
    if first_out == 0:
        side = int(np.argmax(~(deviations[:, 0] < epsilon)))
        worst_x, worst_deviation = float(points[side, 0]), float(deviations[side, 0])
        verdict = (
            f"no δ found: at x = {_format_number(worst_x)}, as close to {point_text} as sampled, "
            f"|f(x) − {_format_number(limit)}| = {_format_number(worst_deviation)} "
            f"≥ ε = {_format_number(epsilon)}"
        )
        return EpsilonDelta(
            **common,
            delta=None,
            found=False,
            worst_x=worst_x,
            worst_deviation=worst_deviation,
            checked=0,
            verdict=verdict,
        )
    whole_radius = first_out == offsets.size
    # Every run of samples is kept with its first offset outside the band (inf if none).
    runs = [(offsets, points, deviations, _first_offset_outside(offsets, deviations, epsilon))]
    delta = float(offsets[first_out - 1])
    dense = min(_DENSE_FACTOR * samples, max(samples, _DENSE_MAX))
    for _ in range(_DENSE_ROUNDS):
        # Never below the smallest offset of the search, which is inside the band;
        # δ itself is already checked.
        lowest = float(offsets[0])
        if delta <= lowest:
            break
        for grid in (
            np.geomspace(max(delta * 1e-3, lowest), delta, dense)[:-1],
            np.linspace(max(delta / 2, lowest), delta, dense)[:-1],
        ):
            grid = distinguishable(grid)
            grid_points, grid_deviations = _deviations(f, a, limit, grid)
            outside = _first_offset_outside(grid, grid_deviations, epsilon)
            runs.append((grid, grid_points, grid_deviations, outside))
        # δ becomes the largest offset checked below the first one outside the band.
        first_outside = min(run[3] for run in runs)
        shrunk = max(_largest_below(run[0], first_outside) for run in runs)
        if shrunk == delta:
            break
        delta, whole_radius = shrunk, False
    worst_x, worst_deviation, checked = _worst_within(runs, delta)
    where = "the whole sampled radius; " if whole_radius else ""
    verdict = (
        f"δ = {delta:.4g}: |f(x) − {_format_number(limit)}| < {_format_number(epsilon)} at all "
        f"{checked:,} sampled x with 0 < |x − {point_text}| ≤ δ "
        f"({where}checked on samples, not a proof)"
    )
    return EpsilonDelta(
        **common,
        delta=delta,
        found=True,
        worst_x=worst_x,
        worst_deviation=worst_deviation,
        checked=checked,
        verdict=verdict,
    )
