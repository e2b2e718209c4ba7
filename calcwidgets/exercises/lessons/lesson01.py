"""Checks for lesson 01 · Limits.

- 01.1: the one-sided limits of a piecewise function at its seam, and whether
  the two-sided limit exists.
- 01.2: the largest δ for a given ε when f is a straight line.
- 01.3: the difference quotient of x³ at 2, the limit that defines the derivative.

The expected answers come from closed forms: each branch of the piecewise
function is continuous, a line of slope m needs δ = ε/|m|, and
((2 + h)³ − 2³)/h = 12 + 6h + h².

Hidden check (grading only, see :func:`~calcwidgets.exercises._framework.hidden_check`):
``difference_quotient`` is also called on steps the notebook never uses, of both
signs, so a function that only reproduces the six printed values fails.
"""

from __future__ import annotations

import numbers
from typing import Any

import numpy as np

from .._framework import Incorrect, exercise, hidden_check

__all__: list[str] = []

#: Exercise 01.1: g(x) = x² + 1 for x < 2 and 4x − 1 for x ≥ 2, at the seam x = 2.
SEAM = 2.0

#: Exercise 01.2: f(x) = 5x − 3 near a = 1, where L = 2, with ε = 0.01.
LINE_SLOPE, LINE_INTERCEPT = 5.0, -3.0
LINE_POINT, LINE_EPSILON = 1.0, 0.01

#: Exercise 01.3: the difference quotient of x³ at 2 for h = 10⁻¹, …, 10⁻⁶.
CUBE_POINT = 2.0
CUBE_STEPS = 10.0 ** -np.arange(1, 7)


def _left_branch(x: float) -> float:
    return x**2 + 1


def _right_branch(x: float) -> float:
    return 4 * x - 1


def _as_number(answer: Any, name: str) -> float:
    """Return ``answer`` as a float (±inf allowed), or say why it is not one number."""
    if isinstance(answer, np.ndarray) and answer.size == 1:
        answer = answer.item()
    if isinstance(answer, bool) or not isinstance(answer, numbers.Real):
        raise Incorrect(
            f"{name} should be a single number, but it is {type(answer).__name__} {answer!r:.60}"
        )
    value = float(answer)
    if np.isnan(value):
        raise Incorrect(f"{name} is NaN; a limit is a number (or ±∞)")
    return value


def _close(a: float, b: float, rtol: float = 1e-9) -> bool:
    return bool(np.isclose(a, b, rtol=rtol, atol=1e-12))


@exercise(
    "01.1",
    title="one-sided limits at a seam",
    hint=(
        (
            "Section 2 (One-sided limits): the limit from the left looks only at x < 2, the limit "
            "from the right only at x > 2. Decide which piece of g applies on each side."
        ),
        (
            "For x < 2, g(x) = x² + 1; for x > 2, g(x) = 4x − 1. Each piece is a polynomial, "
            "hence continuous, so its limit at 2 is its value at 2."
        ),
        (
            "The two-sided limit exists exactly when both one-sided limits exist and are equal; "
            "compare your two numbers."
        ),
    ),
)
def _check_one_sided(answer: Any) -> str:
    if not isinstance(answer, (tuple, list)) or len(answer) != 3:
        raise Incorrect(
            "pass three things: (left_limit, right_limit, two_sided_exists), as the cell does"
        )
    left = _as_number(answer[0], "left_limit")
    right = _as_number(answer[1], "right_limit")
    exists = answer[2]
    if not isinstance(exists, (bool, np.bool_)):
        raise Incorrect(
            f"two_sided_exists should be True or False, got {type(exists).__name__} {exists!r:.40}"
        )
    expected_left, expected_right = _left_branch(SEAM), _right_branch(SEAM)
    left_ok, right_ok = _close(left, expected_left), _close(right, expected_right)
    if not (left_ok and right_ok):
        if _close(left, expected_right) and _close(right, expected_left):
            raise Incorrect(
                "left and right are swapped: coming from the left means x < 2, where g(x) = x² + 1"
            )
        if left_ok and _close(right, expected_left):
            raise Incorrect(
                "your right limit uses the left branch: for x > 2, g(x) = 4x − 1, and the "
                "limit from the right only looks at those x"
            )
        if right_ok and _close(left, expected_right):
            raise Incorrect(
                "your left limit uses the right branch: g(2) = 4·2 − 1 is the value at 2, but "
                "the limit from the left only looks at x < 2, where g(x) = x² + 1"
            )
        wrong = []
        if not left_ok:
            wrong.append(f"left_limit = {left:g} is not lim g(x) as x → 2 from below")
        if not right_ok:
            wrong.append(f"right_limit = {right:g} is not lim g(x) as x → 2 from above")
        raise Incorrect("; ".join(wrong))
    if bool(exists):
        raise Incorrect(
            f"the one-sided limits are right ({left:g} and {right:g}), but they differ, so there "
            "is no single number g(x) approaches: the two-sided limit does not exist"
        )
    return (
        f"g approaches {expected_left:g} from the left and {expected_right:g} from the right: "
        "a jump, so no two-sided limit, and g is not continuous at 2."
    )


