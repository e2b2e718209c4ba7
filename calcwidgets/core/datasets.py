"""Seeded synthetic data sets for the course: nothing is downloaded.

Every generator takes a ``seed`` (an int, a numpy ``Generator`` or ``None``)
and returns a small frozen dataclass whose arrays are read-only. The inputs and
the noise are drawn from separate random streams, so moving a noise slider
rescales the same residuals instead of drawing new points, and asking for more
samples keeps the ones already drawn and appends new ones.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from ._validate import check_int, check_interval, check_positive, check_real, check_seed

__all__ = [
    "CurveData",
    "LinearData",
    "RegressionData",
    "TwoClassData",
    "make_curve_data",
    "make_linear_data",
    "make_regression_data",
    "make_two_classes",
    "true_curve",
]


def _read_only(*arrays: np.ndarray) -> None:
    for array in arrays:
        array.setflags(write=False)


def _streams(seed: Any, count: int) -> list[np.random.Generator]:
    """Return ``count`` independent generators derived from ``seed``."""
    return check_seed("seed", seed).spawn(count)


def _check_range(name: str, value: Any) -> tuple[float, float]:
    try:
        low, high = value
    except (TypeError, ValueError):
        raise TypeError(f"{name} must be a pair (low, high), got {value!r}") from None
    return check_interval(low, high, a_name=f"{name}[0]", b_name=f"{name}[1]")


@dataclass(frozen=True)
class LinearData:
    """Points scattered around a straight line, for the gradient-descent explorer.

    Attributes
    ----------
    x : ndarray, shape (n,)
        The inputs.
    y : ndarray, shape (n,)
        The targets ``intercept + slope * x + noise``.
    X : ndarray, shape (n, 2)
        The design matrix with columns ``1`` and ``x``, so that ``X @ w`` is the
        line with intercept ``w[0]`` and slope ``w[1]``.
    true_weights : ndarray, shape (2,)
        ``[intercept, slope]`` of the line the data were drawn around.
    """

    x: np.ndarray
    y: np.ndarray
    X: np.ndarray
    true_weights: np.ndarray


@dataclass(frozen=True)
class RegressionData:
    """A linear regression problem with several features.

    Attributes
    ----------
    X : ndarray, shape (n, d)
        Standard normal features.
    y : ndarray, shape (n,)
        The targets ``X @ true_weights + noise``.
    true_weights : ndarray, shape (d,)
        The weights the targets were generated with.
    """

    X: np.ndarray
    y: np.ndarray
    true_weights: np.ndarray


@dataclass(frozen=True)
class CurveData:
    """Noisy samples of :func:`true_curve`, split into training and validation points.

    Attributes
    ----------
    x_train, y_train : ndarray, shape (n_train,)
        The points a model is fitted to.
    x_validation, y_validation : ndarray, shape (n_validation,)
        Held-out points from the same distribution, for measuring overfitting.
    """

    x_train: np.ndarray
    y_train: np.ndarray
    x_validation: np.ndarray
    y_validation: np.ndarray


@dataclass(frozen=True)
class TwoClassData:
    """Two Gaussian clouds in the plane, for logistic regression.

    Attributes
    ----------
    X : ndarray, shape (n, 2)
        The points, in shuffled order.
    labels : ndarray of int, shape (n,)
        0 or 1: which cloud each point was drawn from.
    centers : ndarray, shape (2, 2)
        The mean of class 0 (row 0) and of class 1 (row 1). They lie on opposite
        sides of the origin, so a boundary through the origin (no intercept)
        separates them best.
    """

    X: np.ndarray
    labels: np.ndarray
    centers: np.ndarray


def make_linear_data(
    n_samples: int = 50,
    *,
    slope: float = 1.5,
    intercept: float = 0.5,
    noise: float = 0.3,
    x_range: tuple[float, float] = (0.0, 2.0),
    seed: Any = 0,
) -> LinearData:
    """Draw points around the line ``y = intercept + slope * x``.

    Parameters
    ----------
    n_samples : int, default 50
        Number of points, at least 2.
    slope, intercept : float
        The true line.
    noise : float, default 0.3
        Standard deviation of the Gaussian noise added to ``y`` (0 puts every
        point on the line).
    x_range : (float, float), default (0, 2)
        The inputs are uniform on this interval. An interval away from 0 makes
        the intercept and the slope interact, so the loss surface is an
        elongated bowl and gradient descent zigzags.
    seed : int, numpy Generator or None, default 0
        Source of randomness.

    Returns
    -------
    LinearData
        ``x``, ``y``, the design matrix ``X = [1, x]`` and ``true_weights``.

    Examples
    --------
    >>> data = make_linear_data(5, slope=2.0, intercept=1.0, noise=0.0, seed=1)
    >>> data.X.shape
    (5, 2)
    >>> bool(np.allclose(data.y, 1.0 + 2.0 * data.x))
    True
    >>> data.true_weights
    array([1., 2.])
    """
    n_samples = check_int("n_samples", n_samples, minimum=2)
    slope = check_real("slope", slope)
    intercept = check_real("intercept", intercept)
    noise = check_positive("noise", noise, allow_zero=True)
    low, high = _check_range("x_range", x_range)
    x_stream, noise_stream = _streams(seed, 2)
    x = x_stream.uniform(low, high, size=n_samples)
    y = intercept + slope * x + noise * noise_stream.standard_normal(n_samples)
    X = np.column_stack([np.ones(n_samples), x])
    true_weights = np.array([intercept, slope])
    _read_only(x, y, X, true_weights)
    return LinearData(x=x, y=y, X=X, true_weights=true_weights)


def make_regression_data(
    n_samples: int, n_features: int, *, noise: float = 0.5, seed: Any = 0
) -> RegressionData:
    """Draw a linear regression problem with standard normal features.

    The true weights are standard normal too. Generating 10⁵ samples with 20
    features takes a few tens of milliseconds.

    Parameters
    ----------
    n_samples : int
        Number of rows, at least 1.
    n_features : int
        Number of columns, at least 1.
    noise : float, default 0.5
        Standard deviation of the Gaussian noise added to the targets.
    seed : int, numpy Generator or None, default 0
        Source of randomness.

    Returns
    -------
    RegressionData
        ``X``, ``y`` and ``true_weights``.

    Examples
    --------
    >>> data = make_regression_data(100, 3, noise=0.0, seed=0)
    >>> data.X.shape, data.y.shape, data.true_weights.shape
    ((100, 3), (100,), (3,))
    >>> bool(np.allclose(data.X @ data.true_weights, data.y))
    True
    """
    n_samples = check_int("n_samples", n_samples, minimum=1)
    n_features = check_int("n_features", n_features, minimum=1)
    noise = check_positive("noise", noise, allow_zero=True)
    weight_stream, feature_stream, noise_stream = _streams(seed, 3)
    true_weights = weight_stream.standard_normal(n_features)
    X = feature_stream.standard_normal((n_samples, n_features))
    y = X @ true_weights + noise * noise_stream.standard_normal(n_samples)
    _read_only(X, y, true_weights)
    return RegressionData(X=X, y=y, true_weights=true_weights)


def true_curve(x: Any) -> np.ndarray:
    """Return the smooth curve ``sin(πx)`` that :func:`make_curve_data` samples.

    Parameters
    ----------
    x : array_like
        Points, usually in [-1, 1].

    Returns
    -------
    ndarray
        ``sin(πx)``, with the shape of ``x``.

    Examples
    --------
    >>> true_curve([-0.5, 0.0, 0.5])
    array([-1.,  0.,  1.])
    """
    try:
        x = np.asarray(x, dtype=float)
    except (TypeError, ValueError):
        raise TypeError(f"x must be an array of real numbers, got {x!r}") from None
    return np.sin(np.pi * x)


def make_curve_data(
    n_train: int = 20, n_validation: int = 100, *, noise: float = 0.2, seed: Any = 0
) -> CurveData:
    """Draw noisy samples of :func:`true_curve` on [-1, 1] for an overfitting experiment.

    Training and validation points come from the same distribution but from
    separate random streams, so changing ``n_validation`` never moves a training
    point.

    Parameters
    ----------
    n_train : int, default 20
        Number of training points, at least 1.
    n_validation : int, default 100
        Number of validation points, at least 1.
    noise : float, default 0.2
        Standard deviation of the Gaussian noise added to the curve.
    seed : int, numpy Generator or None, default 0
        Source of randomness.

    Returns
    -------
    CurveData
        ``x_train``, ``y_train``, ``x_validation``, ``y_validation``.

    Examples
    --------
    >>> data = make_curve_data(10, 30, noise=0.0, seed=2)
    >>> data.x_train.shape, data.x_validation.shape
    ((10,), (30,))
    >>> bool(np.allclose(data.y_train, true_curve(data.x_train)))
    True
    """
    n_train = check_int("n_train", n_train, minimum=1)
    n_validation = check_int("n_validation", n_validation, minimum=1)
    noise = check_positive("noise", noise, allow_zero=True)
    x_train_stream, noise_train_stream, x_validation_stream, noise_validation_stream = _streams(
        seed, 4
    )
    x_train = x_train_stream.uniform(-1.0, 1.0, size=n_train)
    y_train = true_curve(x_train) + noise * noise_train_stream.standard_normal(n_train)
    x_validation = x_validation_stream.uniform(-1.0, 1.0, size=n_validation)
    y_validation = true_curve(x_validation) + noise * noise_validation_stream.standard_normal(
        n_validation
    )
    _read_only(x_train, y_train, x_validation, y_validation)
    return CurveData(
        x_train=x_train, y_train=y_train, x_validation=x_validation, y_validation=y_validation
    )


#: The direction along which the two class means are placed.
_CLASS_AXIS = np.array([1.0, 1.0]) / np.sqrt(2.0)


def make_two_classes(
    n_samples: int = 100, *, separation: float = 3.0, seed: Any = 0
) -> TwoClassData:
    """Draw two Gaussian clouds with unit covariance for a two-class problem.

    The class means lie at ``∓separation/2`` along the diagonal ``(1, 1)/√2``;
    half of the points (rounded down) belong to class 0. With a large
    separation the classes are almost surely separable, and logistic regression
    without an L2 penalty then has no minimiser: its weights grow forever.

    Parameters
    ----------
    n_samples : int, default 100
        Number of points, at least 2.
    separation : float, default 3.0
        Distance between the two class means, ≥ 0 (0 makes the classes
        indistinguishable).
    seed : int, numpy Generator or None, default 0
        Source of randomness.

    Returns
    -------
    TwoClassData
        ``X``, ``labels`` and ``centers``.

    Examples
    --------
    >>> data = make_two_classes(6, separation=2.0, seed=0)
    >>> data.X.shape, sorted(data.labels.tolist())
    ((6, 2), [0, 0, 0, 1, 1, 1])
    >>> data.centers
    array([[-0.70710678, -0.70710678],
           [ 0.70710678,  0.70710678]])
    """
    n_samples = check_int("n_samples", n_samples, minimum=2)
    separation = check_positive("separation", separation, allow_zero=True)
    label_stream, point_stream = _streams(seed, 2)
    labels = label_stream.permutation(np.arange(n_samples) >= n_samples // 2).astype(np.int64)
    centers = np.outer([-0.5, 0.5], separation * _CLASS_AXIS)
    X = centers[labels] + point_stream.standard_normal((n_samples, 2))
    _read_only(X, labels, centers)
    return TwoClassData(X=X, labels=labels, centers=centers)
