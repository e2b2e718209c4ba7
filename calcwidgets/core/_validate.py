"""Argument checks shared by the core.

Every check raises an error that names the argument, says what was expected
and shows what was given, so a learner can fix the call without reading the
source.
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Callable, Iterable
from typing import Any

import numpy as np


def _show(value: Any) -> str:
    """Return a short representation of ``value`` for an error message."""
    if isinstance(value, np.ndarray):
        return f"an array of shape {value.shape} and dtype {value.dtype}"
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def check_callable(name: str, value: Any) -> Callable:
    if not callable(value):
        raise TypeError(f"{name} must be a function of x, got {_show(value)}")
    return value


def check_real(name: str, value: Any) -> float:
    """Return ``value`` as a finite float."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(f"{name} must be a real number, got {_show(value)}")
    value = float(value)
    if not math.isfinite(value):
        raise ValueError(f"{name} must be finite, got {value}")
    return value


def check_positive(name: str, value: Any, *, allow_zero: bool = False) -> float:
    value = check_real(name, value)
    if value < 0 or (value == 0 and not allow_zero):
        expected = "≥ 0" if allow_zero else "> 0"
        raise ValueError(f"{name} must be {expected}, got {value:g}")
    return value


def check_int(
    name: str, value: Any, *, minimum: int | None = None, maximum: int | None = None
) -> int:
    """Return ``value`` as an int within ``[minimum, maximum]``."""
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        if isinstance(value, numbers.Real) and float(value).is_integer():
            value = int(value)
        else:
            raise TypeError(f"{name} must be a whole number, got {_show(value)}")
    value = int(value)
    if minimum is not None and value < minimum:
        raise ValueError(f"{name} must be ≥ {minimum}, got {value}")
    if maximum is not None and value > maximum:
        raise ValueError(f"{name} must be ≤ {maximum}, got {value}")
    return value


def check_choice(name: str, value: Any, choices: Iterable[str]) -> str:
    choices = tuple(choices)
    if value not in choices:
        listed = ", ".join(repr(c) for c in choices)
        raise ValueError(f"{name} must be one of {listed}; got {_show(value)}")
    return value


def check_interval(a: Any, b: Any, *, a_name: str = "a", b_name: str = "b") -> tuple[float, float]:
    """Return ``(a, b)`` as floats with ``a < b``."""
    a = check_real(a_name, a)
    b = check_real(b_name, b)
    if not a < b:
        raise ValueError(f"{a_name} must be less than {b_name}, got {a_name}={a:g}, {b_name}={b:g}")
    return a, b


def check_array(
    name: str,
    value: Any,
    *,
    ndim: int | tuple[int, ...] | None = None,
    shape: tuple[int | None, ...] | None = None,
    min_length: int = 1,
) -> np.ndarray:
    """Return ``value`` as a finite float array of the expected dimension and shape.

    ``shape`` may hold ``None`` for an axis of any length.
    """
    try:
        array = np.asarray(value, dtype=float)
    except (TypeError, ValueError):
        raise TypeError(f"{name} must be an array of real numbers, got {_show(value)}") from None
    if ndim is not None:
        allowed = (ndim,) if isinstance(ndim, int) else ndim
        if array.ndim not in allowed:
            wanted = " or ".join(f"{n}-D" for n in allowed)
            raise ValueError(f"{name} must be {wanted}, got shape {array.shape}")
    if shape is not None:
        matches = len(shape) == array.ndim and all(
            want is None or want == got for want, got in zip(shape, array.shape, strict=True)
        )
        if not matches:
            wanted = "(" + ", ".join("any" if s is None else str(s) for s in shape) + ")"
            raise ValueError(f"{name} must have shape {wanted}, got shape {array.shape}")
    if array.ndim > 0 and array.shape[0] < min_length:
        raise ValueError(f"{name} must have at least {min_length} entries, got {array.shape[0]}")
    if not np.all(np.isfinite(array)):
        bad = int(np.size(array) - np.count_nonzero(np.isfinite(array)))
        raise ValueError(
            f"{name} must contain only finite numbers, got {bad} NaN or infinite value(s)"
        )
    return array


def check_seed(name: str, value: Any) -> np.random.Generator:
    """Return a numpy Generator from a seed, a Generator, or None."""
    if isinstance(value, np.random.Generator):
        return value
    if value is None or (isinstance(value, numbers.Integral) and not isinstance(value, bool)):
        return np.random.default_rng(value)
    raise TypeError(f"{name} must be an int seed, a numpy Generator or None, got {_show(value)}")
