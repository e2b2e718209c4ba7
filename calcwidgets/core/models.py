"""Models and their losses, with analytic gradients and Hessians.

:class:`LeastSquares` and :class:`LogisticRegression` implement the objective
protocol that the optimizers and the quadratic-loss tools consume:

- ``n_samples``, ``n_features``, ``l2``, ``l1``;
- ``value(w)``: the whole objective, data loss + ``l2·‖w‖²`` + ``l1·‖w‖₁``;
- ``smooth_gradient(w)``: the gradient of everything except the L1 term;
- ``batch_smooth_gradient(w, indices)``: the same, with the data loss averaged
  over the rows ``indices`` only (the L2 term is added in full);
- ``with_penalty(l2=..., l1=...)``: a copy with other penalties that shares the
  data and everything precomputed from it.

Weights whose entries are infinite or NaN (a diverging run) give non-finite
results rather than errors or warnings, so the caller can detect divergence.
"""

from __future__ import annotations

import copy
from functools import cached_property
from typing import Any, Self

import numpy as np

from ._validate import check_array, check_int, check_positive

__all__ = ["LeastSquares", "LogisticRegression", "polynomial_features", "sigmoid"]


def _quiet() -> np.errstate:
    """Let diverging weights give inf or NaN instead of a warning."""
    return np.errstate(over="ignore", invalid="ignore")


def polynomial_features(x: Any, degree: int) -> np.ndarray:
    """Return the columns ``x⁰, x¹, …, x^degree`` of a polynomial model.

    Parameters
    ----------
    x : array_like, shape (n,)
        Inputs. Keep them in [-1, 1]: there every column stays between -1 and 1,
        whereas on, say, [0, 10] the columns differ by ten orders of magnitude
        at degree 10 and the least-squares problem becomes hopelessly
        ill-conditioned. Even on [-1, 1] the conditioning worsens quickly with
        the degree, which an L2 penalty repairs.
    degree : int
        The highest power, ≥ 0.

    Returns
    -------
    ndarray, shape (n, degree + 1)
        Column ``k`` holds ``x**k``; column 0 is all ones (the intercept).

    Examples
    --------
    >>> polynomial_features([-1.0, 0.5, 2.0], 3)
    array([[ 1.   , -1.   ,  1.   , -1.   ],
           [ 1.   ,  0.5  ,  0.25 ,  0.125],
           [ 1.   ,  2.   ,  4.   ,  8.   ]])
    """
    x = check_array("x", x, ndim=1)
    degree = check_int("degree", degree, minimum=0)
    with _quiet():
        features = np.vander(x, degree + 1, increasing=True)
    if not np.all(np.isfinite(features)):
        raise ValueError(
            f"x**{degree} overflows for the largest |x| = {np.max(np.abs(x)):g}; "
            "rescale x into [-1, 1]"
        )
    return features


def sigmoid(z: Any) -> np.ndarray | float:
    """Return the logistic function ``1 / (1 + exp(-z))`` without overflow.

    ``exp`` is only ever applied to ``-|z|``, so logits of any size are safe:
    ``sigmoid(±inf)`` is 1 or 0 and NaN stays NaN.

    Parameters
    ----------
    z : array_like or float
        Logits.

    Returns
    -------
    ndarray or float
        Probabilities in [0, 1], with the shape of ``z`` (a float for a scalar).

    Examples
    --------
    >>> sigmoid(0.0)
    0.5
    >>> sigmoid([-1000.0, 0.0, 1000.0])
    array([0. , 0.5, 1. ])
    """
    try:
        z = np.asarray(z, dtype=float)
    except (TypeError, ValueError):
        raise TypeError(f"z must be an array of real numbers, got {z!r}") from None
    decay = np.exp(-np.abs(z))
    probability = np.where(z >= 0, 1.0 / (1.0 + decay), decay / (1.0 + decay))
    return float(probability) if probability.ndim == 0 else probability


def _float_or_array(values: np.ndarray) -> np.ndarray | float:
    """Return one value per weight vector: a float for a single vector, else the array."""
    return float(values) if values.ndim == 0 else values


def _frozen_copy(array: np.ndarray) -> np.ndarray:
    array = array.copy()
    array.setflags(write=False)
    return array


