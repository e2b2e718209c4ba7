"""Self-checks for the course's exercises: specific feedback, graduated hints, never just "wrong".

A lesson module registers one check per exercise with :func:`exercise`. A check
receives the learner's answer and raises :class:`Incorrect` with a specific
message when it is wrong. A learner who has not attempted an exercise leaves the
stub's ``...`` in place, and :func:`check` reports "not attempted yet" instead of
failing, so "Run All" always works.

Graduated hints
---------------
An exercise registers a sequence of hints, from a nudge (which idea, which
section of the lesson) to a near-complete step. In a learner's kernel
:func:`check` shows the first with the first wrong answer and one level more
with each further wrong answer that differs from the last one, up to the last
level; running the cell again on the same answer repeats the same hint. A
correct answer and a stub leave the level where it is. A hint that an
:class:`Incorrect` brings for its particular mistake is shown instead and does
not use up a level. :func:`judge_answer`, which the grader calls, keeps no
state and always shows the first level.

With the environment variable ``CALCWIDGETS_CHECKS=strict`` a wrong answer
raises :class:`AssertionError`; the test suite runs the solution notebooks that
way, so a notebook whose own solution fails its check fails the tests.

Grading
-------
:mod:`calcwidgets.grading` runs a learner's notebook in a kernel whose
environment names a record file (``CALCWIDGETS_GRADING_RECORD``). There,
:func:`check` also appends one JSON line per call to that file: the exercise, the
verdict the learner saw and the *answer itself*, encoded as plain data by
:func:`encode_answer`. The grader never trusts the verdict: it decodes the answer
and judges it again with :func:`judge_answer` in its own process, from its own
import of the checks, where the learner's code cannot reach.

A lesson module may also register *hidden checks* with :func:`hidden_check`,
separate from the visible one. A hidden check names a function the exercise asks
the learner to write and how to make inputs the notebook never shows (drawn from
``CALCWIDGETS_GRADING_SEED``). In the grading kernel :func:`check` calls the
learner's function on them and records what it returns (:func:`probe_hidden`);
the grader draws the same inputs and judges the recorded values
(:func:`judge_hidden`). Outside grading nothing of this runs, and the learner
never sees a hidden check's feedback.
"""

from __future__ import annotations

import hashlib
import html
import json
import math
import numbers
import os
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

import numpy as np

__all__ = [
    "GRADING_RECORD_ENV",
    "GRADING_SEED_ENV",
    "Feedback",
    "HiddenCheck",
    "Incorrect",
    "Outcome",
    "check",
    "decode_answer",
    "encode_answer",
    "exercise",
    "expect_close",
    "hidden_check",
    "hidden_checks",
    "judge_answer",
    "judge_hidden",
    "probe_hidden",
    "registered_exercises",
]

#: Set by the grader in a grading kernel: the file :func:`check` appends its record to.
GRADING_RECORD_ENV = "CALCWIDGETS_GRADING_RECORD"
#: Set by the grader in a grading kernel: the seed of the hidden checks' inputs.
GRADING_SEED_ENV = "CALCWIDGETS_GRADING_SEED"