@exercise(
    "01.2",
    title="the largest δ for a line",
    hint=(
        (
            "Follow the worked example for 3x + 1 in section 4 (The ε–δ definition): write |f(x) "
            "− 2| in terms of |x − 1|."
        ),
        "|f(x) − 2| = |5x − 5| = 5·|x − 1|. For which values of |x − 1| is that below ε?",
        (
            "5·|x − 1| < ε exactly when |x − 1| < ε/5; any larger δ lets in an x with |f(x) − 2| "
            "≥ ε."
        ),
    ),
)
def _check_delta(answer: Any) -> str:
    delta = _as_number(answer, "delta")
    epsilon, slope = LINE_EPSILON, abs(LINE_SLOPE)
    expected = epsilon / slope
    if delta <= 0:
        raise Incorrect(
            f"δ must be > 0: δ = {delta:g} allows no x at all, so it says nothing about the limit"
        )
    if _close(delta, expected, rtol=1e-6):
        return (
            f"δ = ε/5 = {expected:g}: f changes 5 times as fast as x, so x may stray only a "
            "fifth as far as f may. For a line the rule is δ = ε/|slope|."
        )
    if _close(delta, epsilon, rtol=1e-6):
        raise Incorrect(
            f"δ = ε lets x reach 1 + 0.9·ε, where |f(x) − 2| = 5·0.9·ε = {4.5 * epsilon:g} ≥ ε: "
            "f moves 5 times as fast as x, so divide ε by 5"
        )
    if _close(delta, epsilon * slope, rtol=1e-6):
        raise Incorrect("you multiplied ε by the slope 5; x may move less than f, so divide")
    if delta < expected:
        raise Incorrect(
            f"δ = {delta:g} works (every smaller δ does too), but it is not the largest: "
            f"|f(x) − 2| = 5·|x − 1| stays below ε = {epsilon:g} for every |x − 1| below a "
            "larger bound"
        )
    witness = LINE_POINT + (delta + expected) / 2
    deviation = abs(LINE_SLOPE * witness + LINE_INTERCEPT - (LINE_SLOPE + LINE_INTERCEPT))
    raise Incorrect(
        f"δ = {delta:g} is too large: x = {witness:.6g} is within δ of 1, yet "
        f"|f(x) − 2| = {deviation:.4g} ≥ ε = {epsilon:g}"
    )