class _PenalizedObjective:
    """A mean data loss over the rows of ``X`` plus ``l2·‖w‖² + l1·‖w‖₁``.

    Subclasses provide ``data_loss(w)`` and ``_rows_gradient(w, X, y)``, the
    gradient of the data loss averaged over the given rows.
    """

    def __init__(self, X: Any, y: Any, *, l2: float, l1: float) -> None:
        X = check_array("X", X, ndim=2)
        y = check_array("y", y, ndim=1)
        if X.shape[1] == 0:
            raise ValueError(f"X must have at least one column, got shape {X.shape}")
        if y.shape[0] != X.shape[0]:
            raise ValueError(
                f"y must have one entry per row of X ({X.shape[0]}), got {y.shape[0]} entries"
            )
        self._X = _frozen_copy(X)
        self._y = _frozen_copy(y)
        self._l2 = check_positive("l2", l2, allow_zero=True)
        self._l1 = check_positive("l1", l1, allow_zero=True)

    def __repr__(self) -> str:
        return (
            f"{type(self).__name__}(n_samples={self.n_samples}, n_features={self.n_features}, "
            f"l2={self.l2:g}, l1={self.l1:g})"
        )

    @property
    def X(self) -> np.ndarray:
        """The features, shape (n, d), read-only."""
        return self._X

    @property
    def y(self) -> np.ndarray:
        """The targets, shape (n,), read-only."""
        return self._y

    @property
    def n_samples(self) -> int:
        """The number of rows n."""
        return self._X.shape[0]

    @property
    def n_features(self) -> int:
        """The number of weights d."""
        return self._X.shape[1]

    @property
    def l2(self) -> float:
        """The strength of the L2 (ridge) penalty ``l2·‖w‖²``."""
        return self._l2

    @property
    def l1(self) -> float:
        """The strength of the L1 (lasso) penalty ``l1·‖w‖₁``."""
        return self._l1

    def with_penalty(self, *, l2: float | None = None, l1: float | None = None) -> Self:
        """Return the same objective with other penalties, sharing the data.

        Parameters
        ----------
        l2, l1 : float, optional
            The new strengths (≥ 0); an omitted one keeps its current value.

        Returns
        -------
        The same type of objective. Its arrays and any precomputed statistics
        are shared with this one, so the copy costs nothing.
        """
        changed = copy.copy(self)
        if l2 is not None:
            changed._l2 = check_positive("l2", l2, allow_zero=True)
        if l1 is not None:
            changed._l1 = check_positive("l1", l1, allow_zero=True)
        return changed

    def _weights(self, w: Any) -> np.ndarray:
        """Return ``w`` as a float array of shape (d,) or (..., d); inf and NaN pass."""
        try:
            weights = np.asarray(w, dtype=float)
        except (TypeError, ValueError):
            raise TypeError(f"w must be an array of real numbers, got {w!r}") from None
        if weights.ndim == 0 or weights.shape[-1] != self.n_features:
            d = self.n_features
            raise ValueError(
                f"w must have shape ({d},), one weight per column of X, or (..., {d}) for a "
                f"stack of weight vectors; got shape {weights.shape}"
            )
        return weights

    def _rows(self, indices: Any) -> np.ndarray:
        rows = np.asarray(indices)
        if rows.ndim != 1 or rows.size == 0 or not np.issubdtype(rows.dtype, np.integer):
            raise TypeError(
                "indices must be a non-empty 1-D array of integer row numbers, got "
                f"{rows.size} value(s) of shape {rows.shape} and dtype {rows.dtype}"
            )
        if rows.min() < 0 or rows.max() >= self.n_samples:
            raise ValueError(
                f"indices must lie in [0, {self.n_samples}), got values from {rows.min()} "
                f"to {rows.max()}"
            )
        return rows

    @_quiet()
    def penalty(self, w: Any) -> np.ndarray | float:
        """Return ``l2·‖w‖² + l1·‖w‖₁``.

        Parameters
        ----------
        w : array_like, shape (d,) or (..., d)
            Weights, or a stack of them.

        Returns
        -------
        float or ndarray of shape (...)
            The penalty of each weight vector.
        """
        w = self._weights(w)
        total = np.zeros(w.shape[:-1])
        # A zero strength adds nothing, even for infinite weights (0·inf would be NaN).
        if self.l2:
            total = total + self.l2 * np.sum(w * w, axis=-1)
        if self.l1:
            total = total + self.l1 * np.sum(np.abs(w), axis=-1)
        return _float_or_array(total)

    def value(self, w: Any) -> np.ndarray | float:
        """Return the whole objective: data loss + ``l2·‖w‖²`` + ``l1·‖w‖₁``.

        Parameters
        ----------
        w : array_like, shape (d,) or (..., d)
            Weights, or a stack of them (a path, or a grid for a contour plot).

        Returns
        -------
        float or ndarray of shape (...)
            The objective at each weight vector.
        """
        with _quiet():
            return self.data_loss(w) + self.penalty(w)

    @_quiet()
    def smooth_gradient(self, w: Any) -> np.ndarray:
        """Return the gradient of the data loss plus ``l2·‖w‖²`` (everything but L1).

        Parameters
        ----------
        w : array_like, shape (d,) or (..., d)
            Weights, or a stack of them.

        Returns
        -------
        ndarray, shape of ``w``
            The gradient at each weight vector.
        """
        w = self._weights(w)
        return self._data_gradient(w) + 2.0 * self.l2 * w

    @_quiet()
    def batch_smooth_gradient(self, w: Any, indices: Any) -> np.ndarray:
        """Return :meth:`smooth_gradient` with the data loss averaged over some rows.

        This is the stochastic gradient of minibatch SGD: an unbiased estimate of
        the full gradient when ``indices`` are drawn uniformly. Repeated indices
        count repeatedly; the L2 term is added in full.

        Parameters
        ----------
        w : array_like, shape (d,) or (..., d)
            Weights, or a stack of them.
        indices : array_like of int, shape (b,)
            Row numbers in ``[0, n)``.

        Returns
        -------
        ndarray, shape of ``w``
            The minibatch gradient.
        """
        w = self._weights(w)
        rows = self._rows(indices)
        return self._rows_gradient(w, self._X[rows], self._y[rows]) + 2.0 * self.l2 * w

    def _data_gradient(self, w: np.ndarray) -> np.ndarray:
        return self._rows_gradient(w, self._X, self._y)