class Incorrect(Exception):
    """Raised by a check to say what is wrong with an answer, and how to get unstuck."""

    def __init__(self, message: str, *, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint


class Outcome(StrEnum):
    """The verdict on one answer."""

    CORRECT = "correct"
    INCORRECT = "incorrect"
    NOT_ATTEMPTED = "not attempted yet"


_FURTHER_HINT = "Run the cell again after another try for a further hint."


@dataclass(frozen=True)
class Feedback:
    """What :func:`check` tells the learner about one answer.

    Attributes
    ----------
    exercise, title : str
        The exercise's identifier and title.
    outcome : Outcome
        The verdict.
    message : str
        What the answer shows, or what is wrong with it.
    hint : str or None
        How to get unstuck; ``None`` unless the answer is incorrect.
    points, max_points : float
        The points earned and the points possible.
    hint_level, hint_levels : int
        ``hint`` is graduated hint number ``hint_level`` of the exercise's
        ``hint_levels``; both are 0 when the hint is specific to the mistake or
        there is no hint.
    """

    exercise: str
    title: str
    outcome: Outcome
    message: str
    hint: str | None
    points: float
    max_points: float
    hint_level: int = 0
    hint_levels: int = 0

    @property
    def correct(self) -> bool:
        """Whether the answer passed the check."""
        return self.outcome is Outcome.CORRECT

    @property
    def hint_label(self) -> str:
        """``"Hint 2 of 3"`` for a graduated hint of several levels, else ``"Hint"``."""
        if self.hint_levels > 1:
            return f"Hint {self.hint_level} of {self.hint_levels}"
        return "Hint"

    @property
    def further_hint_follows(self) -> bool:
        """Whether another wrong answer would bring a more specific hint."""
        return 0 < self.hint_level < self.hint_levels

    def __str__(self) -> str:  # noqa: D105 - the plain-text form of the feedback box
        mark = {Outcome.CORRECT: "✔", Outcome.INCORRECT: "✘", Outcome.NOT_ATTEMPTED: "…"}
        text = f"{mark[self.outcome]} Exercise {self.exercise} ({self.title}): {self.message}"
        if self.hint:
            text += f"\n  {self.hint_label}: {self.hint}"
        if self.further_hint_follows:
            text += f"\n  {_FURTHER_HINT}"
        return text

    def _repr_html_(self) -> str:
        colours = {
            Outcome.CORRECT: "#009E73",
            Outcome.INCORRECT: "#D55E00",
            Outcome.NOT_ATTEMPTED: "#0072B2",
        }
        hint = f"<br><b>{self.hint_label}:</b> {html.escape(self.hint)}" if self.hint else ""
        if self.further_hint_follows:
            hint += f"<br><i>{_FURTHER_HINT}</i>"
        return (
            f'<div role="status" style="border-left: 4px solid {colours[self.outcome]}; '
            f'padding: 4px 8px;"><b>Exercise {html.escape(self.exercise)} — '
            f"{html.escape(self.title)}: {self.outcome.value}.</b> "
            f"{html.escape(self.message)}{hint}</div>"
        )


@dataclass(frozen=True)
class _Exercise:
    identifier: str
    title: str
    points: float
    hints: tuple[str, ...]
    function: Callable[[Any], str | None]


_REGISTRY: dict[str, _Exercise] = {}

#: Per exercise, in this process: the graduated hint level :func:`check` showed
#: last and the fingerprint of the wrong answer it showed it for.
_HINTS_SHOWN: dict[str, tuple[int, str | None]] = {}


def _hint_levels(identifier: str, hint: str | Sequence[str]) -> tuple[str, ...]:
    """Return ``hint`` as a tuple of levels, or raise if it is not non-empty strings."""
    levels = (hint,) if isinstance(hint, str) else tuple(hint)
    if not levels:
        raise ValueError(f"exercise {identifier!r} needs at least one hint")
    for level in levels:
        if not isinstance(level, str):
            raise TypeError(
                f"the hints of exercise {identifier!r} must be strings, got {type(level).__name__}"
            )
        if not level.strip():
            raise ValueError(f"exercise {identifier!r} has an empty hint")
    return levels


def exercise(
    identifier: str, *, title: str, hint: str | Sequence[str], points: float = 1.0
) -> Callable:
    """Register the decorated function as the check of exercise ``identifier``.

    The function takes the learner's answer, raises :class:`Incorrect` when it is
    wrong and may return a sentence of praise that says what the answer shows.

    Parameters
    ----------
    identifier : str
        The exercise, for example ``"02.1"``.
    title : str
        Its title, as the notebook's heading gives it.
    hint : str or sequence of str
        The graduated hints, from a nudge to a near-complete step (one string is
        one level). With each further wrong answer that brings no hint of its own,
        :func:`check` shows the next level; see the module's docstring.
    points : float, default 1.0
        Points for a correct answer.

    Returns
    -------
    callable
        The decorator; it returns the check unchanged.

    Raises
    ------
    ValueError
        If there is no hint, a hint is empty, or ``identifier`` is already registered.
    TypeError
        If a hint is not a string.
    """
    hints = _hint_levels(identifier, hint)

    def register(function: Callable[[Any], str | None]) -> Callable[[Any], str | None]:
        if identifier in _REGISTRY:
            raise ValueError(f"exercise {identifier!r} is registered twice")
        _REGISTRY[identifier] = _Exercise(identifier, title, points, hints, function)
        return function

    return register


def registered_exercises() -> dict[str, str]:
    """Return the titles of all registered exercises by identifier."""
    _load_lessons()
    return {key: entry.title for key, entry in sorted(_REGISTRY.items())}


def _load_lessons() -> None:
    from . import lessons  # noqa: F401 - importing registers every lesson's checks


def _not_attempted(answer: Any) -> bool:
    if answer is Ellipsis or answer is None:
        return True
    return isinstance(answer, (tuple, list)) and any(part is Ellipsis for part in answer)


def judge_answer(identifier: str, answer: Any) -> Feedback:
    """Judge an answer to exercise ``identifier`` as :func:`check` does, without side effects.

    No strict mode and no grading record: the grader calls this on the answers it
    reads back from a learner's kernel.

    Parameters
    ----------
    identifier : str
        The exercise, for example ``"02.1"``.
    answer : object
        The answer; ``...`` means "not attempted yet".

    Returns
    -------
    Feedback
        The verdict, the message, the points and, for a wrong answer, the first
        level of the exercise's hints (or the hint specific to the mistake).
    """
    entry = _registered(identifier)
    return _verdict(identifier, entry.title, entry.points, entry.hints, entry.function, (answer,))


def _registered(identifier: str) -> _Exercise:
    _load_lessons()
    if identifier not in _REGISTRY:
        known = ", ".join(sorted(_REGISTRY))
        raise ValueError(f"identifier must be one of {known}; got {identifier!r}")
    return _REGISTRY[identifier]


def _verdict(
    identifier: str,
    title: str,
    points: float,
    hints: tuple[str, ...],
    function: Callable[..., str | None],
    arguments: tuple,
    hint_level: int = 1,
) -> Feedback:
    """Judge ``function(*arguments)``; a wrong answer gets ``hints[hint_level - 1]``."""

    def wrong(message: str, specific_hint: str | None = None) -> Feedback:
        if specific_hint or not hints:
            hint, level, levels = specific_hint, 0, 0
        else:
            hint, level, levels = hints[hint_level - 1], hint_level, len(hints)
        return Feedback(
            identifier, title, Outcome.INCORRECT, message, hint, 0.0, points, level, levels
        )

    if _not_attempted(arguments[0]):
        return Feedback(
            identifier,
            title,
            Outcome.NOT_ATTEMPTED,
            "replace the ... with your answer and run the cell again.",
            None,
            0.0,
            points,
        )
    try:
        praise = function(*arguments)
    except Incorrect as mistake:
        return wrong(mistake.message, mistake.hint)
    except Exception as error:  # the learner's own function may raise anything
        return wrong(f"checking your answer raised {type(error).__name__}: {error}")
    return Feedback(
        identifier, title, Outcome.CORRECT, praise or "well done.", None, points, points
    )


def check(identifier: str, answer: Any) -> Feedback:
    """Check the answer to exercise ``identifier`` and return feedback to display.

    Parameters
    ----------
    identifier : str
        The exercise, as printed in the notebook (for example ``"02.1"``).
    answer : object
        The learner's answer: a number, an array or a function, as the exercise asks.
        ``...`` (the stub's placeholder) means "not attempted yet".

    Returns
    -------
    Feedback
        Displays as a coloured box in a notebook and as plain lines in a terminal.
        A wrong answer that brings no hint of its own gets the exercise's next
        hint level, one level per changed wrong answer (see the module's docstring).
    """
    entry = _registered(identifier)
    shown_level, shown_for = _HINTS_SHOWN.get(identifier, (0, None))
    fingerprint = _fingerprint(answer)
    if shown_level and fingerprint is not None and fingerprint == shown_for:
        hint_level = shown_level
    else:
        hint_level = min(shown_level + 1, len(entry.hints))
    feedback = _verdict(
        identifier, entry.title, entry.points, entry.hints, entry.function, (answer,), hint_level
    )
    if feedback.hint_level:
        _HINTS_SHOWN[identifier] = (feedback.hint_level, fingerprint)
    record = os.environ.get(GRADING_RECORD_ENV)
    if record:
        _record_check(record, feedback, answer, sys._getframe(1).f_globals)
    if os.environ.get("CALCWIDGETS_CHECKS") == "strict" and feedback.outcome is Outcome.INCORRECT:
        raise AssertionError(str(feedback))
    return feedback


def _fingerprint(answer: Any) -> str | None:
    """Return a digest that is equal for equal answers, or None if the answer cannot be encoded."""
    try:
        encoded = json.dumps(encode_answer(answer), sort_keys=True, allow_nan=False)
    except Exception:  # a learner's object may break anything it is asked to do
        return None
    return hashlib.sha256(encoded.encode("utf-8")).hexdigest()


# Hidden checks ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class HiddenCheck:
    """A check the learner never sees: their function, called on inputs drawn at grading time.

    Attributes
    ----------
    exercise : str
        The visible exercise it belongs to, for example ``"01.3"``.
    key : str
        Names it among that exercise's hidden checks, for example ``"other steps"``.
    title : str
        What it checks, in words.
    function : str
        The name of the function the exercise asks the learner to define.
    inputs : callable
        ``inputs(rng)`` returns the positional arguments of one call, drawn with the
        ``numpy.random.Generator`` it is given; the kernel and the grader draw the same.
    judge : callable
        ``judge(result, *arguments)`` raises :class:`Incorrect` when ``result`` is
        not what the function should return for ``arguments``, else may return praise.
    points : float
        Points for passing it.
    hint : str or None
        Shown with a failure that brings no hint of its own.
    """

    exercise: str
    key: str
    title: str
    function: str
    inputs: Callable[[np.random.Generator], tuple]
    judge: Callable[..., str | None]
    points: float = 1.0
    hint: str | None = None

    @property
    def label(self) -> str:
        """The name of this check in grade sheets: ``"01.3 (hidden: other steps)"``."""
        return f"{self.exercise} (hidden: {self.key})"


_HIDDEN: dict[str, dict[str, HiddenCheck]] = {}


def hidden_check(
    identifier: str,
    *,
    key: str,
    title: str,
    function: str,
    inputs: Callable[[np.random.Generator], tuple],
    points: float = 1.0,
    hint: str | None = None,
) -> Callable:
    """Register the decorated function as the judge of a hidden check of exercise ``identifier``.

    The judge is called as ``judge(result, *inputs(rng))`` in the grader, where
    ``result`` is what the learner's ``function`` returned for those inputs in the
    grading kernel. It raises :class:`Incorrect` when the result is wrong and may
    return praise, like a visible check. See :class:`HiddenCheck`.
    """

    def register(judge: Callable[..., str | None]) -> Callable[..., str | None]:
        checks = _HIDDEN.setdefault(identifier, {})
        if key in checks:
            raise ValueError(f"hidden check {key!r} of exercise {identifier!r} is registered twice")
        checks[key] = HiddenCheck(identifier, key, title, function, inputs, judge, points, hint)
        return judge

    return register


def hidden_checks(identifier: str) -> tuple[HiddenCheck, ...]:
    """Return the hidden checks of exercise ``identifier``, in the order they were registered."""
    _load_lessons()
    return tuple(_HIDDEN.get(identifier, {}).values())


def expect_close(result: Any, expected: Any, *, call: str, rtol: float = 1e-7) -> None:
    """Raise :class:`Incorrect` unless ``result`` is numbers close to ``expected``, same shape.

    The usual body of a hidden check's judge. ``call`` names what produced the
    result in the messages, for example ``"mse_gradient(w, X, y) on new data"``.

    Examples
    --------
    >>> expect_close([1.0, 2.0], [1.0, 2.0], call="f(x)")
    >>> expect_close([1.0, 2.5], [1.0, 2.0], call="f(x)")
    Traceback (most recent call last):
    ...
    calcwidgets.exercises._framework.Incorrect: f(x) returned 2.5 at index 1, but it should be 2
    """
    if callable(result):
        raise Incorrect(f"{call} returned a function, not numbers")
    try:
        values = np.asarray(result, dtype=float)
    except (TypeError, ValueError):
        raise Incorrect(f"{call} returned {type(result).__name__}, not numbers") from None
    expected = np.asarray(expected, dtype=float)
    if expected.ndim == 0 and values.size == 1:
        values = values.reshape(())
    if values.shape != expected.shape:
        raise Incorrect(f"{call} returned shape {values.shape}; it should return {expected.shape}")
    if not np.all(np.isfinite(values)):
        raise Incorrect(f"{call} returned NaN or inf")
    atol = 1e-12 * max(1.0, float(np.abs(expected).max(initial=0.0)))
    close = np.isclose(values, expected, rtol=rtol, atol=atol)
    if np.all(close):
        return
    if expected.ndim == 0:
        raise Incorrect(
            f"{call} returned {float(values):.10g}, but it should be {float(expected):.10g}"
        )
    wrong = np.unravel_index(int(np.argmax(~close.ravel())), close.shape)
    where = wrong[0] if len(wrong) == 1 else tuple(int(i) for i in wrong)
    raise Incorrect(
        f"{call} returned {values[wrong]:.10g} at index {where}, but it should be "
        f"{expected[wrong]:.10g}"
    )


def probe_hidden(hidden: HiddenCheck, namespace: dict[str, Any], seed: int) -> dict[str, Any]:
    """Call the learner's function on the hidden check's inputs; return what happened as data.

    This runs in the learner's kernel. The result is a small JSON-ready dict:
    ``{"result": encoded}``, ``{"error": "TypeError: ..."}``, ``{"missing": name}``
    or ``{"not_callable": type name}``.
    """
    function = namespace.get(hidden.function)
    if function is None:
        return {"missing": hidden.function}
    if not callable(function):
        return {"not_callable": type(function).__name__}
    arguments = hidden.inputs(np.random.default_rng(seed))
    try:
        result = function(*arguments)
    except Exception as error:  # the learner's function may raise anything
        return {"error": f"{type(error).__name__}: {error}"[:_MAX_TEXT]}
    return {"result": encode_answer(result)}


def judge_hidden(hidden: HiddenCheck, probe: Any, seed: int) -> Feedback:
    """Judge what :func:`probe_hidden` recorded, drawing the same inputs from ``seed``.

    ``probe`` is untrusted data read back from the learner's kernel; anything
    malformed is judged incorrect, never raised.
    """

    def fail(message: str) -> Feedback:
        return Feedback(
            hidden.label, hidden.title, Outcome.INCORRECT, message, hidden.hint, 0.0, hidden.points
        )

    if not isinstance(probe, dict) or len(probe) != 1:
        return fail("the grading record of this check is missing or malformed")
    [(kind, detail)] = probe.items()
    if kind == "missing":
        return fail(f"the notebook defines no function named {hidden.function}")
    if kind == "not_callable":
        return fail(f"{hidden.function} is a {str(detail)[:40]}, not a function")
    if kind == "error":
        return fail(f"calling {hidden.function} on other inputs raised {str(detail)[:_MAX_TEXT]}")
    if kind != "result":
        return fail("the grading record of this check is malformed")
    try:
        result = decode_answer(detail)
    except ValueError as error:
        return fail(f"the grading record of this check is malformed: {error}")
    arguments = hidden.inputs(np.random.default_rng(seed))
    hints = (hidden.hint,) if hidden.hint else ()
    return _verdict(
        hidden.label, hidden.title, hidden.points, hints, hidden.judge, (result, *arguments)
    )


# The grading record ----------------------------------------------------------------------------

_MAX_TEXT = 500
_MAX_NUMBERS = 200_000
_MAX_DEPTH = 20
_NUMERIC_KINDS = "biufc"


def _record_check(path: str, feedback: Feedback, answer: Any, namespace: dict[str, Any]) -> None:
    """Append one line about this check() call to the grading record; never raise."""
    line: dict[str, Any] = {"exercise": feedback.exercise, "outcome": feedback.outcome.value}
    try:
        line["answer"] = encode_answer(answer)
        seed = int(os.environ.get(GRADING_SEED_ENV, "0"))
        line["hidden"] = {
            hidden.key: probe_hidden(hidden, namespace, seed)
            for hidden in hidden_checks(feedback.exercise)
        }
        text = json.dumps(line, allow_nan=False)
    except Exception as error:  # recording must never break the learner's notebook
        line = {
            "exercise": feedback.exercise,
            "outcome": feedback.outcome.value,
            "record_error": f"{type(error).__name__}: {error}"[:_MAX_TEXT],
        }
        text = json.dumps(line)
    try:
        with open(path, "a", encoding="utf-8") as record:
            record.write(text + "\n")
    except OSError:
        pass


def _finite(value: float) -> float | dict[str, str]:
    return value if math.isfinite(value) else {"float": repr(value)}


def encode_answer(value: Any) -> Any:
    """Encode an answer as plain JSON data that :func:`decode_answer` turns back into it.

    Numbers, strings, ``None``, ``...``, lists, tuples and numeric numpy arrays and
    scalars survive exactly (up to 200,000 numbers in all). Anything else becomes
    an opaque stand-in that keeps its type name, so a check still says "that is a
    function" or "got dict".

    Examples
    --------
    >>> encode_answer((1.5, ..., [True]))
    {'tuple': [1.5, {'ellipsis': True}, {'list': [True]}]}
    >>> decode_answer(encode_answer((1.5, ..., [True])))
    (1.5, Ellipsis, [True])
    """
    return _encode(value, [_MAX_NUMBERS], 0)


def _opaque(value: Any, reason: str | None = None) -> dict[str, Any]:
    if callable(value):
        kind, text = "function", getattr(value, "__name__", "function")
    else:
        kind = type(value).__name__
        try:
            text = reason or repr(value)
        except Exception:  # a learner's object may have a broken __repr__
            text = "?"
    return {"opaque": [str(kind)[:80], str(text)[:_MAX_TEXT]]}


def _encode(value: Any, budget: list[int], depth: int) -> Any:
    if depth > _MAX_DEPTH:
        return _opaque(value, "nested too deeply to record")
    if value is None or isinstance(value, bool):
        return value
    if value is Ellipsis:
        return {"ellipsis": True}
    if isinstance(value, str):
        return value if len(value) <= 10 * _MAX_TEXT else _opaque(value, "a very long string")
    if isinstance(value, np.ndarray | np.generic):
        return _encode_numpy(value, budget)
    if isinstance(value, int):
        return value if value.bit_length() <= 1000 else _opaque(value, "a very large integer")
    if isinstance(value, float):
        return _finite(value)
    if isinstance(value, complex):
        return {"complex": [_finite(value.real), _finite(value.imag)]}
    if isinstance(value, list | tuple):
        budget[0] -= len(value)
        if budget[0] < 0:
            return _opaque(value, "too large to record")
        items = [_encode(item, budget, depth + 1) for item in value]
        return {"tuple" if isinstance(value, tuple) else "list": items}
    if isinstance(value, numbers.Real):  # Fraction, Decimal, ...
        return _finite(float(value))
    if hasattr(value, "__array__") and not callable(value):  # pandas, xarray, ...
        try:
            array = np.asarray(value)
        except Exception:
            return _opaque(value)
        if array.dtype.kind in _NUMERIC_KINDS:
            return _encode_numpy(array, budget)
    return _opaque(value)


def _encode_numpy(value: np.ndarray | np.generic, budget: list[int]) -> Any:
    if value.dtype.kind not in _NUMERIC_KINDS:
        return _opaque(value)
    budget[0] -= value.size
    if budget[0] < 0:
        return _opaque(value, f"an array of shape {value.shape}, too large to record")
    flat = np.ravel(value)
    if flat.dtype.kind == "c":
        data: Any = {
            "real": [_finite(float(x)) for x in flat.real],
            "imag": [_finite(float(x)) for x in flat.imag],
        }
    elif flat.dtype.kind == "f":
        data = [_finite(float(x)) for x in flat]
    else:
        data = flat.tolist()
    tag = "ndarray" if isinstance(value, np.ndarray) else "numpy"
    return {tag: {"dtype": value.dtype.name, "shape": list(np.shape(value)), "data": data}}


class _Opaque:
    """Stands in for an answer the record could not carry (a dict, an object, a function)."""

    def __init__(self, text: str) -> None:
        self._text = text

    def __repr__(self) -> str:
        return self._text


class _OpaqueFunction(_Opaque):
    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        raise TypeError("the grader cannot call a function recorded from a notebook")


_DTYPES = frozenset(
    ["bool", "float16", "float32", "float64", "complex64", "complex128"]
    + [np.dtype(np.longdouble).name, np.dtype(np.clongdouble).name]
    + [f"{sign}int{bits}" for sign in ("", "u") for bits in (8, 16, 32, 64)]
)


def decode_answer(data: Any) -> Any:
    """Turn what :func:`encode_answer` wrote back into an answer; raise ValueError if malformed.

    The data comes from a learner's kernel and is not trusted: only the shapes
    :func:`encode_answer` writes are accepted, within its size limits.
    """
    return _decode(data, [_MAX_NUMBERS], 0)


def _float(data: Any) -> float:
    if (
        isinstance(data, dict)
        and set(data) == {"float"}
        and data["float"] in ("nan", "inf", "-inf")
    ):
        return float(data["float"])
    if isinstance(data, int | float) and not isinstance(data, bool):
        return float(data)
    raise ValueError(f"expected a number, found {type(data).__name__}")


def _decode(data: Any, budget: list[int], depth: int) -> Any:
    if depth > _MAX_DEPTH + 1:
        raise ValueError("nested too deeply")
    if data is None or isinstance(data, bool | int | float | str):
        return data
    if not isinstance(data, dict) or len(data) != 1:
        raise ValueError(f"unexpected {type(data).__name__} in a recorded answer")
    [(tag, body)] = data.items()
    if tag == "ellipsis" and body is True:
        return Ellipsis
    if tag == "float":
        return _float(data)
    if tag == "complex" and isinstance(body, list) and len(body) == 2:
        return complex(_float(body[0]), _float(body[1]))
    if tag in ("list", "tuple") and isinstance(body, list):
        budget[0] -= len(body)
        if budget[0] < 0:
            raise ValueError("too large")
        items = [_decode(item, budget, depth + 1) for item in body]
        return tuple(items) if tag == "tuple" else items
    if tag in ("ndarray", "numpy") and isinstance(body, dict):
        return _decode_numpy(tag, body, budget)
    if tag == "opaque" and isinstance(body, list) and len(body) == 2:
        kind, text = (str(part)[:_MAX_TEXT] for part in body)
        base = _OpaqueFunction if kind == "function" else _Opaque
        name = kind if kind.isidentifier() else "object"
        return type(name, (base,), {})(text)
    raise ValueError(f"unknown tag {str(tag)[:40]!r} in a recorded answer")


def _decode_numpy(tag: str, body: dict[str, Any], budget: list[int]) -> Any:
    if set(body) != {"dtype", "shape", "data"} or body["dtype"] not in _DTYPES:
        raise ValueError("malformed array")
    shape = body["shape"]
    if not isinstance(shape, list) or not all(
        isinstance(n, int) and not isinstance(n, bool) and n >= 0 for n in shape
    ):
        raise ValueError("malformed array shape")
    size = math.prod(shape)
    budget[0] -= size
    if budget[0] < 0 or len(shape) > 32:
        raise ValueError("array too large")
    dtype = np.dtype(body["dtype"])
    data = body["data"]
    if dtype.kind == "c":
        if not isinstance(data, dict) or set(data) != {"real", "imag"}:
            raise ValueError("malformed complex array")
        parts = [data["real"], data["imag"]]
        if not all(isinstance(part, list) and len(part) == size for part in parts):
            raise ValueError("malformed complex array")
        values = np.array([_float(x) for x in parts[0]]) + 1j * np.array(
            [_float(x) for x in parts[1]]
        )
    else:
        if not isinstance(data, list) or len(data) != size:
            raise ValueError("array data do not match its shape")
        if dtype.kind == "f":
            values = np.array([_float(x) for x in data], dtype=float)
        elif all(isinstance(x, bool | int) for x in data):
            values = np.array(data, dtype=object)
        else:
            raise ValueError("malformed integer array")
    try:
        array = values.astype(dtype).reshape(shape)
    except (OverflowError, ValueError, TypeError) as error:
        raise ValueError(f"malformed array: {error}") from None
    return array if tag == "ndarray" else array[()]
