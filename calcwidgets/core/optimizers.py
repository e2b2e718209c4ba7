"""Iterative optimizers: gradient descent, SGD, momentum, Nesterov and Adam.

Every optimizer works on an objective that follows the core's objective
protocol (``value``, ``smooth_gradient``, ``batch_smooth_gradient``, ``l1``,
...; see ``calcwidgets.core.models``), records its whole trajectory and
reports how it ended in an :class:`~calcwidgets.core.results.OptimizationResult`.
An L1 penalty is handled by a proximal (soft-thresholding) step after each
update, so weights can land exactly on zero and leave it again.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import numpy as np

from ._validate import (
    check_array,
    check_callable,
    check_choice,
    check_int,
    check_positive,
    check_real,
    check_seed,
)
from .results import OptimizationResult, Status, divergence_limit

__all__ = [
    "LEARNING_RATE_SCHEDULES",
    "OPTIMIZATION_METHODS",
    "gradient_step",
    "learning_rate_schedule",
    "optimize",
    "soft_threshold",
]

#: The update rules :func:`optimize` knows.
OPTIMIZATION_METHODS = ("gd", "sgd", "momentum", "nesterov", "adam")

#: The learning-rate schedules :func:`learning_rate_schedule` knows.
LEARNING_RATE_SCHEDULES = ("constant", "step", "exponential", "inverse_time", "cosine")

_SCHEDULE_DEFAULTS: dict[str, dict[str, float]] = {
    "constant": {},
    "step": {"factor": 0.5, "every": 10},
    "exponential": {"factor": 0.99},
    "inverse_time": {"decay": 0.01},
    "cosine": {"floor": 0.0},
}


def _check_schedule_option(name: str, value: Any, learning_rate: float) -> float:
    if name == "factor":
        factor = check_real("factor", value)
        if not 0 < factor <= 1:
            raise ValueError(f"factor must be in (0, 1] so the rate decays, got {factor:g}")
        return factor
    if name == "every":
        return check_int("every", value, minimum=1)
    if name == "decay":
        return check_positive("decay", value, allow_zero=True)
    floor = check_positive("floor", value, allow_zero=True)
    if floor > learning_rate:
        raise ValueError(
            f"floor must not exceed learning_rate={learning_rate:g}, got floor={floor:g}"
        )
    return floor


def learning_rate_schedule(
    name: str, learning_rate: float, iterations: int, **options: float
) -> np.ndarray:
    """Return the learning rate of each of ``iterations`` update steps.

    Entry ``t`` is the rate used by the update from ``w_t`` to ``w_{t+1}``
    (``t = 0, ..., iterations - 1``).

    Parameters
    ----------
    name : {"constant", "step", "exponential", "inverse_time", "cosine"}
        ``"constant"``: ``η``.
        ``"step"``: ``η · factor^⌊t / every⌋`` (options ``factor=0.5``, ``every=10``).
        ``"exponential"``: ``η · factor^t`` (option ``factor=0.99``).
        ``"inverse_time"``: ``η / (1 + decay · t)``, the 1/t schedule (option ``decay=0.01``).
        ``"cosine"``: ``floor + (η - floor)(1 + cos(π t / iterations)) / 2``, from ``η``
        down towards ``floor`` (option ``floor=0``; Loshchilov & Hutter, SGDR, 2017).
    learning_rate : float
        The starting rate ``η > 0``.
    iterations : int
        The number of update steps, at least 1.
    **options : float
        The schedule's options listed above; ``factor`` lies in (0, 1],
        ``every`` is a whole number ≥ 1, ``decay`` ≥ 0 and ``0 ≤ floor ≤ η``.

    Returns
    -------
    ndarray, shape (iterations,)
        The rate at each step. Rates below the smallest normal float are set to
        zero.

    Examples
    --------
    >>> learning_rate_schedule("step", 0.1, 6, factor=0.5, every=2)
    array([0.1  , 0.1  , 0.05 , 0.05 , 0.025, 0.025])
    >>> learning_rate_schedule("inverse_time", 1.0, 3, decay=1.0)
    array([1.   , 0.5  , 0.333])
    """
    name = check_choice("name", name, LEARNING_RATE_SCHEDULES)
    learning_rate = check_positive("learning_rate", learning_rate)
    iterations = check_int("iterations", iterations, minimum=1)
    defaults = _SCHEDULE_DEFAULTS[name]
    unknown = sorted(set(options) - set(defaults))
    if unknown:
        takes = (
            "takes the options " + ", ".join(repr(key) for key in defaults)
            if defaults
            else "takes no options"
        )
        raise ValueError(
            f"schedule {name!r} {takes}; got unknown option(s) "
            + ", ".join(repr(key) for key in unknown)
        )
    settings = {
        key: _check_schedule_option(key, options.get(key, default), learning_rate)
        for key, default in defaults.items()
    }
    t = np.arange(iterations, dtype=float)
    with np.errstate(under="ignore"):
        if name == "constant":
            rates = np.full(iterations, learning_rate)
        elif name == "step":
            rates = learning_rate * settings["factor"] ** (t // settings["every"])
        elif name == "exponential":
            rates = learning_rate * settings["factor"] ** t
        elif name == "inverse_time":
            rates = learning_rate / (1.0 + settings["decay"] * t)
        else:
            floor = settings["floor"]
            rates = floor + (learning_rate - floor) * (1.0 + np.cos(np.pi * t / iterations)) / 2
    # Subnormal rates are zero for every practical purpose, but arithmetic on
    # them is slow.
    rates[rates < np.finfo(float).tiny] = 0.0
    return rates


def _shrink(values: np.ndarray, threshold: float | np.ndarray) -> np.ndarray:
    # values - clip(values) is exactly +0.0 inside the threshold (no -0.0 as with
    # sign(v)·max(|v| - t, 0)); minimum/maximum clip faster than np.clip on short
    # vectors, which matters in the optimizers' per-step loop.
    return values - np.minimum(np.maximum(values, -threshold), threshold)


def soft_threshold(w: Any, threshold: Any) -> np.ndarray:
    """Soft-threshold ``w``: the proximal operator of ``threshold · ‖w‖₁``.

    Each entry moves ``threshold`` towards zero and stops there:
    ``sign(w) · max(|w| - threshold, 0)``. Entries within ``threshold`` of zero
    become exactly zero.

    Parameters
    ----------
    w : array_like
        The values to shrink.
    threshold : float or array_like
        How far to shrink, ≥ 0: one number, or one per entry of ``w``.

    Returns
    -------
    ndarray
        The shrunk values, the same shape as ``w``.

    Examples
    --------
    >>> soft_threshold([-2.0, -0.5, 0.0, 0.3, 1.5], 1.0)
    array([-1. ,  0. ,  0. ,  0. ,  0.5])
    """
    w = check_array("w", w)
    threshold = check_array("threshold", threshold)
    if np.any(threshold < 0):
        raise ValueError(f"threshold must be ≥ 0, got minimum {threshold.min():g}")
    if threshold.ndim and threshold.shape != w.shape:
        raise ValueError(
            f"threshold must be one number or have the shape of w {w.shape}, "
            f"got shape {threshold.shape}"
        )
    return _shrink(w, threshold)


def _shape_mismatch(gradient_shape: tuple[int, ...], params_shape: tuple[int, ...]) -> str:
    return (
        f"gradient has shape {gradient_shape} but params has shape {params_shape}: "
        "a derivative with one entry per sample, such as 2*(y_pred - y), is not the "
        "gradient with respect to the parameters, which has one entry per parameter"
    )


def gradient_step(params: Any, gradient: Any, learning_rate: float) -> np.ndarray:
    """Return ``params - learning_rate * gradient`` after checking the shapes agree.

    Numpy would silently broadcast a gradient of shape (1,) over any params, and
    report a mismatch such as params (1,) against a gradient (3,) in terms of
    broadcasting; this says what went wrong instead.

    Parameters
    ----------
    params : array_like
        The current parameters.
    gradient : array_like
        The gradient of the loss with respect to ``params``: the same shape.
    learning_rate : float
        The step size, > 0.

    Returns
    -------
    ndarray
        The updated parameters (a new array; ``params`` is left unchanged).

    Raises
    ------
    ValueError
        If ``gradient`` and ``params`` differ in shape.

    Examples
    --------
    >>> gradient_step([1.0, 2.0], [0.5, -1.0], 0.1)
    array([0.95, 2.1 ])
    >>> gradient_step([0.5], [2.0, -1.0, 4.0], 0.01)
    Traceback (most recent call last):
    ...
    ValueError: gradient has shape (3,) but params has shape (1,): a derivative with one entry per
    sample, such as 2*(y_pred - y), is not the gradient with respect to the parameters, which has
    one entry per parameter
    """
    params = check_array("params", params)
    gradient = check_array("gradient", gradient)
    learning_rate = check_positive("learning_rate", learning_rate)
    if gradient.shape != params.shape:
        raise ValueError(_shape_mismatch(gradient.shape, params.shape))
    return params - learning_rate * gradient


def _as_gradient(gradient: Any, n_weights: int, source: str) -> np.ndarray:
    gradient = np.asarray(gradient, dtype=float)
    if gradient.shape != (n_weights,):
        raise ValueError(
            f"{source} returned shape {gradient.shape} for weights of shape ({n_weights},): "
            "the gradient must have one entry per parameter"
        )
    return gradient


def _check_objective(objective: Any, minibatches: bool) -> float:
    """Check the protocol methods ``optimize`` will call; return the L1 strength."""
    required = ["value", "smooth_gradient"]
    if minibatches:
        required += ["batch_smooth_gradient", "n_samples"]
    missing = [name for name in required if not hasattr(objective, name)]
    if missing:
        raise TypeError(
            "objective must provide value(w) and smooth_gradient(w), and for minibatches "
            "batch_smooth_gradient(w, indices) and n_samples; "
            f"{type(objective).__name__} lacks " + ", ".join(missing)
        )
    return check_positive("objective.l1", getattr(objective, "l1", 0.0), allow_zero=True)


def _stability_hint(objective: Any, method: str, momentum: float, largest_rate: float) -> str:
    """Explain a divergence by the quadratic stability bound, when it is cheap to know."""
    if method not in ("gd", "momentum") or not hasattr(objective, "gram_eigen"):
        return ""
    eigenvalues, _ = objective.gram_eigen
    # The Hessian of (1/n)‖Xw − y‖² + l2‖w‖² is 2(XᵀX/n + l2·I).
    curvature = 2.0 * (float(eigenvalues[-1]) + float(objective.l2))
    if method == "gd":
        bound, formula = 2.0 / curvature, "2/L"
    else:
        # Heavy ball on λw²/2 is stable exactly for 0 < ηλ < 2(1 + β)
        # (Polyak 1964; Goh, "Why Momentum Really Works", Distill 2017).
        bound, formula = 2.0 * (1.0 + momentum) / curvature, "2(1 + β)/L"
    if largest_rate < bound:
        return ""
    return (
        f"; {method} on this loss is stable only for learning rates below {formula} = "
        f"{bound:.3g} (L = {curvature:.3g} is the largest curvature), and the run used "
        f"{largest_rate:.3g}"
    )


def _divergence_message(
    objective: Any,
    method: str,
    momentum: float,
    rates: np.ndarray,
    losses: np.ndarray,
    step: int,
    loss: float,
) -> str:
    start, last = losses[0], losses[step - 1]
    if loss == -math.inf or (math.isfinite(loss) and loss < start):
        return (
            f"the loss fell from {start:.3g} to {last:.3g} by step {step - 1} and then "
            f"stopped being finite at step {step}: the objective may be unbounded below"
        )
    limit = divergence_limit(start)
    if math.isfinite(loss) and loss > limit:
        what = f"reached {loss:.3g}, past the divergence limit {limit:.3g},"
    elif math.isfinite(loss):
        what = "its gradient stopped being finite"
    else:
        what = "stopped being finite"
    hint = _stability_hint(objective, method, momentum, float(rates[:step].max()))
    return (
        f"the loss grew from {start:.3g} to {last:.3g} by step {step - 1} and {what} at "
        f"step {step}: the learning rate is too large for this problem{hint}"
    )


def optimize(
    objective: Any,
    w0: Any,
    *,
    method: str = "gd",
    learning_rate: float = 0.1,
    iterations: int = 100,
    schedule: str = "constant",
    schedule_options: dict[str, float] | None = None,
    batch_size: int | None = None,
    momentum: float = 0.9,
    beta1: float = 0.9,
    beta2: float = 0.999,
    epsilon: float = 1e-8,
    seed: int | np.random.Generator | None = 0,
    tolerance: float = 1e-8,
    validation: Callable[[np.ndarray], float] | None = None,
    patience: int | None = None,
) -> OptimizationResult:
    """Minimize ``objective`` from ``w0`` and record the whole trajectory.

    With ``g = objective.smooth_gradient(w)`` (the gradient of everything but the
    L1 term) and ``η_t`` the scheduled rate, one step of each method is:

    - ``"gd"``: ``w ← w - η_t g``.
    - ``"sgd"``: the same with ``g`` averaged over a minibatch of ``batch_size`` rows
      (default 1). Each epoch draws ``rng.permutation(n_samples)`` and walks through
      it in chunks of ``batch_size`` (the last chunk may be smaller).
    - ``"momentum"`` (heavy ball, Polyak 1964): ``v ← βv - η_t g``, ``w ← w + v``,
      with ``β = momentum`` and ``v₀ = 0``. The velocity ``v`` is the last
      displacement ``w_t - w_{t-1}``; with an L1 penalty the proximal step acts
      on ``w + βv - η_t g`` (iPiano, Ochs et al. 2014).
    - ``"nesterov"`` (Sutskever et al. 2013): the gradient is taken at the
      look-ahead point ``y = w + βv``; ``w ← y - η_t ∇f(y)``, ``v ← w_new - w``
      (with L1 this is FISTA with a constant momentum, Beck & Teboulle 2009). It
      takes two gradients per step: at ``y`` for the update, at ``w`` for the record.
    - ``"adam"`` (Kingma & Ba 2015): ``m ← β₁m + (1-β₁)g``, ``s ← β₂s + (1-β₂)g²``,
      ``w ← w - η_t m̂ / (√ŝ + ε)`` with the bias corrections ``m̂ = m / (1-β₁ᵗ)``
      and ``ŝ = s / (1-β₂ᵗ)``, ``t`` counting from 1.

    ``momentum``, ``nesterov`` and ``adam`` use minibatches too when ``batch_size``
    is given. With ``objective.l1 > 0`` each update is followed by the proximal
    step ``w ← soft_threshold(w, step · l1)``, ``step`` being ``η_t`` (for Adam the
    per-coordinate ``η_t / (√ŝ + ε)``), so weights reach exactly zero and can
    leave it again.

    Parameters
    ----------
    objective : object
        Follows the objective protocol: ``value(w)`` (the whole objective,
        penalties included), ``smooth_gradient(w)``, ``l1`` (taken as 0 when
        absent), and for minibatches ``batch_smooth_gradient(w, indices)`` and
        ``n_samples``. A ``gram_eigen`` attribute (LeastSquares) lets a divergence
        message quote the stability bound.
    w0 : array_like, shape (d,)
        The starting weights.
    method : {"gd", "sgd", "momentum", "nesterov", "adam"}
        The update rule.
    learning_rate : float
        The step size ``η > 0`` (the starting rate of a decaying schedule).
    iterations : int
        The largest number of update steps, at least 1.
    schedule : str
        A schedule of :func:`learning_rate_schedule`.
    schedule_options : dict, optional
        Its options, such as ``{"factor": 0.5, "every": 20}``.
    batch_size : int, optional
        The minibatch size, 1 ≤ batch_size ≤ n_samples. None means the full batch,
        except for ``"sgd"`` where it means 1. ``"gd"`` always uses the full batch.
    momentum : float
        ``β`` of ``"momentum"`` and ``"nesterov"``, in [0, 1).
    beta1, beta2 : float
        Adam's decay rates of the first and second moments, in [0, 1).
    epsilon : float
        Adam's guard against division by zero, > 0.
    seed : int, numpy Generator or None
        Seeds the minibatch order; runs with the same seed are identical.
    tolerance : float
        A full-batch run stops as converged once the gradient norm is at most
        this (≥ 0; 0 never stops early). Minibatch runs never test it, because
        their steps stay noisy.
    validation : callable, optional
        ``validation(w) -> float``, the loss on held-out data, evaluated at every
        step.
    patience : int, optional
        With ``validation``: stop once the validation loss has not improved on
        its best for this many steps (early stopping).

    Returns
    -------
    OptimizationResult
        ``steps`` are 0, 1, ..., k (every iteration is recorded, so
        ``path[best_step]`` holds the weights with the best validation loss);
        ``losses`` are ``objective.value`` (penalties included). ``gradient_norms``
        are ``‖∇f(w)‖`` when ``l1 = 0``; with ``l1 > 0`` they are the norm of the
        proximal-gradient mapping ``(w - soft_threshold(w - ηg, η·l1)) / η`` with
        ``η = learning_rate``, which is zero exactly at a minimizer of the
        penalized objective. The status is CONVERGED, DIVERGED (at the first
        non-finite value or loss above ``divergence_limit(losses[0])``; the path
        stops before ``diverged_at``), EARLY_STOPPED or MAX_ITERATIONS.

    Examples
    --------
    A protocol-conforming objective f(w) = ‖w - (1, -2)‖². With η = 0.25 each
    step halves the distance to the minimum, so the gradient norm 2√5 falls
    below 1e-8 after ⌈log₂(2√5 · 10⁸)⌉ = 29 steps:

    >>> class Bowl:
    ...     l1 = 0.0
    ...     centre = np.array([1.0, -2.0])
    ...     def value(self, w):
    ...         return float(np.sum((w - self.centre) ** 2))
    ...     def smooth_gradient(self, w):
    ...         return 2 * (w - self.centre)
    >>> result = optimize(Bowl(), [0.0, 0.0], learning_rate=0.25, iterations=100)
    >>> result.status, len(result.steps) - 1
    (<Status.CONVERGED: 'converged'>, 29)
    >>> result.final_weights
    array([ 1., -2.])
    >>> optimize(Bowl(), [0.0, 0.0], learning_rate=1.5).status
    <Status.DIVERGED: 'diverged'>
    """
    method = check_choice("method", method, OPTIMIZATION_METHODS)
    minibatches = method == "sgd" or batch_size is not None
    if method == "gd" and batch_size is not None:
        raise ValueError(
            "method='gd' always uses the full batch; use method='sgd' for minibatches "
            f"of batch_size={batch_size!r}"
        )
    l1 = _check_objective(objective, minibatches)
    w = check_array("w0", w0, ndim=1).copy()
    n_weights = w.size
    n_features = getattr(objective, "n_features", n_weights)
    if n_features != n_weights:
        raise ValueError(
            f"w0 must have one entry per feature of the objective ({n_features}), got {n_weights}"
        )
    learning_rate = check_positive("learning_rate", learning_rate)
    iterations = check_int("iterations", iterations, minimum=1)
    schedule = check_choice("schedule", schedule, LEARNING_RATE_SCHEDULES)
    rates = learning_rate_schedule(schedule, learning_rate, iterations, **(schedule_options or {}))
    for name, value in (("momentum", momentum), ("beta1", beta1), ("beta2", beta2)):
        if not 0 <= check_real(name, value) < 1:
            raise ValueError(f"{name} must be in [0, 1), got {value:g}")
    epsilon = check_positive("epsilon", epsilon)
    tolerance = check_positive("tolerance", tolerance, allow_zero=True)
    rng = check_seed("seed", seed)
    if validation is not None:
        check_callable("validation", validation)
    if patience is not None:
        if validation is None:
            raise ValueError("patience needs a validation function to watch; got validation=None")
        patience = check_int("patience", patience, minimum=1)

    n_samples = 0
    if minibatches:
        n_samples = check_int("objective.n_samples", objective.n_samples, minimum=1)
        batch_size = check_int(
            "batch_size", 1 if batch_size is None else batch_size, minimum=1, maximum=n_samples
        )
        # One batch of every sample is the full gradient: cheaper through the
        # objective's statistics, and it may then test for convergence.
        minibatches = batch_size < n_samples

    path = np.empty((iterations + 1, n_weights))
    losses = np.empty(iterations + 1)
    gradient_norms = np.empty(iterations + 1)
    validation_losses = None if validation is None else np.empty(iterations + 1)
    velocity = np.zeros(n_weights)
    first_moment = np.zeros(n_weights)
    second_moment = np.zeros(n_weights)
    order = np.arange(n_samples)
    position = n_samples
    best_loss, best_step = math.inf, None
    status, diverged_at, message = Status.MAX_ITERATIONS, None, ""

    with np.errstate(all="ignore"):
        loss = objective.value(w)
        if np.ndim(loss) != 0:
            raise ValueError(
                f"objective.value(w) must return one number, got shape {np.shape(loss)}"
            )
        loss = float(loss)
        gradient = _as_gradient(objective.smooth_gradient(w), n_weights, "smooth_gradient(w)")
        if not (math.isfinite(loss) and np.all(np.isfinite(gradient))):
            raise ValueError(f"the objective or its gradient is not finite at w0 (loss {loss})")
        limit = divergence_limit(loss)

        for step in range(iterations + 1):
            if step:
                loss = float(objective.value(w))
                gradient = _as_gradient(
                    objective.smooth_gradient(w), n_weights, "smooth_gradient(w)"
                )
            if l1:
                mapping = (w - _shrink(w - learning_rate * gradient, learning_rate * l1)) / (
                    learning_rate
                )
                gradient_norm = math.sqrt(float(mapping @ mapping))
            else:
                gradient_norm = math.sqrt(float(gradient @ gradient))
            if not (math.isfinite(loss) and math.isfinite(gradient_norm)) or loss > limit:
                status, diverged_at = Status.DIVERGED, step
                message = _divergence_message(
                    objective, method, momentum, rates, losses, step, loss
                )
                break
            path[step] = w
            losses[step] = loss
            gradient_norms[step] = gradient_norm
            if validation_losses is not None:
                validation_loss = float(validation(w))
                validation_losses[step] = validation_loss
                if validation_loss < best_loss:
                    best_loss, best_step = validation_loss, step
                elif best_step is None:
                    # A NaN or infinite first value: any finite later one improves on it.
                    best_step = step
            if not minibatches and gradient_norm <= tolerance:
                status = Status.CONVERGED
                message = (
                    f"the gradient norm fell to {gradient_norm:.3g}, within the tolerance "
                    f"{tolerance:g}, at step {step}"
                )
                break
            if patience is not None and step - best_step >= patience:
                status = Status.EARLY_STOPPED
                message = (
                    f"the validation loss has not improved for {patience} steps since its "
                    f"best, {best_loss:.4g} at step {best_step}"
                )
                break
            if step == iterations:
                message = (
                    f"reached the iteration limit {iterations} with gradient norm "
                    f"{gradient_norm:.3g} (tolerance {tolerance:g})"
                )
                if minibatches:
                    message += "; minibatch runs do not test for convergence"
                break

            rate = rates[step]
            point = w + momentum * velocity if method == "nesterov" else w
            if minibatches:
                if position >= n_samples:
                    order = rng.permutation(n_samples)
                    position = 0
                batch = order[position : position + batch_size]
                position += batch_size
                update_gradient = _as_gradient(
                    objective.batch_smooth_gradient(point, batch),
                    n_weights,
                    "batch_smooth_gradient(w, indices)",
                )
            elif point is w:
                update_gradient = gradient
            else:
                update_gradient = _as_gradient(
                    objective.smooth_gradient(point), n_weights, "smooth_gradient(w)"
                )

            if method == "adam":
                first_moment = beta1 * first_moment + (1.0 - beta1) * update_gradient
                second_moment = beta2 * second_moment + (1.0 - beta2) * update_gradient**2
                corrected_first = first_moment / (1.0 - beta1 ** (step + 1))
                corrected_second = second_moment / (1.0 - beta2 ** (step + 1))
                coordinate_rates = rate / (np.sqrt(corrected_second) + epsilon)
                new_w = w - coordinate_rates * corrected_first
                if l1:
                    new_w = _shrink(new_w, coordinate_rates * l1)
            else:
                if method in ("gd", "sgd"):
                    new_w = w - rate * update_gradient
                elif method == "momentum":
                    new_w = w + momentum * velocity - rate * update_gradient
                else:
                    new_w = point - rate * update_gradient
                if l1:
                    new_w = _shrink(new_w, rate * l1)
                if method in ("momentum", "nesterov"):
                    velocity = new_w - w
            w = new_w

    kept = step if diverged_at is not None else step + 1
    return OptimizationResult(
        method=method,
        steps=np.arange(kept),
        path=path[:kept],
        losses=losses[:kept],
        gradient_norms=gradient_norms[:kept],
        status=status,
        message=message,
        diverged_at=diverged_at,
        validation_losses=None if validation_losses is None else validation_losses[:kept],
        best_step=best_step,
    )