class _SecondMoments:
    """``XᵀX/n``, ``Xᵀy/n``, ``yᵀy/n`` and, on first use, the eigenvectors of ``XᵀX/n``.

    One instance is shared by an objective and all its ``with_penalty`` copies,
    so the eigendecomposition is computed at most once per data set.
    """

    def __init__(self, X: np.ndarray, y: np.ndarray) -> None:
        n = X.shape[0]
        gram = X.T @ X / n
        # Symmetrize: eigh and the closed forms built on it assume an exactly symmetric matrix.
        self.gram = _frozen_copy((gram + gram.T) / 2)
        self.moment = _frozen_copy(X.T @ y / n)
        self.target_moment = float(y @ y) / n

    @cached_property
    def gram_eigen(self) -> tuple[np.ndarray, np.ndarray]:
        eigenvalues, eigenvectors = np.linalg.eigh(self.gram)
        # XᵀX/n is positive semidefinite; negative eigenvalues are round-off.
        return _frozen_copy(np.maximum(eigenvalues, 0.0)), _frozen_copy(eigenvectors)


class LeastSquares(_PenalizedObjective):
    """Mean squared error of a linear model, with optional L2 and L1 penalties.

    The objective is ``(1/n)·‖Xw − y‖² + l2·‖w‖² + l1·‖w‖₁``. Expanding the
    square gives ``wᵀGw − 2mᵀw + c + …`` with the second moments
    ``G = XᵀX/n`` (:attr:`gram`), ``m = Xᵀy/n`` (:attr:`moment`) and
    ``c = yᵀy/n`` (:attr:`target_moment`), computed once here. The value and the
    gradient then cost O(d²) whatever the number of samples n.

    Parameters
    ----------
    X : array_like, shape (n, d)
        Features (include a column of ones for an intercept).
    y : array_like, shape (n,)
        Targets.
    l2 : float, default 0
        Strength of the ridge penalty ``l2·‖w‖²``.
    l1 : float, default 0
        Strength of the lasso penalty ``l1·‖w‖₁``; it is not differentiable at
        0, so it is left out of the gradients and handled by a proximal step.

    Examples
    --------
    >>> X = np.array([[1.0, 0.0], [1.0, 1.0], [1.0, 2.0]])
    >>> loss = LeastSquares(X, [1.0, 3.0, 5.0])
    >>> loss.solve()
    array([1., 2.])
    >>> loss.value([1.0, 2.0]), loss.value([0.0, 0.0])
    (0.0, 11.666666666666666)
    >>> loss.smooth_gradient([0.0, 0.0])
    array([-6.        , -8.66666667])
    >>> loss.with_penalty(l2=0.5).hessian()
    array([[3.        , 2.        ],
           [2.        , 4.33333333]])
    """

    def __init__(self, X: Any, y: Any, *, l2: float = 0.0, l1: float = 0.0) -> None:
        super().__init__(X, y, l2=l2, l1=l1)
        self._moments = _SecondMoments(self._X, self._y)

    @property
    def gram(self) -> np.ndarray:
        """``XᵀX/n``, shape (d, d), read-only."""
        return self._moments.gram

    @property
    def moment(self) -> np.ndarray:
        """``Xᵀy/n``, shape (d,), read-only."""
        return self._moments.moment

    @property
    def target_moment(self) -> float:
        """``yᵀy/n``."""
        return self._moments.target_moment

    @property
    def gram_eigen(self) -> tuple[np.ndarray, np.ndarray]:
        """``(eigenvalues, eigenvectors)`` of :attr:`gram`, eigenvalues ascending.

        Computed on first use and shared with every :meth:`with_penalty` copy.
        The Hessian ``2(gram + l2·I)`` has the same eigenvectors and the
        eigenvalues ``2(λ + l2)``.
        """
        return self._moments.gram_eigen

    @_quiet()
    def data_loss(self, w: Any) -> np.ndarray | float:
        """Return the mean squared error ``(1/n)·‖Xw − y‖²`` without any penalty.

        Computed from the second moments, so it costs O(d²) per weight vector.

        Parameters
        ----------
        w : array_like, shape (d,) or (..., d)
            Weights, or a stack of them.

        Returns
        -------
        float or ndarray of shape (...)
            The mean squared error of each weight vector.
        """
        w = self._weights(w)
        expanded = (
            np.sum((w @ self.gram) * w, axis=-1) - 2.0 * (w @ self.moment) + self.target_moment
        )
        # The expanded square can dip below zero by round-off near an exact fit.
        return _float_or_array(np.maximum(expanded, 0.0))

    def _data_gradient(self, w: np.ndarray) -> np.ndarray:
        return 2.0 * (w @ self.gram - self.moment)

    @staticmethod
    def _rows_gradient(w: np.ndarray, X: np.ndarray, y: np.ndarray) -> np.ndarray:
        return 2.0 * ((w @ X.T - y) @ X) / X.shape[0]

    def hessian(self, w: Any = None) -> np.ndarray:
        """Return the Hessian ``2(XᵀX/n + l2·I)`` of the smooth part.

        Parameters
        ----------
        w : array_like, shape (d,), optional
            Accepted (and shape-checked) so that both objectives share this
            signature; a quadratic has the same Hessian everywhere.

        Returns
        -------
        ndarray, shape (d, d)
        """
        if w is not None:
            self._weights(w)
        return 2.0 * (self.gram + self.l2 * np.eye(self.n_features))

    def solve(self) -> np.ndarray:
        """Return the exact minimiser ``(XᵀX/n + l2·I)⁻¹ Xᵀy/n`` (needs ``l1 = 0``).

        Returns
        -------
        ndarray, shape (d,)

        Raises
        ------
        ValueError
            If ``l1 > 0`` (there is no closed form), or if ``XᵀX/n + l2·I`` is
            singular to working precision, for example with fewer samples than
            features and ``l2 = 0``: then the minimiser is not unique.
        """
        if self.l1:
            raise ValueError(
                f"solve() needs l1 = 0, got l1={self.l1:g}: the lasso has no closed form; "
                "minimise it with a proximal (soft-thresholding) gradient method"
            )
        eigenvalues = self.gram_eigen[0] + self.l2
        if eigenvalues[0] <= self.n_features * np.finfo(float).eps * eigenvalues[-1]:
            raise ValueError(
                f"XᵀX/n + l2·I is singular to working precision (eigenvalues from "
                f"{eigenvalues[0]:.3g} to {eigenvalues[-1]:.3g}, l2={self.l2:g}), so the "
                "least-squares minimiser is not unique; use l2 > 0, or np.linalg.lstsq for "
                "the minimum-norm solution"
            )
        return np.linalg.solve(self.gram + self.l2 * np.eye(self.n_features), self.moment)

    @_quiet()
    def mse(self, w: Any, X: Any, y: Any) -> np.ndarray | float:
        """Return the mean squared error ``(1/m)·‖Xw − y‖²`` on other data.

        Use it for the validation error of weights fitted to this objective.

        Parameters
        ----------
        w : array_like, shape (d,) or (..., d)
            Weights, or a stack of them (a whole path at once).
        X : array_like, shape (m, d)
            Features of the other data.
        y : array_like, shape (m,)
            Targets of the other data.

        Returns
        -------
        float or ndarray of shape (...)
            The mean squared error of each weight vector on ``(X, y)``.
        """
        w = self._weights(w)
        X = check_array("X", X, shape=(None, self.n_features))
        y = check_array("y", y, shape=(X.shape[0],))
        residuals = w @ X.T - y
        return _float_or_array(np.mean(residuals * residuals, axis=-1))