@exercise(
    "01.3",
    title="the difference quotient of x³",
    hint=(
        (
            "The difference quotient (f(a + h) − f(a))/h of section 6 (The limit that defines the "
            "derivative), with f(x) = x³ and a = 2, as a function of h."
        ),
        (
            "f(2 + h) is (2 + h) cubed and f(2) is 8. Plain arithmetic (+, −, *, /, **) on h "
            "works on a whole array of steps at once; avoid loops, float() and the math module."
        ),
        (
            "Subtract f(2) from f(2 + h), then divide by h. At h = 0.1 the quotient is 12.61, and "
            "as h shrinks the values approach 12."
        ),
    ),
)
def _check_quotient(answer: Any) -> str:
    if callable(answer):
        raise Incorrect("that is the function itself; pass its values, difference_quotient(steps)")
    try:
        values = np.asarray(answer, dtype=float)
    except (TypeError, ValueError):
        raise Incorrect(f"the quotients should be numbers, got {type(answer).__name__}") from None
    h, a = CUBE_STEPS, CUBE_POINT
    expected = 12 + 6 * h + h**2  # ((2 + h)³ − 8)/h, expanded
    if values.shape != h.shape:
        raise Incorrect(
            f"expected one quotient per step, shape {h.shape}, got shape {values.shape}: "
            "call difference_quotient(steps) with the steps array, and write the function "
            "with numpy operations so it works on arrays"
        )
    # Round-off in (2 + h)³ − 8 is about 8ε/h, i.e. 2e-9 at h = 1e-6.
    if np.allclose(values, expected, rtol=1e-7, atol=0):
        return (
            "the quotients are 12 + 6h + h²: they fall toward f′(2) = 12, and the gap 6h + h² "
            "shrinks in proportion to h. That limit, 12, is the derivative."
        )
    if np.allclose(values, 12 + h**2, rtol=1e-7):
        raise Incorrect(
            "these are central quotients (f(2 + h) − f(2 − h)) / 2h; this exercise asks for the "
            "one-sided quotient (f(2 + h) − f(2)) / h"
        )
    if np.allclose(values, expected * h, rtol=1e-6):
        raise Incorrect("these are the differences f(2 + h) − f(2); divide each by h")
    if np.allclose(values, -expected, rtol=1e-7):
        raise Incorrect("wrong sign: the quotient is (f(2 + h) − f(2)) / h, the later value first")
    if np.allclose(values, 12.0):
        raise Incorrect(
            "every value is exactly 12, the limit itself; return the quotient for each h, whose "
            "values approach 12"
        )
    if np.allclose(values, 3 * (a + h) ** 2, rtol=1e-7):
        raise Incorrect(
            "these are f′(2 + h) = 3(2 + h)²; the exercise asks for the quotient "
            "(f(2 + h) − f(2)) / h, which uses f only"
        )
    if np.allclose(values, 4 + h, rtol=1e-7):
        raise Incorrect("these are the quotients of x², not x³: f(x) = x**3")
    if np.allclose(values, h**2, rtol=1e-7):
        raise Incorrect("these are the quotients at a = 0; the point is a = 2")
    wrong = int(np.argmax(~np.isclose(values, expected, rtol=1e-7)))
    raise Incorrect(
        f"at h = {h[wrong]:g} the quotient should be {expected[wrong]:.10g}, "
        f"got {values[wrong]:.10g}"
    )


# Hidden checks: graded by calcwidgets.grading, never shown in the notebook. ----------------------


def _unseen_steps(rng: np.random.Generator) -> tuple[np.ndarray]:
    """Return five steps of random sign and size between 10⁻⁴ and 1."""
    return (rng.choice([-1.0, 1.0], size=5) * 10.0 ** rng.uniform(-4.0, 0.0, size=5),)


@hidden_check(
    "01.3",
    key="unseen steps",
    title="difference_quotient on steps the notebook does not use",
    function="difference_quotient",
    inputs=_unseen_steps,
    hint="((2 + h)**3 - 2**3) / h for whatever array h it is given",
)
def _hidden_quotient(result: Any, steps: np.ndarray) -> str:
    try:
        values = np.asarray(result, dtype=float)
    except (TypeError, ValueError):
        raise Incorrect(
            f"difference_quotient(h) returned {type(result).__name__}, not numbers"
        ) from None
    if values.shape != steps.shape:
        raise Incorrect(
            f"difference_quotient on an array of {steps.size} steps returned shape "
            f"{values.shape}; it should return one quotient per step"
        )
    expected = 12 + 6 * steps + steps**2
    if np.allclose(values, expected, rtol=1e-6, atol=0):
        return "the function is right for any step, not just the six in the notebook."
    wrong = int(np.argmax(~np.isclose(values, expected, rtol=1e-6, atol=0)))
    raise Incorrect(
        f"difference_quotient({steps[wrong]:.6g}) returned {values[wrong]:.10g}, but "
        f"((2 + h)³ − 8)/h = {expected[wrong]:.10g} there"
    )
