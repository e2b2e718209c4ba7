"""Derivatives by finite differences, their error as a function of h, and gradient checks.

The four difference quotients (forward, backward, central, complex step) are
the raw textbook formulas, so the course can show how truncation error falls
with h while round-off error grows as 1/h, and where the two meet.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from ._validate import _show, check_array, check_callable, check_choice, check_positive, check_real
from .limits import _evaluate, _evaluate_real

__all__ = [
    "GradientCheck",
    "Line",
    "StepErrorCurve",
    "difference_error",
    "finite_difference",
    "gradient",
    "gradient_check",
    "jacobian",
    "secant_line",
    "tangent_line",
]

METHODS = ("forward", "backward", "central", "complex_step")
_ORDER = {"forward": 1, "backward": 1, "central": 2, "complex_step": 2}
_EPS = float(np.finfo(float).eps)


def _default_step(method: str, x: np.ndarray | float) -> np.ndarray | float:
    """Return the step that balances truncation and round-off for ``method`` at ``x``.

    √ε and ∛ε scaled by max(1, |x|) are the standard choices for forward and
    central differences (Nocedal & Wright, Numerical Optimization, 2nd ed.,
    §8.1); the complex step has no cancellation, so any tiny step will do.
    """
    scale = np.maximum(1.0, np.abs(x))
    if method == "central":
        return np.cbrt(_EPS) * scale
    if method == "complex_step":
        return 1e-20 * scale
    return np.sqrt(_EPS) * scale


def _imaginary_part(f: Callable, points: np.ndarray, evaluate: Callable) -> np.ndarray:
    """Return Im f(points) for complex ``points``, refusing an f that drops the imaginary part."""
    hint = "method='complex_step' needs f to accept complex input and return complex output"
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", np.exceptions.ComplexWarning)
            values = evaluate(f, points)
    except (TypeError, ValueError, np.exceptions.ComplexWarning) as error:
        raise TypeError(f"{hint}, but f raised {type(error).__name__}: {error}") from error
    if values.dtype.kind != "c":
        raise TypeError(
            f"{hint}, but f returned {values.dtype} values for complex x (abs, comparisons, "
            "np.maximum and float() drop the imaginary part); use another method"
        )
    return values.imag


def _difference(
    f: Callable,
    x: np.ndarray,
    step: np.ndarray,
    h: np.ndarray | float,
    method: str,
    evaluate: Callable,
    f_x: np.ndarray | None = None,
) -> np.ndarray:
    """Return the ``method`` difference quotient of f at x along ``step`` (h times a direction).

    ``evaluate(f, points)`` calls f; ``f_x`` reuses f(x) when it is known.
    """
    if method == "complex_step":
        # Squire & Trapp (1998): f(x + ih) = f(x) + ih f'(x) + O(h²), so Im f / h has
        # no subtraction and hence no cancellation.
        with np.errstate(all="ignore"):
            return _imaginary_part(f, x + 1j * step, evaluate) / h

    def real(points: np.ndarray) -> np.ndarray:
        values = evaluate(f, points)
        if values.dtype.kind == "c":
            raise TypeError("f must return real numbers, but f(x) returned complex values")
        return values.astype(float)

    with np.errstate(all="ignore"):
        if method == "central":
            return (real(x + step) - real(x - step)) / (2 * h)
        at_x = real(x) if f_x is None else f_x
        if method == "forward":
            return (real(x + step) - at_x) / h
        return (at_x - real(x - step)) / h


def _scalar_or_array(values: np.ndarray) -> float | np.ndarray:
    return float(values) if values.ndim == 0 else values


def finite_difference(
    f: Callable[[np.ndarray], np.ndarray],
    x: float | np.ndarray,
    h: float | np.ndarray,
    method: str = "central",
) -> float | np.ndarray:
    """Approximate f'(x) by a difference quotient with step h.

    - ``"forward"``: (f(x + h) − f(x)) / h, error O(h)
    - ``"backward"``: (f(x) − f(x − h)) / h, error O(h)
    - ``"central"``: (f(x + h) − f(x − h)) / (2h), error O(h²)
    - ``"complex_step"``: Im f(x + ih) / h, error O(h²) and no cancellation;
      f must accept complex input.

    Parameters
    ----------
    f : callable
        A vectorised function of x (numpy code).
    x : float or array_like
        Where to differentiate.
    h : float or array_like
        Step sizes, > 0; broadcast against ``x``.
    method : {"forward", "backward", "central", "complex_step"}, default "central"
        The difference quotient.

    Returns
    -------
    float or ndarray
        The estimates, with the broadcast shape of ``x`` and ``h`` (a float
        when both are scalars).

    Examples
    --------
    >>> import numpy as np
    >>> finite_difference(np.sin, 0.0, 1e-5)
    0.99999999998
    >>> finite_difference(np.exp, 0.0, [0.1, 0.01], method="forward")
    array([1.05170918, 1.00501671])
    >>> finite_difference(np.exp, 1.0, 1e-20, method="complex_step")
    2.718281828459045
    """
    check_callable("f", f)
    x = check_array("x", x, min_length=0)
    h = check_array("h", h, min_length=0)
    if np.any(h <= 0):
        raise ValueError(f"h must be > 0, got {float(h.min()):g}")
    method = check_choice("method", method, METHODS)
    x, h = np.broadcast_arrays(x, h)
    return _scalar_or_array(_difference(f, x, h, h, method, _evaluate))


@dataclass(frozen=True)
class StepErrorCurve:
    """The error of a difference quotient as a function of the step h (the U-shaped curve).

    Attributes
    ----------
    method : str
        The difference quotient.
    order : int
        Its order of accuracy p: the truncation error falls like h^p.
    x : float
        Where f was differentiated.
    exact : float
        The reference derivative the errors are measured against.
    h : ndarray, shape (n,)
        The steps.
    estimates : ndarray, shape (n,)
        The difference quotient at each step.
    error : ndarray, shape (n,)
        |estimate − exact|.
    truncation : ndarray, shape (n,)
        The modelled truncation error: |f''|h/2 (forward, backward) or
        |f'''|h²/6 (central, complex step).
    rounding : ndarray, shape (n,)
        The modelled round-off error: 2ε|f|/h (forward, backward), ε|f|/h
        (central) or ε|f'| (complex step, which subtracts nothing).
    best_h : float or None
        The step that minimises the modelled error: 2√(ε|f|/|f''|) (forward,
        backward), ∛(3ε|f|/|f'''|) (central); for the complex step, the step
        below which truncation is under the round-off floor, √(6ε|f'|/|f'''|).
        None when the model has no such balance (f = 0 or the truncation term
        vanishes, as for polynomials of low degree).
    observed_best_h : float or None
        The step with the smallest observed error (None if no error is finite).
    """

    method: str
    order: int
    x: float
    exact: float
    h: np.ndarray
    estimates: np.ndarray
    error: np.ndarray
    truncation: np.ndarray
    rounding: np.ndarray
    best_h: float | None
    observed_best_h: float | None


def _higher_derivative(f: Callable, x: float, order: int) -> float:
    """Return f''(x) or f'''(x) from a real stencil, or 0 when it is lost in round-off.

    The steps ε^(1/4) and ε^(1/5) balance each stencil's truncation and
    round-off; an estimate no larger than the stencil's own round-off level is
    indistinguishable from 0.
    """
    scale = max(1.0, abs(x))
    if order == 2:
        step = _EPS**0.25 * scale
        offsets, weights, divisor = np.array([-1.0, 0.0, 1.0]), np.array([1.0, -2.0, 1.0]), step**2
    else:
        step = _EPS**0.2 * scale
        offsets = np.array([-2.0, -1.0, 1.0, 2.0])
        weights, divisor = np.array([-1.0, 2.0, -2.0, 1.0]), 2 * step**3
    with np.errstate(all="ignore"):
        values = _evaluate_real(f, x + offsets * step)
        estimate = float(weights @ values) / divisor
        noise = _EPS * float(np.abs(weights) @ np.abs(values)) / divisor
    return 0.0 if not abs(estimate) > noise else estimate


def difference_error(
    f: Callable[[np.ndarray], np.ndarray],
    x: float,
    *,
    method: str,
    h: np.ndarray | None = None,
    exact: float | None = None,
) -> StepErrorCurve:
    """Measure and model the error of a difference quotient over a range of steps h.

    Parameters
    ----------
    f : callable
        A vectorised function of x (numpy code).
    x : float
        Where to differentiate.
    method : {"forward", "backward", "central", "complex_step"}
        The difference quotient.
    h : array_like, optional
        The steps, > 0; default 161 steps log-spaced from 1e-16 to 1.
    exact : float, optional
        The true f'(x). By default a complex step with h = 1e-20, exact to
        rounding, which needs f to accept complex input.

    Returns
    -------
    StepErrorCurve
        The steps, estimates, observed error, modelled truncation and round-off
        errors, and the best step by the model and by observation.

    Examples
    --------
    >>> import numpy as np
    >>> curve = difference_error(np.exp, 1.0, method="forward")
    >>> curve.order, round(float(np.log10(curve.best_h)))
    (1, -8)
    >>> round(float(np.log10(difference_error(np.exp, 1.0, method="central").best_h)))
    -5
    """
    check_callable("f", f)
    x = check_real("x", x)
    method = check_choice("method", method, METHODS)
    if h is None:
        h = np.logspace(-16, 0, 161)
    else:
        h = check_array("h", h, ndim=1)
        if np.any(h <= 0):
            raise ValueError(f"h must be > 0, got {h.min():g}")
    if exact is None:
        try:
            exact = finite_difference(f, x, _default_step("complex_step", x), "complex_step")
        except TypeError as error:
            raise TypeError(
                "exact is required when f does not accept complex input (the default reference "
                f"is a complex step): pass exact=f'(x). ({error})"
            ) from error
        if not math.isfinite(exact):
            raise ValueError(f"f'(x) is not finite at x = {x:g}; pass exact=f'(x)")
    else:
        exact = check_real("exact", exact)
    estimates = finite_difference(f, x, h, method)
    with np.errstate(all="ignore"):
        error = np.abs(estimates - exact)
    f_x = abs(float(_evaluate_real(f, np.array(x))))
    if method in ("forward", "backward"):
        curvature = abs(_higher_derivative(f, x, 2))
        truncation = curvature * h / 2
        rounding = 2 * _EPS * f_x / h
        best_h = 2 * math.sqrt(_EPS * f_x / curvature) if curvature and f_x else None
    else:
        third = abs(_higher_derivative(f, x, 3))
        truncation = third * h**2 / 6
        if method == "central":
            rounding = _EPS * f_x / h
            best_h = math.cbrt(3 * _EPS * f_x / third) if third and f_x else None
        else:
            rounding = np.full_like(h, _EPS * abs(exact))
            best_h = math.sqrt(6 * _EPS * abs(exact) / third) if third and exact else None
    finite = np.isfinite(error)
    observed_best_h = float(h[finite][np.argmin(error[finite])]) if finite.any() else None
    for array in (h, estimates, error, truncation, rounding):
        array.setflags(write=False)
    return StepErrorCurve(
        method=method,
        order=_ORDER[method],
        x=x,
        exact=float(exact),
        h=h,
        estimates=estimates,
        error=error,
        truncation=truncation,
        rounding=rounding,
        best_h=best_h,
        observed_best_h=observed_best_h,
    )


def _call_vector(f: Callable, point: np.ndarray) -> np.ndarray:
    """Call f on one parameter vector; NaN and inf are results, not warnings."""
    with np.errstate(all="ignore"):
        values = np.asarray(f(point))
    if values.dtype.kind not in "biufc":
        raise TypeError(f"f must return numbers, but f(x) returned {_show(values)}")
    return values


def _partials(
    f: Callable, x: np.ndarray, method: str, h: float | None, caller: str
) -> tuple[np.ndarray, np.ndarray]:
    """Return f(x) and the partial derivatives ∂f/∂x_j stacked along the first axis."""
    check_callable("f", f)
    x = check_array("x", x, ndim=1)
    method = check_choice("method", method, METHODS)
    steps = _default_step(method, x) if h is None else np.full(x.shape, check_positive("h", h))
    f_x = _call_vector(f, x)
    if f_x.dtype.kind == "c":
        raise TypeError("f must return real numbers, but f(x) returned complex values")
    f_x = f_x.astype(float)

    def evaluate(function: Callable, point: np.ndarray) -> np.ndarray:
        values = _call_vector(function, point)
        if values.shape != f_x.shape:
            raise ValueError(
                f"{caller}: f returned shape {values.shape} near x but shape {f_x.shape} at x"
            )
        return values

    columns = []
    for j, step_size in enumerate(steps):
        step = np.zeros_like(x)
        step[j] = step_size
        columns.append(_difference(f, x, step, step_size, method, evaluate, f_x))
    return f_x, np.array(columns)


def gradient(
    f: Callable[[np.ndarray], float],
    x: np.ndarray,
    *,
    method: str = "central",
    h: float | None = None,
) -> np.ndarray:
    """Approximate the gradient of a scalar function f: R^d → R by finite differences.

    Parameters
    ----------
    f : callable
        Takes a parameter vector of shape (d,) and returns one number.
    x : array_like, shape (d,)
        Where to differentiate.
    method : {"forward", "backward", "central", "complex_step"}, default "central"
        The difference quotient for each partial derivative.
    h : float, optional
        One step for every component; default √ε or ∛ε (or 1e-20 for the
        complex step) times max(1, |x_j|).

    Returns
    -------
    ndarray, shape (d,)
        ∂f/∂x_j for each component.

    Examples
    --------
    >>> import numpy as np
    >>> gradient(lambda w: w[0] ** 2 + 3 * w[1], [1.0, 2.0])
    array([2., 3.])
    """
    f_x, columns = _partials(f, x, method, h, "gradient")
    if f_x.size != 1:
        raise ValueError(
            f"gradient: f must return a single number, but f(x) has shape {f_x.shape}; "
            "use jacobian for vector-valued f"
        )
    return columns.reshape(-1)


def jacobian(
    f: Callable[[np.ndarray], np.ndarray],
    x: np.ndarray,
    *,
    method: str = "central",
    h: float | None = None,
) -> np.ndarray:
    """Approximate the Jacobian of f: R^d → R^m by finite differences.

    Parameters
    ----------
    f : callable
        Takes a vector of shape (d,) and returns a vector of shape (m,) (or one number, m = 1).
    x : array_like, shape (d,)
        Where to differentiate.
    method : {"forward", "backward", "central", "complex_step"}, default "central"
        The difference quotient for each column.
    h : float, optional
        One step for every component; default as in `gradient`.

    Returns
    -------
    ndarray, shape (m, d)
        Entry (i, j) is ∂f_i/∂x_j.

    Examples
    --------
    >>> import numpy as np
    >>> jacobian(lambda v: np.array([v[0] * v[1], v[0] + v[1]]), [2.0, 3.0])
    array([[3., 2.],
           [1., 1.]])
    """
    f_x, columns = _partials(f, x, method, h, "jacobian")
    if f_x.ndim > 1:
        raise ValueError(f"jacobian: f must return a vector, but f(x) has shape {f_x.shape}")
    return columns.reshape(len(columns), -1).T


@dataclass(frozen=True)
class GradientCheck:
    """An analytic gradient compared with central differences.

    Attributes
    ----------
    analytic : ndarray
        What ``grad(x)`` returned (its own shape, even when that is wrong).
    numeric : ndarray, shape (d,)
        The central-difference gradient.
    relative_errors : ndarray, shape (d,)
        |a − n| / max(|a|, |n|, tiny) per component; inf where the comparison
        is impossible (wrong shape, non-finite values).
    max_relative_error : float
        The largest relative error.
    passed : bool
        Whether ``max_relative_error ≤ tolerance``.
    tolerance : float
        The stated tolerance.
    message : str
        One sentence for a learner, naming the worst component or the problem.
    """

    analytic: np.ndarray
    numeric: np.ndarray
    relative_errors: np.ndarray
    max_relative_error: float
    passed: bool
    tolerance: float
    message: str


def gradient_check(
    f: Callable[[np.ndarray], float],
    grad: Callable[[np.ndarray], np.ndarray],
    x: np.ndarray,
    *,
    tolerance: float = 1e-6,
    h: float | None = None,
) -> GradientCheck:
    """Check an analytic gradient against central differences.

    A wrong result is reported, not raised: a gradient of the wrong shape (the
    classic bug of using the per-sample derivative of the loss, shape (n,), as
    the parameter gradient, shape (d,)) or with NaN/inf entries fails with a
    message saying what is wrong.

    Parameters
    ----------
    f : callable
        The scalar function, taking a parameter vector of shape (d,).
    grad : callable
        The analytic gradient to check, returning shape (d,).
    x : array_like, shape (d,)
        Where to check.
    tolerance : float, default 1e-6
        The largest acceptable relative error per component. Components too
        small for central differences to resolve (below ~10·ε·|f(x)|/(h·tolerance))
        are compared with that size instead of their own.
    h : float, optional
        The central-difference step; default ∛ε·max(1, |x_j|).

    Returns
    -------
    GradientCheck
        Both gradients, the relative errors, pass/fail and a message.

    Examples
    --------
    >>> import numpy as np
    >>> check = gradient_check(lambda w: np.sum(w**2), lambda w: 2 * w, [1.0, -2.0])
    >>> check.passed
    True
    >>> print(gradient_check(lambda w: np.sum(w**2), lambda w: w, [1.0, -2.0]).message)
    gradient check failed: component 0 has relative error 0.5
    (analytic 1, numeric 2) > tolerance 1e-06
    """
    check_callable("grad", grad)
    tolerance = check_positive("tolerance", tolerance)
    numeric = gradient(f, x, method="central", h=h)
    x = np.asarray(x, dtype=float)
    numeric.setflags(write=False)
    returned = grad(x.copy())
    analytic = np.asarray(returned)

    def failure(message: str) -> GradientCheck:
        impossible = np.full(x.shape, np.inf)
        impossible.setflags(write=False)
        return GradientCheck(analytic, numeric, impossible, math.inf, False, tolerance, message)

    if analytic.dtype.kind not in "biuf":
        return failure(f"grad(x) must return real numbers, got {_show(returned)}")
    analytic = analytic.astype(float)
    analytic.setflags(write=False)
    if analytic.shape != x.shape:
        return failure(
            f"grad(x) returned shape {analytic.shape} but x has shape {x.shape}: "
            "a gradient has one entry per parameter"
        )
    for name, values in (("grad(x)", analytic), ("the numeric gradient", numeric)):
        bad = np.flatnonzero(~np.isfinite(values))
        if bad.size:
            return failure(
                f"{name} has {bad.size} non-finite entr{'y' if bad.size == 1 else 'ies'} "
                f"(NaN or inf) at component(s) {', '.join(map(str, bad[:5]))}"
            )
    # A component that is truly zero gets ~ε|f|/h of round-off in the central
    # difference, which is 100 % relative error. So no component is measured
    # against less than the size at which that round-off alone would reach the
    # tolerance; a wrong gradient of any larger size is still caught.
    steps = _default_step("central", x) if h is None else np.full(x.shape, h)
    f_size = max(abs(float(np.asarray(f(x.copy()), dtype=float))), np.finfo(float).tiny)
    noise_floor = 10 * _EPS * f_size / steps / tolerance
    relative_errors = np.abs(analytic - numeric) / np.maximum(
        np.maximum(np.abs(analytic), np.abs(numeric)), noise_floor
    )
    relative_errors.setflags(write=False)
    worst = int(np.argmax(relative_errors))
    largest = float(relative_errors[worst])
    passed = largest <= tolerance
    if passed:
        message = (
            f"gradient check passed: max relative error {largest:.3g} ≤ tolerance {tolerance:g}"
        )
    else:
        message = (
            f"gradient check failed: component {worst} has relative error {largest:.3g} "
            f"(analytic {analytic[worst]:.6g}, numeric {numeric[worst]:.6g}) "
            f"> tolerance {tolerance:g}"
        )
    return GradientCheck(analytic, numeric, relative_errors, largest, passed, tolerance, message)


@dataclass(frozen=True)
class Line:
    """The line y = y0 + slope·(x − x0), callable on numbers and arrays.

    Attributes
    ----------
    x0, y0 : float
        A point on the line.
    slope : float
        Its slope.

    Examples
    --------
    >>> line = Line(x0=1.0, y0=2.0, slope=3.0)
    >>> line(2.0)
    5.0
    >>> line([0.0, 1.0])
    array([-1.,  2.])
    """

    x0: float
    y0: float
    slope: float

    def __call__(self, x: float | np.ndarray) -> float | np.ndarray:
        """Return the line's height at x."""
        return _scalar_or_array(self.y0 + self.slope * (np.asarray(x, dtype=float) - self.x0))


def _value_at(f: Callable, x: float, name: str) -> float:
    value = float(_evaluate_real(f, np.array(x)))
    if not math.isfinite(value):
        raise ValueError(f"f({name}) must be finite, got f({x:g}) = {value}")
    return value


def tangent_line(
    f: Callable[[np.ndarray], np.ndarray],
    x0: float,
    *,
    slope: float | None = None,
    method: str = "central",
) -> Line:
    """Return the tangent line to f at x0.

    Parameters
    ----------
    f : callable
        A vectorised function of x (numpy code).
    x0 : float
        The point of tangency.
    slope : float, optional
        The known f'(x0); by default estimated with ``method`` at its best step.
    method : {"forward", "backward", "central", "complex_step"}, default "central"
        The difference quotient used when ``slope`` is not given.

    Returns
    -------
    Line
        The tangent line through (x0, f(x0)).

    Examples
    --------
    >>> import numpy as np
    >>> tangent = tangent_line(np.exp, 0.0)
    >>> tangent.y0, round(tangent.slope, 8)
    (1.0, 1.0)
    """
    check_callable("f", f)
    x0 = check_real("x0", x0)
    method = check_choice("method", method, METHODS)
    y0 = _value_at(f, x0, "x0")
    if slope is None:
        slope = finite_difference(f, x0, _default_step(method, x0), method)
        if not math.isfinite(slope):
            raise ValueError(
                f"the {method} slope of f at x0 = {x0:g} is {slope}: "
                "f may not be differentiable there"
            )
    else:
        slope = check_real("slope", slope)
    return Line(x0=x0, y0=y0, slope=float(slope))


def secant_line(f: Callable[[np.ndarray], np.ndarray], x0: float, h: float) -> Line:
    """Return the secant line through (x0, f(x0)) and (x0 + h, f(x0 + h)).

    Parameters
    ----------
    f : callable
        A vectorised function of x (numpy code).
    x0 : float
        The first point.
    h : float
        The offset of the second point, nonzero (negative puts it to the left).

    Returns
    -------
    Line
        The secant line; its slope is the forward difference quotient.

    Examples
    --------
    >>> import numpy as np
    >>> secant_line(np.square, 1.0, 0.5).slope
    2.5
    """
    check_callable("f", f)
    x0 = check_real("x0", x0)
    h = check_real("h", h)
    if x0 + h == x0:
        raise ValueError(f"h must be nonzero and large enough to move x0 = {x0:g}, got {h:g}")
    y0 = _value_at(f, x0, "x0")
    slope = (_value_at(f, x0 + h, "x0 + h") - y0) / h
    return Line(x0=x0, y0=y0, slope=slope)