class LogisticRegression(_PenalizedObjective):
    """Mean cross-entropy of a logistic model, with optional L2 and L1 penalties.

    The model predicts ``P(y = 1 | x) = sigmoid(xᵀw)``; the objective is
    ``(1/n)·Σᵢ [log(1 + exp(zᵢ)) − yᵢzᵢ] + l2·‖w‖² + l1·‖w‖₁`` with ``z = Xw``.
    Each term is evaluated as ``logaddexp(0, ±zᵢ)``, which never overflows. There
    is no intercept unless ``X`` has a column of ones. Without a penalty and with
    separable classes the infimum is not attained: the weights grow forever.

    Parameters
    ----------
    X : array_like, shape (n, d)
        Features.
    y : array_like, shape (n,)
        Labels, each 0 or 1.
    l2 : float, default 0
        Strength of the ridge penalty ``l2·‖w‖²``.
    l1 : float, default 0
        Strength of the lasso penalty ``l1·‖w‖₁``; it is left out of the
        gradients and the Hessian and handled by a proximal step.

    Examples
    --------
    >>> loss = LogisticRegression([[1.0, 2.0], [-1.0, 0.5]], [1, 0])
    >>> loss.value([0.0, 0.0])  # log 2: both points get probability 1/2
    0.693147
    >>> loss.smooth_gradient([0.0, 0.0])
    array([-0.5  , -0.375])
    >>> loss.predict_proba([0.0, 0.0], [[3.0, 4.0]])
    array([0.5])
    """

    def __init__(self, X: Any, y: Any, *, l2: float = 0.0, l1: float = 0.0) -> None:
        super().__init__(X, y, l2=l2, l1=l1)
        if not np.all((self._y == 0) | (self._y == 1)):
            others = np.unique(self._y[(self._y != 0) & (self._y != 1)])
            raise ValueError(f"y must hold labels 0 and 1 only, got also {others[:5].tolist()}")
        # loss_i = log(1 + exp(z_i)) when y_i = 0 and log(1 + exp(-z_i)) when y_i = 1.
        self._signs = _frozen_copy(1.0 - 2.0 * self._y)

    @_quiet()
    def data_loss(self, w: Any) -> np.ndarray | float:
        """Return the mean cross-entropy without any penalty.

        Parameters
        ----------
        w : array_like, shape (d,) or (..., d)
            Weights, or a stack of them; each costs O(n·d).

        Returns
        -------
        float or ndarray of shape (...)
            The mean cross-entropy (in nats) of each weight vector.
        """
        w = self._weights(w)
        logits = w @ self._X.T
        return _float_or_array(np.mean(np.logaddexp(0.0, self._signs * logits), axis=-1))

    @staticmethod
    def _rows_gradient(w: np.ndarray, X: np.ndarray, y: np.ndarray) -> np.ndarray:
        return (sigmoid(w @ X.T) - y) @ X / X.shape[0]

    @_quiet()
    def hessian(self, w: Any) -> np.ndarray:
        """Return the Hessian ``(1/n)·Xᵀ diag(p(1 − p)) X + 2·l2·I`` of the smooth part.

        Parameters
        ----------
        w : array_like, shape (d,)
            Weights; ``p = sigmoid(Xw)``.

        Returns
        -------
        ndarray, shape (d, d)
        """
        w = self._weights(w)
        if w.ndim != 1:
            raise ValueError(f"w must have shape ({self.n_features},), got shape {w.shape}")
        logits = self._X @ w
        # p(1 − p) = sigmoid(z)·sigmoid(−z) keeps full relative precision when p is near 1.
        curvature = sigmoid(logits) * sigmoid(-logits)
        return (self._X.T * curvature) @ self._X / self.n_samples + 2.0 * self.l2 * np.eye(
            self.n_features
        )

    def predict_proba(self, w: Any, X: Any) -> np.ndarray:
        """Return ``P(y = 1 | x) = sigmoid(xᵀw)`` for each row of ``X``.

        Parameters
        ----------
        w : array_like, shape (d,) or (..., d)
            Weights, or a stack of them.
        X : array_like, shape (m, d)
            Points to classify.

        Returns
        -------
        ndarray, shape (..., m)
            The probability of class 1 at each point.
        """
        w = self._weights(w)
        X = check_array("X", X, shape=(None, self.n_features))
        with _quiet():
            return sigmoid(w @ X.T)
