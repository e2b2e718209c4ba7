"""Self-checks for the course's exercises: specific feedback, a hint, never just "wrong".

A lesson module registers one check per exercise with :func:`exercise`. A check
receives the learner's answer and raises :class:`Incorrect` with a specific
message when it is wrong. A learner who has not attempted an exercise leaves the
stub's ``...`` in place, and :func:`check` reports "not attempted yet" instead of
failing, so "Run All" always works.

With the environment variable ``CALCWIDGETS_CHECKS=strict`` a wrong answer
raises :class:`AssertionError`; the test suite runs the solution notebooks that
way, so a notebook whose own solution fails its check fails the tests.
"""

from __future__ import annotations

import html
import os
from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

__all__ = ["Feedback", "Incorrect", "Outcome", "check", "exercise", "registered_exercises"]


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


@dataclass(frozen=True)
class Feedback:
    """What :func:`check` tells the learner about one answer."""

    exercise: str
    title: str
    outcome: Outcome
    message: str
    hint: str | None
    points: float
    max_points: float

    @property
    def correct(self) -> bool:
        """Whether the answer passed the check."""
        return self.outcome is Outcome.CORRECT

    def __str__(self) -> str:  # noqa: D105 - the plain-text form of the feedback box
        mark = {Outcome.CORRECT: "✔", Outcome.INCORRECT: "✘", Outcome.NOT_ATTEMPTED: "…"}
        text = f"{mark[self.outcome]} Exercise {self.exercise} ({self.title}): {self.message}"
        if self.hint:
            text += f"\n  Hint: {self.hint}"
        return text

    def _repr_html_(self) -> str:
        colours = {
            Outcome.CORRECT: "#009E73",
            Outcome.INCORRECT: "#D55E00",
            Outcome.NOT_ATTEMPTED: "#0072B2",
        }
        hint = f"<br><b>Hint:</b> {html.escape(self.hint)}" if self.hint else ""
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
    hint: str
    function: Callable[[Any], str | None]


_REGISTRY: dict[str, _Exercise] = {}


def exercise(identifier: str, *, title: str, hint: str, points: float = 1.0) -> Callable:
    """Register the decorated function as the check of exercise ``identifier``.

    The function takes the learner's answer, raises :class:`Incorrect` when it is
    wrong and may return a sentence of praise that says what the answer shows.
    ``hint`` is shown with any wrong answer that does not bring a hint of its own.
    """

    def register(function: Callable[[Any], str | None]) -> Callable[[Any], str | None]:
        if identifier in _REGISTRY:
            raise ValueError(f"exercise {identifier!r} is registered twice")
        _REGISTRY[identifier] = _Exercise(identifier, title, points, hint, function)
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
        Displays as a coloured box in a notebook and as one line in a terminal.
    """
    _load_lessons()
    if identifier not in _REGISTRY:
        known = ", ".join(sorted(_REGISTRY))
        raise ValueError(f"identifier must be one of {known}; got {identifier!r}")
    entry = _REGISTRY[identifier]
    if _not_attempted(answer):
        feedback = Feedback(
            identifier,
            entry.title,
            Outcome.NOT_ATTEMPTED,
            "replace the ... with your answer and run the cell again.",
            None,
            0.0,
            entry.points,
        )
    else:
        try:
            praise = entry.function(answer)
        except Incorrect as wrong:
            feedback = Feedback(
                identifier,
                entry.title,
                Outcome.INCORRECT,
                wrong.message,
                wrong.hint or entry.hint,
                0.0,
                entry.points,
            )
        except Exception as error:  # the learner's own function may raise anything
            feedback = Feedback(
                identifier,
                entry.title,
                Outcome.INCORRECT,
                f"checking your answer raised {type(error).__name__}: {error}",
                entry.hint,
                0.0,
                entry.points,
            )
        else:
            feedback = Feedback(
                identifier,
                entry.title,
                Outcome.CORRECT,
                praise or "well done.",
                None,
                entry.points,
                entry.points,
            )
    if os.environ.get("CALCWIDGETS_CHECKS") == "strict" and feedback.outcome is Outcome.INCORRECT:
        raise AssertionError(str(feedback))
    return feedback
